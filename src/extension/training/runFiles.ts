// The dashboard's list of run folders (`runs/<time>-<model>/`): each run's model, data set, how it
// ended and whether it can be resumed. Plain Node, no editor API. The files and their format are
// src/training/runFolder/runFolder.ts's; the files are written by a worker that may have crashed mid-line,
// so nothing here trusts them: a line that does not parse is skipped.
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunStatus, RunSummary } from '../../protocol/webview';
import { hasCheckpoint, peekRunConfig, readMetricsTail, runPaths } from '../../training/runFolder/runFolder';
import { lockHolder } from '../../training/runFolder/runLock';

/** Enough of the file's end to find how the run ended, without reading a long run's whole record. */
const TAIL_BYTES = 64 * 1024;

/** Every run folder in `runsFolder`, newest first (folder names start with the start time). */
export function listRuns(runsFolder: string, liveRunDir?: string): RunSummary[] {
  let entries: string[];
  try {
    entries = readdirSync(runsFolder, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return []; // no runs folder yet
  }
  const runs: RunSummary[] = [];
  for (const name of entries.sort().reverse()) {
    const runDir = resolve(runsFolder, name);
    // Live: this window's run, or one another process (the CLI, another window) holds the lock of.
    const live = (liveRunDir !== undefined && resolve(liveRunDir) === runDir) || lockHolder(runDir) !== undefined;
    const summary = summarizeRun(runDir, name, live);
    if (summary) runs.push(summary);
  }
  return runs;
}

function summarizeRun(runDir: string, name: string, live: boolean): RunSummary | undefined {
  const config = peekRunConfig(runDir);
  if (!config && !existsSync(runPaths(runDir).metrics)) return undefined; // not a run folder
  let status: RunStatus = live ? 'running' : 'incomplete';
  let step = 0;
  let testAccuracy: number | undefined;
  let model = config?.modelName;
  let dataset: string | undefined = config?.dataset;
  for (const message of readMetricsTail(runDir, TAIL_BYTES).messages) {
    if ('step' in message && message.step > step) step = message.step;
    if (message.type === 'started') {
      model = message.model;
      dataset = message.dataset;
      status = live ? 'running' : 'incomplete';
      testAccuracy = undefined;
    } else if (message.type === 'finished') {
      status = message.stopped ? 'stopped' : 'finished';
      testAccuracy = message.testAccuracy;
    } else if (message.type === 'failed' && !live) {
      status = 'failed';
    }
  }
  return {
    runDir,
    name,
    model: model ?? name,
    dataset: dataset ?? '',
    status,
    step,
    ...(testAccuracy === undefined ? {} : { testAccuracy }),
    resumable: hasCheckpoint(runDir),
  };
}
