/**
 * Epoch iteration: a fresh random order of the split each epoch, cut into
 * batches that are copied out as contiguous NHWC arrays.
 *
 * Resuming mid-epoch: the order depends only on the generator state at the
 * start of the epoch. Save `rng.getState()` *before* calling `epochBatches`
 * together with the number of batches finished; to resume, restore that state
 * and pass the count as `startBatch`. The batches are then exactly the tail of
 * the original epoch. Use a separate generator for augmentation, saved at the
 * checkpoint itself, because augmentation draws numbers batch by batch.
 *
 * Last partial batch: when the split size is not a multiple of `batchSize`,
 * the final batch is smaller (its `count` says how many), unless `dropLast` is
 * set, in which case those leftover images are skipped for this epoch (they are
 * different images each epoch, since the order changes).
 */
import type { Random } from '../random';
import type { Split } from './dataset';
import { at } from '../../core/indexed';

export interface Batch {
  /** count * H * W * C values, NHWC. */
  readonly images: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
  /** Position of this batch within the epoch, from 0. */
  readonly index: number;
}

export interface BatchOptions {
  readonly batchSize: number;
  /** Skip the first `startBatch` batches (resume). Default 0. */
  readonly startBatch?: number;
  /** Drop a final batch smaller than `batchSize`. Default false. */
  readonly dropLast?: boolean;
}

/** Number of batches one epoch yields, including a partial last one unless dropped. */
export function batchCount(total: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(total / batchSize) : Math.ceil(total / batchSize);
}

/** A random permutation of 0..count-1; consumes `rng` immediately. */
export function epochOrder(count: number, rng: Random): Uint32Array {
  return rng.shuffle(Uint32Array.from({ length: count }, (_, i) => i));
}

/**
 * Shuffles now (so `rng` has advanced when this returns, even before the first
 * batch is taken), then yields the batches lazily.
 */
export function epochBatches(split: Split, rng: Random, options: BatchOptions): Generator<Batch> {
  checkOptions(split.count, options);
  return batchesInOrder(split, epochOrder(split.count, rng), options);
}

/** Yields batches following a given order (a permutation of the split's indices). */
export function* batchesInOrder(split: Split, order: Uint32Array, options: BatchOptions): Generator<Batch> {
  checkOptions(order.length, options);
  const { batchSize } = options;
  const size = split.count ? split.images.length / split.count : 0;
  const total = batchCount(order.length, batchSize, options.dropLast);
  for (let index = options.startBatch ?? 0; index < total; index++) {
    const start = index * batchSize;
    const count = Math.min(batchSize, order.length - start);
    const images = new Float32Array(count * size);
    const labels = new Uint8Array(count);
    for (let k = 0; k < count; k++) {
      const src = at(order, start + k, 'batch order');
      images.set(split.images.subarray(src * size, (src + 1) * size), k * size);
      labels[k] = at(split.labels, src, 'labels');
    }
    yield { images, labels, count, index };
  }
}

function checkOptions(total: number, options: BatchOptions): void {
  const { batchSize, startBatch = 0, dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`Batch size must be a positive integer, got ${batchSize}.`);
  }
  const max = batchCount(total, batchSize, dropLast);
  if (!Number.isInteger(startBatch) || startBatch < 0 || startBatch > max) {
    throw new RangeError(
      `Cannot start at batch ${startBatch}: an epoch of ${total} images in batches of ${batchSize} has ${max} batches. ` + 'The checkpoint was probably saved with a different batch size or data set.',
    );
  }
}
