import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkInputFits, DatasetError, loadDataset, parseDatasetName, type DatasetSpec, type ImageDataset, type ImageShape } from '../../src/training/data/index';

const empty = { images: new Float32Array(0), labels: new Uint8Array(0), count: 0 };
const fake = (name: string, imageShape: ImageShape, numClasses = 10): ImageDataset => ({ name, imageShape, numClasses, train: empty, test: empty });

test('loadDataset loads mnist and synthetic by name', () => {
  const m = loadDataset({ name: 'mnist' });
  assert.equal(m.train.count + m.test.count, 10000);
  const s = loadDataset({ name: 'synthetic', synthetic: { imageShape: [8, 8, 3], numClasses: 5, trainCount: 10, testCount: 5 } });
  assert.deepEqual(s.imageShape, [8, 8, 3]);
  assert.equal(s.numClasses, 5);
  assert.equal(s.train.count, 10);
});

test('loadDataset: cifar10 without a folder says what to pass', () => {
  assert.throws(
    () => loadDataset({ name: 'cifar10' }),
    (e: unknown) => e instanceof DatasetError && /needs a data folder/.test(e.message) && /--data-dir/.test(e.message) && /cifar-10-binary\.tar\.gz/.test(e.message),
  );
});

test('names typed by people are normalised or rejected with the choices', () => {
  assert.equal(parseDatasetName('CIFAR-10'), 'cifar10');
  assert.equal(parseDatasetName(' MNIST '), 'mnist');
  assert.throws(
    () => parseDatasetName('imagenet'),
    (e: unknown) => e instanceof DatasetError && /"imagenet"/.test(e.message) && /mnist, cifar10, synthetic/.test(e.message),
  );
  const raw = JSON.parse('{"name":"Synthetic"}') as DatasetSpec;
  assert.equal(loadDataset(raw).name, 'synthetic');
  assert.throws(() => loadDataset(JSON.parse('{"name":"svhn"}') as DatasetSpec), DatasetError);
});

test('checkInputFits names both shapes and both fixes', () => {
  const mnist = fake('mnist', [28, 28, 1]);
  assert.throws(() => checkInputFits(mnist, [32, 32, 3]), {
    name: 'DatasetError',
    message: 'model expects 32×32×3 but mnist gives 28×28×1: set `input 28x28x1` or use --dataset cifar10',
  });
  assert.throws(() => checkInputFits(fake('cifar10', [32, 32, 3]), [28, 28, 1]), {
    message: 'model expects 28×28×1 but cifar10 gives 32×32×3: set `input 32x32x3` or use --dataset mnist',
  });
  assert.throws(() => checkInputFits(mnist, [64, 64, 3]), /set `input 28x28x1` or use --dataset synthetic/);
  assert.throws(() => checkInputFits(mnist, [28, 28, 1], 100), {
    message: 'model predicts 100 classes but mnist has 10: make the final layer output 10 classes',
  });
  checkInputFits(mnist, [28, 28, 1]);
  checkInputFits(mnist, [28, 28, 1], 10);
});
