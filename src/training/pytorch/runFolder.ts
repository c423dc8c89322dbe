// The run folder of a PyTorch run, laid out as a TF.js run's (config.json, metrics.jsonl,
// checkpoints/, model/) plus pytorch/ with the files Python runs: model.py, runner.py, plan.json.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PyTorchEngineError } from './engineError';
import type { PyTorchRequest, PyTorchStart } from './request';

/** Writes a file so that readers see either the old or the new content, never half of it. */
export function writeAtomically(path: string, content: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

/** A stopped run's request, with the overrides the resume gives. */
export function resumedRequest(start: Extract<PyTorchStart, { kind: 'resume' }>): PyTorchRequest {
  const configPath = join(start.runDir, 'config.json');
  if (!existsSync(configPath)) throw new PyTorchEngineError(`${start.runDir} is not a run folder (it has no config.json); pass the folder a training run created`);
  let saved: PyTorchRequest;
  try {
    saved = JSON.parse(readFileSync(configPath, 'utf8')) as PyTorchRequest;
  } catch (error) {
    throw new PyTorchEngineError(`${configPath} is not valid JSON (${(error as Error).message}); the run folder is damaged`);
  }
  const { kind: _kind, runDir: _runDir, ...overrides } = start;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...saved, ...defined, engine: 'pytorch' };
}

/** A new run's folder, `<out>/<time>-<model>/`, with its config.json. */
export function createRunFolder(request: PyTorchRequest): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('T', '-').slice(0, 19);
  let runDir = join(request.outDir, `${stamp}-${request.modelName}`);
  for (let n = 2; existsSync(runDir); n++) runDir = join(request.outDir, `${stamp}-${request.modelName}-${n}`);
  mkdirSync(runDir, { recursive: true });
  writeAtomically(join(runDir, 'config.json'), JSON.stringify(request, null, 2));
  return runDir;
}

export interface LatestCheckpoint {
  readonly path: string;
  readonly step: number;
  readonly epoch: number;
}

/** What checkpoints/latest.json names, if the run has written a PyTorch checkpoint. */
export function latestCheckpoint(runDir: string): LatestCheckpoint | undefined {
  const latest = join(runDir, 'checkpoints', 'latest.json');
  if (!existsSync(latest)) return undefined;
  const parsed = JSON.parse(readFileSync(latest, 'utf8')) as { checkpoint?: unknown; step?: unknown; epoch?: unknown };
  if (typeof parsed.checkpoint !== 'string' || !parsed.checkpoint.endsWith('.pt')) {
    throw new PyTorchEngineError(`${runDir} holds a TF.js checkpoint, not a PyTorch one; resume it with the TF.js engine (leave out --engine pytorch)`);
  }
  const path = join(runDir, 'checkpoints', parsed.checkpoint);
  if (!existsSync(path)) throw new PyTorchEngineError(`${latest} names ${parsed.checkpoint}, which is missing; the run folder is damaged`);
  return { path, step: Number(parsed.step), epoch: Number(parsed.epoch) };
}

/** After a crash, metrics written past the checkpoint are replaced by the resumed run's own (as the TF.js engine does). */
export function dropMetricsAfter(runDir: string, step: number): void {
  const path = join(runDir, 'metrics.jsonl');
  if (!existsSync(path)) return;
  const kept = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => {
      if (!line.trim()) return false;
      try {
        const m = JSON.parse(line) as { type: string; step?: number };
        return m.type === 'started' || m.step === undefined || m.step <= step;
      } catch {
        return false; // a line cut off by the crash
      }
    });
  writeAtomically(path, kept.length ? `${kept.join('\n')}\n` : '');
}
