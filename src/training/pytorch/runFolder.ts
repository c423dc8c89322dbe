// The run folder of a PyTorch run, laid out as a TF.js run's (config.json, metrics.jsonl,
// checkpoints/, model/) plus pytorch/ with the files Python runs: model.py, runner.py, plan.json.
// The format is ../runFolder.ts's; this adds what only PyTorch runs need: the resumed request and
// the checkpoint the runner will load, checked on the TypeScript side before Python starts.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedMessage } from '../../protocol/training';
import { checkpointPath, DamagedCheckpointError, loadNewestCheckpoint, parseMetricLines, readRunConfig, runPaths, verifyCheckpoint } from '../runFolder';
import { PyTorchEngineError } from './engineError';
import type { PyTorchRequest, PyTorchStart } from './request';

/**
 * A stopped run's request, with the overrides the resume gives. The Python comes from the resume
 * (--python, the settings) only: a run folder may come from anyone, so nothing in it picks a program.
 */
export function resumedRequest(start: Extract<PyTorchStart, { kind: 'resume' }>): PyTorchRequest {
  const saved = readRunConfig(start.runDir);
  const { kind: _kind, runDir: _runDir, ...overrides } = start;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...saved, ...defined, engine: 'pytorch' };
}

/**
 * PyTorch checkpoints are checked against their checksums when they have them
 * (`step-XXXXXXXX.pt.checksums.json`, or `checksums.json` in a checkpoint folder; see
 * docs/run-folder.md). The runner does not write them yet: until it does, one without passes.
 */
export const PYTORCH_CHECKSUMS_REQUIRED = false;

export interface LatestCheckpoint {
  readonly path: string;
  readonly step: number;
  /** Damaged checkpoints passed over (latest.json now names this one), each naming its file. */
  readonly warnings: readonly string[];
}

/** The newest whole PyTorch checkpoint of the run, if it has one; latest.json points at it when this returns. */
export function latestCheckpoint(runDir: string): LatestCheckpoint | undefined {
  const chosen = loadNewestCheckpoint(
    runDir,
    (name) => {
      const path = checkpointPath(runDir, name);
      if (existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, 'optimizer.bin'))) {
        throw new PyTorchEngineError(`${runDir} holds a TF.js checkpoint, not a PyTorch one; resume it with the TF.js engine (leave out --engine pytorch)`);
      }
      verifyCheckpoint(runDir, name, { requireChecksums: PYTORCH_CHECKSUMS_REQUIRED });
      const step = Number(/^step-(\d+)/.exec(name)?.[1]);
      if (!Number.isSafeInteger(step)) throw new DamagedCheckpointError(`${path} has no step in its name`);
      return { path, step };
    },
    (name, loaded) => ({ checkpoint: name, step: loaded.step }),
  );
  return chosen && { ...chosen.loaded, warnings: chosen.warnings };
}

/** The run's first `started` message: the batch and data its checkpoints' steps count. */
export function firstStarted(runDir: string): StartedMessage | undefined {
  let text: string;
  try {
    text = readFileSync(runPaths(runDir).metrics, 'utf8');
  } catch {
    return undefined;
  }
  return parseMetricLines(text).messages.find((m): m is StartedMessage => m.type === 'started');
}
