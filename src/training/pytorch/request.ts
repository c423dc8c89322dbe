// What a PyTorch run needs beyond a TF.js one: which Python, and how many processes on how many
// machines. Saved in the run's config.json with the rest of the request, so a resume reuses them.
import type { PyTorchSettings, TrainRequest } from '../../protocol/training';
import { PyTorchEngineError } from './engineError';

// The settings themselves are declared once, in the train request's schema (src/protocol/training.ts).
export type { PyTorchSettings };

/** A train request for this engine: the protocol's own (its `engine` says 'pytorch'). */
export type PyTorchRequest = TrainRequest;

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
  if ((settings.nnodes ?? 1) > 1 && settings.rdzvEndpoint === undefined) {
    throw new PyTorchEngineError(`--nnodes ${settings.nnodes} needs --rdzv-endpoint HOST:PORT, the address of the first machine, given the same on every machine`);
  }
  if (settings.rdzvEndpoint !== undefined && !/^[^\s:]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(settings.rdzvEndpoint)) {
    throw new PyTorchEngineError(`--rdzv-endpoint takes HOST:PORT (e.g. 10.0.0.1:29400), not ${JSON.stringify(settings.rdzvEndpoint)}`);
  }
}
