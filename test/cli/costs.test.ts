// `stats --convention`, `--memory-budget` and `totals.memory`: the flags change what is printed,
// the memory adds up, and bad values get a message that names the flag.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { batchFitWarning, fitLine, startFitWarning } from '../../src/core/report/costLines';
import { tfjsLargestBatchThatFits, tfjsTrainingMemory } from '../../src/core/report/tfjsStepMemory';
import { largestBatchThatFits, optimizerStateCopies, trainingMemory } from '../../src/core/report/trainingMemory';
import { readExample } from '../helpers/examples';

/** The built CLI (node esbuild.js), as users run it. */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['dist/cli.cjs', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Totals {
  readonly params: number;
  readonly nonTrainable: number;
  readonly compute: { convention: string; value: number };
  readonly memory: Record<string, number>;
}

test("stats --json: totals.memory adds up for the recipe's optimizer, totals.compute follows --convention", () => {
  const r = cli('stats', 'examples/cifar/resnet20.resnet', '--json', '--batch', '8', '--convention', 'ptflops');
  assert.equal(r.code, 0, r.stderr);
  const totals = (JSON.parse(r.stdout) as { models: { totals: Totals }[] }).models[0].totals;
  const m = totals.memory;
  assert.deepEqual(Object.keys(m).sort(), ['activationsBytes', 'gradientsBytes', 'inputBytes', 'optimizerBytes', 'totalBytes', 'weightsBytes']);
  assert.equal(m.weightsBytes, 4 * (totals.params + totals.nonTrainable));
  assert.equal(m.gradientsBytes, 4 * totals.params);
  assert.equal(m.optimizerBytes, 4 * totals.params, 'SGD with momentum keeps one velocity per parameter');
  // Measured by PyTorch: autograd keeps 12,066,176 bytes besides the batch for ResNet-20 at batch 8
  // (torch 1.13.1, docs/benchmarks.md "Activation memory"; test/export/memory.test.ts measures
  // every example again where torch is installed).
  assert.equal(m.activationsBytes, 12_066_176);
  assert.equal(m.inputBytes, 8 * 32 * 32 * 3 * 4);
  assert.equal(m.totalBytes, m.weightsBytes + m.gradientsBytes + m.optimizerBytes + m.activationsBytes + m.inputBytes);
  assert.equal(totals.compute.convention, 'ptflops');
  assert.ok(totals.compute.value > 40_551_040, 'more than the MACs: ResNet-20 in test/fixtures/reference-figures.md');
});

test('stats prints the compute under --convention, what the other tools print, and the largest batch that fits --memory-budget', () => {
  const r = cli('stats', 'examples/torchvision/resnet50.resnet', '--convention', 'fvcore', '--memory-budget', '8192', '--batch', '32');
  assert.equal(r.code, 0, r.stderr);
  // fvcore publishes no ResNet-50 figure: 4.11 G is our fvcore rule's (not yet checked against fvcore).
  assert.match(r.stdout, /Compute \(fvcore\): [\d,]+ flops \(= MACs\) per image \(4\.11 G/);
  // 4.09 G: torchvision's GFLOPS for resnet50 (https://pytorch.org/vision/stable/models/generated/torchvision.models.resnet50.html);
  // 4.13 GMac: ptflops's current README benchmark, pytorch backend (test/core/fixtures/published-compute.json).
  assert.match(r.stdout, /Other tools would print: macs: 4\.09 G MACs.*ptflops: 4\.13 GMac, version 0\.7\.1 and later, pytorch backend: it adds BatchNorm, and ReLU and pooling twice/);
  assert.match(r.stdout, /Largest training batch that fits 8\.00 GiB: \d+/);
});

test('bad --convention and --memory-budget name the flag and the choices', () => {
  const bad = cli('stats', 'examples/cifar/resnet20.resnet', '--convention', 'gflops');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--convention takes macs, flops, ptflops, ptflops-aten, ptflops-0\.7, fvcore, thop, not "gflops"/);
  const budget = cli('stats', 'examples/cifar/resnet20.resnet', '--memory-budget', 'lots');
  assert.equal(budget.code, 2);
  assert.match(budget.stderr, /--memory-budget takes the memory in MiB/);
});

test('optimizer state: none for plain SGD, one copy with momentum, two for Adam; inference keeps no gradients or activations', () => {
  assert.equal(optimizerStateCopies({ optimizer: 'sgd', momentum: 0 }), 0);
  assert.equal(optimizerStateCopies({ optimizer: 'sgd', momentum: 0.9 }), 1);
  assert.equal(optimizerStateCopies({ optimizer: 'adam', momentum: 0 }), 2);
  const model = analyze(readExample('cifar/resnet20.resnet')).models[0];
  const infer = trainingMemory(model, 8, { training: false });
  assert.equal(infer.gradientsBytes + infer.optimizerBytes + infer.activationsBytes, 0);
});

test('the largest batch that fits is the last one whose training step is within the budget; a bigger batch is warned', () => {
  const model = analyze(readExample('cifar/resnet20.resnet')).models[0];
  const budgetMiB = 256;
  const largest = largestBatchThatFits(model, budgetMiB * 1024 * 1024);
  assert.ok(largest > 1);
  assert.ok(trainingMemory(model, largest).totalBytes <= budgetMiB * 1024 * 1024);
  assert.ok(trainingMemory(model, largest + 1).totalBytes > budgetMiB * 1024 * 1024);
  assert.equal(batchFitWarning(model, largest, budgetMiB), undefined);
  assert.match(batchFitWarning(model, largest + 1, budgetMiB) ?? '', new RegExp(`use a batch of at most ${largest}`));
  assert.equal(fitLine(model, 0), undefined, 'no budget, no line');
});

test('train --memory-budget: a run whose batch will not fit is warned before it starts, one that fits is not', () => {
  const sourceText = readExample('cifar/resnet20.resnet');
  const request = { sourceText, modelName: 'resnet20', engine: 'pytorch' as const };
  // The recipe's batch of 128 needs about 190 MiB for ResNet-20 on PyTorch.
  assert.match(startFitWarning(request, 64) ?? '', /resnet20 at batch 128 needs about .* more than the memory budget of 64\.00 MiB; use a batch of at most \d+/);
  assert.equal(startFitWarning(request, 1024), undefined);
  assert.equal(startFitWarning({ ...request, batchSize: 8 }, 64), undefined);
  assert.equal(startFitWarning(request, 0), undefined, 'no budget, no warning');
  // The TF.js engine (a run that does not ask for PyTorch) has its own estimate: about 196 MiB at 128.
  const tfjs = { sourceText, modelName: 'resnet20' };
  const model = analyze(sourceText).models[0];
  const budget = 128 * 1024 * 1024;
  const largest = tfjsLargestBatchThatFits(model, budget);
  assert.ok(largest < 128 && tfjsTrainingMemory(model, largest).totalBytes <= budget && tfjsTrainingMemory(model, largest + 1).totalBytes > budget);
  assert.match(
    startFitWarning(tfjs, 128) ?? '',
    new RegExp(`resnet20 at batch 128 needs about .* on the TF\\.js engine, more than the memory budget of 128\\.00 MiB; use a batch of at most ${largest} `),
  );
  assert.equal(startFitWarning(tfjs, 4096), undefined);
});
