// What a training run of a model will do on a data set, known before it starts: the images held
// out for validation, the steps it takes, and how long that is at a given training speed. The
// worker holds out by the same rule (src/training/runSetup.ts); Train Model shows these figures
// (with a short quick check beside the recipe as written) before anything starts.
import type { ModelNode } from '../analysis/network';
import type { Recipe } from '../analysis/recipe';
import type { DatasetName } from '../datasets';

/** Training images of each data set before any hold-out: the built-in MNIST's 8,000 (of its 10,000 digits), CIFAR-10's 50,000, the worker's default synthetic set. */
export const TRAIN_IMAGES: Readonly<Record<DatasetName, number>> = { mnist: 8_000, cifar10: 50_000, synthetic: 512 };

/** The steps of Train Model's quick check: enough to see the loss fall, a minute or so on a laptop's CPU for a CIFAR ResNet. */
export const QUICK_CHECK_STEPS = 200;

/**
 * The images held out for validation from `trainCount` training images of `dataset`. The recipe's
 * hold-out was written for its own data set; on another, its spirit is kept (a tenth) when it
 * would take half or more. A hold-out of every image or more is for the caller to refuse.
 */
export function heldOutImages(recipe: Pick<Recipe, 'validation' | 'dataset'>, dataset: DatasetName, trainCount: number): number {
  const validation = recipe.validation;
  if (validation > 0 && recipe.dataset !== undefined && dataset !== recipe.dataset && validation >= trainCount / 2) return Math.floor(trainCount / 10);
  return validation;
}

export interface RunPlan {
  /** Images held out for validation (0: none). */
  readonly heldOut: number;
  /** Images trained on. */
  readonly trainImages: number;
  /** Optimizer steps of the recipe as written (an epoch is every training image once, the last batch partial). */
  readonly steps: number;
  /** The hold-out takes every training image: the worker refuses the run. */
  readonly refused: boolean;
}

/** The recipe's run of `model` on `dataset` with its default number of images. */
export function planRun(model: ModelNode, dataset: DatasetName): RunPlan {
  const { recipe } = model;
  const count = TRAIN_IMAGES[dataset];
  const heldOut = heldOutImages(recipe, dataset, count);
  const trainImages = Math.max(0, count - heldOut);
  const stepsPerEpoch = Math.ceil(Math.max(1, trainImages) / recipe.batchSize);
  const steps = recipe.unit === 'iterations' ? recipe.duration : recipe.duration * stepsPerEpoch;
  return { heldOut, trainImages, steps, refused: heldOut >= count };
}

/**
 * Seconds a run of `steps` steps takes at a training speed measured as forward multiply-adds per
 * second (a model's MACs per image × the images per second it trained at): speed carries over
 * between models of one engine on one machine far better than images per second does.
 */
export function runSeconds(steps: number, batchSize: number, macsPerImage: number, trainingMacsPerSecond: number): number {
  return (steps * batchSize * macsPerImage) / trainingMacsPerSecond;
}
