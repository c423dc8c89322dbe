// Reading run folders (`runs/<time>-<model>/`: config.json, metrics.jsonl, checkpoints/) for the
// dashboard. Plain Node, no editor API. The files are written by a worker that may have crashed
// mid-line, so nothing here trusts them: a line that does not parse is skipped.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseTrainingMessage, type TrainingMessage } from '../../protocol/training';
import type { RunStatus, RunSummary } from '../../protocol/webview';

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
    const summary = summarizeRun(runDir, name, liveRunDir !== undefined && resolve(liveRunDir) === runDir);
    if (summary) runs.push(summary);
  }
  return runs;
}

function summarizeRun(runDir: string, name: string, live: boolean): RunSummary | undefined {
  const config = readConfig(join(runDir, 'config.json'));
  const metricsPath = join(runDir, 'metrics.jsonl');
  if (!config && !existsSync(metricsPath)) return undefined; // not a run folder
  let status: RunStatus = live ? 'running' : 'incomplete';
  let step = 0;
  let testAccuracy: number | undefined;
  let model = config?.model;
  let dataset = config?.dataset;
  for (const message of parseLines(readTail(metricsPath)).messages) {
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
    resumable: existsSync(join(runDir, 'checkpoints', 'latest.json')),
  };
}

function readConfig(path: string): { model?: string; dataset?: string } | undefined {
  try {
    const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    return {
      model: typeof config.modelName === 'string' ? config.modelName : undefined,
      dataset: typeof config.dataset === 'string' ? config.dataset : undefined,
    };
  } catch {
    return undefined;
  }
}

/** The file's last TAIL_BYTES, from the first whole line in them; '' when it cannot be read. */
function readTail(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = statSync(path).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8');
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface ParsedLines {
  readonly messages: TrainingMessage[];
  /** Lines that were not a well-formed message (a crash cuts the last one off). */
  readonly skipped: number;
}

export function parseLines(text: string): ParsedLines {
  const messages: TrainingMessage[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    const message = parseTrainingMessage(value);
    if (message) messages.push(message);
    else skipped++;
  }
  return { messages, skipped };
}

/** A run's whole record, from its metrics.jsonl. */
export async function readRunHistory(runDir: string): Promise<ParsedLines> {
  const path = join(runDir, 'metrics.jsonl');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { messages: [], skipped: 0 }; // started, nothing written yet
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  return parseLines(text);
}
