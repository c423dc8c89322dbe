// Which engine a worker command is for. A new run says so in its request (`engine: 'pytorch'`);
// a resumed run in the config.json its first launch saved, so `--resume` needs no --engine.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerCommand } from '../../protocol/training';
import type { PyTorchStart } from './request';

/** The PyTorch engine's start for `command`, or undefined when the TF.js engine should take it. */
export function pytorchStartFor(command: WorkerCommand): PyTorchStart | undefined {
  if (command.type === 'start') {
    const request = command.request;
    return request.engine === 'pytorch' ? { kind: 'new', request } : undefined;
  }
  if (command.type !== 'resume' || engineOfRun(command.runDir) !== 'pytorch') return undefined;
  const { python, nprocPerNode, nnodes, rdzvEndpoint, threads } = command;
  return { kind: 'resume', runDir: command.runDir, epochs: command.epochs, maxSteps: command.maxSteps, python, nprocPerNode, nnodes, rdzvEndpoint, threads };
}

/** The engine a run folder was trained with; undefined when it is no run folder (the TF.js engine says so). */
export function engineOfRun(runDir: string): 'pytorch' | 'tfjs' | undefined {
  const path = join(runDir, 'config.json');
  if (!existsSync(path)) return undefined;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { engine?: unknown }).engine === 'pytorch' ? 'pytorch' : 'tfjs';
  } catch {
    return undefined;
  }
}
