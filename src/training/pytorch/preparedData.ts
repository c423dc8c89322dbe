// The data a PyTorch run trains on, prepared exactly as the TF.js engine prepares it (same loaders,
// the same MNIST split, the same validation hold-out and pixel mean), then written as raw files
// that the Python runner reads with torch.from_file: float32 NHWC images, uint8 labels.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelNode } from '../../core/analysis/network';
import type { TrainRequest } from '../../protocol/training';
import { applyPixelMean, checkInputFits, loadDataset, withValidation, type ImageDataset, type Split } from '../data/index';
import { Random } from '../random';
import { PyTorchEngineError } from './engineError';

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

/** As `prepareData` in src/training/trainer.ts, so both engines see the same images. */
export function prepareDataset(request: TrainRequest, model: ModelNode, seed: number): ImageDataset {
  const classes = model.output[2];
  const recipe = model.recipe;
  let data = loadDataset({
    name: request.dataset,
    dataDir: request.dataDir,
    synthetic: { imageShape: model.input, numClasses: classes, trainCount: request.trainLimit ?? 512, testCount: 128, seed },
  });
  checkInputFits(data, model.input, classes);
  if (request.trainLimit !== undefined && request.trainLimit < data.train.count) {
    const size = data.train.images.length / data.train.count;
    const n = request.trainLimit;
    data = { ...data, train: { images: data.train.images.slice(0, n * size), labels: data.train.labels.slice(0, n), count: n } };
  }
  let validation = recipe.validation;
  if (validation > 0) {
    // The recipe's hold-out was written for its own data set; on another, keep its spirit (a tenth).
    if (recipe.dataset !== undefined && request.dataset !== recipe.dataset && validation >= data.train.count / 2) {
      validation = Math.floor(data.train.count / 10);
    }
    if (validation >= data.train.count) {
      throw new PyTorchEngineError(`the recipe holds out ${validation} images for validation but ${data.name} has only ${data.train.count} training images; lower \`validation\``);
    }
    data = withValidation(data, validation, new Random(seed * 2 + 3));
  }
  if (recipe.subtractMean) applyPixelMean(data);
  return data;
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
