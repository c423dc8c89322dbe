// The streamed reading of a run's metrics.jsonl (src/training/runFolder/metricsStream.ts): the same
// messages and columns as reading the file whole, for lines the fast pattern takes and those it
// leaves to the schema, across the reader's 1 MiB chunks, with a cut last line; a named pipe
// refused at once.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readMetricsHistory, writeStepsCsv } from '../../src/training/runFolder/metricsStream';
import { parseMetricLines } from '../../src/training/runFolder/runFolder';
import { toHistory, type BatchColumns } from '../../src/protocol/webview';

const root = mkdtempSync(join(tmpdir(), 'resnet-metrics-stream-'));
after(() => rmSync(root, { recursive: true, force: true }));

function runWith(name: string, text: string): string {
  const runDir = join(root, name);
  mkdirSync(runDir);
  writeFileSync(join(runDir, 'metrics.jsonl'), text);
  return runDir;
}

/** Columns as plain arrays, so NaN and -0 compare as the values they are. */
const plain = (c: BatchColumns) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, Array.from(v as Float64Array)]));

test('streamed: the same batches, messages and skipped lines as the whole file read at once', async () => {
  const lines: string[] = [
    JSON.stringify({
      type: 'started',
      runDir: '/r',
      model: 'resnet20',
      params: 1,
      macs: 1,
      backend: 'wasm',
      backendReason: 't',
      device: 'CPU',
      dataset: 'cifar10',
      trainImages: 10,
      batchSize: 2,
      stepsPerEpoch: 5,
      totalSteps: 20000,
      epochs: 4000,
    }),
  ];
  // Enough lines to span several 1 MiB chunks (about 120 bytes each), with odd values among them.
  for (let step = 1; step <= 20000; step++) {
    const loss = step === 7 ? 1e-300 : step === 8 ? -0 : step === 9 ? 1.2345678901234567e19 : 1 / step + Math.sin(step);
    lines.push(JSON.stringify({ type: 'batch', step, epoch: Math.floor((step - 1) / 5), loss, accuracy: (step % 100) / 100, lr: 0.1, imagesPerSec: 1000.5 }));
    if (step % 5 === 0) lines.push(JSON.stringify({ type: 'epoch', epoch: step / 5 - 1, step, trainLoss: loss, trainAccuracy: 0.5, seconds: 1 }));
  }
  // Lines the pattern leaves to the schema: other key order, spaces, exponent forms, a NaN written as null (refused), junk.
  lines.splice(50, 0, '{"step":20001,"type":"batch","epoch":0,"loss":1,"accuracy":0,"lr":0.1,"imagesPerSec":1}');
  lines.splice(60, 0, '{ "type": "batch", "step": 20002, "epoch": 0, "loss": 2E-3, "accuracy": 0, "lr": 0.1, "imagesPerSec": 1 }');
  lines.splice(70, 0, '{"type":"batch","step":20003,"epoch":0,"loss":null,"accuracy":0,"lr":0.1,"imagesPerSec":1}');
  lines.splice(80, 0, '{"type":"batch","step":01,"epoch":0,"loss":1,"accuracy":0,"lr":0.1,"imagesPerSec":1}');
  lines.splice(90, 0, 'not json', '', '   ');
  const text = `${lines.join('\n')}\n{"type":"batch","step":3`;
  const runDir = runWith('mixed', text);

  const whole = parseMetricLines(text);
  const expected = toHistory(whole.messages);
  const streamed = await readMetricsHistory(runDir);
  assert.equal(streamed.batches.step.length, 20002);
  assert.deepEqual(plain(streamed.batches), plain(expected.batches));
  assert.deepEqual(streamed.messages, expected.messages);
  assert.equal(streamed.skipped, whole.skipped);
  assert.equal(streamed.skipped, 4);
});

test('streamed: a run without metrics.jsonl is empty; one whose last line has no newline keeps it', async () => {
  const none = join(root, 'none');
  mkdirSync(none);
  const empty = await readMetricsHistory(none);
  assert.equal(empty.batches.step.length, 0);
  assert.deepEqual(empty.messages, []);
  const last = await readMetricsHistory(runWith('last', '{"type":"batch","step":1,"epoch":0,"loss":0.5,"accuracy":0,"lr":0.1,"imagesPerSec":1}'));
  assert.deepEqual(Array.from(last.batches.loss), [0.5]);
});

test('streamed: a named pipe as metrics.jsonl is refused, not waited on', { skip: process.platform === 'win32' ? 'no mkfifo on Windows' : false }, async () => {
  const runDir = join(root, 'fifo');
  mkdirSync(runDir);
  execFileSync('mkfifo', [join(runDir, 'metrics.jsonl')]);
  await assert.rejects(readMetricsHistory(runDir), /metrics\.jsonl: it is a named pipe \(FIFO\), not a regular file/);
});

test('every step as CSV, streamed: one row a batch of each run, a slow reader waited for', async () => {
  const lines: string[] = [];
  for (let step = 1; step <= 30000; step++) lines.push(JSON.stringify({ type: 'batch', step, epoch: 0, loss: 1 / step, accuracy: 0.5, lr: 0.1, imagesPerSec: 7 }));
  lines.push(JSON.stringify({ type: 'epoch', epoch: 0, step: 30000, trainLoss: 1, trainAccuracy: 0.5, seconds: 1 }), 'junk');
  const a = runWith('csv-a', `${lines.join('\n')}\n`);
  const b = runWith('csv-b', '{"type":"batch","step":1,"epoch":0,"loss":2,"accuracy":0,"lr":0.01,"imagesPerSec":3}\n');
  // A writer that takes a chunk only every few milliseconds, with a small buffer: the export must wait for it.
  const { Writable } = await import('node:stream');
  const chunks: string[] = [];
  let waits = 0;
  const out = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      setTimeout(done, 2);
    },
  });
  out.on('drain', () => waits++);
  const { rows, skipped } = await writeStepsCsv(
    [
      { runDir: a, name: 'a,"quoted"' },
      { runDir: b, name: '=b' },
    ],
    out,
  );
  await new Promise<void>((done) => out.end(done));
  const csv = chunks.join('').trim().split('\n');
  assert.equal(rows, 30001);
  assert.equal(skipped, 1);
  assert.equal(csv[0], 'run,step,epoch,loss,accuracy,lr,imagesPerSec');
  assert.equal(csv.length, 1 + 30001);
  assert.equal(csv[1], `"a,""quoted""",1,0,1,0.5,0.1,7`);
  assert.equal(csv[3], `"a,""quoted""",3,0,${1 / 3},0.5,0.1,7`);
  assert.equal(csv[30001], "'=b,1,0,2,0,0.01,3");
  assert.ok(waits > 0, 'the export waited for the slow writer at least once');
});
