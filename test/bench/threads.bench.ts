// The TF.js engine on every core (issue 20, item 3): CIFAR ResNet-20 steps on wasm with one thread
// and with N (data-parallel worker threads, src/training/tfjs/parallel/), in one process, and the
// speed-up against N. Median of 5 steps after 2 warm-ups each.
// Usage: npm run bench:threads -- [--threads N] [--batch B]   (default: every core, batch 128)
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { analyze } from '../../src/core/analysis/analyze';
import { selectBackend } from '../../src/training/tfjs/backend';
import { Backprop } from '../../src/training/tfjs/model/backprop';
import { buildModel } from '../../src/training/tfjs/model/buildModel';
import { Optimizer } from '../../src/training/tfjs/optimizer';
import { DataParallel } from '../../src/training/tfjs/parallel/dataParallel';
import { trainStep } from '../../src/training/tfjs/trainer';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { threads: { type: 'string' }, batch: { type: 'string' } } });
  const threads = Number(values.threads ?? availableParallelism());
  const batch = Number(values.batch ?? 128);
  await selectBackend('wasm');
  const source = readFileSync('examples/cifar/resnet20.resnet', 'utf8');
  const model = analyze(source).models[0];
  if (!model) throw new Error('no model');
  const classes = model.output[2];
  const pixels = Float32Array.from({ length: batch * 32 * 32 * 3 }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  const labels = Uint8Array.from({ length: batch }, (_, i) => (i * 7) % classes);
  const network = buildModel(model, { seed: 1 });
  const variables = network.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 });
  const backprop = new Backprop(network, model);
  const median = async (step: () => Promise<unknown>) => {
    await step();
    await step();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await step();
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[2] ?? Number.NaN;
  };
  const one = await median(() => trainStep(backprop, variables, optimizer, pixels, labels, batch, model.input, classes, 0.1));
  const parallel = await DataParallel.start(threads, { sourceText: source, modelName: model.name, seed: 1, backend: 'wasm', shape: model.input, classes });
  let step = 0;
  const many = await median(() => parallel.step(backprop, variables, optimizer, pixels, labels, batch, 0.1, step++));
  await parallel.close();
  const ips = (ms: number) => (batch / ms) * 1000;
  console.log(
    `CIFAR ResNet-20, batch ${batch}, wasm: 1 thread ${one.toFixed(0)} ms/step (${ips(one).toFixed(1)} img/s); ${threads} threads ${many.toFixed(0)} ms/step (${ips(many).toFixed(1)} img/s)`,
  );
  console.log(`speed-up ${(one / many).toFixed(2)}× on ${threads} threads = ${(one / many / threads).toFixed(2)}·N (goal ≥ 0.7·N)`);
}
void main();
