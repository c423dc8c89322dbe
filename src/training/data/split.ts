/**
 * Holding out part of the training set for validation, as the paper does for
 * CIFAR-10 (45k train / 5k validation). Do this before computing the pixel
 * mean so the mean never sees validation images.
 */
import type { Random } from '../random';
import { at } from '../../core/indexed';
import { DatasetError, type ImageDataset, type Split } from './dataset';

/**
 * Picks `count` random images (by `rng`) for validation; both parts keep the
 * original relative order of their images.
 */
export function validationSplit(train: Split, count: number, rng: Random): { train: Split; validation: Split } {
  if (!Number.isInteger(count) || count < 1 || count >= train.count) {
    throw new DatasetError(
      `Cannot hold out ${count} validation images from a training set of ${train.count}.`,
      `Choose a validation size from 1 to ${train.count - 1} (the paper uses 5000 of CIFAR-10's 50000).`,
    );
  }
  const isValidation = new Uint8Array(train.count);
  const order = rng.shuffle(Uint32Array.from({ length: train.count }, (_, i) => i));
  for (const index of order.subarray(0, count)) isValidation[index] = 1;
  const keep: number[] = [];
  const held: number[] = [];
  for (let i = 0; i < train.count; i++) (isValidation[i] ? held : keep).push(i);
  const size = train.images.length / train.count;
  return { train: pick(train, keep, size), validation: pick(train, held, size) };
}

/** Same data set with `count` training images moved to `validation`. */
export function withValidation(dataset: ImageDataset, count: number, rng: Random): ImageDataset {
  const { train, validation } = validationSplit(dataset.train, count, rng);
  return { ...dataset, train, validation };
}

function pick(split: Split, indices: readonly number[], size: number): Split {
  const images = new Float32Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  indices.forEach((src, i) => {
    images.set(split.images.subarray(src * size, (src + 1) * size), i * size);
    labels[i] = at(split.labels, src, 'labels');
  });
  return { images, labels, count: indices.length };
}
