// What the Python runner is told (plan.json): the model, the prepared data, and the recipe turned
// into steps exactly as the TF.js engine turns it, with the batch split over the processes.
import type { ModelNode } from '../../core/analysis/network';
import type { Precision, PyTorchDevice, TrainRequest } from '../../protocol/training';
import { scheduleFor, type Schedule } from '../schedule';
import type { DataFiles } from './preparedData';
import { EARLY_LAYER_STATS_STEPS, layerStatsTargets, type LayerStatsTarget } from '../layerStats';

export interface RunnerPlan {
  readonly runDir: string;
  readonly modelModule: string;
  readonly modelClass: string;
  readonly modelName: string;
  /** The analyzer's figures, reported as the TF.js engine reports them. */
  readonly params: number;
  readonly macs: number;
  readonly data: DataFiles;
  /** The effective batch: all processes together. */
  readonly batchSize: number;
  readonly perProcessBatch: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly epochs: number;
  readonly optimizer: { readonly kind: 'sgd' | 'adam'; readonly momentum: number; readonly weightDecay: number };
  readonly schedule: Schedule;
  readonly augment: { readonly pad: number; readonly flip: boolean };
  readonly seed: number;
  /** CPU threads per process, when set. */
  readonly threads?: number;
  /** Where to train: auto is CUDA, else MPS, else the CPU. */
  readonly device: PyTorchDevice;
  /** fp32, or bf16/fp16 autocast (fp16 with a GradScaler). */
  readonly precision: Precision;
  readonly channelsLast: boolean;
  /** The launcher creates this file to ask for a graceful stop. */
  readonly stopFile: string;
  /** When the launcher started (ms since the epoch): `finished.seconds` counts from here. */
  readonly startedAt: number;
  readonly resume: boolean;
  /** Layer statistics (src/training/layerStats.ts): when, on how many test images, which layers; absent when off. */
  readonly layerStats?: {
    readonly every?: number | undefined;
    readonly earlySteps: readonly number[];
    readonly images: number;
    readonly targets: readonly LayerStatsTarget[];
  };
  /** Exit when stdin closes: the launcher is gone. */
  readonly watchParent: boolean;
}

export interface StepPlan {
  readonly batchSize: number;
  readonly perProcessBatch: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly epochs: number;
  readonly schedule: Schedule;
}

/**
 * The recipe's batch is the batch of one step of all processes together, as in the paper (128 on
 * two GPUs): each of `world` processes takes its share, so steps, milestones and the learning rate
 * mean what they mean in one process. A DistributedSampler gives each process ⌈n / world⌉ images.
 */
export function planSteps(request: TrainRequest, model: ModelNode, trainImages: number, world: number): StepPlan {
  const recipe = model.recipe;
  const wanted = request.batchSize ?? recipe.batchSize;
  const perProcessBatch = Math.ceil(wanted / world);
  const shard = Math.ceil(trainImages / world);
  const stepsPerEpoch = Math.ceil(shard / perProcessBatch);
  const epochs =
    request.epochs ?? (request.maxSteps !== undefined ? Math.ceil(request.maxSteps / stepsPerEpoch) : recipe.unit === 'epochs' ? recipe.duration : Math.ceil(recipe.duration / stepsPerEpoch));
  // As in the TF.js engine: a recipe that counts iterations stops at exactly that many.
  const recipeSteps = request.epochs === undefined && request.maxSteps === undefined && recipe.unit === 'iterations' ? recipe.duration : Infinity;
  const totalSteps = Math.min(epochs * stepsPerEpoch, request.maxSteps ?? Infinity, recipeSteps);
  return { batchSize: perProcessBatch * world, perProcessBatch, stepsPerEpoch, totalSteps, epochs, schedule: scheduleFor(recipe, stepsPerEpoch) };
}

/** The plan's layer statistics: the recipe's setting, the default steps and the layers, as the TF.js engine measures them. */
export function planLayerStats(model: ModelNode): RunnerPlan['layerStats'] {
  const setting = model.recipe.layerStats;
  if (!setting) return undefined;
  return { ...(setting.every !== undefined ? { every: setting.every } : {}), earlySteps: EARLY_LAYER_STATS_STEPS, images: setting.images, targets: layerStatsTargets(model) };
}
