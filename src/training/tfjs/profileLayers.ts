// Measured time per layer on the TF.js engine (`resnet-studio profile --engine tfjs`): each layer of
// the analyzed model, built as the trainer builds it, run alone on a batch of its input shape in
// training mode. Forward: the layer's kernels until its output is read back. Backward: the
// gradients of its input and its weights for a fixed upstream gradient. Medians over the timed
// repeats after one warm-up. Layers are timed one at a time (TF.js has no per-layer hooks), so a
// layer's time leaves out what fusing it with its neighbours would save.
import * as tf from '@tensorflow/tfjs';
import { at } from '../../core/indexed';
import { modelLayers, type LayerNode, type ModelNode } from '../../core/analysis/network';
import type { MeasuredLayer } from '../../protocol/profile';
import { buildModel, tfjsLayersOf } from './model/buildModel';

/** Backends that run each kernel before returning: the forward pass is over when its function returns. */
const SYNCHRONOUS_BACKENDS = new Set(['wasm', 'cpu', 'tensorflow']);

export async function profileLayers(model: ModelNode, batch: number, repeats: number): Promise<MeasuredLayer[]> {
  const network = buildModel(model, { seed: 1 });
  try {
    const measured: MeasuredLayer[] = [];
    for (const layer of modelLayers(model)) measured.push({ path: layer.path, ...(await timeLayer(network, layer, batch, repeats)) });
    return measured;
  } finally {
    network.dispose();
  }
}

async function timeLayer(network: tf.LayersModel, layer: LayerNode, batch: number, repeats: number): Promise<{ forwardMs: number; backwardMs: number }> {
  const parts = tfjsLayersOf(network, layer);
  if (parts.length === 0) return { forwardMs: 0, backwardMs: 0 };
  const run = (x: tf.Tensor) => parts.reduce((t, part) => part.apply(t, { training: true }) as tf.Tensor, x);
  const weights = parts.flatMap((part) => part.trainableWeights.map((w) => w.read() as tf.Variable));
  const x = tf.variable(tf.randomNormal([batch, ...layer.input], 0, 1, 'float32', 1));
  const dy = tf.tidy(() => tf.randomNormal(run(x).shape, 0, 1, 'float32', 2));
  const synchronous = SYNCHRONOUS_BACKENDS.has(tf.getBackend());
  const forward: number[] = [];
  const backward: number[] = [];
  const whole: number[] = [];
  try {
    for (let r = 0; r <= repeats; r++) {
      let started = performance.now();
      const y = tf.tidy(() => run(x));
      await y.data();
      const forwardMs = performance.now() - started;
      y.dispose();

      let forwardDone = 0;
      started = performance.now();
      const { value, grads } = tf.variableGrads(() => {
        const loss = tf.sum(tf.mul(run(x), dy)) as tf.Scalar;
        forwardDone = performance.now();
        return loss;
      }, [x, ...weights]);
      await Promise.all(Object.values(grads).map((g) => g.data()));
      const ended = performance.now();
      tf.dispose([value, ...Object.values(grads)]);
      if (r === 0) continue; // the warm-up: kernels compiled, buffers allocated
      forward.push(forwardMs);
      backward.push(ended - forwardDone);
      whole.push(ended - started);
    }
  } finally {
    tf.dispose([x, dy]);
  }
  const forwardMs = median(forward);
  // A GPU backend returns before its kernels finish: there the backward time is the whole step's less the forward pass's.
  const backwardMs = synchronous ? median(backward) : Math.max(0, median(whole) - forwardMs);
  return { forwardMs, backwardMs };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const middle = at(sorted, mid, 'timings');
  return sorted.length % 2 === 1 ? middle : (at(sorted, mid - 1, 'timings') + middle) / 2;
}
