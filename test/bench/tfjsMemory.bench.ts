// TF.js engine memory during one training step on wasm, beside our estimate: tf.profile's
// peakBytes around the trainer's own step (after one warm-up step, so the optimizer state exists)
// and tf.memory() before it, beside the TF.js engine's own estimate (src/core/report/tfjsStepMemory.ts)
// and PyTorch's. Prints one JSON line for docs/benchmarks.md.
// Usage: node --import tsx test/bench/tfjsMemory.bench.ts [FILE] [BATCH]   (default: CIFAR ResNet-20, batch 8)
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { analyze } from '../../src/core/analysis/analyze';
import { tfjsTrainingMemory } from '../../src/core/report/tfjsStepMemory';
import { trainingMemory } from '../../src/core/report/trainingMemory';
import { Backprop } from '../../src/training/tfjs/model/backprop';
import { buildModel } from '../../src/training/tfjs/model/buildModel';
import { Optimizer } from '../../src/training/tfjs/optimizer';
import { trainStep } from '../../src/training/tfjs/trainer';
import { registerWasmTrainingKernels } from '../../src/training/tfjs/wasmKernels';

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
  const batch = Number(process.argv[3] ?? 8);
  const node = analyze(readFileSync(process.argv[2] ?? 'examples/cifar/resnet20.resnet', 'utf8')).models[0];
  const model = buildModel(node, { seed: 1 });
  const optimizer = new Optimizer({ kind: node.recipe.optimizer, momentum: node.recipe.momentum, weightDecay: node.recipe.weightDecay });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const backprop = new Backprop(model, node);
  const [h, w, c] = node.input;
  const classes = node.classes ?? 10;
  const pixels = Float32Array.from({ length: batch * h * w * c }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  const labels = Uint8Array.from({ length: batch }, (_, i) => (i * 7) % classes);
  await trainStep(backprop, variables, optimizer, pixels, labels, batch, node.input, classes, 0.1);
  const before = tf.memory().numBytes;
  const info = await tf.profile(async () => {
    await trainStep(backprop, variables, optimizer, pixels, labels, batch, node.input, classes, 0.1);
  });
  const tfjs = tfjsTrainingMemory(node, batch).totalBytes;
  const pytorch = trainingMemory(node, batch).totalBytes;
  const off = `${((tfjs / info.peakBytes - 1) * 100).toFixed(1)}%`;
  console.log(JSON.stringify({ model: node.name, batch, steadyBytes: before, peakBytes: info.peakBytes, tfjsEstimate: tfjs, tfjsEstimateOff: off, pytorchEstimate: pytorch }));
}
void main();
