/**
 * Reader for the CIFAR-10 *binary* version (cifar-10-binary.tar.gz).
 *
 * Each record is 3073 bytes: one label byte (0..9), then 1024 red, 1024 green
 * and 1024 blue bytes, each plane row-major 32x32. We convert to NHWC float32
 * in [0, 1], the layout TensorFlow.js convolutions expect.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { at } from '../../core/indexed';
import { DatasetError, type ImageDataset, type ImageShape, type Split } from './dataset';

export const CIFAR10_SHAPE: ImageShape = [32, 32, 3];
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
/** Folder name inside the official archive. */
export const CIFAR10_FOLDER = 'cifar-10-batches-bin';
export const CIFAR10_TRAIN_FILES: readonly string[] = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILES: readonly string[] = ['test_batch.bin'];
export const CIFAR10_CLASSES: readonly string[] = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const PLANE = 32 * 32;
const IMAGE = PLANE * 3;
export const CIFAR10_RECORD_BYTES = 1 + IMAGE;

const HOW_TO_GET =
  `Get the binary version from ${CIFAR10_URL} and extract it (tar -xzf cifar-10-binary.tar.gz), ` +
  `then pass the extracted "${CIFAR10_FOLDER}" folder (or its parent) as the data folder; ` +
  'or run `resnet-studio download cifar10 --data-dir <folder>` (or the command "ResNet: Download CIFAR-10"), which does both.';

export interface Cifar10Options {
  /** Training files to read; default all five `data_batch_N.bin`. */
  readonly trainFiles?: readonly string[] | undefined;
  /** Test files to read; default `test_batch.bin`. */
  readonly testFiles?: readonly string[] | undefined;
}

/** Records in each file of the official archive. */
export const CIFAR10_RECORDS_PER_FILE = 10000;

export function loadCifar10(dataDir: string, options: Cifar10Options = {}): ImageDataset {
  const dir = resolveCifar10Dir(dataDir);
  const trainFiles = options.trainFiles ?? CIFAR10_TRAIN_FILES;
  const testFiles = options.testFiles ?? CIFAR10_TEST_FILES;
  const train = readCifarFiles(dir, trainFiles);
  const test = readCifarFiles(dir, testFiles);
  const warnings = shortFileWarnings(dir, [...trainFiles, ...testFiles]);
  return {
    name: 'cifar10',
    imageShape: CIFAR10_SHAPE,
    numClasses: 10,
    classNames: CIFAR10_CLASSES,
    train,
    test,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/**
 * A file cut on a record boundary reads without an error but holds fewer images: say so, since
 * the figures of a shorter CIFAR-10 are not the paper's. (Every official file has 10,000.)
 */
export function shortFileWarnings(dir: string, files: readonly string[]): string[] {
  return files.flatMap((name) => {
    const file = path.join(dir, name);
    const records = fs.statSync(file).size / CIFAR10_RECORD_BYTES;
    return records === CIFAR10_RECORDS_PER_FILE
      ? []
      : [
          `CIFAR-10 file ${file} holds ${records.toLocaleString('en-US')} image${records === 1 ? '' : 's'}, not ${CIFAR10_RECORDS_PER_FILE.toLocaleString('en-US')}: it was cut short, and training uses only the images it has; extract the archive again to train on all of CIFAR-10`,
        ];
  });
}

/** Accepts either the batches folder itself or a folder that contains it. */
export function resolveCifar10Dir(dataDir: string): string {
  const abs = path.resolve(dataDir);
  if (!fs.existsSync(abs)) {
    throw new DatasetError(`CIFAR-10 data folder "${abs}" does not exist.`, HOW_TO_GET, abs);
  }
  if (!fs.statSync(abs).isDirectory()) {
    throw new DatasetError(
      `CIFAR-10 data path "${abs}" is a file, not a folder.`,
      abs.endsWith('.tar.gz') ? `Extract it first (tar -xzf "${path.basename(abs)}") and pass the folder it creates.` : HOW_TO_GET,
      abs,
    );
  }
  const nested = path.join(abs, CIFAR10_FOLDER);
  return fs.existsSync(nested) && fs.statSync(nested).isDirectory() ? nested : abs;
}

/** Reads and concatenates record files from `dir` into one split. */
export function readCifarFiles(dir: string, files: readonly string[]): Split {
  const sizes = files.map((name) => checkedSize(dir, name));
  const count = sizes.reduce((sum, size) => sum + size / CIFAR10_RECORD_BYTES, 0);
  const images = new Float32Array(count * IMAGE);
  const labels = new Uint8Array(count);
  let decoded = 0;
  files.forEach((name) => {
    const file = path.join(dir, name);
    decoded += decodeCifarRecords(fs.readFileSync(file), file, images, labels, decoded);
  });
  return { images, labels, count };
}

/**
 * Decodes whole records from `bytes` into the arrays starting at image `first`.
 * Returns the number of records decoded. `source` names the file in errors.
 */
export function decodeCifarRecords(bytes: Uint8Array, source: string, images: Float32Array, labels: Uint8Array, first = 0): number {
  if (bytes.length % CIFAR10_RECORD_BYTES !== 0) throw sizeError(source, bytes.length);
  const n = bytes.length / CIFAR10_RECORD_BYTES;
  if (labels.length < first + n || images.length < (first + n) * IMAGE) {
    throw new RangeError(`decodeCifarRecords: output arrays too small for ${n} records at ${first}`);
  }
  for (let r = 0; r < n; r++) {
    const base = r * CIFAR10_RECORD_BYTES;
    const label = at(bytes, base, 'CIFAR-10 records');
    if (label > 9) {
      throw new DatasetError(
        `CIFAR-10 file ${source} has label byte ${label} in record ${r} (byte offset ${base}); labels must be 0..9.`,
        'The file is corrupt or is not CIFAR-10 (CIFAR-100 binary files have 2 label bytes per record). ' + HOW_TO_GET,
        source,
      );
    }
    labels[first + r] = label;
    const out = (first + r) * IMAGE;
    // Planar RGB (channel-major) -> interleaved NHWC (channel-minor).
    for (let c = 0; c < 3; c++) {
      const plane = base + 1 + c * PLANE;
      let p = out + c;
      for (const v of bytes.subarray(plane, plane + PLANE)) {
        images[p] = v / 255;
        p += 3;
      }
    }
  }
  return n;
}

function checkedSize(dir: string, name: string): number {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) {
    throw new DatasetError(`CIFAR-10 file "${name}" is missing in "${dir}".`, missingHint(dir), file);
  }
  const size = fs.statSync(file).size;
  if (size === 0 || size % CIFAR10_RECORD_BYTES !== 0) throw sizeError(file, size);
  return size;
}

function sizeError(file: string, size: number): DatasetError {
  return new DatasetError(
    `CIFAR-10 file "${file}" is ${size} bytes, which is not a whole number of ${CIFAR10_RECORD_BYTES}-byte records ` +
      `(a full batch file is ${CIFAR10_RECORDS_PER_FILE * CIFAR10_RECORD_BYTES} bytes); it is truncated or corrupt.`,
    `Delete it and download/extract the archive again. ${HOW_TO_GET}`,
    file,
  );
}

/** Tailors the advice to what the folder actually holds. */
function missingHint(dir: string): string {
  const entries = fs.readdirSync(dir);
  if (entries.includes('cifar-10-binary.tar.gz')) {
    return `The folder holds cifar-10-binary.tar.gz but it is not extracted: run tar -xzf cifar-10-binary.tar.gz in "${dir}".`;
  }
  if (entries.includes('cifar-10-batches-py') || entries.includes('data_batch_1')) {
    return `This looks like the Python (pickle) version of CIFAR-10; the binary version is needed. ${HOW_TO_GET}`;
  }
  const bins = entries.filter((e) => e.endsWith('.bin'));
  const found = bins.length ? ` Found: ${bins.join(', ')}.` : ' No .bin files were found there.';
  return `Expected ${[...CIFAR10_TRAIN_FILES, ...CIFAR10_TEST_FILES].join(', ')}.${found} ${HOW_TO_GET}`;
}
