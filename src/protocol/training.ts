// The messages between a training worker and whoever started it (the CLI, the extension), and the
// JSON lines the PyTorch runner prints to the worker. Each message is one valibot schema and its
// type is inferred from it; the worker checks the command it is sent (`checkWorkerCommand`), and
// the other side each message it receives (`checkTrainingMessage`), so a malformed one is dropped
// with a reason that names the field instead of being trusted.
import * as v from 'valibot';
import { DATASET_NAMES } from '../core/datasets';
import { LOCALES } from '../core/l10n/locale';
import { anyNumber, check, checkTagged, oneOf, readonlyArray, type Checked } from './check';

export const BACKEND_NAMES = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export const BACKEND_CHOICES = ['auto', ...BACKEND_NAMES] as const;
export const BackendChoiceSchema = oneOf(BACKEND_CHOICES);
export type BackendChoice = v.InferOutput<typeof BackendChoiceSchema>;
/** The data sets a run can train on: the same union as the language's `dataset` (src/core/datasets.ts). */
export const DatasetChoiceSchema = oneOf(DATASET_NAMES);
export type DatasetChoice = v.InferOutput<typeof DatasetChoiceSchema>;
export const EngineNameSchema = oneOf(['tfjs', 'pytorch']);
/** What a new run's request asks for: an engine, or `auto` (the fastest present, src/training/engineChoice.ts decides). */
export const EngineRequestSchema = oneOf(['auto', 'tfjs', 'pytorch']);
export const PYTORCH_DEVICES = ['auto', 'cuda', 'mps', 'cpu'] as const;
export const PyTorchDeviceSchema = oneOf(PYTORCH_DEVICES);
export type PyTorchDevice = v.InferOutput<typeof PyTorchDeviceSchema>;
export const PRECISIONS = ['fp32', 'bf16', 'fp16'] as const;
export const PrecisionSchema = oneOf(PRECISIONS);
export type Precision = v.InferOutput<typeof PrecisionSchema>;

/**
 * What a PyTorch run needs beyond a TF.js one: which Python, and how many processes on how many
 * machines. Part of the train request (saved in config.json) and of a resume.
 */
export const PyTorchSettingsSchema = v.object({
  /** The Python that has torch (a path or a command); default `python3` on PATH. */
  python: v.optional(v.string()),
  /** Processes on this machine (torchrun's --nproc_per_node); 1 runs plain Python. */
  nprocPerNode: v.optional(v.number()),
  /** Machines taking part (torchrun's --nnodes), each running the same command. */
  nnodes: v.optional(v.number()),
  /** host:port of the rendezvous when several machines take part (torchrun's --rdzv_endpoint). */
  rdzvEndpoint: v.optional(v.string()),
  /** CPU threads per process (torch.set_num_threads); default PyTorch's choice. */
  threads: v.optional(v.number()),
  /** Where to train; `auto` (the default) is CUDA, else Apple's MPS, else the CPU. */
  device: v.optional(PyTorchDeviceSchema),
  /** fp32 (the default, as in the paper), or bf16/fp16 autocast (fp16 with a GradScaler, CUDA only); overrides the recipe's `precision`. */
  precision: v.optional(PrecisionSchema),
  /** Keep images and weights NHWC in memory (torch.channels_last), faster on Tensor Cores. */
  channelsLast: v.optional(v.boolean()),
});
export type PyTorchSettings = v.InferOutput<typeof PyTorchSettingsSchema>;

/** What to train: everything the worker needs, saved as the run's `config.json`. */
export const TrainRequestSchema = v.object({
  /** The `.resnet` text itself, so a run can resume after the file has changed. */
  sourceText: v.string(),
  sourcePath: v.string(),
  modelName: v.string(),
  dataset: DatasetChoiceSchema,
  dataDir: v.optional(v.string()),
  backend: BackendChoiceSchema,
  /** Overrides of the model's recipe. */
  epochs: v.optional(v.number()),
  maxSteps: v.optional(v.number()),
  batchSize: v.optional(v.number()),
  seed: v.optional(v.number()),
  /** The folder runs are made in (`runs/`). */
  outDir: v.string(),
  /** Folders to look for optionally installed native backends in (the extension's storage). */
  backendDirs: v.optional(readonlyArray(v.string())),
  /** Limits a synthetic or MNIST set for quick runs (tests, demos). */
  trainLimit: v.optional(v.number()),
  /**
   * Which engine trains: TF.js in Node, PyTorch in Python (src/training/pytorch), or `auto`, the
   * fastest present (decided by the worker before the run folder is made; config.json holds the
   * engine it chose). Absent means TF.js, as in run folders written before `auto` existed.
   */
  engine: v.optional(EngineRequestSchema),
  ...PyTorchSettingsSchema.entries,
});
export type TrainRequest = v.InferOutput<typeof TrainRequestSchema>;

/**
 * The language the worker speaks in its own messages (why it failed, why this backend): the
 * parent's (the CLI's LANG/--lang, the extension's display language); English when absent. Beside
 * the request, not in it, so config.json stays the same whoever started the run.
 */
export const WorkerLocaleSchema = oneOf(LOCALES);

/** Parent → worker. */
export const WorkerCommandSchema = v.variant('type', [
  v.object({ type: v.literal('start'), request: TrainRequestSchema, locale: v.optional(WorkerLocaleSchema) }),
  v.object({
    type: v.literal('resume'),
    runDir: v.string(),
    locale: v.optional(WorkerLocaleSchema),
    backend: v.optional(BackendChoiceSchema),
    backendDirs: v.optional(readonlyArray(v.string())),
    epochs: v.optional(v.number()),
    maxSteps: v.optional(v.number()),
    ...PyTorchSettingsSchema.entries,
  }),
  v.object({ type: v.literal('stop') }),
]);
export type WorkerCommand = v.InferOutput<typeof WorkerCommandSchema>;
const WORKER_COMMAND_TYPES: readonly WorkerCommand['type'][] = ['start', 'resume', 'stop'];

export const GpuAdapterInfoSchema = v.object({
  vendor: v.string(),
  architecture: v.string(),
  description: v.string(),
  /** True for a CPU rasterizer (SwiftShader, llvmpipe, WARP). */
  software: v.boolean(),
  /** Bytes: the largest single buffer, so the largest tensor, the GPU accepts. */
  maxBufferSize: anyNumber,
  /** The native API under WebGPU: vulkan, metal or d3d12. */
  api: v.string(),
});
export type GpuAdapterInfo = v.InferOutput<typeof GpuAdapterInfoSchema>;

export const EngineChoiceTextSchema = v.object({
  /** "PyTorch 1.13 on the CPU, the fastest present", in the worker's locale. */
  summary: v.string(),
  /** One line per candidate, fastest first, for --verbose and the output channel. */
  reasoning: readonlyArray(v.string()),
});
export type EngineChoiceText = v.InferOutput<typeof EngineChoiceTextSchema>;

export const StartedMessageSchema = v.object({
  type: v.literal('started'),
  runDir: v.string(),
  model: v.string(),
  params: anyNumber,
  macs: anyNumber,
  backend: oneOf([...BACKEND_NAMES, 'pytorch']),
  /** Why this backend: what was tried before it and why that failed. */
  backendReason: v.string(),
  device: v.string(),
  dataset: v.string(),
  trainImages: anyNumber,
  batchSize: anyNumber,
  stepsPerEpoch: anyNumber,
  totalSteps: anyNumber,
  epochs: anyNumber,
  resumedAtStep: v.optional(anyNumber),
  /** The GPU a webgpu run uses: who made it, what it is, whether it is a software one, its largest buffer. */
  adapter: v.optional(GpuAdapterInfoSchema),
  /** What the person should know before trusting the run: a data file short of images, a damaged checkpoint passed over. */
  warnings: v.optional(readonlyArray(v.string())),
  /** When `auto` chose the engine: one short line saying which, and every candidate checked and why it was or was not taken. */
  engineChoice: v.optional(EngineChoiceTextSchema),
});
export type StartedMessage = v.InferOutput<typeof StartedMessageSchema>;

export const BatchMessageSchema = v.object({
  type: v.literal('batch'),
  step: anyNumber,
  epoch: anyNumber,
  loss: anyNumber,
  accuracy: anyNumber,
  lr: anyNumber,
  imagesPerSec: anyNumber,
});
export type BatchMessage = v.InferOutput<typeof BatchMessageSchema>;

export const EpochMessageSchema = v.object({
  type: v.literal('epoch'),
  epoch: anyNumber,
  step: anyNumber,
  trainLoss: anyNumber,
  trainAccuracy: anyNumber,
  valLoss: v.optional(anyNumber),
  valAccuracy: v.optional(anyNumber),
  seconds: anyNumber,
  /**
   * The first epoch of a launch: the measured peak memory of a training step, in bytes, by the
   * engine's own accounting (TF.js: tf.profile's peak over a step; PyTorch: the CUDA allocator's
   * peak, elsewhere weights, gradients, optimizer state, the batch and the tensors autograd saved).
   */
  peakStepBytes: v.optional(anyNumber),
  /** Beside it, what `resnet-studio stats` estimates for the same engine, model and batch. */
  estimatedStepBytes: v.optional(anyNumber),
});
export type EpochMessage = v.InferOutput<typeof EpochMessageSchema>;

export const CheckpointMessageSchema = v.object({
  type: v.literal('checkpoint'),
  epoch: anyNumber,
  step: anyNumber,
  path: v.string(),
});
export type CheckpointMessage = v.InferOutput<typeof CheckpointMessageSchema>;

export const FinishedMessageSchema = v.object({
  type: v.literal('finished'),
  runDir: v.string(),
  step: anyNumber,
  epoch: anyNumber,
  stopped: v.boolean(),
  testLoss: anyNumber,
  testAccuracy: anyNumber,
  seconds: anyNumber,
});
export type FinishedMessage = v.InferOutput<typeof FinishedMessageSchema>;

/** One layer's statistics (src/training/layerStats.ts says exactly what is measured). */
export const LayerStatSchema = v.object({
  /** The layer's path, as the summary and the PyTorch export name it (`conv2_x.0.conv1`). */
  path: v.string(),
  /** What the layer is: a convolution's response is what the paper's Fig. 7 plots, a fully connected layer's (the logits) is not. Absent in runs before it was recorded. */
  op: v.optional(oneOf(['conv', 'fc'])),
  /** The standard deviation of its response (a convolution's: after its BatchNorm, before the nonlinearity). */
  responseStd: anyNumber,
  /** The L2 norm of its weights' gradient. */
  gradNorm: anyNumber,
});
export type LayerStat = v.InferOutput<typeof LayerStatSchema>;

/** Layer responses and gradient flow after step `step`, on the run's fixed batch of held-out images. */
export const LayerStatsMessageSchema = v.object({
  type: v.literal('layerStats'),
  step: anyNumber,
  layers: readonlyArray(LayerStatSchema),
});
export type LayerStatsMessage = v.InferOutput<typeof LayerStatsMessageSchema>;

export const FailedMessageSchema = v.object({
  type: v.literal('failed'),
  /** What went wrong and what to do about it, for a person. */
  message: v.string(),
});
export type FailedMessage = v.InferOutput<typeof FailedMessageSchema>;

/** Worker (or PyTorch runner) → parent. */
export const TrainingMessageSchema = v.variant('type', [
  StartedMessageSchema,
  BatchMessageSchema,
  EpochMessageSchema,
  CheckpointMessageSchema,
  FinishedMessageSchema,
  FailedMessageSchema,
  LayerStatsMessageSchema,
]);
export type TrainingMessage = v.InferOutput<typeof TrainingMessageSchema>;
const TRAINING_MESSAGE_TYPES: readonly TrainingMessage['type'][] = ['started', 'batch', 'epoch', 'checkpoint', 'finished', 'failed', 'layerStats'];

/** The message, if `value` is a well-formed one; otherwise why not (naming the field). */
export function checkTrainingMessage(value: unknown): Checked<TrainingMessage> {
  return checkTagged(TrainingMessageSchema, value, TRAINING_MESSAGE_TYPES);
}

/** The message, if `value` is a well-formed one; undefined otherwise. */
export function parseTrainingMessage(value: unknown): TrainingMessage | undefined {
  const checked = checkTrainingMessage(value);
  return checked.ok ? checked.value : undefined;
}

/** The command, if `value` is a well-formed one; otherwise why not (naming the field). */
export function checkWorkerCommand(value: unknown): Checked<WorkerCommand> {
  return checkTagged(WorkerCommandSchema, value, WORKER_COMMAND_TYPES);
}

/** A train request read back (a run's config.json): checked like one that arrives. */
export function checkTrainRequest(value: unknown): Checked<TrainRequest> {
  return check(TrainRequestSchema, value);
}
