import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/training/random';
import { applyPixelMean, computePixelMean, padCropFlip, padCropFlipImage, subtractPixelMean } from '../../src/training/data/augment';
import { validationSplit, withValidation } from '../../src/training/data/split';
import { DatasetError, type ImageDataset, type ImageShape, type Split } from '../../src/training/data/dataset';
import { makeSynthetic } from '../../src/training/data/synthetic';

const SHAPE: ImageShape = [3, 4, 2];
/** Pixel (y, x, c) of image i holds a distinct positive value. */
const value = (i: number, y: number, x: number, c: number): number => 1000 * (i + 1) + 100 * y + 10 * x + c + 1;
function images(count: number, shape: ImageShape = SHAPE): Float32Array {
  const [h, w, c] = shape;
  const out = new Float32Array(count * h * w * c);
  for (let i = 0; i < count; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[((i * h + y) * w + x) * c + ch] = value(i, y, x, ch);
  return out;
}
const px = (img: Float32Array, y: number, x: number, c: number): number => img[(y * SHAPE[1] + x) * SHAPE[2] + c];

test('pad-crop with explicit offsets shifts the image and fills with zeros', () => {
  const img = images(1);
  // offset == pad: unchanged.
  assert.deepEqual(padCropFlipImage(img, SHAPE, 1, 1, 1, false), img);
  // Window starts in the padding: everything moves down-right by one.
  const shifted = padCropFlipImage(img, SHAPE, 1, 0, 0, false);
  assert.equal(px(shifted, 0, 0, 0), 0);
  assert.equal(px(shifted, 0, 3, 1), 0);
  assert.equal(px(shifted, 2, 0, 1), 0);
  assert.equal(px(shifted, 1, 1, 0), value(0, 0, 0, 0));
  assert.equal(px(shifted, 2, 3, 1), value(0, 1, 2, 1));
  // Up-left by two with pad 2.
  const up = padCropFlipImage(img, SHAPE, 2, 4, 4, false);
  assert.equal(px(up, 0, 0, 1), value(0, 2, 2, 1));
  assert.equal(px(up, 0, 2, 0), 0);
  assert.equal(px(up, 1, 0, 0), 0);
});

test('flip really mirrors left-right, channels kept in place', () => {
  const img = images(1);
  const flipped = padCropFlipImage(img, SHAPE, 4, 4, 4, true);
  for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) for (let c = 0; c < 2; c++) assert.equal(px(flipped, y, x, c), value(0, y, 3 - x, c));
  assert.deepEqual(padCropFlipImage(flipped, SHAPE, 0, 0, 0, true), img);
});

test('random pad-crop-flip keeps the shape, and every output is some crop of its input', () => {
  const shape: ImageShape = [8, 8, 3];
  const count = 40;
  const src = images(count, shape);
  const out = padCropFlip(src, count, shape, new Random(1), { pad: 2 });
  assert.equal(out.length, src.length);
  const size = 8 * 8 * 3;
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const img = src.subarray(i * size, (i + 1) * size);
    const got = out.subarray(i * size, (i + 1) * size);
    let match = '';
    for (let oy = 0; oy <= 4 && !match; oy++)
      for (let ox = 0; ox <= 4 && !match; ox++) for (const m of [false, true]) if (!match && padCropFlipImage(img, shape, 2, oy, ox, m).every((v, k) => v === got[k])) match = `${oy},${ox},${m}`;
    assert.ok(match, `image ${i} is not a pad-crop-flip of its input`);
    seen.add(match);
  }
  assert.ok(seen.size > 15, `only ${seen.size} distinct augmentations in ${count} images`);
  assert.ok([...seen].some((s) => s.endsWith('true')) && [...seen].some((s) => s.endsWith('false')));
});

test('augmentation is reproducible from the generator state', () => {
  const shape: ImageShape = [32, 32, 3];
  const src = images(16, shape);
  const a = padCropFlip(src, 16, shape, new Random(9));
  assert.deepEqual(padCropFlip(src, 16, shape, new Random(9)), a);
  assert.notDeepEqual(padCropFlip(src, 16, shape, new Random(10)), a);
  // No pad, no flip: identity.
  assert.deepEqual(padCropFlip(src, 16, shape, new Random(9), { pad: 0, flip: false }), src);
  // Flip only: each image is either itself or its mirror.
  const size = 32 * 32 * 3;
  const flips = padCropFlip(src, 16, shape, new Random(9), { pad: 0 });
  let mirrored = 0;
  for (let i = 0; i < 16; i++) {
    const got = flips.subarray(i * size, (i + 1) * size);
    const orig = src.subarray(i * size, (i + 1) * size);
    if (got.every((v, k) => v === orig[k])) continue;
    assert.deepEqual(got, padCropFlipImage(orig, shape, 0, 0, 0, true));
    mirrored++;
  }
  assert.ok(mirrored > 3 && mirrored < 13, `${mirrored} of 16 mirrored`);
});

test('per-pixel mean is computed over the split and subtracted in place', () => {
  const shape: ImageShape = [1, 2, 1];
  const split: Split = { images: Float32Array.from([1, 10, 3, 20, 8, 60]), labels: new Uint8Array(3), count: 3 };
  const mean = computePixelMean(split, shape);
  assert.deepEqual(Array.from(mean), [4, 30]);
  assert.equal(subtractPixelMean(split, mean), split);
  assert.deepEqual(Array.from(split.images), [-3, -20, -1, -10, 4, 30]);
});

test('applyPixelMean uses the training mean for every split', () => {
  const d = makeSynthetic({ imageShape: [4, 4, 3], trainCount: 50, testCount: 10, seed: 4 });
  const withVal = withValidation(d, 10, new Random(1));
  const testBefore = Float32Array.from(withVal.test.images);
  const valBefore = Float32Array.from(withVal.validation?.images ?? []);
  const expectedMean = computePixelMean(withVal.train, withVal.imageShape);
  const mean = applyPixelMean(withVal);
  assert.deepEqual(mean, expectedMean);
  const after = computePixelMean(withVal.train, withVal.imageShape);
  for (const v of after) assert.ok(Math.abs(v) < 1e-6, `train mean after subtraction ${v}`);
  withVal.test.images.forEach((v, k) => assert.ok(Math.abs(v - (testBefore[k] - mean[k % 48])) < 1e-6));
  withVal.validation?.images.forEach((v, k) => assert.ok(Math.abs(v - (valBefore[k] - mean[k % 48])) < 1e-6));
});

test('validationSplit holds out exactly count images, disjoint, order kept, seeded', () => {
  const n = 50;
  const train: Split = { images: Float32Array.from({ length: n }, (_, i) => i), labels: Uint8Array.from({ length: n }, (_, i) => i % 10), count: n };
  const { train: t, validation: v } = validationSplit(train, 5, new Random(3));
  assert.equal(t.count, 45);
  assert.equal(v.count, 5);
  const ids = [...t.images, ...v.images].sort((a, b) => a - b);
  assert.deepEqual(
    ids,
    Array.from({ length: n }, (_, i) => i),
  );
  assert.deepEqual(
    Array.from(t.images),
    [...t.images].sort((a, b) => a - b),
  );
  t.images.forEach((id, k) => assert.equal(t.labels[k], id % 10));
  v.images.forEach((id, k) => assert.equal(v.labels[k], id % 10));
  assert.deepEqual(validationSplit(train, 5, new Random(3)).validation.images, v.images);
  assert.notDeepEqual(validationSplit(train, 5, new Random(4)).validation.images, v.images);
  for (const bad of [0, 50, 2.5]) {
    assert.throws(
      () => validationSplit(train, bad, new Random(1)),
      (e: unknown) => e instanceof DatasetError && /from 1 to 49/.test(e.message),
    );
  }
});

test('withValidation keeps the other fields of the data set', () => {
  const d: ImageDataset = makeSynthetic({ trainCount: 20, testCount: 4 });
  const w = withValidation(d, 4, new Random(0));
  assert.equal(w.train.count, 16);
  assert.equal(w.validation?.count, 4);
  assert.equal(w.test, d.test);
  assert.equal(w.name, 'synthetic');
});
