import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CIFAR10_RECORD_BYTES, loadCifar10, resolveCifar10Dir } from '../../src/training/data/cifar10';
import { DatasetError } from '../../src/training/data/dataset';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cifar-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirCount = 0;
const newDir = (): string => fs.mkdtempSync(path.join(tmp, `d${dirCount++}-`));

/** Byte of channel c at (y, x) for record r: a pattern where every position differs. */
const pattern = (r: number, c: number, y: number, x: number): number => (r * 11 + c * 83 + y * 7 + x * 3) % 256;

function record(label: number, byte: (c: number, y: number, x: number) => number): Buffer {
  const b = Buffer.alloc(CIFAR10_RECORD_BYTES);
  b[0] = label;
  for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) b[1 + c * 1024 + y * 32 + x] = byte(c, y, x);
  return b;
}

function writeBatch(dir: string, name: string, labels: number[], firstRecord = 0): void {
  fs.writeFileSync(path.join(dir, name), Buffer.concat(labels.map((l, i) => record(l, (c, y, x) => pattern(firstRecord + i, c, y, x)))));
}

function expectError(fn: () => unknown, ...parts: Array<string | RegExp>): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DatasetError, `expected DatasetError, got ${String(e)}`);
    for (const p of parts) {
      if (typeof p === 'string') assert.ok(e.message.includes(p), `message lacks "${p}":\n${e.message}`);
      else assert.match(e.message, p);
    }
    return true;
  });
}

test('a known pixel lands in NHWC with R, G, B in order', () => {
  const dir = newDir();
  const one = record(3, (c, y, x) => (y === 2 && x === 5 ? [200, 100, 50][c] : 0));
  fs.writeFileSync(path.join(dir, 'data_batch_1.bin'), one);
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), one);
  const d = loadCifar10(dir, { trainFiles: ['data_batch_1.bin'] });
  assert.deepEqual(d.imageShape, [32, 32, 3]);
  assert.equal(d.train.count, 1);
  assert.equal(d.train.labels[0], 3);
  const at = (2 * 32 + 5) * 3;
  assert.deepEqual(Array.from(d.train.images.subarray(at, at + 3)), [200 / 255, 100 / 255, 50 / 255].map(Math.fround));
  // Everything else is black.
  let nonZero = 0;
  for (const v of d.train.images) if (v !== 0) nonZero++;
  assert.equal(nonZero, 3);
});

test('several files concatenate in order; every pixel of every record is placed right', () => {
  const dir = newDir();
  writeBatch(dir, 'data_batch_1.bin', [0, 9, 4]);
  writeBatch(dir, 'data_batch_2.bin', [7, 1], 3);
  writeBatch(dir, 'test_batch.bin', [5], 100);
  const d = loadCifar10(dir, { trainFiles: ['data_batch_1.bin', 'data_batch_2.bin'] });
  assert.equal(d.train.count, 5);
  assert.deepEqual(Array.from(d.train.labels), [0, 9, 4, 7, 1]);
  assert.deepEqual(Array.from(d.test.labels), [5]);
  for (let r = 0; r < 5; r++) {
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        for (let c = 0; c < 3; c++) {
          const got = d.train.images[((r * 32 + y) * 32 + x) * 3 + c];
          if (got !== Math.fround(pattern(r, c, y, x) / 255)) assert.fail(`record ${r} (${y},${x},${c}) = ${got}`);
        }
      }
    }
  }
  assert.equal(d.test.images[0], Math.fround(pattern(100, 0, 0, 0) / 255));
});

test('the parent of cifar-10-batches-bin is accepted', () => {
  const parent = newDir();
  const inner = path.join(parent, 'cifar-10-batches-bin');
  fs.mkdirSync(inner);
  writeBatch(inner, 'data_batch_1.bin', [2]);
  writeBatch(inner, 'test_batch.bin', [6]);
  assert.equal(resolveCifar10Dir(parent), inner);
  assert.deepEqual(Array.from(loadCifar10(parent, { trainFiles: ['data_batch_1.bin'] }).test.labels), [6]);
});

test('missing folder: names it and says how to get the data', () => {
  const missing = path.join(tmp, 'nope', 'cifar');
  expectError(() => loadCifar10(missing), missing, 'does not exist', 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', 'extract', 'download');
});

test('a file instead of a folder, or an unextracted archive, says to extract', () => {
  const dir = newDir();
  const archive = path.join(dir, 'cifar-10-binary.tar.gz');
  fs.writeFileSync(archive, 'x');
  expectError(() => loadCifar10(archive), 'is a file, not a folder', 'tar -xzf');
  expectError(() => loadCifar10(dir), 'data_batch_1.bin', 'is missing', 'not extracted', 'tar -xzf');
});

test('missing file: names the file and folder and lists what was found', () => {
  const dir = newDir();
  writeBatch(dir, 'data_batch_1.bin', [1]);
  writeBatch(dir, 'test_batch.bin', [1]);
  expectError(() => loadCifar10(dir), '"data_batch_2.bin" is missing', dir, 'Found: data_batch_1.bin, test_batch.bin');
  expectError(() => loadCifar10(dir, { trainFiles: ['data_batch_1.bin'], testFiles: ['other.bin'] }), '"other.bin" is missing');
});

test('truncated file: names the file and its size', () => {
  const dir = newDir();
  writeBatch(dir, 'data_batch_1.bin', [1, 2]);
  fs.appendFileSync(path.join(dir, 'data_batch_1.bin'), Buffer.alloc(10));
  writeBatch(dir, 'test_batch.bin', [1]);
  expectError(() => loadCifar10(dir, { trainFiles: ['data_batch_1.bin'] }), path.join(dir, 'data_batch_1.bin'), `${2 * 3073 + 10} bytes`, '3073', 'truncated or corrupt');
  fs.writeFileSync(path.join(dir, 'empty.bin'), '');
  expectError(() => loadCifar10(dir, { trainFiles: ['empty.bin'] }), 'is 0 bytes');
});

test('label byte above 9: names the file, record and offset', () => {
  const dir = newDir();
  writeBatch(dir, 'data_batch_1.bin', [1, 2, 10]);
  writeBatch(dir, 'test_batch.bin', [1]);
  expectError(() => loadCifar10(dir, { trainFiles: ['data_batch_1.bin'] }), 'data_batch_1.bin', 'label byte 10 in record 2', `byte offset ${2 * 3073}`, 'CIFAR-100');
});

test('a file cut short on a record boundary is read, with a warning naming it and its count; a whole file gives none', () => {
  const dir = newDir();
  // A whole file: 10,000 records (zero bytes are label 0, black pixels).
  fs.writeFileSync(path.join(dir, 'data_batch_1.bin'), Buffer.alloc(10000 * CIFAR10_RECORD_BYTES));
  writeBatch(dir, 'data_batch_2.bin', [1, 2, 3]);
  writeBatch(dir, 'test_batch.bin', [4]);
  const whole = loadCifar10(dir, { trainFiles: ['data_batch_1.bin'], testFiles: ['data_batch_1.bin'] });
  assert.equal(whole.warnings, undefined);
  const cut = loadCifar10(dir, { trainFiles: ['data_batch_1.bin', 'data_batch_2.bin'] });
  assert.equal(cut.train.count, 10003);
  assert.deepEqual(cut.warnings, [
    `CIFAR-10 file ${path.join(dir, 'data_batch_2.bin')} holds 3 images, not 10,000: it was cut short, and training uses only the images it has; extract the archive again to train on all of CIFAR-10`,
    `CIFAR-10 file ${path.join(dir, 'test_batch.bin')} holds 1 image, not 10,000: it was cut short, and training uses only the images it has; extract the archive again to train on all of CIFAR-10`,
  ]);
});
