// The data a PyTorch run trains on, prepared by the same code as the TF.js engine's
// (runSetup.prepareDataset: the same loaders, MNIST split, hold-out and pixel mean), written as raw files
// that the Python runner reads with torch.from_file: float32 NHWC images, uint8 labels.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageDataset, Split } from '../data/index';

export interface SplitFiles {
  readonly images: string;
  readonly labels: string;
  readonly count: number;
}

export interface DataFiles {
  readonly name: string;
  /** [H, W, C] of one image. */
  readonly shape: readonly [number, number, number];
  readonly train: SplitFiles;
  readonly validation?: SplitFiles;
  readonly test: SplitFiles;
}

export function writeDataset(data: ImageDataset, dir: string): DataFiles {
  const write = (split: Split, name: string): SplitFiles => {
    const images = join(dir, `${name}-images.f32`);
    const labels = join(dir, `${name}-labels.u8`);
    // torch.from_file reads native byte order; every machine PyTorch runs on is little-endian, as is Node's Float32Array here.
    writeFileSync(images, new Uint8Array(split.images.buffer, split.images.byteOffset, split.count * (split.images.length / Math.max(1, split.count)) * 4));
    writeFileSync(labels, split.labels.subarray(0, split.count));
    return { images, labels, count: split.count };
  };
  return {
    name: data.name,
    shape: [...data.imageShape],
    train: write(data.train, 'train'),
    ...(data.validation ? { validation: write(data.validation, 'validation') } : {}),
    test: write(data.test, 'test'),
  };
}
