// Data-parallel training on the TF.js engine's CPU backends (wasm, cpu), so a step uses every core:
// tfjs-backend-wasm runs one thread under Node (its threaded build is turned off there), so each
// extra thread is a worker_thread with its own backend and replica (sliceWorker.ts). A step splits
// the batch into slices, the main thread takes the first and each worker one more; the gradients
// are averaged, weighted by slice size, and the main thread's optimizer steps once. As with
// PyTorch's DistributedDataParallel, BatchNorm normalises each slice by its own statistics and the
// moving statistics kept are the main thread's (its slice's); dropout draws its masks per slice.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { TrainingError } from '../../trainingError';
import type { Backprop } from '../model/backprop';
import { batchTensors, correctCount } from '../model/batchTensors';
import type { Optimizer } from '../optimizer';
import type { SliceInit, SliceReply, SliceStep } from './sliceMessages';

/**
 * A slice worker: the bundled one next to this code (dist/sliceWorker.cjs), or, run from source
 * (tests, under tsx), its TypeScript through tsx's loader (a worker_thread does not take
 * `--import tsx` from execArgv).
 */
function startSliceWorker(init: SliceInit): Worker {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, 'sliceWorker.cjs');
  if (existsSync(bundled)) return new Worker(bundled, { workerData: init });
  const source = join(here, 'sliceWorker.ts');
  const url = JSON.stringify(pathToFileURL(source).href);
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${url}); });`, { eval: true, workerData: init });
}

/** Sizes of `threads` slices of a batch of `count`, as equal as can be; no empty slice. */
export function sliceSizes(count: number, threads: number): number[] {
  const slices = Math.max(1, Math.min(threads, count));
  const base = Math.floor(count / slices);
  return Array.from({ length: slices }, (_, i) => base + (i < count % slices ? 1 : 0));
}

export class DataParallel {
  private constructor(
    private readonly workers: readonly Worker[],
    private readonly init: SliceInit,
  ) {}

  /** Starts `threads − 1` slice workers (the main thread is the first), each ready to step. */
  static async start(threads: number, init: SliceInit): Promise<DataParallel> {
    const workers = Array.from({ length: threads - 1 }, () => startSliceWorker(init));
    try {
      await Promise.all(workers.map((w) => firstMessage(w).then((m) => (isFailure(m) ? Promise.reject(new TrainingError(`a training thread did not start: ${m.message}`)) : undefined))));
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    return new DataParallel(workers, init);
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** One optimizer step on the whole batch, its slices computed at once; the batch's mean loss and correct count. */
  async step(
    backprop: Backprop,
    variables: readonly tf.Variable[],
    optimizer: Optimizer,
    pixels: Float32Array,
    labels: Uint8Array,
    count: number,
    lr: number,
    step: number,
    /** Each thread measures its peak memory (tf.profile) during this step. */
    measure = false,
  ): Promise<{ loss: number; correct: number; otherThreadsPeakBytes?: number }> {
    const sizes = sliceSizes(count, this.threads);
    const image = this.init.shape[0] * this.init.shape[1] * this.init.shape[2];
    const weights = backprop.network.weights.map((w) => w.read().dataSync() as Float32Array);
    const replies: Promise<SliceReply>[] = [];
    let start = sizes[0] ?? count;
    sizes.slice(1).forEach((size, i) => {
      const worker = this.workers[i] as Worker;
      const message: SliceStep = { weights, pixels: pixels.slice(start * image, (start + size) * image), labels: labels.slice(start, start + size), count: size, step, measure };
      replies.push(firstMessage(worker) as Promise<SliceReply>);
      worker.postMessage(message);
      start += size;
    });
    // The main thread's slice, while the workers compute theirs.
    const first = sizes[0] ?? count;
    const own = batchTensors(pixels, labels, first, this.init.shape, this.init.classes);
    const pass = backprop.run(own.images, own.oneHot);
    tf.dispose([own.images, own.oneHot]);
    const results = await Promise.all(replies);
    try {
      for (const r of results) if (!r.ok) throw new TrainingError(`a training thread failed: ${r.message}`);
      const others = results as Extract<SliceReply, { ok: true }>[];
      const grads = tf.tidy(() =>
        variables.map((v, i) => {
          const mine = pass.grads.get(v.name);
          if (!mine) throw new TrainingError(`no gradient for the weight ${v.name}: it does not reach the loss`);
          // The batch's mean loss is the slices' means weighted by their sizes; so is its gradient.
          return others.reduce((sum, r, k) => tf.add(sum, tf.mul(tf.tensor(r.grads[i] as Float32Array, v.shape), (sizes[k + 1] ?? 0) / count)), tf.mul(mine, first / count));
        }),
      );
      try {
        optimizer.apply(variables, grads, lr);
      } finally {
        tf.dispose(grads);
      }
      const correctTensor = correctCount(pass.predictions, own.labels);
      const [ownLoss, ownCorrect] = await Promise.all([pass.loss.data(), correctTensor.data()]);
      correctTensor.dispose();
      const loss = others.reduce((sum, r, k) => sum + r.loss * (sizes[k + 1] ?? 0), (ownLoss[0] ?? Number.NaN) * first) / count;
      const correct = others.reduce((sum, r) => sum + r.correct, ownCorrect[0] ?? 0);
      // What the other threads held at their peaks, measured as the main thread's is (the first steps of a launch).
      const peaks = others.map((r) => r.peakBytes);
      const measured = peaks.every((p) => p !== undefined) ? { otherThreadsPeakBytes: peaks.reduce<number>((a, b) => a + (b ?? 0), 0) } : {};
      return { loss, correct, ...measured };
    } finally {
      tf.dispose([pass.loss, pass.predictions, ...pass.grads.values(), own.labels]);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function firstMessage(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      worker.off('message', onMessage);
      reject(new TrainingError(`a training thread stopped: ${error.message}`));
    };
    const onMessage = (message: unknown) => {
      worker.off('error', onError);
      resolve(message);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
  });
}

function isFailure(message: unknown): message is { ok: false; message: string } {
  return typeof message === 'object' && message !== null && (message as { ok?: unknown }).ok === false;
}
