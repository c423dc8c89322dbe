// The TF.js engine's own memory estimate (src/core/report/tfjsStepMemory.ts) against the real
// engine: the trainer's `trainStep` on the wasm backend with our training kernels, after a warm-up
// step (so the optimizer state exists), and `tf.profile`'s peak bytes over the next step. Within
// 10%, as issue 12 asks; PyTorch's estimate is far below it, which is why the engine has its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { analyze } from '../../src/core/analysis/analyze';
import { tfjsTrainingMemory } from '../../src/core/report/tfjsStepMemory';
import { trainingMemory } from '../../src/core/report/trainingMemory';
import { buildModel } from '../../src/training/model/buildModel';
import { Optimizer } from '../../src/training/optimizer';
import { trainStep } from '../../src/training/trainer';
import { registerWasmTrainingKernels } from '../../src/training/wasmKernels';
import { readExample } from '../helpers/examples';
import { RES2NET_MODEL } from '../helpers/models';

/** An example's file, or (for a model the tests share) its source. */
const sourceOf = (example: string) => (example === 'RES2NET_MODEL' ? RES2NET_MODEL : readExample(example));

async function peakOfStep(example: string, modelName: string, batch: number): Promise<{ peak: number; steady: number; after: number }> {
  const node = analyze(sourceOf(example)).models.find((m) => m.name === modelName);
  assert.ok(node, `${example} has ${modelName}`);
  const network = buildModel(node, { seed: 1 });
  const { optimizer: kind, momentum, weightDecay } = node.recipe;
  const optimizer = new Optimizer({ kind, momentum, weightDecay });
  const variables = network.trainableWeights.map((w) => w.read() as tf.Variable);
  const classes = node.classes ?? 10;
  const pixels = Float32Array.from({ length: batch * node.input[0] * node.input[1] * node.input[2] }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  const labels = Uint8Array.from({ length: batch }, (_, i) => (i * 7) % classes);
  const step = () => trainStep(network, variables, optimizer, pixels, labels, batch, node.input, classes, 0.1);
  await step();
  const steady = tf.memory().numBytes;
  const info = await tf.profile(async () => {
    await step();
  });
  const after = tf.memory().numBytes;
  optimizer.dispose();
  network.dispose();
  return { peak: info.peakBytes, steady, after };
}

test('the TF.js estimate is within 10% of tf.profile peak of a real training step on wasm', { timeout: 240_000 }, async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
  const cases: [string, string, number][] = [
    ['mnist/resnet8.resnet', 'resnet8', 4],
    ['cifar/resnet20-b.resnet', 'resnet20_b', 2],
    // Res2Net's split: each group's slice, the cascade's sums and the concatenation.
    ['RES2NET_MODEL', 'r2cifar', 4],
  ];
  for (const [example, name, batch] of cases) {
    const { peak, steady, after } = await peakOfStep(example, name, batch);
    const node = analyze(sourceOf(example)).models.find((m) => m.name === name);
    assert.ok(node);
    const estimate = tfjsTrainingMemory(node, batch).totalBytes;
    const off = estimate / peak - 1;
    assert.ok(Math.abs(off) <= 0.1, `${name} batch ${batch}: estimate ${estimate} vs peak ${peak} (${(off * 100).toFixed(1)}%)`);
    assert.equal(after, steady, `${name}: the step gives back everything it allocated`);
    // The PyTorch estimate is not the TF.js engine's: it is several times lower.
    assert.ok(trainingMemory(node, batch).totalBytes < peak / 2, `${name}: PyTorch's estimate is far below what TF.js holds`);
  }
});
