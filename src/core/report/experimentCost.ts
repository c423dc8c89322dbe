// What an experiment will cost before it runs: for each variant its params, MACs, training steps
// and the memory of one training step; for the whole queue the training compute (MACs × steps ×
// batch, summed over variants and seeds) and the largest memory need. The code lens, the hover and
// the CLI print these.
import type { ExperimentNode, VariantNode } from '../analysis/experiment';
import type { ModelNode } from '../analysis/network';
import type { DatasetName } from '../datasets';
import { maxOf } from '../bounded';
import { planRun } from './runPlan';
import { trainingMemory } from './trainingMemory';

/** The data set a model trains on when nobody says: the recipe's, else the one whose images fit its input. */
export function defaultDataset(model: ModelNode): DatasetName {
  if (model.recipe.dataset) return model.recipe.dataset;
  const [h, w, c] = model.input;
  if (h === 28 && w === 28 && c === 1) return 'mnist';
  if (h === 32 && w === 32 && c === 3) return 'cifar10';
  return 'synthetic';
}

/** The steps a run of this model takes with its recipe (epochs turned into steps on its data set). */
export function recipeSteps(model: ModelNode, dataset: DatasetName = defaultDataset(model)): number {
  return planRun(model, dataset).steps;
}

export interface VariantCost {
  readonly variant: VariantNode;
  readonly params: number;
  readonly macs: number;
  readonly steps: number;
  readonly batchSize: number;
  /** MACs × steps × batch: the forward multiply-adds of the whole run. */
  readonly trainingMacs: number;
  /** One training step's memory (weights, gradients, optimizer, activations, input). */
  readonly memoryBytes: number;
}

export interface ExperimentCost {
  readonly variants: readonly VariantCost[];
  /** Variants × seeds. */
  readonly runs: number;
  /** Σ trainingMacs over every run. */
  readonly trainingMacs: number;
  readonly largestMemoryBytes: number;
  /** Which variant needs it. */
  readonly largestMemoryVariant?: string | undefined;
}

export function experimentCost(experiment: ExperimentNode): ExperimentCost {
  const variants: VariantCost[] = [];
  for (const variant of experiment.variants) {
    const model = variant.model;
    if (!model) continue;
    const steps = recipeSteps(model);
    const batchSize = model.recipe.batchSize;
    variants.push({
      variant,
      params: model.cost.params,
      macs: model.cost.macs,
      steps,
      batchSize,
      trainingMacs: model.cost.macs * steps * batchSize,
      memoryBytes: trainingMemory(model, batchSize).totalBytes,
    });
  }
  const seeds = Math.max(1, experiment.seeds.length);
  const largest = maxOf(
    variants.map((v) => v.memoryBytes),
    0,
  );
  return {
    variants,
    runs: experiment.variants.length * seeds,
    trainingMacs: variants.reduce((sum, v) => sum + v.trainingMacs, 0) * seeds,
    largestMemoryBytes: largest,
    largestMemoryVariant: variants.find((v) => v.memoryBytes === largest)?.variant.label,
  };
}
