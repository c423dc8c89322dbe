// One thread of the TF.js engine's data-parallel step (dataParallel.ts): a replica of the network on
// its own wasm (or cpu) backend in a worker_thread. For each step it takes the main thread's current
// weights (BatchNorm statistics included), runs the layer-by-layer pass on its slice of the batch,
// and gives back its gradients, loss and correct count. It never updates weights itself: the main
// thread averages the gradients and steps the optimizer, so every replica starts each step equal.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { findModel } from '../../runSetup';
import { selectBackend } from '../backend';
import { Backprop } from '../model/backprop';
import { batchTensors, correctCount } from '../model/batchTensors';
import { buildModel } from '../model/buildModel';
import { setNoiseStep } from '../model/customLayers';
import type { SliceInit, SliceReply, SliceStep } from './sliceMessages';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('sliceWorker runs only as a worker thread');
  const init = workerData as SliceInit;
  await selectBackend(init.backend);
  // The trainer's own lookup: an experiment's variants are models by their variant names.
  const model = findModel({ sourceText: init.sourceText, sourcePath: 'source', modelName: init.modelName });
  const network = buildModel(model, { seed: init.seed, init: 'zeros' });
  const backprop = new Backprop(network, model);
  const variables = network.trainableWeights.map((w) => w.read() as tf.Variable);
  port.on('message', async (step: SliceStep) => {
    try {
      let peakBytes: number | undefined;
      const run = () => sliceStep(step);
      const result = step.measure ? await measured(run, (peak) => (peakBytes = peak)) : run();
      const reply: SliceReply = { ok: true, ...result, ...(peakBytes !== undefined ? { peakBytes } : {}) };
      port.postMessage(
        reply,
        result.grads.map((g) => g.buffer as ArrayBuffer),
      );
    } catch (error) {
      const reply: SliceReply = { ok: false, message: error instanceof Error ? error.message : String(error) };
      port.postMessage(reply);
    }
  });
  port.postMessage({ ready: true });

  /** The step on this thread's slice: gradients in the trainable variables' order, mean loss, correct count. */
  function sliceStep(step: SliceStep): { grads: Float32Array[]; loss: number; correct: number } {
    // In a tidy: the variable keeps the new values, the tensor made to carry them is freed.
    tf.tidy(() =>
      network.weights.forEach((w, i) => {
        const values = step.weights[i];
        if (!values) throw new Error(`weight ${i} missing`);
        w.write(tf.tensor(values, w.shape as number[]));
      }),
    );
    setNoiseStep(network, step.step);
    const batch = batchTensors(step.pixels, step.labels, step.count, init.shape, init.classes);
    const pass = backprop.run(batch.images, batch.oneHot);
    tf.dispose([batch.images, batch.oneHot]);
    const grads = variables.map((v) => {
      const grad = pass.grads.get(v.name);
      if (!grad) throw new Error(`no gradient for the weight ${v.name}`);
      return grad.dataSync() as Float32Array;
    });
    const correctTensor = correctCount(pass.predictions, batch.labels);
    const correct = correctTensor.dataSync()[0] ?? 0;
    tf.dispose([correctTensor, batch.labels]);
    const loss = pass.loss.dataSync()[0] ?? Number.NaN;
    tf.dispose([pass.loss, pass.predictions, ...pass.grads.values()]);
    return { grads, loss, correct };
  }
}

/** Runs `step` under tf.profile, giving its peak of allocated bytes (the figure the main thread measures too). */
async function measured<T>(step: () => T, peak: (bytes: number) => void): Promise<T> {
  let result: { value: T } | undefined;
  const info = await tf.profile(() => {
    result = { value: step() };
  });
  peak(info.peakBytes);
  return (result as { value: T }).value;
}

void main().catch((error: unknown) => {
  parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) } satisfies SliceReply);
});
