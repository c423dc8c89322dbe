// Which engine a worker command is for. A new run says so in its request (`engine: 'pytorch'`);
// a resumed run in the config.json its first launch saved, so `--resume` needs no --engine.
import { engineOfRun } from '../runFolder/runFolder';
import type { WorkerCommand } from '../../protocol/training';
import type { PyTorchStart } from './request';

/** The PyTorch engine's start for `command`, or undefined when the TF.js engine should take it. */
export function pytorchStartFor(command: WorkerCommand): PyTorchStart | undefined {
  if (command.type === 'start') {
    const request = command.request;
    return request.engine === 'pytorch' ? { kind: 'new', request } : undefined;
  }
  if (command.type !== 'resume' || engineOfRun(command.runDir) !== 'pytorch') return undefined;
  const { python, nprocPerNode, nnodes, rdzvEndpoint, threads, device, precision, channelsLast } = command;
  return { kind: 'resume', runDir: command.runDir, epochs: command.epochs, maxSteps: command.maxSteps, python, nprocPerNode, nnodes, rdzvEndpoint, threads, device, precision, channelsLast };
}
