// The training engine end to end: real loops on real data (the embedded MNIST) and on the
// synthetic set, in the worker process the editor and the CLI use; checkpoints, resume, kills
// and every bad input a person can give.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BatchMessage, TrainingMessage, TrainRequest } from '../../src/protocol/training';
import { train, type TrainStart } from '../../src/training/tfjs/trainer';
import { launchWorker } from '../../src/training/worker/launch';
import { readExample } from '../helpers/examples';
import { TINY_MODEL } from '../helpers/models';

const tiny = TINY_MODEL;

function request(overrides: Partial<TrainRequest> = {}): TrainRequest {
  return {
    sourceText: tiny,
    sourcePath: 'tiny.resnet',
    modelName: 'tiny',
    dataset: 'synthetic',
    backend: 'wasm',
    outDir: mkdtempSync(join(tmpdir(), 'resnet-train-')),
    trainLimit: 192,
    seed: 7,
    ...overrides,
  };
}

async function collect(start: TrainStart, stopAfterStep?: number): Promise<TrainingMessage[]> {
  const messages: TrainingMessage[] = [];
  await train(start, {
    emit: (m) => messages.push(m),
    shouldStop: () => stopAfterStep !== undefined && messages.some((m) => m.type === 'batch' && m.step >= stopAfterStep),
  });
  return messages;
}

const batches = (ms: TrainingMessage[]) => ms.filter((m): m is BatchMessage => m.type === 'batch');

test('a small residual net reaches at least 95% on the embedded MNIST, on wasm, in the worker process', { timeout: 1_200_000 }, async () => {
  const messages: TrainingMessage[] = [];
  const worker = launchWorker(
    {
      type: 'start',
      request: {
        sourceText: readExample('mnist/resnet8.resnet'),
        sourcePath: 'examples/mnist/resnet8.resnet',
        modelName: 'resnet8',
        dataset: 'mnist',
        backend: 'wasm',
        outDir: mkdtempSync(join(tmpdir(), 'resnet-mnist-')),
      },
    },
    (m) => messages.push(m),
  );
  assert.equal(await worker.exited, 0);
  const started = messages.find((m) => m.type === 'started');
  assert.equal(started?.type === 'started' && started.backend, 'wasm');
  const finished = messages[messages.length - 1];
  assert.equal(finished.type, 'finished');
  if (finished.type !== 'finished') return;
  console.log(`MNIST resnet8 on wasm: test accuracy ${(finished.testAccuracy * 100).toFixed(2)}% after ${finished.step} steps in ${finished.seconds.toFixed(0)} s`);
  assert.ok(finished.testAccuracy >= 0.95, `test accuracy ${finished.testAccuracy}`);
  // The run folder holds the config, every message, a checkpoint per epoch and the final model.
  const runDir = finished.runDir;
  assert.ok(existsSync(join(runDir, 'config.json')));
  assert.equal(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').length, messages.length);
  assert.equal(readdirSync(join(runDir, 'checkpoints')).filter((d) => d.startsWith('step-')).length, 3);
  assert.ok(existsSync(join(runDir, 'model', 'model.json')) && existsSync(join(runDir, 'model', 'weights.bin')));
  // Loss goes down: the last epoch's training loss is far below the first's.
  const epochs = messages.filter((m) => m.type === 'epoch');
  assert.ok(epochs.length === 3 && epochs[2].type === 'epoch' && epochs[0].type === 'epoch' && epochs[2].trainLoss < epochs[0].trainLoss / 3);
});

test('resuming after the first epoch reproduces the loss curve of an uninterrupted run', { timeout: 300_000 }, async () => {
  const straight = await collect({ kind: 'new', request: request() });
  const first = await collect({ kind: 'new', request: request({ epochs: 1 }) });
  const runDir = (first.find((m) => m.type === 'started') as { runDir: string }).runDir;
  const resumed = await collect({ kind: 'resume', runDir, epochs: 2 });
  const started = resumed.find((m) => m.type === 'started');
  assert.equal(started?.type === 'started' && started.resumedAtStep, 6);
  const whole = batches(straight);
  const stitched = [...batches(first), ...batches(resumed)];
  assert.equal(stitched.length, whole.length);
  for (let i = 0; i < whole.length; i++) {
    assert.equal(stitched[i].step, whole[i].step);
    assert.ok(Math.abs(stitched[i].loss - whole[i].loss) < 1e-5, `step ${whole[i].step}: ${stitched[i].loss} vs ${whole[i].loss}`);
    assert.equal(stitched[i].lr, whole[i].lr);
  }
  // The learning rate dropped by 10× at the milestone (epoch 1 = step 6).
  assert.equal(whole[0].lr, 0.05);
  assert.ok(Math.abs(whole[whole.length - 1].lr - 0.005) < 1e-12);
});

test('a graceful stop in the middle of an epoch checkpoints there, and resuming continues the same curve', { timeout: 300_000 }, async () => {
  const straight = batches(await collect({ kind: 'new', request: request() }));
  const stoppedRun = await collect({ kind: 'new', request: request() }, 4);
  const finished = stoppedRun[stoppedRun.length - 1];
  assert.equal(finished.type === 'finished' && finished.stopped, true);
  const runDir = (stoppedRun.find((m) => m.type === 'started') as { runDir: string }).runDir;
  const resumed = batches(await collect({ kind: 'resume', runDir }));
  assert.equal(resumed[0].step, 5);
  const stitched = [...batches(stoppedRun), ...resumed];
  assert.deepEqual(
    stitched.map((b) => b.step),
    straight.map((b) => b.step),
  );
  for (let i = 0; i < straight.length; i++) assert.ok(Math.abs(stitched[i].loss - straight[i].loss) < 1e-5, `step ${straight[i].step}`);
});

test('a worker killed in the middle of an epoch leaves a whole, loadable checkpoint, and the run resumes from it', { timeout: 300_000 }, async () => {
  const messages: TrainingMessage[] = [];
  let worker: ReturnType<typeof launchWorker> | undefined;
  const killed = new Promise<void>((resolve) => {
    worker = launchWorker({ type: 'start', request: request({ epochs: 4, trainLimit: 320 }) }, (m) => {
      messages.push(m);
      // Kill it three steps into the second epoch, after the first checkpoint is on disk.
      if (m.type === 'batch' && m.step === 13) {
        worker?.process.kill('SIGKILL');
        resolve();
      }
    });
  });
  await killed;
  await worker?.exited;
  const runDir = (messages.find((m) => m.type === 'started') as { runDir: string }).runDir;
  const checkpoints = readdirSync(join(runDir, 'checkpoints'));
  assert.ok(checkpoints.includes('step-00000010'), checkpoints.join(','));
  assert.ok(!checkpoints.some((c) => c.startsWith('.partial')), 'no half-written checkpoint is left as the latest');
  assert.deepEqual(JSON.parse(readFileSync(join(runDir, 'checkpoints', 'latest.json'), 'utf8')), { checkpoint: 'step-00000010' });
  const resumed = await collect({ kind: 'resume', runDir, epochs: 2 });
  const started = resumed.find((m) => m.type === 'started');
  assert.equal(started?.type === 'started' && started.resumedAtStep, 10);
  assert.equal(resumed[resumed.length - 1].type, 'finished');
  // The metrics of the lost partial epoch were dropped; the file is consistent again.
  const steps = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; step?: number })
    .filter((m) => m.type === 'batch')
    .map((m) => m.step);
  assert.deepEqual(
    steps,
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
});

test('bad inputs give messages a person can act on, before any training', { timeout: 300_000 }, async () => {
  const failure = async (r: TrainRequest) => {
    try {
      await collect({ kind: 'new', request: r });
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    assert.fail('expected a failure');
  };
  assert.match(await failure(request({ dataset: 'cifar10' })), /CIFAR-10 needs a data folder.*--data-dir/s);
  assert.match(await failure(request({ dataset: 'cifar10', dataDir: '/nonexistent/cifar' })), /\/nonexistent\/cifar/);
  const corrupt = mkdtempSync(join(tmpdir(), 'cifar-corrupt-'));
  mkdirSync(join(corrupt, 'cifar-10-batches-bin'));
  for (const f of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'])
    writeFileSync(join(corrupt, 'cifar-10-batches-bin', f), Buffer.alloc(3073 * 2 + 100));
  assert.match(await failure(request({ dataset: 'cifar10', dataDir: corrupt })), /data_batch_1\.bin.*6246/s);
  assert.match(await failure(request({ dataset: 'mnist' })), /model expects 16×16×3 but mnist gives 28×28×1: set `input 28x28x1`/);
  assert.match(await failure(request({ backend: 'tfjs-node' })), /tfjs-node.*not installed.*npm install @tensorflow\/tfjs-node/s);
  assert.match(await failure(request({ modelName: 'nope' })), /no model named nope; its models: tiny/);
  assert.match(await failure(request({ sourceText: tiny.replace('shortcut A', 'shortcut identity') })), /tiny\.resnet:\d+:\d+: shortcut adds/);
  assert.match(await failure(request({ sourceText: tiny.replace('batch 32', 'batch 32\n    validation 5k') })), /holds out 5000 images.*lower `validation`/);
});

test('a recipe that counts iterations stops at exactly that many, in the middle of an epoch if need be', { timeout: 300_000 }, async () => {
  const source = tiny.replace('epochs 2\n    decay 0.1 at 1', 'iterations 8\n    decay 0.1 at 7');
  const messages = await collect({ kind: 'new', request: request({ sourceText: source }) });
  const started = messages.find((m) => m.type === 'started');
  assert.deepEqual(started?.type === 'started' && [started.stepsPerEpoch, started.totalSteps], [6, 8]);
  const lrs = batches(messages).map((b) => b.lr);
  assert.equal(lrs.length, 8);
  assert.ok(Math.abs(lrs[7] - 0.005) < 1e-12 && lrs[6] === 0.05, JSON.stringify(lrs));
  // Only the whole first epoch gets an epoch summary; the run still ends with a test evaluation.
  assert.deepEqual(
    messages.filter((m) => m.type === 'epoch').map((m) => m.type === 'epoch' && m.step),
    [6],
  );
  assert.equal(messages[messages.length - 1].type, 'finished');
});
