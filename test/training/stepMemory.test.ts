// Every run reports the measured peak memory of a training step (issue 20, item 2): in its first
// epoch message (and so metrics.jsonl) as peakStepBytes, beside what `stats` estimates for the same
// engine, model and batch, and in the CLI's progress. Through the built CLI, on TF.js's wasm and on
// PyTorch (Debian's, on the CPU), one short epoch each.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { tfjsTrainingMemory } from '../../src/core/report/tfjsStepMemory';
import { trainingMemory } from '../../src/core/report/trainingMemory';
import { skipUnless } from '../helpers/needs';
import { PYTHON, torchMissing } from '../helpers/python';

const FILE = 'examples/mnist/resnet8.resnet';
const BATCH = 256;
const model = analyze(readFileSync(FILE, 'utf8')).models[0];

/** One epoch of 2 steps on synthetic data: the CLI's output and the run's first epoch message. */
function trainOneEpoch(...engine: string[]): { stdout: string; epoch: { peakStepBytes?: number; estimatedStepBytes?: number } } {
  const out = mkdtempSync(join(tmpdir(), 'resnet-step-memory-'));
  const r = spawnSync(process.execPath, ['dist/cli.cjs', 'train', FILE, '--dataset', 'synthetic', '--epochs', '1', '--batch-size', String(BATCH), '--out', out, ...engine], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const [run] = readdirSync(out);
  const messages = readFileSync(join(out, run as string, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; peakStepBytes?: number; estimatedStepBytes?: number });
  const epoch = messages.find((m) => m.type === 'epoch');
  assert.ok(epoch, 'the run finished an epoch');
  return { stdout: r.stdout, epoch };
}

function assertPlausible(measured: number | undefined, estimate: number, what: string): void {
  assert.ok(measured !== undefined && measured > 0, `${what}: peakStepBytes is there`);
  // Not the estimate itself: a measurement, within a quarter of it.
  assert.notEqual(measured, estimate);
  console.log(`${what}: peak step memory measured ${measured} B, estimated ${estimate} B (${((measured / estimate - 1) * 100).toFixed(1)}%)`);
  assert.ok(measured > estimate * 0.75 && measured < estimate * 1.25, `${what}: measured ${measured} B against the estimate ${estimate} B`);
}

test('TF.js (wasm): the first epoch reports the peak of a step, near the estimate of stats, in metrics.jsonl and the progress', { timeout: 300_000 }, () => {
  assert.ok(model);
  const { stdout, epoch } = trainOneEpoch('--backend', 'wasm', '--threads', '1');
  const estimate = tfjsTrainingMemory(model, BATCH).totalBytes;
  assert.equal(epoch.estimatedStepBytes, estimate);
  assertPlausible(epoch.peakStepBytes, estimate, 'wasm');
  assert.match(stdout, /^memory of a training step at its peak: [\d.]+ [KMG]iB measured, [\d.]+ [KMG]iB estimated \(stats\)$/m);
});

test("TF.js (wasm) on two threads: the peak counts both threads (each measured on its slice), near the sum of the slices' estimates", {
  skip: skipUnless(availableParallelism() >= 2 ? undefined : 'one core: no second thread to train on'),
  timeout: 300_000,
}, () => {
  assert.ok(model);
  const { epoch } = trainOneEpoch('--backend', 'wasm', '--threads', '2');
  const estimate = 2 * tfjsTrainingMemory(model, BATCH / 2).totalBytes;
  assert.equal(epoch.estimatedStepBytes, estimate);
  assertPlausible(epoch.peakStepBytes, estimate, 'wasm, 2 threads');
});

test('PyTorch (CPU): the first epoch reports what the step holds (saved tensors, weights, gradients, optimizer state, batch), near the estimate of stats', {
  skip: torchMissing(),
  timeout: 300_000,
}, () => {
  assert.ok(model);
  const { stdout, epoch } = trainOneEpoch('--engine', 'pytorch', '--python', PYTHON);
  const estimate = trainingMemory(model, BATCH).totalBytes;
  assert.equal(epoch.estimatedStepBytes, estimate);
  assertPlausible(epoch.peakStepBytes, estimate, 'PyTorch');
  assert.match(stdout, /^memory of a training step at its peak: [\d.]+ [KMG]iB measured, [\d.]+ [KMG]iB estimated \(stats\)$/m);
});
