/**
 * The in-memory image data set every loader produces and the trainer consumes.
 * Images are NHWC float32, one image after another, so a batch is a plain slice
 * that can go straight into `tf.tensor4d(images, [n, H, W, C])`.
 */

import { at } from '../../core/indexed';

/** [height, width, channels] of one image. */
export type ImageShape = readonly [number, number, number];

export interface Split {
  /** count * H * W * C values, NHWC. Loaders give [0, 1]; mean subtraction shifts them. */
  readonly images: Float32Array;
  /** One class index per image, each < numClasses. */
  readonly labels: Uint8Array;
  readonly count: number;
}

export interface ImageDataset {
  /** Short name shown to people, e.g. "mnist", "cifar10". */
  readonly name: string;
  readonly imageShape: ImageShape;
  readonly numClasses: number;
  /** Optional human-readable class names, index = label. */
  readonly classNames?: readonly string[];
  readonly train: Split;
  readonly validation?: Split;
  readonly test: Split;
  /** What a person should know about the data before training on it (e.g. a file that is short of records). */
  readonly warnings?: readonly string[];
}

/**
 * A data problem a person can fix. `message` says what went wrong and where;
 * `hint` (also appended to the message) says what to do about it.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(
    readonly problem: string,
    readonly hint: string,
    readonly path?: string,
  ) {
    super(hint ? `${problem}\n${hint}` : problem);
  }
}

/** Number of float values in one image. */
export function imageSize(shape: ImageShape): number {
  return shape[0] * shape[1] * shape[2];
}

/** Formats a shape the way the .resnet `input` line writes it: 28x28x1. */
export function formatShape(shape: ImageShape): string {
  return `${shape[0]}x${shape[1]}x${shape[2]}`;
}

/** How many images of each class a split holds. */
export function labelHistogram(split: Split, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < split.count; i++) {
    const label = at(split.labels, i, 'labels');
    if (label >= numClasses) {
      throw new DatasetError(`Label ${label} at image ${i} is outside 0..${numClasses - 1}.`, 'The data set and its declared class count disagree; check the loader or the files.');
    }
    counts[label] = at(counts, label, 'class counts') + 1;
  }
  return counts;
}

/** Builds a split after checking that the arrays agree on the image count. */
export function makeSplit(images: Float32Array, labels: Uint8Array, shape: ImageShape): Split {
  const size = imageSize(shape);
  if (images.length !== labels.length * size) {
    throw new RangeError(`Split has ${labels.length} labels but ${images.length} values; ` + `expected ${labels.length * size} for images of ${formatShape(shape)}.`);
  }
  return { images, labels, count: labels.length };
}
