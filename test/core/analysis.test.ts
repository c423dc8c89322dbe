// Shapes, costs and the language's features, each checked against an independent computation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { activationBytes, modelLayers, type ModelNode } from '../../src/core/analysis/network';
import { readExample } from '../helpers/examples';

function only(text: string): ModelNode {
  const a = analyze(text);
  assert.deepEqual(
    a.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(a.models.length, 1);
  return a.models[0];
}

function byName(text: string): Map<string, ModelNode> {
  const a = analyze(text);
  assert.deepEqual(
    a.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return new Map(a.models.map((m) => [m.name, m]));
}

test("ResNet-50's stage shapes follow Table 1 (56, 28, 14, 7 with 256…2048 channels)", () => {
  const m = only(readExample('imagenet/resnet50.resnet'));
  assert.deepEqual(
    m.stages.map((s) => [s.name, ...s.output]),
    [
      ['conv1', 56, 56, 64],
      ['conv2_x', 56, 56, 256],
      ['conv3_x', 28, 28, 512],
      ['conv4_x', 14, 14, 1024],
      ['conv5_x', 7, 7, 2048],
      ['head', 1, 1, 1000],
    ],
  );
  assert.equal(m.depth, 50);
});

test('conv3_x of paper ResNet-50: params and MACs equal the sum of its layers computed by hand', () => {
  // Four bottlenecks of width 128 on 56×56×256 → 28×28×512, stride on the first 1×1 (v1).
  const conv = (hw: number, cin: number, cout: number, k: number) => ({ params: cin * cout * k * k, macs: hw * hw * cin * cout * k * k });
  const parts = [
    conv(28, 256, 128, 1),
    conv(28, 128, 128, 3),
    conv(28, 128, 512, 1),
    conv(28, 256, 512, 1), // first block + projection
    ...[0, 1, 2].flatMap(() => [conv(28, 512, 128, 1), conv(28, 128, 128, 3), conv(28, 128, 512, 1)]),
  ];
  const bnParams = 2 * (128 + 128 + 512 + 512) + 3 * 2 * (128 + 128 + 512);
  const stage = only(readExample('imagenet/resnet50.resnet')).stages.find((s) => s.name === 'conv3_x');
  assert.equal(stage?.cost.params, parts.reduce((a, p) => a + p.params, 0) + bnParams);
  assert.equal(
    stage?.cost.macs,
    parts.reduce((a, p) => a + p.macs, 0),
  );
});

test('v1 and v1.5 have the same parameters and differ in MACs only where the stride moves', () => {
  const v1 = only(readExample('imagenet/resnet50.resnet'));
  const v15 = only(readExample('torchvision/resnet50.resnet'));
  assert.equal(v1.cost.params, v15.cost.params);
  assert.ok(v15.cost.macs > v1.cost.macs);
  assert.deepEqual(
    v1.stages.map((s) => s.output),
    v15.stages.map((s) => s.output),
  );
});

test('a template instantiated with n = 3, 5, 7, 9 gives the same networks as the separate files', () => {
  const family = byName(readExample('cifar/family.resnet'));
  for (const depth of [20, 32, 44, 56]) {
    const separate = only(readExample(`cifar/resnet${depth}.resnet`));
    const instance = family.get(`resnet${depth}`);
    assert.equal(instance?.depth, 6 * ((depth - 2) / 6) + 2);
    assert.deepEqual(instance?.cost, separate.cost);
  }
});

test('a user-defined block with `add shortcut` equals the built-in basic block; an explicit projection equals option C', () => {
  const own = byName(readExample('variants/own-block.resnet'));
  const builtin = only(readExample('cifar/resnet20.resnet'));
  assert.deepEqual(own.get('resnet20_own')?.cost, builtin.cost);
  const optionC = only(readExample('cifar/resnet20.resnet').replace('shortcut A', 'shortcut C'));
  assert.deepEqual(own.get('resnet20_c')?.cost, optionC.cost);
});

test('option A adds nothing, B adds projections only where the shape changes, C on every block', () => {
  const text = readExample('cifar/resnet20.resnet');
  const [a, b, c, none] = ['A', 'B', 'C', 'none'].map((o) => only(text.replace('shortcut A', `shortcut ${o}`)));
  assert.equal(a.cost.params, none.cost.params);
  // Two projections (16→32, 32→64), each a 1×1 conv and a BatchNorm.
  assert.equal(b.cost.params - a.cost.params, 16 * 32 + 2 * 32 + 32 * 64 + 2 * 64);
  assert.ok(c.cost.params > b.cost.params);
  assert.equal(none.plain, true);
  assert.equal(a.plain, false);
});

test("ResNeXt and Wide ResNet through groups and base_width match torchvision's published parameter counts", () => {
  assert.equal(only(readExample('variants/resnext50-32x4d.resnet')).cost.params, 25_028_904);
  assert.equal(only(readExample('variants/wide-resnet50-2.resnet')).cost.params, 68_883_240);
});

test('BatchNorm running statistics are non-trainable and counted apart', () => {
  const m = only(readExample('cifar/resnet20.resnet'));
  let bnChannels = 0;
  for (const l of modelLayers(m)) if (l.spec.op === 'bn') bnChannels += l.output[2];
  assert.equal(m.cost.nonTrainable, 2 * bnChannels);
});

test('activation memory scales with the batch and counts every output in float32', () => {
  const m = only(readExample('cifar/resnet20.resnet'));
  assert.equal(activationBytes(m, 256), 2 * activationBytes(m, 128));
  let elements = 32 * 32 * 3;
  for (const l of modelLayers(m)) elements += l.output[0] * l.output[1] * l.output[2];
  // Plus the residual sums: one per block.
  const sums = m.stages
    .flatMap((s) => s.nodes)
    .filter((n) => n.kind === 'block')
    .reduce((a, b) => a + b.output[0] * b.output[1] * b.output[2], 0);
  assert.equal(activationBytes(m, 1), 4 * (elements + sums));
});

test("PyTorch's output-size formula, ceil mode off, for convs and pools with explicit padding", () => {
  const m = only('model t {\n input 15x15x3\n a conv 3x3, 8, stride 2, pad 0\n b maxpool 2x2\n c avgpool 3x3, stride 1, pad 1\n d conv 5x3, 4\n}');
  assert.deepEqual(
    m.stages.map((s) => s.output),
    [
      [7, 7, 8],
      [3, 3, 8],
      [3, 3, 8],
      [3, 3, 4],
    ],
  );
});

test('integer arithmetic and lets: 6n+2 depth, widths computed from parameters', () => {
  const m = only('let base = 8\nmodel t {\n input 8x8x3, classes 2\n let n = 2\n s basic(base * 2) x n*3 - 4\n head avgpool, fc classes\n}'.replace('fc classes', 'fc 2'));
  assert.equal(m.stages[0].nodes.length, 2);
  assert.equal(m.stages[0].output[2], 16);
});

test("the recipe is read, checked and completed with the paper's CIFAR recipe", () => {
  const m = only(readExample('cifar/resnet110.resnet'));
  assert.deepEqual(
    { ...m.recipe, explicit: undefined },
    {
      dataset: 'cifar10',
      batchSize: 128,
      optimizer: 'sgd',
      lr: 0.1,
      momentum: 0.9,
      weightDecay: 1e-4,
      decayFactor: 0.1,
      milestones: [32000, 48000],
      unit: 'iterations',
      duration: 64000,
      warmup: { steps: 400, lr: 0.01 },
      augment: { pad: 4, crop: 32, flip: true },
      subtractMean: true,
      validation: 5000,
      seed: 1,
      layerStats: { images: 64 },
      explicit: undefined,
    },
  );
  const defaults = only('model t {\n input 8x8x1, classes 2\n h avgpool, fc 2\n}').recipe;
  assert.equal(defaults.batchSize, 128);
  assert.deepEqual(defaults.milestones, [32000, 48000]);
});

test('--input re-analyzes a model at another size', () => {
  const a = analyze(readExample('imagenet/resnet18.resnet'), { input: [64, 64, 3] });
  assert.deepEqual(a.models[0].stages.find((s) => s.name === 'conv5_x')?.output, [2, 2, 512]);
});

test('a recipe that sets its length but not its milestones decays at 50% and 75%, and never at the end', () => {
  const recipe = (length: string) => only(`model t {\n input 8x8x1, classes 2\n h avgpool, fc 2\n train { ${length} }\n}`).recipe.milestones;
  assert.deepEqual(recipe('iterations 64k'), [32000, 48000]);
  assert.deepEqual(recipe('epochs 160'), [80, 120]);
  assert.deepEqual(recipe('epochs 2'), [1]);
  assert.deepEqual(recipe('epochs 1'), []);
});
