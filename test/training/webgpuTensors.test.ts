// The same network on every backend, and no leaks on webgpu: for one seed the initial weights are
// bit-identical on cpu, wasm and webgpu (the initializers draw on the CPU, whatever the backend),
// and 100 training steps on webgpu leave tf.memory().numTensors where the first step left it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { analyze } from '../../src/core/analysis/analyze';
import { Backprop } from '../../src/training/tfjs/model/backprop';
import { buildModel } from '../../src/training/tfjs/model/buildModel';
import { Optimizer } from '../../src/training/tfjs/optimizer';
import { trainStep } from '../../src/training/tfjs/trainer';
import { startWebGpuBackend } from '../../src/training/tfjs/webgpuBackend';
import { useSwiftShaderHere } from '../helpers/swiftshader';
import { MICRO_MODEL } from '../helpers/models';

const skip = useSwiftShaderHere();
const micro = analyze(MICRO_MODEL).models[0];
/** Fewer kernels than micro (a software GPU spends ~1 ms a kernel): conv, BN, ReLU, one residual block, pool, fc. */
const leakModel = analyze(`model leak {
  input 8x8x3, classes 2
  shortcut A
  conv1 conv 3x3, 4, bn, relu
  s1    basic(4) x 1
  head  avgpool, fc 2
}`).models[0];

async function initialWeights(backend: string): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const network = buildModel(micro, { seed: 11 });
  const values = await Promise.all(network.weights.map(async (w) => Float32Array.from(await w.read().data())));
  network.dispose();
  return values;
}

test('the initial weights for a seed are identical on cpu, wasm and webgpu', { skip, timeout: 60_000 }, async () => {
  const started = await startWebGpuBackend();
  assert.ok(started.ok, started.ok ? '' : started.why);
  const cpu = await initialWeights('cpu');
  for (const backend of ['wasm', 'webgpu']) {
    const other = await initialWeights(backend);
    assert.equal(other.length, cpu.length);
    other.forEach((w, i) => assert.deepEqual(w, cpu[i], `${backend}: weight ${i} differs from cpu's`));
  }
});

test('100 training steps on webgpu leak no tensors', { skip, timeout: 120_000 }, async () => {
  const started = await startWebGpuBackend();
  assert.ok(started.ok, started.ok ? '' : started.why);
  const network = buildModel(leakModel, { seed: 11 });
  const variables = network.trainableWeights.map((w) => w.read() as tf.Variable);
  const backprop = new Backprop(network, leakModel);
  const optimizer = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 });
  const batch = 2;
  const pixels = Float32Array.from({ length: batch * 8 * 8 * 3 }, (_, i) => Math.sin(i));
  const labels = Uint8Array.from([0, 1]);
  const counts: number[] = [];
  let loss = NaN;
  for (let step = 0; step < 100; step++) {
    ({ loss } = await trainStep(backprop, variables, optimizer, pixels, labels, batch, [8, 8, 3], 2, 0.01));
    counts.push(tf.memory().numTensors);
  }
  console.log(`webgpu: tf.memory().numTensors after steps 1, 2, 100: ${counts[0]}, ${counts[1]}, ${counts[99]}; last loss ${loss.toFixed(4)}`);
  assert.ok(Number.isFinite(loss));
  // The optimizer makes its momentum slots on the first step; from then on nothing may grow.
  assert.deepEqual(new Set(counts.slice(1)), new Set([counts[0]]), `numTensors went ${counts.join(' ')}`);
  optimizer.dispose();
  network.dispose();
});
