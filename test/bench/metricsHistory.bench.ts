/**
 * Opening an old run's history (prints figures; not a test): a metrics.jsonl of --lines steps
 * (an epoch every 391, as CIFAR-10 at batch 128) is written to a temporary run folder, then read
 * the dashboard's way, in a child process of its own so its peak memory is its own.
 *
 *   node --import tsx test/bench/metricsHistory.bench.ts [--lines 1000000] [--whole]
 *
 * `--whole` reads it as before issue 21: the whole file as one string, every line a message
 * object, then the batches into columns (readMetrics + toHistory). Goal: under 2 s and 300 MB.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, whole: { type: 'boolean', default: false }, child: { type: 'string' } } });
const root = fileURLToPath(new URL('../..', import.meta.url));

if (values.child) {
  // The child: read the run and report time and the process's peak resident memory.
  const runDir = values.child;
  const t0 = performance.now();
  let steps: number;
  if (values.whole) {
    const { readMetrics } = await import('../../src/training/runFolder/runFolder');
    const { toHistory } = await import('../../src/protocol/webview');
    steps = toHistory((await readMetrics(runDir)).messages).batches.step.length;
  } else {
    const { readMetricsHistory } = await import('../../src/training/runFolder/metricsStream');
    steps = (await readMetricsHistory(runDir)).batches.step.length;
  }
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms, steps, maxRssKiB: process.resourceUsage().maxRSS }));
  process.exit(0);
}

const lines = Number(values.lines);
const runDir = join(mkdtempSync(join(tmpdir(), 'metrics-bench-')), '2026-01-01-00-00-00-resnet56');
mkdirSync(runDir);
try {
  const out = createWriteStream(join(runDir, 'metrics.jsonl'));
  const write = (m: unknown) => (out.write(`${JSON.stringify(m)}\n`) ? Promise.resolve() : new Promise<void>((done) => out.once('drain', () => done())));
  await write({
    type: 'started',
    runDir,
    model: 'resnet56',
    params: 855770,
    macs: 125485706,
    backend: 'wasm',
    backendReason: 'bench',
    device: 'CPU',
    dataset: 'cifar10',
    trainImages: 50000,
    batchSize: 128,
    stepsPerEpoch: 391,
    totalSteps: lines,
    epochs: Math.ceil(lines / 391),
  });
  for (let step = 1; step <= lines; step++) {
    const loss = 0.2 + 2 * Math.exp(-step / 20000) + ((Math.sin(step * 12.9898) * 43758.5453) % 1) * 0.2;
    await write({ type: 'batch', step, epoch: Math.floor((step - 1) / 391), loss, accuracy: 1 - loss / 2.6, lr: step < 32000 ? 0.1 : 0.01, imagesPerSec: 1000 + (step % 7) });
    if (step % 391 === 0) await write({ type: 'epoch', epoch: step / 391 - 1, step, trainLoss: loss, trainAccuracy: 1 - loss / 2.6, valLoss: loss, valAccuracy: 1 - loss / 2.4, seconds: 30 });
  }
  await new Promise<void>((done) => out.end(() => done()));
  const bytes = statSync(join(runDir, 'metrics.jsonl')).size;
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', runDir, ...(values.whole ? ['--whole'] : [])], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const { ms, steps, maxRssKiB } = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { ms: number; steps: number; maxRssKiB: number };
  console.log(
    `metrics.jsonl of ${lines.toLocaleString('en-US')} steps (${(bytes / 2 ** 20).toFixed(0)} MiB), read ${values.whole ? 'whole (readMetrics + toHistory, as before)' : 'streamed (readMetricsHistory)'}: ${ms.toFixed(0)} ms for ${steps.toLocaleString('en-US')} steps, peak resident memory of the reading process ${(maxRssKiB / 1024).toFixed(0)} MiB (goal: under 2 s and 300 MB)`,
  );
} finally {
  rmSync(join(runDir, '..'), { recursive: true, force: true });
}
