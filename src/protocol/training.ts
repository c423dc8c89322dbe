// The messages between a training worker and whoever started it (the CLI, the extension).
// Both sides import this module; the worker writes exactly these, and `parseTrainingMessage`
// validates whatever arrives, so a malformed message is dropped instead of trusted.

export type BackendName = 'tfjs-node-gpu' | 'webgpu' | 'tfjs-node' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'];
export type DatasetChoice = 'mnist' | 'cifar10' | 'synthetic';

/** What to train: everything the worker needs, saved as the run's `config.json`. */
export interface TrainRequest {
  /** The `.resnet` text itself, so a run can resume after the file has changed. */
  readonly sourceText: string;
  readonly sourcePath: string;
  readonly modelName: string;
  readonly dataset: DatasetChoice;
  readonly dataDir?: string;
  readonly backend: BackendChoice;
  /** Overrides of the model's recipe. */
  readonly epochs?: number;
  readonly maxSteps?: number;
  readonly batchSize?: number;
  readonly seed?: number;
  /** The folder runs are made in (`runs/`). */
  readonly outDir: string;
  /** Folders to look for optionally installed native backends in (the extension's storage). */
  readonly backendDirs?: readonly string[];
  /** Limits a synthetic or MNIST set for quick runs (tests, demos). */
  readonly trainLimit?: number;
  /** Which engine trains: TF.js in Node (the default) or PyTorch in Python (src/training/pytorch). */
  readonly engine?: 'tfjs' | 'pytorch';
  /** PyTorch: the Python that has torch (a path or a command); default `python3` on PATH. */
  readonly python?: string;
  /** PyTorch: processes on this machine (torchrun, DistributedDataParallel); 1 runs plain Python. */
  readonly nprocPerNode?: number;
  /** PyTorch: machines taking part, each running the same command. */
  readonly nnodes?: number;
  /** PyTorch: host:port of the rendezvous when several machines take part. */
  readonly rdzvEndpoint?: string;
  /** PyTorch: CPU threads per process (torch.set_num_threads); default PyTorch's choice. */
  readonly threads?: number;
}

export type WorkerCommand =
  | { readonly type: 'start'; readonly request: TrainRequest }
  | ({ readonly type: 'resume'; readonly runDir: string; readonly backend?: BackendChoice; readonly backendDirs?: readonly string[]; readonly epochs?: number; readonly maxSteps?: number } & Pick<TrainRequest, 'python' | 'nprocPerNode' | 'nnodes' | 'rdzvEndpoint' | 'threads'>)
  | { readonly type: 'stop' };

export interface StartedMessage {
  readonly type: 'started';
  readonly runDir: string;
  readonly model: string;
  readonly params: number;
  readonly macs: number;
  readonly backend: BackendName | 'pytorch';
  /** Why this backend: what was tried before it and why that failed. */
  readonly backendReason: string;
  readonly device: string;
  /** The GPU a webgpu run uses: who made it, what it is, whether it is a software one, its largest buffer. */
  readonly adapter?: GpuAdapterInfo;
  readonly dataset: string;
  readonly trainImages: number;
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly epochs: number;
  readonly resumedAtStep?: number;
}

export interface GpuAdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** True for a CPU rasterizer (SwiftShader, llvmpipe, WARP). */
  readonly software: boolean;
  /** Bytes: the largest single buffer, so the largest tensor, the GPU accepts. */
  readonly maxBufferSize: number;
  /** The native API under WebGPU: vulkan, metal or d3d12. */
  readonly api: string;
}

export interface BatchMessage {
  readonly type: 'batch';
  readonly step: number;
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly lr: number;
  readonly imagesPerSec: number;
}

export interface EpochMessage {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly step: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  readonly seconds: number;
}

export interface CheckpointMessage {
  readonly type: 'checkpoint';
  readonly epoch: number;
  readonly step: number;
  readonly path: string;
}

export interface FinishedMessage {
  readonly type: 'finished';
  readonly runDir: string;
  readonly step: number;
  readonly epoch: number;
  readonly stopped: boolean;
  readonly testLoss: number;
  readonly testAccuracy: number;
  readonly seconds: number;
}

export interface FailedMessage {
  readonly type: 'failed';
  /** What went wrong and what to do about it, for a person. */
  readonly message: string;
}

export type TrainingMessage = StartedMessage | BatchMessage | EpochMessage | CheckpointMessage | FinishedMessage | FailedMessage;

const required: Record<TrainingMessage['type'], Record<string, 'number' | 'string' | 'boolean'>> = {
  started: { runDir: 'string', model: 'string', params: 'number', macs: 'number', backend: 'string', backendReason: 'string', device: 'string', dataset: 'string', trainImages: 'number', batchSize: 'number', stepsPerEpoch: 'number', totalSteps: 'number', epochs: 'number' },
  batch: { step: 'number', epoch: 'number', loss: 'number', accuracy: 'number', lr: 'number', imagesPerSec: 'number' },
  epoch: { epoch: 'number', step: 'number', trainLoss: 'number', trainAccuracy: 'number', seconds: 'number' },
  checkpoint: { epoch: 'number', step: 'number', path: 'string' },
  finished: { runDir: 'string', step: 'number', epoch: 'number', stopped: 'boolean', testLoss: 'number', testAccuracy: 'number', seconds: 'number' },
  failed: { message: 'string' },
};

/** The message, if `value` is a well-formed one; undefined otherwise. */
export function parseTrainingMessage(value: unknown): TrainingMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !(type in required)) return undefined;
  for (const [field, kind] of Object.entries(required[type as TrainingMessage['type']])) {
    if (typeof record[field] !== kind) return undefined;
  }
  return value as TrainingMessage;
}
