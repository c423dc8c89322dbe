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
  const a = analyze(`${TEMPLATES}\nexperiment huge {\n  grid plain(n = ${values}, w = ${values})\n}\n`);
  const errs = a.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errs.length, 1);
  assert.match(errs[0].message, /has 10,000 variants = 10,000 runs, more than the 500 one experiment may queue; narrow the grid/);
  assert.deepEqual(a.experiments[0].variants, []);
  // Not one variant was expanded: in a grid whose every variant is wrong (no filters: w ≤ 0), an
  // expanded variant would say so ("variant plain(n = 1, w = 0): …"); the refusal is all there is.
  const negative = Array.from({ length: 100 }, (_, i) => -i).join(', ');
  const broken = analyze(`${TEMPLATES}\nexperiment huge {\n  grid plain(n = ${values}, w = ${negative})\n}\n`).diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(
    broken.map((d) => d.message.replace(/ more than .*/, '')),
    ['experiment `huge` has 10,000 variants = 10,000 runs,'],
  );
  // Under the limit the same broken grid is expanded, and each variant says what is wrong with it.
  assert.equal(
    errors(`${TEMPLATES}\nexperiment small_grid {\n  grid plain(n = 1, 2, w = 0, -1)\n}\n`).filter((d) => /^variant plain\(n = \d, w = -?\d\): `filters` of `conv` must be at least 1/.test(d.message))
      .length,
    4,
  );
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

/** The 1-based line of the first line of `text` that holds `snippet`. */
const lineOf = (text: string, snippet: string) => text.split('\n').findIndex((l) => l.includes(snippet)) + 1;

test("an experiment's own `let`s: in its grid values (as `n = a` and as a bare name), seeds and train overrides; the template's parameters still follow the grid", () => {
  const text = `${TEMPLATES}\nlet wide = 16\nexperiment lets {\n  let shallow = 1\n  let deep = 2\n  let steps = 300\n  let rate = 0.05\n  let seed = 7\n  grid plain(n = shallow, deep, w = wide)\n  seeds seed, seed + 1\n  train {\n    iterations steps\n    sgd lr rate, momentum 0.9\n    batch 8 * n\n  }\n}\n`;
  const a = analyze(text);
  assert.deepEqual(
    a.diagnostics.filter((d) => d.severity !== 'info'),
    [],
    'no error, and no `let` is reported unused',
  );
  const e = a.experiments[0];
  assert.deepEqual(
    e.variants.map((v) => [v.label, v.params]),
    [
      ['plain(n = 1, w = 16)', { n: 1, w: 16 }],
      ['plain(n = 2, w = 16)', { n: 2, w: 16 }],
    ],
  );
  assert.deepEqual(e.seeds, [7, 8]);
  const [one, two] = e.variants.map((v) => v.model);
  assert.ok(one && two);
  assert.equal(one.recipe.duration, 300);
  assert.deepEqual(one.recipe.milestones, [150, 225]);
  assert.equal(one.recipe.lr, 0.05);
  assert.deepEqual([one.recipe.batchSize, two.recipe.batchSize], [8, 16], "an override may still read the variant's own parameters");
  // The same as the numbers written in: the lets only name them.
  const written = analyze(`${TEMPLATES}\nexperiment lets {\n  grid plain(n = 1, 2, w = 16)\n  seeds 7, 8\n  train {\n    iterations 300\n    sgd lr 0.05, momentum 0.9\n    batch 8 * n\n  }\n}\n`);
  assert.deepEqual(
    written.experiments[0].variants.map((v) => [v.id, v.model?.recipe, v.model?.cost]),
    e.variants.map((v) => [v.id, v.model?.recipe, v.model?.cost]),
  );
});

test("an experiment's `let` shadows a template parameter of the same name in its overrides, and is seen nowhere outside the experiment", () => {
  const text = `${TEMPLATES}\nexperiment a {\n  let n = 4\n  grid plain(n = 1)\n  train {\n    batch 8 * n\n  }\n}\nmodel other = plain(n = steps)\nexperiment b {\n  grid plain(n = 1)\n  train {\n    iterations steps\n  }\n}\nexperiment c {\n  let steps = 100\n  models small\n}\n`;
  const a = analyze(text);
  assert.equal(a.experiments[0].variants[0].model?.recipe.batchSize, 32);
  const errs = a.diagnostics.filter((d) => d.severity === 'error' && d.message.includes('`steps`'));
  assert.deepEqual(
    errs.map((d) => [d.range.startLine, d.message]),
    [
      [lineOf(text, 'model other'), 'unknown name `steps`: declare it with `let steps = …` or as a parameter'],
      [lineOf(text, 'iterations steps'), 'unknown name `steps`: declare it with `let steps = …` or as a parameter'],
    ],
  );
  assert.deepEqual(
    a.diagnostics.filter((d) => d.severity === 'warning').map((d) => [d.range.startLine, d.message]),
    [[lineOf(text, 'let steps = 100'), '`steps` is never used; remove it or use it']],
  );
});

test('misused `let`s in an experiment: each said once, at its place, with the fix', () => {
  const text = `${TEMPLATES}\nexperiment bad {\n  let steps = 40\n  let steps = 50\n  grid plain(n = 1, wide)\n  grid residual(n = 1, w)\n  models steps\n  train {\n    iterations stepz\n  }\n  grid plain(n = later)\n  let later = 3\n}\n`;
  const a = analyze(text);
  const said = a.diagnostics.filter((d) => d.severity !== 'info').map((d) => [d.range.startLine, d.severity, d.message]);
  const at = (snippet: string) => lineOf(text, snippet);
  assert.deepEqual(said, [
    [at('let steps = 40'), 'warning', '`steps` is never used; remove it or use it'],
    [at('let steps = 50'), 'error', '`steps` is already defined here; rename one of them'],
    [at('let steps = 50'), 'warning', '`steps` is never used; remove it or use it'],
    [at('wide'), 'error', 'unknown name `wide`: declare it with `let wide = …` or as a parameter'],
    [at('residual(n = 1, w)'), 'error', '`w` has no values: write `w = 3, 5`'],
    [at('models steps'), 'error', '`steps` is a value (`let`), not a model: `models` lists models of this file; use the value in a grid, e.g. `grid template(n = steps)`'],
    [at('stepz'), 'error', 'unknown name `stepz`: declare it with `let stepz = …` or as a parameter; did you mean `steps`?'],
    // Lets are read in order, as in a model: one written below its use is not seen there.
    [at('n = later'), 'error', 'unknown name `later`: declare it with `let later = …` or as a parameter'],
    [at('let later'), 'warning', '`later` is never used; remove it or use it'],
  ]);
  const stepz = a.diagnostics.find((d) => d.message.includes('`stepz`'));
  assert.deepEqual(stepz?.fix, { kind: 'rename', to: 'steps' });
});

test("the plan carries each variant's engine from its recipe (`engine pytorch`), the experiment's override included; TF.js says nothing", () => {
  const torch = `${TEMPLATES}\nmodel torch20 {\n  input 16x16x3, classes 4\n  conv1 conv 3x3, 8, bn, relu\n  conv2_x basic(8) x 1\n  head avgpool, fc 4\n  train {\n    engine pytorch\n  }\n}\n`;
  const mixed = experimentPlan(analyze(`${torch}experiment mixed {\n  models small, torch20\n}\n`), 'x.resnet', '');
  assert.ok(mixed.ok);
  assert.deepEqual(
    mixed.plan.runs.map((r) => [r.key, r.engine]),
    [
      ['small', undefined],
      ['torch20', 'pytorch'],
    ],
  );
  const all = experimentPlan(analyze(`${torch}experiment all {\n  models small, torch20\n  train {\n    engine pytorch\n  }\n}\n`), 'x.resnet', '');
  assert.ok(all.ok);
  assert.deepEqual(
    all.plan.runs.map((r) => r.engine),
    ['pytorch', 'pytorch'],
  );
  const none = experimentPlan(analyze(`${torch}experiment none {\n  models small, torch20\n  train {\n    engine tfjs\n  }\n}\n`), 'x.resnet', '');
  assert.ok(none.ok);
  assert.deepEqual(
    none.plan.runs.map((r) => r.engine),
    [undefined, undefined],
  );
});

test('an experiment whose every variant fails to build raises no false "unused" warnings (issue 18, item 10)', () => {
  const template = 'model t(n, w = 16) {\n  input 16x16x3, classes 4\n  conv1 conv 3x3, w, bn, relu\n  conv2_x basic(16) x n\n  head avgpool, fc 4\n}\n';
  const warnings = (text: string) =>
    analyze(text)
      .diagnostics.filter((d) => d.severity === 'warning')
      .map((d) => d.message);
  // `n` is missing from every variant, a parameter is misspelt, a value is unknown: each an error, and nothing more.
  for (const grid of ['t(w = 8, 32)', 't(m = 3)', 't(n = nope)', 't(n = 1 / 0)']) {
    const text = `${template}experiment e {\n  grid ${grid}\n}\n`;
    assert.ok(errors(text).length > 0, grid);
    assert.deepEqual(warnings(text), [], grid);
  }
  // A model instance missing a parameter says so, and does not call the template's parameters unused either.
  assert.deepEqual(warnings(`${template}model m = t(w = 8)\n`), []);
  // A template whose body was expanded still has its unused parameter named.
  const unused = 'model t(n, k) {\n  input 16x16x3, classes 4\n  conv1 conv 3x3, 8, bn, relu\n  conv2_x basic(8) x n\n  head avgpool, fc 4\n}\nexperiment e {\n  grid t(n = 1, k = 2)\n}\n';
  assert.deepEqual(warnings(unused), ['parameter `k` is never used in model `t`']);
  assert.deepEqual(warnings('model t(n) {\n  input 16x16x3\n  s basic(8) x n\n}\n'), ['model template `t` is never instantiated: add `model my_t = t(…)`']);
});
