/**
 * The ResNet paper's CIFAR preprocessing (He et al. 2015, section 4.2):
 * per-pixel mean subtraction, then for training 4-pixel zero padding, a random
 * crop back to the original size and a random horizontal flip.
 *
 * Order matters: subtract the mean first, then pad, so the zero padding equals
 * the mean image rather than black.
 */
import type { Random } from '../random';
import { imageSize, type ImageDataset, type ImageShape, type Split } from './dataset';

export interface AugmentOptions {
  /** Pixels of zero padding on each side before cropping. Default 4. */
  readonly pad?: number;
  /** Mirror left-right with probability 1/2. Default true. */
  readonly flip?: boolean;
}

/**
 * Augments a batch of `count` NHWC images into a new array. Per image it draws,
 * in this order, the crop row offset, the crop column offset and the flip coin,
 * so a given generator state always gives the same batch.
 */
export function padCropFlip(images: Float32Array, count: number, shape: ImageShape, rng: Random, options: AugmentOptions = {}): Float32Array {
  const pad = options.pad ?? 4;
  const flip = options.flip ?? true;
  const size = imageSize(shape);
  if (images.length < count * size) {
    throw new RangeError(`padCropFlip: ${images.length} values cannot hold ${count} images of ${size}`);
  }
  const out = new Float32Array(count * size);
  for (let i = 0; i < count; i++) {
    const offsetY = rng.nextInt(2 * pad + 1);
    const offsetX = rng.nextInt(2 * pad + 1);
    const mirror = flip && rng.nextFloat() < 0.5;
    cropInto(images.subarray(i * size, (i + 1) * size), out.subarray(i * size, (i + 1) * size), shape, pad, offsetY, offsetX, mirror);
  }
  return out;
}

/**
 * One image, explicit parameters: the HxW window at (offsetY, offsetX) of the
 * image zero-padded by `pad`, optionally mirrored. Offsets run 0..2*pad;
 * offset == pad is the unshifted image.
 */
export function padCropFlipImage(image: Float32Array, shape: ImageShape, pad: number, offsetY: number, offsetX: number, mirror: boolean): Float32Array {
  const out = new Float32Array(imageSize(shape));
  cropInto(image, out, shape, pad, offsetY, offsetX, mirror);
  return out;
}

function cropInto(src: Float32Array, dst: Float32Array, shape: ImageShape, pad: number, offsetY: number, offsetX: number, mirror: boolean): void {
  const [h, w, c] = shape;
  for (let y = 0; y < h; y++) {
    const sy = y + offsetY - pad;
    for (let x = 0; x < w; x++) {
      // Flip the cropped window: output column x shows window column w-1-x.
      const sx = (mirror ? w - 1 - x : x) + offsetX - pad;
      const d = (y * w + x) * c;
      if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
        dst.fill(0, d, d + c);
      } else {
        const s = (sy * w + sx) * c;
        // In range: (sy, sx) is inside the h x w image just checked, and src holds h*w*c values.
        for (let ch = 0; ch < c; ch++) dst[d + ch] = src[s + ch]!;
      }
    }
  }
}

/** Mean image (H*W*C values) over a split, accumulated in float64. */
export function computePixelMean(split: Split, shape: ImageShape): Float32Array {
  const size = imageSize(shape);
  const sum = new Float64Array(size);
  for (let i = 0; i < split.count; i++) {
    const base = i * size;
    // In range: p < size = sum.length, and the split holds count*size values (a per-pixel loop: no helper call).
    for (let p = 0; p < size; p++) sum[p] = sum[p]! + split.images[base + p]!;
  }
  return Float32Array.from(sum, (s) => (split.count ? s / split.count : 0));
}

/** Subtracts `mean` from every image, in place (CIFAR splits are too big to copy). */
export function subtractPixelMean(split: Split, mean: Float32Array): Split {
  const size = mean.length;
  for (let i = 0; i < split.count; i++) {
    const base = i * size;
    // In range: p < size = mean.length; the images are count*size values (a per-pixel loop: no helper call).
    for (let p = 0; p < size; p++) split.images[base + p] = split.images[base + p]! - mean[p]!;
  }
  return split;
}

/**
 * Computes the mean over the training split only and subtracts it from every
 * split, in place. Returns the mean: store it with the model, since inference
 * must subtract the same image.
 */
export function applyPixelMean(dataset: ImageDataset): Float32Array {
  const mean = computePixelMean(dataset.train, dataset.imageShape);
  subtractPixelMean(dataset.train, mean);
  if (dataset.validation) subtractPixelMean(dataset.validation, mean);
  subtractPixelMean(dataset.test, mean);
  return mean;
}
