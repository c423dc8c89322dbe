// The `experiment` declaration: expansion of grids and model lists, seeds, recipe overrides, and
// the diagnostics (a variant's error named on the experiment, duplicates, empty and huge grids).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { MAX_EXPERIMENT_RUNS } from '../../src/core/analysis/experiment';
import { experimentCost } from '../../src/core/report/experimentCost';
import { experimentPlan } from '../../src/core/report/experimentPlan';
import { trainingMemory } from '../../src/core/report/trainingMemory';
import { readExample } from '../helpers/examples';

const TEMPLATES = `
model plain(n, w = 8) {
  input 16x16x3, classes 4
  shortcut none
  conv1    conv 3x3, w, bn, relu
  conv2_x  basic(w) x n
  conv3_x  basic(2 * w) x n, stride 2
  head     avgpool, fc 4
  train {
    batch 16
    sgd lr 0.1, momentum 0.9
    iterations 1000
    decay 0.1 at 500, 750
  }
}
model residual(n, w = 8) {
  input 16x16x3, classes 4
  shortcut A
  conv1    conv 3x3, w, bn, relu
  conv2_x  basic(w) x n
  conv3_x  basic(2 * w) x n, stride 2
  head     avgpool, fc 4
}
model small = residual(n = 1)
`;

const errors = (text: string) => analyze(text).diagnostics.filter((d) => d.severity === 'error');

test('a grid expands to the product of its value lists, each variant a checked model with its parameters', () => {
  const a = analyze(`${TEMPLATES}\nexperiment sweep {\n  grid plain(n = 1, 2, w = 8, 16)\n  grid residual(n = 1, 2)\n  models small\n}\n`);
  assert.deepEqual(
    a.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const e = a.experiments[0];
  assert.equal(e.ok, true);
  assert.deepEqual(
    e.variants.map((v) => [v.id, v.label]),
    [
      ['plain_n1_w8', 'plain(n = 1, w = 8)'],
      ['plain_n1_w16', 'plain(n = 1, w = 16)'],
      ['plain_n2_w8', 'plain(n = 2, w = 8)'],
      ['plain_n2_w16', 'plain(n = 2, w = 16)'],
      ['residual_n1', 'residual(n = 1)'],
      ['residual_n2', 'residual(n = 2)'],
      ['small', 'small'],
    ],
  );
  // Each variant's model is the template's instance: the same costs as writing it out by hand.
  const byHand = analyze(`${TEMPLATES}\nmodel p2w16 = plain(n = 2, w = 16)\n`).models.find((m) => m.name === 'p2w16');
  const variant = e.variants.find((v) => v.id === 'plain_n2_w16');
  assert.ok(byHand && variant?.model);
  assert.deepEqual(variant.model.cost, byHand.cost);
  assert.equal(variant.model.name, 'sweep.plain_n2_w16');
  assert.equal(variant.model.plain, true);
  assert.equal(e.variants.find((v) => v.id === 'residual_n2')?.model?.plain, false);
  assert.deepEqual(variant.params, { n: 2, w: 16 });
  // The variants are not models of the file: the code lenses and `stats` list only what was written.
  assert.deepEqual(
    a.models.map((m) => m.name),
    ['small'],
  );
});

test("the experiment's train { … } overrides each variant's recipe; a new length moves the milestones with it", () => {
  const a = analyze(`${TEMPLATES}\nexperiment short {\n  grid plain(n = 1)\n  models small\n  seeds 1, 2, 3\n  train {\n    iterations 200\n    batch 8\n  }\n}\n`);
  assert.deepEqual(
    a.diagnostics.filter((d) => d.severity !== 'info'),
    [],
  );
  const [plain, small] = a.experiments[0].variants.map((v) => v.model);
  assert.ok(plain && small);
  assert.equal(plain.recipe.duration, 200);
  assert.equal(plain.recipe.batchSize, 8);
  assert.deepEqual(plain.recipe.milestones, [100, 150]);
  assert.equal(plain.recipe.momentum, 0.9, "what the override does not say stays the model's");
  assert.equal(small.recipe.duration, 200);
  assert.equal(a.models[0].recipe.duration, 64_000, 'the model itself keeps its own recipe');
  assert.deepEqual(a.experiments[0].seeds, [1, 2, 3]);
  const plan = experimentPlan(a, 'x.resnet', 'text');
  assert.ok(plan.ok);
  assert.deepEqual(
    plan.plan.runs.map((r) => r.key),
    ['plain_n1@seed1', 'plain_n1@seed2', 'plain_n1@seed3', 'small@seed1', 'small@seed2', 'small@seed3'],
  );
});

test('a shape error in one variant is an error on the experiment that names the variant; the others are still expanded', () => {
  // An unpadded k×k convolution of an 8×8 input: 3 and 5 fit, 9 does not.
  const text = `model net(k) {\n  input 8x8x3, classes 4\n  conv1 conv k x k, 8, pad 0, bn, relu\n  head avgpool, fc 4\n}\nexperiment kernels {\n  grid net(k = 3, 9, 5)\n}\n`;
  const a = analyze(text);
  const errs = a.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errs.length, 1, JSON.stringify(errs));
  assert.match(errs[0].message, /^variant net\(k = 9\): /);
  assert.equal(errs[0].range.startLine, 7, 'on the grid line');
  assert.ok(
    errs[0].related?.some((r) => r.range.startLine === 3),
    'with the layer in the template as related information',
  );
  const e = a.experiments[0];
  assert.equal(e.ok, false);
  assert.deepEqual(
    e.variants.map((v) => [v.id, v.model !== undefined]),
    [
      ['net_k3', true],
      ['net_k9', false],
      ['net_k5', true],
    ],
  );
  const plan = experimentPlan(a, 'x.resnet', text);
  assert.equal(plan.ok, false);
});

test('duplicate variants, duplicate seeds and duplicate grid values are refused, each where it is written', () => {
  const dupValue = errors(`${TEMPLATES}\nexperiment e {\n  grid plain(n = 1, 2, 1)\n}\n`);
  assert.equal(dupValue.length, 1);
  assert.match(dupValue[0].message, /duplicate variant: `n = 1`/);
  const gridText = `${TEMPLATES}\nexperiment e {\n  grid plain(n = 1)\n  grid plain(n = 1)\n}\n`;
  const dupGrid = errors(gridText);
  assert.equal(dupGrid.length, 1);
  assert.match(dupGrid[0].message, /duplicate variant `plain\(n = 1\)`/);
  assert.equal(dupGrid[0].range.startLine, gridText.split('\n').lastIndexOf('  grid plain(n = 1)') + 1, 'on the second grid');
  const dupModel = errors(`${TEMPLATES}\nexperiment e {\n  models small, small\n}\n`);
  assert.match(dupModel[0]?.message ?? '', /duplicate variant `small`/);
  const dupSeed = errors(`${TEMPLATES}\nexperiment e {\n  models small\n  seeds 1, 2, 1\n}\n`);
  assert.match(dupSeed[0]?.message ?? '', /duplicate seed 1/);
});

test('an empty grid, an experiment with no variants, and unknown names get messages that say the fix', () => {
  assert.match(errors(`${TEMPLATES}\nexperiment e {\n  grid plain()\n}\n`)[0]?.message ?? '', /empty grid: give a parameter at least one value/);
  assert.match(errors(`${TEMPLATES}\nexperiment e {\n  seeds 1\n}\n`)[0]?.message ?? '', /has no variants: add `grid template\(param = 3, 5\)` or `models a, b`/);
  assert.match(errors(`${TEMPLATES}\nexperiment e {\n  models smal\n}\n`)[0]?.message ?? '', /unknown model `smal`; did you mean `small`/);
  assert.match(errors(`${TEMPLATES}\nexperiment e {\n  models plain\n}\n`)[0]?.message ?? '', /is a template: vary it with `grid plain/);
  assert.match(errors(`${TEMPLATES}\nexperiment e {\n  grid plain(m = 1)\n}\n`)[0]?.message ?? '', /`plain` has no parameter `m` \(it has n, w\)/);
  assert.match(errors(`${TEMPLATES}\nexperiment e {\n  grid plain(1, 2)\n}\n`)[0]?.message ?? '', /names the parameter before its values/);
  assert.match(errors(`${TEMPLATES}\nexperiment e {\n  grid nothere(n = 1)\n}\n`)[0]?.message ?? '', /unknown model template `nothere`/);
  assert.match(errors(`${TEMPLATES}\nexperiment e {\n  models small\n  seed 3\n}\n`)[0]?.message ?? '', /`seed` is not part of an experiment .*did you mean `seeds`/);
  assert.match(errors(`${TEMPLATES}\nexperiment e {\n  models small\n  conv1 conv 3x3, 8\n}\n`)[0]?.message ?? '', /an experiment holds `grid/);
  assert.match(errors(`${TEMPLATES}\nexperiment small {\n  models small\n}\n`)[0]?.message ?? '', /already defined/);
  assert.match(errors(`${TEMPLATES}\nexperiment e {\n  models small\n  train {\n    iteratons 5\n  }\n}\n`)[0]?.message ?? '', /unknown recipe setting `iteratons`/);
});

test(`a grid of 10,000 variants is refused before any is expanded (at most ${MAX_EXPERIMENT_RUNS} runs)`, () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1).join(', ');
  const started = performance.now();
  const a = analyze(`${TEMPLATES}\nexperiment huge {\n  grid plain(n = ${values}, w = ${values})\n}\n`);
  const ms = performance.now() - started;
  const errs = a.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errs.length, 1);
  assert.match(errs[0].message, /has 10,000 variants = 10,000 runs, more than the 500 one experiment may queue; narrow the grid/);
  assert.deepEqual(a.experiments[0].variants, []);
  assert.ok(ms < 2000, `refused in ${ms} ms, without expanding`);
  // Seeds count: 300 variants × 2 seeds is over too.
  const seeded = errors(`${TEMPLATES}\nexperiment big {\n  grid plain(n = ${Array.from({ length: 300 }, (_, i) => i + 1).join(', ')})\n  seeds 1, 2\n}\n`);
  assert.match(seeded[0]?.message ?? '', /300 variants × 2 seeds = 600 runs/);
});

test("the experiment's cost: MACs × steps × batch summed over variants and seeds, and the largest step's memory", () => {
  const a = analyze(`${TEMPLATES}\nexperiment e {\n  grid plain(n = 1, 2)\n  seeds 1, 2\n  train {\n    iterations 100\n  }\n}\n`);
  const e = a.experiments[0];
  const cost = experimentCost(e);
  const [one, two] = e.variants.map((v) => v.model);
  assert.ok(one && two);
  assert.equal(cost.runs, 4);
  assert.equal(cost.trainingMacs, 2 * (one.cost.macs * 100 * 16 + two.cost.macs * 100 * 16));
  assert.equal(cost.largestMemoryBytes, trainingMemory(two, 16).totalBytes);
  assert.equal(cost.largestMemoryVariant, 'plain(n = 2)');
});

test('the experiment examples analyze without errors: Fig. 6 as eight CIFAR variants and four MNIST ones', () => {
  const cifar = analyze(readExample('experiments/fig6-cifar.resnet'));
  assert.deepEqual(
    cifar.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.deepEqual(
    cifar.experiments[0].variants.map((v) => v.model?.depth),
    [20, 32, 44, 56, 20, 32, 44, 56],
  );
  assert.deepEqual(
    cifar.experiments[0].variants.map((v) => v.model?.plain),
    [true, true, true, true, false, false, false, false],
  );
  // Paper Table 6: ResNet-20 0.27M, -56 0.85M parameters.
  assert.equal(cifar.experiments[0].variants[4].model?.cost.params, 269_722);
  assert.equal(cifar.experiments[0].variants[7].model?.cost.params, 853_018);
  const mnist = analyze(readExample('experiments/fig6-mnist.resnet'));
  assert.deepEqual(
    mnist.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(mnist.experiments[0].variants.length, 4);
});
