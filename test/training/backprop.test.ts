// The TF.js engine's layer-by-layer training pass (src/training/tfjs/model/backprop.ts) against the
// formulation it replaced: `tf.variableGrads` over the whole network inside one `tf.tidy`, which
// TF.js differentiates itself. Two networks from one seed train the same batches, one each way:
// the losses of every step, every trainable weight and every BatchNorm moving statistic after the
// steps agree within float tolerance, for option A and B ResNets, a bottleneck net and the
// network with every construct of issue 19 (gates, taps, GroupNorm, LayerNorm, dropout, drop path,
// layer scale, grouped and channel convolutions, ceil pools). The step also gives back every tensor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { analyze } from '../../src/core/analysis/analyze';
import type { ModelNode } from '../../src/core/analysis/network';
import { Backprop } from '../../src/training/tfjs/model/backprop';
import { buildModel } from '../../src/training/tfjs/model/buildModel';
import { setNoiseStep } from '../../src/training/tfjs/model/customLayers';
import { Optimizer } from '../../src/training/tfjs/optimizer';
import { trainStep } from '../../src/training/tfjs/trainer';
import { registerWasmTrainingKernels } from '../../src/training/tfjs/wasmKernels';
import { EVERY_CONSTRUCT_MODEL, TINY_MODEL } from '../helpers/models';

const OPTION_B = `model optionb {
  input 12x12x3, classes 3
  shortcut B
  conv1 conv 3x3, 8, bn, relu
  s1    basic(8) x 1
  s2    bottleneck(4) x 2, stride 2
  head  avgpool, fc 3
}`;

const STEPS = 3;

/** The replaced formulation: the whole step under one `tf.variableGrads`, as TF.js differentiates it. */
async function wholeGraphStep(network: tf.LayersModel, variables: tf.Variable[], optimizer: Optimizer, pixels: Float32Array, labels: Uint8Array, node: ModelNode, lr: number): Promise<number> {
  const classes = node.classes ?? 10;
  const count = labels.length;
  const value = tf.tidy(() => {
    const x = tf.tensor4d(pixels, [count, ...node.input]);
    const y = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), classes);
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, (network.apply(x, { training: true }) as tf.Tensor).reshape([count, classes])) as tf.Scalar, variables);
    optimizer.apply(
      variables,
      variables.map((v) => grads[v.name] as tf.Tensor),
      lr,
    );
    return value;
  });
  const loss = (await value.data())[0] ?? NaN;
  value.dispose();
  return loss;
}

async function compare(source: string, batch: number): Promise<void> {
  const node = analyze(source).models[0] as ModelNode;
  const classes = node.classes ?? 10;
  const size = node.input[0] * node.input[1] * node.input[2];
  const make = () => {
    const network = buildModel(node, { seed: 5 });
    const optimizer = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 });
    return { network, optimizer, variables: network.trainableWeights.map((w) => w.read() as tf.Variable) };
  };
  const reference = make();
  const layered = make();
  const backprop = new Backprop(layered.network, node);
  for (let step = 0; step < STEPS; step++) {
    const pixels = Float32Array.from({ length: batch * size }, (_, i) => Math.sin((i + 1) * (step + 3) * 0.731));
    const labels = Uint8Array.from({ length: batch }, (_, i) => (i * 3 + step) % classes);
    setNoiseStep(reference.network, step);
    setNoiseStep(layered.network, step);
    const expected = await wholeGraphStep(reference.network, reference.variables, reference.optimizer, pixels, labels, node, 0.05);
    const before = tf.memory().numTensors;
    const { loss } = await trainStep(backprop, layered.variables, layered.optimizer, pixels, labels, batch, node.input, classes, 0.05);
    if (step > 0) assert.equal(tf.memory().numTensors, before, `${node.name}, step ${step}: the pass gives back every tensor it made`);
    assert.ok(Math.abs(loss - expected) <= 1e-5 * Math.max(1, Math.abs(expected)), `${node.name}, step ${step}: loss ${loss} vs ${expected}`);
  }
  // Every weight, trainable or not (BatchNorm's moving mean and variance), in the network's order.
  const a = reference.network.weights;
  const b = layered.network.weights;
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = await (a[i] as tf.LayerVariable).read().data();
    const y = await (b[i] as tf.LayerVariable).read().data();
    const scale = Math.max(1e-3, ...Array.from(x, Math.abs));
    for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs((x[j] ?? 0) - (y[j] ?? 0)) / scale);
    assert.ok(worst <= 1e-4, `${node.name}: weight ${(a[i] as tf.LayerVariable).originalName} differs (relative ${worst})`);
  }
  console.log(`${node.name}: ${STEPS} steps, ${a.length} weights, largest relative difference ${worst.toExponential(2)}`);
  for (const side of [reference, layered]) {
    side.optimizer.dispose();
    side.network.dispose();
  }
}

for (const backend of ['cpu', 'wasm']) {
  test(`on ${backend}, the layer-by-layer pass trains exactly as tf.variableGrads over the whole network`, { timeout: 300_000 }, async () => {
    await tf.setBackend(backend);
    await tf.ready();
    if (backend === 'wasm') registerWasmTrainingKernels();
    await compare(TINY_MODEL, 4);
    await compare(OPTION_B, 3);
    await compare(EVERY_CONSTRUCT_MODEL, 3);
  });
}
