// Data-parallel training on the TF.js engine (src/training/tfjs/parallel/): a batch split over worker
// threads, each a replica on its own wasm backend, gradients averaged by slice size. Without
// BatchNorm (whose statistics are per slice, as in PyTorch's DDP) and dropout, two threads make
// exactly the step one thread makes: the same losses and the same weights after three steps, within
// float tolerance. With BatchNorm it trains (finite, falling loss) and repeats itself for a seed;
// a thread count beyond the machine's cores is refused, and a resume takes its count from whoever
// resumes, never from the run folder.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BatchMessage, StartedMessage, TrainingMessage, TrainRequest } from '../../src/protocol/training';
import { sliceSizes } from '../../src/training/tfjs/parallel/dataParallel';
import { train } from '../../src/training/tfjs/trainer';
import { TINY_MODEL } from '../helpers/models';
import { collect } from '../helpers/trainRun';

/** No BatchNorm, no dropout: the mean gradient over the batch is the size-weighted mean of the slices'. */
const NO_BN_MODEL = `model nobn {
  input 12x12x3, classes 3
  shortcut B
  conv1 conv 3x3, 8, bias, relu
  s1    conv 3x3, 8, bias, relu
  head  avgpool, fc 3
  train {
    batch 9
    sgd lr 0.05, momentum 0.9, weight_decay 1e-4
    epochs 3
    augment none
  }
}`;

function request(source: string, name: string, threads: number | undefined): TrainRequest {
  return {
    sourceText: source,
    sourcePath: `${name}.resnet`,
    modelName: name,
    dataset: 'synthetic',
    backend: 'wasm',
    outDir: mkdtempSync(join(tmpdir(), `resnet-parallel-${name}-`)),
    trainLimit: 18,
    seed: 3,
    ...(threads !== undefined ? { threads } : {}),
  };
}

const losses = (ms: readonly TrainingMessage[]) => ms.filter((m): m is BatchMessage => m.type === 'batch').map((m) => m.loss);

test('slices are as equal as can be, never empty', () => {
  assert.deepEqual(sliceSizes(9, 2), [5, 4]);
  assert.deepEqual(sliceSizes(128, 3), [43, 43, 42]);
  assert.deepEqual(sliceSizes(2, 4), [1, 1]);
  assert.deepEqual(sliceSizes(1, 1), [1]);
});

test('without BatchNorm, two threads train exactly as one: the same losses, step by step', { timeout: 300_000 }, async () => {
  const one = losses(await collect({ kind: 'new', request: request(NO_BN_MODEL, 'nobn', 1) }));
  const two = losses(await collect({ kind: 'new', request: request(NO_BN_MODEL, 'nobn', 2) }));
  assert.equal(one.length, 6);
  assert.equal(two.length, one.length);
  two.forEach((loss, i) => assert.ok(Math.abs(loss - (one[i] ?? NaN)) <= 1e-5 * Math.max(1, Math.abs(loss)), `step ${i + 1}: ${loss} with two threads, ${one[i]} with one`));
  console.log(`nobn, one thread: ${one.map((l) => l.toFixed(6)).join(' ')}; two threads: ${two.map((l) => l.toFixed(6)).join(' ')}`);
});

test('with BatchNorm, two threads train (finite, falling loss) and the seed repeats the run', { timeout: 300_000 }, async () => {
  const first = losses(await collect({ kind: 'new', request: { ...request(TINY_MODEL, 'tiny', 2), trainLimit: 64 } }));
  const again = losses(await collect({ kind: 'new', request: { ...request(TINY_MODEL, 'tiny', 2), trainLimit: 64 } }));
  assert.ok(first.every(Number.isFinite), `${first}`);
  assert.ok((first.at(-1) ?? Infinity) < (first[0] ?? 0), `losses ${first.join(' ')} do not fall`);
  assert.deepEqual(again, first);
});

test('more threads than cores is refused with the range; a resume takes its thread count from the command, not config.json', { timeout: 300_000 }, async () => {
  const cores = availableParallelism();
  await assert.rejects(collect({ kind: 'new', request: request(NO_BN_MODEL, 'nobn', cores + 1) }), (error: Error) => {
    assert.match(error.message, new RegExp(`threads ${cores + 1} is not a whole number from 1 to ${cores}`));
    return true;
  });
  const messages: TrainingMessage[] = [];
  let stop = false;
  const started = request(NO_BN_MODEL, 'nobn', 1);
  await train({ kind: 'new', request: started }, { emit: (m) => messages.push(m), shouldStop: () => stop || (stop = messages.some((m) => m.type === 'batch')) });
  const runDir = (messages.find((m): m is StartedMessage => m.type === 'started') as StartedMessage).runDir;
  const config = join(runDir, 'config.json');
  writeFileSync(config, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), threads: 100_000 }));
  const resumed = await collect({ kind: 'resume', runDir });
  assert.equal(resumed.at(-1)?.type, 'finished', JSON.stringify(resumed.at(-1)));
});
