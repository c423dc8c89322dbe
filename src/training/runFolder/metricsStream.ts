// A run's metrics.jsonl read as a stream of messages, a chunk at a time: a run of a million steps
// writes about 100 MB of lines, which read whole would be a string of that size and a million
// message objects at once. The dashboard reads a run's history this way (its batches straight into
// columns) and exports a run's every step to CSV from it, without holding the file in memory.
import type { FileHandle } from 'node:fs/promises';
import { openRegularFileAsync } from '../../node/regularFile';
import { parseTrainingMessage, type TrainingMessage } from '../../protocol/training';
import type { BatchColumns } from '../../protocol/webview';
import { runPaths } from './runFolder';
import { csvField } from '../../core/report/csv';

/** Bytes read at a time: large enough that the reads cost nothing next to parsing the lines. */
const CHUNK = 1 << 20;
const NEWLINE = 0x0a;

/** The message of one line, undefined when it does not parse or is no message. */
function parseLine(text: string): TrainingMessage | undefined {
  try {
    return parseTrainingMessage(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * Calls `line` with each non-blank line of the run's metrics.jsonl, as it was when opened (a file
 * still being written to is read up to its length then; a line cut there does not parse), and
 * `afterChunk` after each chunk's lines (a writer waits there for its output to drain).
 */
async function forEachLine(runDir: string, line: (text: string) => void, afterChunk?: () => Promise<void>): Promise<void> {
  const path = runPaths(runDir).metrics;
  let handle: FileHandle;
  let size: number;
  try {
    ({ handle, size } = await openRegularFileAsync(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  const take = (text: string) => {
    if (text.trim()) line(text);
  };
  try {
    const buffer = Buffer.alloc(CHUNK);
    // The start of a line cut by the chunk's end, carried to the next chunk.
    let carry = Buffer.alloc(0);
    let left = size;
    while (left > 0) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, left), null);
      if (bytesRead === 0) break;
      left -= bytesRead;
      let chunk = buffer.subarray(0, bytesRead);
      if (carry.length > 0) chunk = Buffer.concat([carry, chunk]);
      let start = 0;
      for (let end = chunk.indexOf(NEWLINE, start); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
        take(chunk.toString('utf8', start, end));
        start = end + 1;
      }
      // A copy: `buffer` is read into again.
      carry = Buffer.from(chunk.subarray(start));
      await afterChunk?.();
    }
    // The last line without its newline: whole if it parses (a crash cuts it off otherwise).
    if (carry.length > 0) take(carry.toString('utf8'));
  } finally {
    await handle.close();
  }
}

/**
 * A batch line exactly as the engines write it (JSON.stringify of the message, its keys in this
 * order): read by this pattern without building an object, which is most of the time of a million
 * lines. The numbers are JSON's own grammar, which Number() reads as JSON.parse does; any other
 * line (other keys, spaces, a null for a NaN) goes the slow way, through the schema.
 */
const NUMBER = String.raw`(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)`;
const BATCH_LINE = new RegExp(`^\\{"type":"batch","step":${NUMBER},"epoch":${NUMBER},"loss":${NUMBER},"accuracy":${NUMBER},"lr":${NUMBER},"imagesPerSec":${NUMBER}\\}$`);

/** One batch's numbers, in the message's order. */
type BatchVisit = (step: number, epoch: number, loss: number, accuracy: number, lr: number, imagesPerSec: number) => void;

/** Reads one line: a batch to `batch` (by the pattern when it fits), another message to `other`; false when it is no message. */
function readLine(text: string, batch: BatchVisit, other: (message: TrainingMessage) => void): boolean {
  const fast = BATCH_LINE.exec(text);
  if (fast) {
    batch(Number(fast[1]), Number(fast[2]), Number(fast[3]), Number(fast[4]), Number(fast[5]), Number(fast[6]));
    return true;
  }
  const m = parseLine(text);
  if (!m) return false;
  if (m.type === 'batch') batch(m.step, m.epoch, m.loss, m.accuracy, m.lr, m.imagesPerSec);
  else other(m);
  return true;
}

/** A Float64Array column built in blocks, so growing it never copies what it holds. */
class BlockColumn {
  private static readonly BLOCK = 1 << 16;
  private readonly blocks: Float64Array[] = [];
  private fill = BlockColumn.BLOCK;

  push(value: number): void {
    if (this.fill === BlockColumn.BLOCK) {
      this.blocks.push(new Float64Array(BlockColumn.BLOCK));
      this.fill = 0;
    }
    (this.blocks[this.blocks.length - 1] as Float64Array)[this.fill++] = value;
  }

  /** The values as one array of their exact length. */
  finish(): Float64Array {
    const length = this.blocks.length === 0 ? 0 : (this.blocks.length - 1) * BlockColumn.BLOCK + this.fill;
    const out = new Float64Array(length);
    this.blocks.forEach((block, i) => out.set(i === this.blocks.length - 1 ? block.subarray(0, this.fill) : block, i * BlockColumn.BLOCK));
    this.blocks.length = 0;
    return out;
  }
}

/** What the dashboard sends of a run: its batches as columns, its other messages in order. */
export interface MetricsHistory {
  readonly batches: BatchColumns;
  readonly messages: TrainingMessage[];
  readonly skipped: number;
}

/**
 * A run's whole record for the dashboard, streamed: each batch goes straight into the columns
 * (no message object kept per step), the few other messages are kept. The same result as
 * `toHistory` over every message of the file, without the file or its messages in memory at once.
 * Lines that do not parse or are no message are counted, not trusted; no file: an empty history.
 */
export async function readMetricsHistory(runDir: string): Promise<MetricsHistory> {
  const step = new BlockColumn();
  const epoch = new BlockColumn();
  const loss = new BlockColumn();
  const accuracy = new BlockColumn();
  const lr = new BlockColumn();
  const imagesPerSec = new BlockColumn();
  const messages: TrainingMessage[] = [];
  let skipped = 0;
  const batch: BatchVisit = (s, e, l, a, r, ips) => {
    step.push(s);
    epoch.push(e);
    loss.push(l);
    accuracy.push(a);
    lr.push(r);
    imagesPerSec.push(ips);
  };
  await forEachLine(runDir, (text) => {
    if (!readLine(text, batch, (m) => messages.push(m))) skipped++;
  });
  return {
    batches: { step: step.finish(), epoch: epoch.finish(), loss: loss.finish(), accuracy: accuracy.finish(), lr: lr.finish(), imagesPerSec: imagesPerSec.finish() },
    messages,
    skipped,
  };
}

/** The header of `writeStepsCsv`'s file. */
export const STEPS_CSV_HEADER = 'run,step,epoch,loss,accuracy,lr,imagesPerSec';

/**
 * Every step of each run, read from its metrics.jsonl as it is written to `out` (a chunk of lines
 * at a time, waiting for `out` to drain): a CSV of a million steps a run without the runs in
 * memory. One row a step, `run` the run folder's name; numbers with every digit (String(v)).
 */
export async function writeStepsCsv(runs: readonly { readonly runDir: string; readonly name: string }[], out: NodeJS.WritableStream): Promise<{ rows: number; skipped: number }> {
  let pending: string[] = [`${STEPS_CSV_HEADER}\n`];
  let rows = 0;
  let skipped = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    if (!out.write(text)) await new Promise<void>((done) => out.once('drain', () => done()));
  };
  for (const { runDir, name } of runs) {
    const run = csvField(name);
    const batch: BatchVisit = (s, e, l, a, r, ips) => {
      pending.push(`${run},${s},${e},${l},${a},${r},${ips}\n`);
      rows++;
    };
    await forEachLine(
      runDir,
      (text) => {
        if (!readLine(text, batch, () => undefined)) skipped++;
      },
      flush,
    );
    await flush();
  }
  return { rows, skipped };
}
