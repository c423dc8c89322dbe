/**
 * Entry point of the data side of training: pick a data set by name, and check
 * that it fits the model before any tensor is built.
 */
import { loadCifar10 } from './cifar10';
import { DatasetError, formatShape, type ImageDataset, type ImageShape } from './dataset';
import { loadMnist } from './mnist';
import { makeSynthetic, type SyntheticOptions } from './synthetic';

export * from './dataset';
export * from './mnist';
export * from './cifar10';
export * from './download';
export * from './synthetic';
export * from './augment';
export * from './split';
export * from './batches';

import { DATASET_NAMES, type DatasetName } from '../../core/datasets';

export { DATASET_NAMES, type DatasetName };

export interface DatasetSpec {
  readonly name: DatasetName;
  /** cifar10 only: the extracted cifar-10-batches-bin folder or its parent. */
  readonly dataDir?: string | undefined;
  /** cifar10 only: read a subset of the batch files. */
  readonly trainFiles?: readonly string[];
  readonly testFiles?: readonly string[];
  /** synthetic only. */
  readonly synthetic?: SyntheticOptions;
}

/** Validates a name typed by a person (CLI flag, settings). */
export function parseDatasetName(text: string): DatasetName {
  const name = text.trim().toLowerCase().replace(/[-_]/g, '');
  const found = DATASET_NAMES.find((n) => n === name);
  if (found) return found;
  throw new DatasetError(`Unknown data set "${text}".`, `Use one of: ${DATASET_NAMES.join(', ')} (mnist is built in, cifar10 needs --data-dir, synthetic is for quick tests).`);
}

export function loadDataset(spec: DatasetSpec): ImageDataset {
  switch (spec.name) {
    case 'mnist':
      return loadMnist();
    case 'cifar10':
      if (!spec.dataDir) {
        throw new DatasetError(
          'CIFAR-10 needs a data folder, and none was given.',
          'Pass the folder holding cifar-10-batches-bin (--data-dir <folder>), or download it first: ' +
            '`resnet-studio download cifar10 --data-dir <folder>` (or the command "ResNet: Download CIFAR-10") ' +
            'fetches https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz, checks it and extracts it.',
        );
      }
      return loadCifar10(spec.dataDir, { trainFiles: spec.trainFiles, testFiles: spec.testFiles });
    case 'synthetic':
      return makeSynthetic(spec.synthetic);
    default:
      // Reached only when a caller bypasses the type (raw JSON, "MNIST"):
      // normalise the name, or throw the listing of valid ones.
      return loadDataset({ ...spec, name: parseDatasetName(String((spec as { name: unknown }).name)) });
  }
}

const KNOWN_SHAPES: ReadonlyArray<[DatasetName, ImageShape]> = [
  ['mnist', [28, 28, 1]],
  ['cifar10', [32, 32, 3]],
];

/**
 * Throws a DatasetError naming both shapes and the two ways out when the
 * model's input (and, if given, its class count) does not match the data.
 */
export function checkInputFits(dataset: ImageDataset, inputShape: ImageShape, numClasses?: number): void {
  const [h, w, c] = dataset.imageShape;
  if (inputShape[0] !== h || inputShape[1] !== w || inputShape[2] !== c) {
    const other = KNOWN_SHAPES.find(([, s]) => s[0] === inputShape[0] && s[1] === inputShape[1] && s[2] === inputShape[2]);
    const alternative = other ? `use --dataset ${other[0]}` : `use --dataset synthetic (any shape) for a quick test`;
    throw new DatasetError(`model expects ${pretty(inputShape)} but ${dataset.name} gives ${pretty(dataset.imageShape)}: ` + `set \`input ${formatShape(dataset.imageShape)}\` or ${alternative}`, '');
  }
  if (numClasses !== undefined && numClasses !== dataset.numClasses) {
    throw new DatasetError(`model predicts ${numClasses} classes but ${dataset.name} has ${dataset.numClasses}: ` + `make the final layer output ${dataset.numClasses} classes`, '');
  }
}

function pretty(shape: ImageShape): string {
  return `${shape[0]}×${shape[1]}×${shape[2]}`;
}
