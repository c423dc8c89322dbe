// The run folder of a PyTorch run, laid out as a TF.js run's (config.json, metrics.jsonl,
// checkpoints/, model/) plus pytorch/ with the files Python runs: model.py, runner.py, plan.json.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRunConfig } from '../runSetup';
import { PyTorchEngineError } from './engineError';
import type { PyTorchRequest, PyTorchStart } from './request';

/**
 * A stopped run's request, with the overrides the resume gives. A run folder is data, possibly
 * from someone else: the Python to run is never taken from its config.json, only from the resume
 * (--python, the editor's setting), else the default.
 */
export function resumedRequest(start: Extract<PyTorchStart, { kind: 'resume' }>): PyTorchRequest {
  const { python: _fromRunFolder, ...saved } = readRunConfig(start.runDir) as PyTorchRequest;
  const { kind: _kind, runDir: _runDir, ...overrides } = start;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...saved, ...defined, engine: 'pytorch' };
}

export interface LatestCheckpoint {
  readonly path: string;
  readonly step: number;
  readonly epoch: number;
}

/** A PyTorch checkpoint's file name: tensors and JSON in the safetensors layout (see runner.py), never a pickle. */
const CHECKPOINT_NAME = /^step-[0-9]{8}\.safetensors$/;

/** What checkpoints/latest.json names, if the run has written a PyTorch checkpoint. */
export function latestCheckpoint(runDir: string): LatestCheckpoint | undefined {
  const latest = join(runDir, 'checkpoints', 'latest.json');
  if (!existsSync(latest)) return undefined;
  let parsed: { checkpoint?: unknown; step?: unknown; epoch?: unknown };
  try {
    parsed = JSON.parse(readFileSync(latest, 'utf8')) as typeof parsed;
  } catch (error) {
    throw new PyTorchEngineError(`${latest} is damaged (${(error as Error).message}); it should name the run's newest checkpoint`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new PyTorchEngineError(`${latest} is damaged: it should name the run's newest checkpoint`);
  if (typeof parsed.checkpoint === 'string' && parsed.checkpoint.endsWith('.pt')) {
    throw new PyTorchEngineError(
      `${latest} names ${parsed.checkpoint}, a pickled checkpoint (an older ResNet Studio wrote those, or someone placed it there): pickles can run code when loaded, so it is not loaded; start a new run`,
    );
  }
  if (typeof parsed.checkpoint !== 'string' || !CHECKPOINT_NAME.test(parsed.checkpoint)) {
    throw new PyTorchEngineError(`${runDir} holds a TF.js checkpoint, not a PyTorch one; resume it with the TF.js engine (leave out --engine pytorch)`);
  }
  const path = join(runDir, 'checkpoints', parsed.checkpoint);
  if (!existsSync(path)) throw new PyTorchEngineError(`${latest} names ${parsed.checkpoint}, which is missing; the run folder is damaged`);
  return { path, step: Number(parsed.step), epoch: Number(parsed.epoch) };
}
