// What a PyTorch run needs beyond a TF.js one: which Python, how many processes on how many
// machines, which device, precision and memory layout. Saved in the run's config.json with the rest
// of the request, so a resume reuses the device, precision, layout and threads — but not the
// Python, the processes, the machines or the rendezvous address, which a resume takes only from its
// own flags or the user's settings (runFolder.resumedRequest): a run folder never chooses what
// runs, where it connects, or how many processes it starts.
import { availableParallelism } from 'node:os';
import { msg } from '../../core/l10n/format';
import { PRECISIONS, PYTORCH_DEVICES, type PyTorchSettings, type TrainRequest } from '../../protocol/training';
import { PyTorchEngineError } from './engineError';

// The settings themselves are declared once, in the train request's schema (src/protocol/training.ts).
export type { PyTorchSettings };

/** A train request for this engine: the protocol's own (its `engine` says 'pytorch'). */
export type PyTorchRequest = TrainRequest;

export type PyTorchStart =
  | { readonly kind: 'new'; readonly request: PyTorchRequest }
  | ({ readonly kind: 'resume'; readonly runDir: string; readonly epochs?: number | undefined; readonly maxSteps?: number | undefined } & PyTorchSettings);

/** Processes in all: every process of every machine. */
export function worldSize(settings: PyTorchSettings): number {
  return (settings.nprocPerNode ?? 1) * (settings.nnodes ?? 1);
}

/** Whether the run needs torchrun (several processes, or a rendezvous with other machines). */
export function isDistributed(settings: PyTorchSettings): boolean {
  return worldSize(settings) > 1 || settings.rdzvEndpoint !== undefined;
}

/**
 * Settings arrive from flags, settings files and config.json: check them all the same way. A
 * machine runs at most one process, and each process at most one thread, per CPU it has (`cpus`,
 * os.availableParallelism()); on CUDA the runner also allows no more processes than GPUs.
 */
export function checkSettings(settings: PyTorchSettings, cpus = availableParallelism()): void {
  const whole = (value: number | undefined, name: string) => {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) throw new PyTorchEngineError(`${name} takes a whole number of at least 1, not ${JSON.stringify(value)}`);
  };
  whole(settings.nprocPerNode, '--nproc-per-node');
  whole(settings.nnodes, '--nnodes');
  whole(settings.threads, 'threads');
  if (settings.nprocPerNode !== undefined && settings.nprocPerNode > cpus) throw new PyTorchEngineError(msg('pytorch.tooManyProcesses', { count: settings.nprocPerNode, cpus }));
  if (settings.threads !== undefined && settings.threads > cpus) throw new PyTorchEngineError(msg('pytorch.tooManyThreads', { count: settings.threads, cpus }));
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
