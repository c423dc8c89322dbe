import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSynthetic } from '../../src/training/data/synthetic';
import { DatasetError, imageSize, labelHistogram, type ImageDataset } from '../../src/training/data/dataset';

test('synthetic data has the requested shape, counts and balanced labels', () => {
  const d = makeSynthetic({ imageShape: [5, 7, 2], numClasses: 3, trainCount: 30, testCount: 9, seed: 1 });
  assert.deepEqual(d.imageShape, [5, 7, 2]);
  assert.equal(d.numClasses, 3);
  assert.equal(d.train.images.length, 30 * 70);
  assert.equal(d.test.count, 9);
  assert.deepEqual(labelHistogram(d.train, 3), [10, 10, 10]);
  assert.deepEqual(labelHistogram(d.test, 3), [3, 3, 3]);
  for (const v of d.train.images) assert.ok(v >= 0 && v <= 1);
});

test('synthetic data is seeded: same seed same data, other seed other data', () => {
  const a = makeSynthetic({ seed: 5 });
  const b = makeSynthetic({ seed: 5 });
  const c = makeSynthetic({ seed: 6 });
  assert.deepEqual(a.train.images, b.train.images);
  assert.deepEqual(a.test.labels, b.test.labels);
  assert.notDeepEqual(a.train.images, c.train.images);
});

/** Nearest class mean, fitted on train, scored on test. */
function centroidAccuracy(d: ImageDataset): number {
  const size = imageSize(d.imageShape);
  const means = Array.from({ length: d.numClasses }, () => new Float64Array(size));
  const counts = new Array<number>(d.numClasses).fill(0);
  for (let i = 0; i < d.train.count; i++) {
    const m = means[d.train.labels[i]];
    counts[d.train.labels[i]]++;
    for (let p = 0; p < size; p++) m[p] += d.train.images[i * size + p];
  }
  means.forEach((m, k) => m.forEach((v, p) => (m[p] = v / counts[k])));
  let right = 0;
  for (let i = 0; i < d.test.count; i++) {
    let best = -1;
    let bestDist = Infinity;
    means.forEach((m, k) => {
      let dist = 0;
      for (let p = 0; p < size; p++) dist += (d.test.images[i * size + p] - m[p]) ** 2;
      if (dist < bestDist) [best, bestDist] = [k, dist];
    });
    if (best === d.test.labels[i]) right++;
  }
  return right / d.test.count;
}

test('synthetic data is learnable (nearest class mean beats 90%) yet not noise-free', () => {
  for (const [shape, classes] of [
    [[16, 16, 3], 4],
    [[8, 8, 1], 10],
    [[32, 32, 3], 10],
  ] as const) {
    const d = makeSynthetic({ imageShape: shape, numClasses: classes, trainCount: 200, testCount: 100, seed: 2 });
    const acc = centroidAccuracy(d);
    assert.ok(acc > 0.9, `${shape.join('x')} with ${classes} classes: accuracy ${acc}`);
  }
  const noisy = makeSynthetic({ seed: 3 });
  const clean = makeSynthetic({ seed: 3, noise: 0 });
  assert.notDeepEqual(noisy.train.images, clean.train.images);
});

test('invalid synthetic options are reported together', () => {
  assert.throws(
    () => makeSynthetic({ imageShape: [0, 4, 1], numClasses: 300, trainCount: -1 }),
    (e: unknown) => e instanceof DatasetError && /image shape 0x4x1/.test(e.message) && /class count 300/.test(e.message) && /training count -1/.test(e.message),
  );
});
