// Measured time per layer on the TF.js engine (`resnet-studio profile --engine tfjs`): each layer of
// the analyzed model, built as the trainer builds it, run alone on a batch of its input shape in
// training mode, through the same layer-by-layer pass training uses (model/backprop.ts). Forward:
// the layer's kernels until its output is read back. Backward: the gradients of its input and its
// weights for a fixed upstream gradient, as the pass computes them in a step. Medians over the timed
// repeats after one warm-up. Layers are timed one at a time (TF.js has no per-layer hooks), so a
// layer's time leaves out what fusing it with its neighbours would save.
import * as tf from '@tensorflow/tfjs';
import { at } from '../../core/indexed';
import { modelLayers, type LayerNode, type ModelNode } from '../../core/analysis/network';
import type { MeasuredLayer } from '../../protocol/profile';
import { Backprop } from './model/backprop';
import { buildModel, tfjsLayersOf } from './model/buildModel';

export async function profileLayers(model: ModelNode, batch: number, repeats: number): Promise<MeasuredLayer[]> {
  const network = buildModel(model, { seed: 1 });
  try {
    const pass = new Backprop(network, model);
    const measured: MeasuredLayer[] = [];
    for (const layer of modelLayers(model)) measured.push({ path: layer.path, ...(await timeLayer(network, pass, layer, batch, repeats)) });
    return measured;
  } finally {
    network.dispose();
  }
}

async function timeLayer(network: tf.LayersModel, pass: Backprop, layer: LayerNode, batch: number, repeats: number): Promise<{ forwardMs: number; backwardMs: number }> {
  if (tfjsLayersOf(network, layer).length === 0) return { forwardMs: 0, backwardMs: 0 };
  const x = tf.randomNormal([batch, ...layer.input], 0, 1, 'float32', 1);
  const forward: number[] = [];
  const backward: number[] = [];
  let dy: tf.Tensor | undefined;
  try {
    for (let r = 0; r <= repeats; r++) {
      const started = performance.now();
      const step = pass.layerAlone(layer, x);
      await step.output.data();
      const forwardMs = performance.now() - started;
      dy ??= tf.randomNormal(step.output.shape, 0, 1, 'float32', 2);
      const backwardStarted = performance.now();
      const { dx, grads } = step.backward(dy.clone());
      await Promise.all([dx.data(), ...[...grads.values()].map((g) => g.data())]);
      const backwardMs = performance.now() - backwardStarted;
      tf.dispose([dx, ...grads.values()]);
      if (r === 0) continue; // the warm-up: kernels compiled, buffers allocated
      forward.push(forwardMs);
      backward.push(backwardMs);
    }
  } finally {
    tf.dispose(dy ? [x, dy] : [x]);
  }
  return { forwardMs: median(forward), backwardMs: median(backward) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const middle = at(sorted, mid, 'timings');
  return sorted.length % 2 === 1 ? middle : (at(sorted, mid - 1, 'timings') + middle) / 2;
}
