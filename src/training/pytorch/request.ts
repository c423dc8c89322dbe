// What a PyTorch run needs beyond a TF.js one: which Python, how many processes on how many
// machines, which device, precision and memory layout. Saved in the run's config.json with the rest
// of the request, so a resume reuses them — except the Python, which a resume takes only from its
// own flags or the user's settings (runFolder.resumedRequest): a run folder never chooses what runs.
import { PRECISIONS, PYTORCH_DEVICES, type Precision, type PyTorchDevice, type TrainRequest } from '../../protocol/training';
import { PyTorchEngineError } from './engineError';

export interface PyTorchSettings {
  /** The Python to run (a path or a command); default `python3` on PATH. */
  readonly python?: string;
  /** Processes per machine (torchrun's --nproc_per_node); 1, the default, runs plain Python. */
  readonly nprocPerNode?: number;
  /** Machines taking part (torchrun's --nnodes); each runs this command. */
  readonly nnodes?: number;
  /** host:port of the rendezvous for several machines (torchrun's --rdzv_endpoint). */
  readonly rdzvEndpoint?: string;
  /** CPU threads per process (torch.set_num_threads); default PyTorch's own choice. */
  readonly threads?: number;
  /** auto (CUDA, else MPS, else CPU), or one of them. */
  readonly device?: PyTorchDevice;
  /** fp32 (default), bf16 or fp16 autocast; overrides the recipe's `precision`. */
  readonly precision?: Precision;
  /** torch.channels_last for the model and the batches. */
  readonly channelsLast?: boolean;
}

export type PyTorchRequest = TrainRequest & PyTorchSettings & { readonly engine?: 'pytorch' };

export type PyTorchStart =
  | { readonly kind: 'new'; readonly request: PyTorchRequest }
  | ({ readonly kind: 'resume'; readonly runDir: string; readonly epochs?: number; readonly maxSteps?: number } & PyTorchSettings);

/** Processes in all: every process of every machine. */
export function worldSize(settings: PyTorchSettings): number {
  return (settings.nprocPerNode ?? 1) * (settings.nnodes ?? 1);
}

/** Whether the run needs torchrun (several processes, or a rendezvous with other machines). */
export function isDistributed(settings: PyTorchSettings): boolean {
  return worldSize(settings) > 1 || settings.rdzvEndpoint !== undefined;
}

/** Settings arrive from flags, settings files and old config.json files: check them all the same way. */
export function checkSettings(settings: PyTorchSettings): void {
  const whole = (value: number | undefined, name: string) => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new PyTorchEngineError(`${name} takes a whole number of at least 1, not ${JSON.stringify(value)}`);
  };
  whole(settings.nprocPerNode, '--nproc-per-node');
  whole(settings.nnodes, '--nnodes');
  whole(settings.threads, 'threads');
  if (settings.device !== undefined && !PYTORCH_DEVICES.includes(settings.device)) {
    throw new PyTorchEngineError(`--device takes ${PYTORCH_DEVICES.join(', ')}, not ${JSON.stringify(settings.device)}`);
  }
  if (settings.precision !== undefined && !PRECISIONS.includes(settings.precision)) {
    throw new PyTorchEngineError(`--precision takes ${PRECISIONS.join(', ')}, not ${JSON.stringify(settings.precision)}`);
  }
  if (settings.precision === 'fp16' && (settings.device === 'cpu' || settings.device === 'mps')) {
    throw new PyTorchEngineError(`--precision fp16 trains on CUDA only (with a GradScaler), not on --device ${settings.device}: use --precision bf16 or fp32`);
  }
  if (settings.device === 'mps' && worldSize(settings) > 1) {
    throw new PyTorchEngineError('--device mps runs one process: leave out --nproc-per-node and --nnodes');
  }
  if ((settings.nnodes ?? 1) > 1 && settings.rdzvEndpoint === undefined) {
    throw new PyTorchEngineError(`--nnodes ${settings.nnodes} needs --rdzv-endpoint HOST:PORT, the address of the first machine, given the same on every machine`);
  }
  if (settings.rdzvEndpoint !== undefined && !/^[^\s:]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(settings.rdzvEndpoint)) {
    throw new PyTorchEngineError(`--rdzv-endpoint takes HOST:PORT (e.g. 10.0.0.1:29400), not ${JSON.stringify(settings.rdzvEndpoint)}`);
  }
}
