import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/training/random';
import { batchCount, batchesInOrder, epochBatches, type Batch } from '../../src/training/data/batches';
import type { Split } from '../../src/training/data/dataset';

/** 2 values per image: [id, id + 0.5]; label id % 7. */
function split(n: number): Split {
  const images = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) images.set([i, i + 0.5], i * 2);
  return { images, labels: Uint8Array.from({ length: n }, (_, i) => i % 7), count: n };
}
const ids = (b: Batch): number[] => Array.from({ length: b.count }, (_, k) => b.images[k * 2]);

test('one epoch visits every image exactly once, images and labels kept together', () => {
  const data = split(10);
  const batches = [...epochBatches(data, new Random(1), { batchSize: 4 })];
  assert.deepEqual(
    batches.map((b) => b.count),
    [4, 4, 2],
  );
  assert.deepEqual(
    batches.map((b) => b.index),
    [0, 1, 2],
  );
  const all = batches.flatMap(ids);
  assert.deepEqual(
    [...all].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.notDeepEqual(all, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'order is shuffled');
  for (const b of batches) {
    assert.equal(b.images.length, b.count * 2);
    ids(b).forEach((id, k) => {
      assert.equal(b.images[k * 2 + 1], id + 0.5);
      assert.equal(b.labels[k], id % 7);
    });
  }
});

test('dropLast skips the partial batch; batchCount agrees', () => {
  const data = split(10);
  const batches = [...epochBatches(data, new Random(1), { batchSize: 4, dropLast: true })];
  assert.deepEqual(
    batches.map((b) => b.count),
    [4, 4],
  );
  assert.equal(batchCount(10, 4), 3);
  assert.equal(batchCount(10, 4, true), 2);
  assert.equal(batchCount(12, 4), 3);
  assert.equal(batchCount(12, 4, true), 3);
});

test('successive epochs use different orders from the same generator', () => {
  const data = split(20);
  const rng = new Random(2);
  const e1 = [...epochBatches(data, rng, { batchSize: 20 })][0];
  const e2 = [...epochBatches(data, rng, { batchSize: 20 })][0];
  assert.notDeepEqual(ids(e1), ids(e2));
});

test('resuming at batch k from the epoch-start state gives exactly the tail of the epoch', () => {
  const data = split(23);
  const rng = new Random(77);
  [...epochBatches(data, rng, { batchSize: 5 })]; // an earlier epoch, so the state is not fresh
  const epochStart = JSON.stringify(rng.getState());
  const full = [...epochBatches(data, rng, { batchSize: 5 })];
  const afterFull = rng.getState();
  assert.equal(full.length, 5);

  for (let k = 0; k <= 5; k++) {
    const resumed = Random.fromState(JSON.parse(epochStart));
    const tail = [...epochBatches(data, resumed, { batchSize: 5, startBatch: k })];
    assert.deepEqual(tail, full.slice(k), `resume at ${k}`);
    assert.deepEqual(resumed.getState(), afterFull, 'the generator ends where the full epoch left it');
  }
});

test('the shuffle happens at the call, not at the first batch', () => {
  const rng = new Random(5);
  const before = rng.getState();
  const it = epochBatches(split(8), rng, { batchSize: 4 });
  assert.notDeepEqual(rng.getState(), before);
  assert.equal(it.next().value?.count, 4);
});

test('batchesInOrder follows a given order', () => {
  const got = [...batchesInOrder(split(5), Uint32Array.from([4, 2, 0, 1, 3]), { batchSize: 2 })].map(ids);
  assert.deepEqual(got, [[4, 2], [0, 1], [3]]);
});

test('bad batch size or start index is refused with the reason', () => {
  const data = split(10);
  assert.throws(() => epochBatches(data, new Random(1), { batchSize: 0 }), /positive integer/);
  assert.throws(() => epochBatches(data, new Random(1), { batchSize: 4, startBatch: 4 }), /has 3 batches/);
  assert.throws(() => epochBatches(data, new Random(1), { batchSize: 4, startBatch: -1 }), RangeError);
  assert.deepEqual([...epochBatches(data, new Random(1), { batchSize: 4, startBatch: 3 })], []);
});
