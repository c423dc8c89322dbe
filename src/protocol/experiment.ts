// An experiment's messages and files: the plan of its runs (what the language server tells the
// extension, and the CLI builds from the same analysis), the state file of its queue
// (`runs/<experiment>/experiment.json`, owned by src/training/experiment/state.ts), and the
// results the CLI prints last with --json. One valibot schema each, the types inferred.
import * as v from 'valibot';
import { DATASET_NAMES } from '../core/datasets';
import { anyNumber, check, oneOf, readonlyArray, wholeNumber, type Checked } from './check';
import { BackendChoiceSchema, EngineNameSchema } from './training';

/** One run of the queue: a variant with one seed. */
export const ExperimentRunSchema = v.object({
  /** Unique in the experiment: `cifar_plain_n3` or, with seeds, `cifar_plain_n3@seed2`. */
  key: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.@-]+$/, 'must be letters, digits and _ . @ -')),
  /** The variant's id (a folder-safe name). */
  variant: v.string(),
  /** As written: `cifar_plain(n = 3)`. */
  label: v.string(),
  /** The model the worker trains, `<experiment>.<variant>`. */
  model: v.string(),
  /** Absent: the recipe's seed. */
  seed: v.optional(wholeNumber(0)),
  /** A plain network (no shortcut anywhere): drawn dashed, as the paper's Fig. 6. */
  plain: v.boolean(),
  /** The engine the variant's recipe names (`engine pytorch`); absent: TF.js. The queue's own `engine` setting overrides it. */
  engine: v.optional(EngineNameSchema),
  params: wholeNumber(0),
  macs: wholeNumber(0),
});
export type ExperimentRun = v.InferOutput<typeof ExperimentRunSchema>;

export const ExperimentPlanSchema = v.object({
  experiment: v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'must be an experiment name')),
  sourcePath: v.string(),
  /** The `.resnet` text, kept so the queue resumes as it started even after the file changed. */
  sourceText: v.string(),
  /** The data set the recipes name, if they agree on one. */
  dataset: v.optional(oneOf(DATASET_NAMES)),
  runs: readonlyArray(ExperimentRunSchema),
});
export type ExperimentPlan = v.InferOutput<typeof ExperimentPlanSchema>;

export const RUN_STATUSES = ['pending', 'running', 'finished', 'failed'] as const;

/** A run's record in the state file. */
export const RunRecordSchema = v.object({
  ...ExperimentRunSchema.entries,
  status: oneOf(RUN_STATUSES),
  /** Its run folder, once the worker made one. */
  runDir: v.optional(v.string()),
  /** Why it failed (the worker's message). */
  message: v.optional(v.string()),
  /** 1 − the last epoch's training accuracy. */
  finalTrainError: v.optional(anyNumber),
  testAccuracy: v.optional(anyNumber),
});
export type RunRecord = v.InferOutput<typeof RunRecordSchema>;

export const EXPERIMENT_STATE_FORMAT = 'resnet-studio-experiment-1';

/** What every run of the queue is trained with, beyond its variant and seed. */
export const QueueSettingsSchema = v.object({
  dataset: oneOf(DATASET_NAMES),
  dataDir: v.optional(v.string()),
  backend: BackendChoiceSchema,
  /** Every run on this engine (--engine, the editor's resnet.training.engine); absent: each run's recipe's, else TF.js. */
  engine: v.optional(EngineNameSchema),
  epochs: v.optional(wholeNumber(1)),
  maxSteps: v.optional(wholeNumber(1)),
  trainLimit: v.optional(wholeNumber(1)),
  order: oneOf(['listed', 'random']),
  /** The shuffle's seed with order random. */
  orderSeed: v.optional(wholeNumber(0)),
});
export type QueueSettings = v.InferOutput<typeof QueueSettingsSchema>;

export const ExperimentStateSchema = v.object({
  format: v.literal(EXPERIMENT_STATE_FORMAT),
  experiment: v.string(),
  sourcePath: v.string(),
  sourceText: v.string(),
  settings: QueueSettingsSchema,
  /** In the order they run. */
  runs: readonlyArray(RunRecordSchema),
});
export type ExperimentState = v.InferOutput<typeof ExperimentStateSchema>;

/** One line of the results table (and of `experimentFinished`). */
export const ExperimentResultSchema = v.object({
  variant: v.string(),
  label: v.string(),
  model: v.string(),
  seed: v.optional(v.number()),
  plain: v.boolean(),
  params: v.number(),
  macs: v.number(),
  status: oneOf(RUN_STATUSES),
  finalTrainError: v.optional(anyNumber),
  testAccuracy: v.optional(anyNumber),
  runDir: v.optional(v.string()),
  message: v.optional(v.string()),
});
export type ExperimentResult = v.InferOutput<typeof ExperimentResultSchema>;

/** The last line of `resnet-studio experiment --json`. */
export const ExperimentFinishedSchema = v.object({ type: v.literal('experimentFinished'), experiment: v.string(), stateFile: v.string(), results: readonlyArray(ExperimentResultSchema) });
export type ExperimentFinished = v.InferOutput<typeof ExperimentFinishedSchema>;

export function checkExperimentPlan(value: unknown): Checked<ExperimentPlan> {
  return check(ExperimentPlanSchema, value);
}
