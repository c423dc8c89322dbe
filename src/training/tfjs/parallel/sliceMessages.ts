// The messages between the TF.js engine's main thread and its slice workers (dataParallel.ts,
// sliceWorker.ts): one owner for their shape. They never leave the process.
import type { BackendChoice } from '../../../protocol/training';

/** What a slice worker is started with (its workerData). */
export interface SliceInit {
  readonly sourceText: string;
  readonly modelName: string;
  readonly seed: number;
  readonly backend: BackendChoice;
  readonly shape: readonly [number, number, number];
  readonly classes: number;
}

/** One step's slice: the weights to start from (the network's order), the images and labels, the step (for dropout's masks). */
export interface SliceStep {
  readonly weights: readonly Float32Array[];
  readonly pixels: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly step: number;
  /** Measure this step's peak memory (the first steps of a launch, as the main thread does). */
  readonly measure: boolean;
}

/** A slice's result: its trainable weights' gradients (their order), mean loss and correct count; or why it failed. */
export type SliceReply =
  | { readonly ok: true; readonly grads: readonly Float32Array[]; readonly loss: number; readonly correct: number; readonly peakBytes?: number }
  | { readonly ok: false; readonly message: string };
