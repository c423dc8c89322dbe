import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadMnist } from '../../src/training/data/mnist';
import { DatasetError, labelHistogram } from '../../src/training/data/dataset';

const PIXELS = 784;
const mnistDir = path.dirname(createRequire(path.join(process.cwd(), 'x.js')).resolve('mnist/package.json'));
const raw: Float32Array[] = Array.from({ length: 10 }, (_, d) =>
  Float32Array.from((JSON.parse(fs.readFileSync(path.join(mnistDir, 'src', 'digits', `${d}.json`), 'utf8')) as { data: number[] }).data),
);

test('MNIST loads 8000/2000 real digits, 28x28x1, 10 classes, values in [0,1]', () => {
  const d = loadMnist();
  assert.equal(d.name, 'mnist');
  assert.deepEqual(d.imageShape, [28, 28, 1]);
  assert.equal(d.numClasses, 10);
  assert.equal(d.train.count, 8000);
  assert.equal(d.test.count, 2000);
  assert.equal(d.train.images.length, 8000 * PIXELS);
  assert.equal(d.test.labels.length, 2000);

  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of d.train.images) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  assert.equal(min, 0);
  assert.ok(max > 0.99 && max <= 1, `max ${max}`);
  const mean = sum / d.train.images.length;
  assert.ok(mean > 0.08 && mean < 0.2, `MNIST ink mean ${mean}`); // real digits are mostly background
});

test('MNIST split is stratified: each class is 20% test, and the histograms add up', () => {
  const d = loadMnist();
  const train = labelHistogram(d.train, 10);
  const testH = labelHistogram(d.test, 10);
  for (let k = 0; k < 10; k++) {
    const total = raw[k].length / PIXELS;
    assert.equal(train[k] + testH[k], total, `class ${k}`);
    assert.equal(testH[k], Math.round(total * 0.2), `class ${k}`);
  }
  assert.deepEqual(testH, [200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
  // Interleaved, not grouped by class.
  assert.ok(new Set(d.train.labels.subarray(0, 50)).size >= 8);
});

test('MNIST images are the package digits with matching labels, and train/test are disjoint', () => {
  const d = loadMnist();
  const key = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  const rawKeys = raw.map((arr) => {
    const set = new Set<string>();
    for (let i = 0; i < arr.length / PIXELS; i++) set.add(key(arr.subarray(i * PIXELS, (i + 1) * PIXELS)));
    return set;
  });
  const trainKeys = new Set<string>();
  for (let i = 0; i < d.train.count; i++) {
    const k = key(d.train.images.subarray(i * PIXELS, (i + 1) * PIXELS));
    assert.ok(rawKeys[d.train.labels[i]].has(k), `train image ${i} is not a digit ${d.train.labels[i]}`);
    trainKeys.add(k);
  }
  for (let i = 0; i < d.test.count; i++) {
    const k = key(d.test.images.subarray(i * PIXELS, (i + 1) * PIXELS));
    assert.ok(rawKeys[d.test.labels[i]].has(k), `test image ${i} is not a digit ${d.test.labels[i]}`);
    assert.ok(!trainKeys.has(k), `test image ${i} also appears in train`);
  }
});

test('MNIST is deterministic and every load returns fresh arrays', () => {
  const a = loadMnist();
  a.train.images.fill(7);
  const b = loadMnist();
  const c = loadMnist();
  assert.deepEqual(b.train.labels, c.train.labels);
  assert.deepEqual(b.test.images, c.test.images);
  assert.notEqual(b.train.images[0], 7);
});

test('MNIST from a wrong package folder says where it looked and how to fix', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-bad-'));
  try {
    fs.mkdirSync(path.join(dir, 'src', 'digits'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src', 'digits', '0.json'), '{"data": [1, 2, 3]}');
    assert.throws(
      () => loadMnist({ packageDir: dir }),
      (e: unknown) => e instanceof DatasetError && /784 values per image/.test(e.message) && e.message.includes(dir),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('MNIST loads from an esbuild bundle (CommonJS and ESM) run from another folder', () => {
  const work = path.join(process.cwd(), '.test-artifacts', `mnist-bundle-${process.pid}`);
  fs.mkdirSync(work, { recursive: true });
  try {
    const entry = path.join(work, 'entry.ts');
    fs.writeFileSync(entry, `import { loadMnist } from ${JSON.stringify(path.resolve('src/training/data/mnist.ts'))};\n` + 'const d = loadMnist(); console.log(`${d.train.count}/${d.test.count}`);\n');
    const esbuild = path.resolve('node_modules', '.bin', 'esbuild');
    for (const [format, ext] of [
      ['cjs', 'cjs'],
      ['esm', 'mjs'],
    ]) {
      const out = path.join(work, 'dist', `out.${ext}`);
      execFileSync(esbuild, [entry, '--bundle', '--platform=node', `--format=${format}`, `--outfile=${out}`, '--log-level=error']);
      const printed = execFileSync(process.execPath, [out], { cwd: '/', encoding: 'utf8' }).trim();
      assert.equal(printed, '8000/2000', format);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
