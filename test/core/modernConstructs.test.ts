// The constructs for today's residual networks (issue 19, docs/language-design.md), through the
// real parser and analyzer: shapes, counts and what is said at the place of a mistake.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { dropPathRates } from '../../src/core/analysis/dropPath';
import { modelLayers } from '../../src/core/analysis/network';
import { savedActivations } from '../../src/core/report/trainingMemory';

function model(body: string, blocks = '') {
  const analysis = analyze(`${blocks}\nmodel m {\n${body}\n}\n`);
  return { analysis, model: analysis.models.find((m) => m.name === 'm'), errors: analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message) };
}

test('activations, GroupNorm and LayerNorm: GroupNorm and LayerNorm have 2 parameters per channel and no running statistics', () => {
  const { model: m, errors } = model('input 8x8x3\nconv 3x3, 32, gn 8, relu6, ln, sigmoid, hardsigmoid, silu, swish, hardswish, gelu, layerscale 1e-6');
  assert.deepEqual(errors, []);
  assert.ok(m);
  assert.equal(m.cost.params, 3 * 9 * 32 + 2 * 32 + 2 * 32 + 32);
  assert.equal(m.cost.nonTrainable, 0);
  assert.deepEqual(m.output, [8, 8, 32]);
});

test('gn groups that do not divide the channels are an error at the layer', () => {
  const { errors } = model('input 8x8x3\nconv 3x3, 30, gn 8');
  assert.ok(
    errors.some((e) => /gn's 8 groups must divide the 30 channels/.test(e)),
    errors.join('\n'),
  );
});

test('se and eca gates: timm squeeze widths and ECA kernels, the shape kept', () => {
  const { model: se } = model('input 8x8x256\nse()');
  assert.ok(se);
  // make_divisible(256 / 16, 8) = 16: 256·16 + 16 + 16·256 + 256.
  assert.equal(se.cost.params, 256 * 16 + 16 + 16 * 256 + 256);
  assert.deepEqual(se.output, [8, 8, 256]);
  const { model: eca } = model('input 8x8x2048\neca()');
  assert.ok(eca);
  assert.equal(eca.cost.params, 7); // ⌊|log2 2048 + 1| / 2⌋ = 6, made odd
  assert.equal(eca.cost.macs, 2048 * 7);
});

test('a gate whose factor is not 1×1×C or the input shape is an error naming both shapes', () => {
  const { errors } = model('input 8x8x64\ngate { avgpool, conv 1x1, 32 }');
  assert.ok(
    errors.some((e) => /1×1×32/.test(e) && /8×8×64/.test(e)),
    errors.join('\n'),
  );
});

test('ceil pools give PyTorch ceil_mode sizes; repeat counts of zero add no block; functions', () => {
  const { model: pool } = model('input 13x13x4\navgpool 2x2, stride 2, ceil, exclude_pad');
  assert.deepEqual(pool?.output, [7, 7, 4]);
  const { model: none, errors } = model('input 8x8x16\na basic(16) x 0\nb conv 1x1, make_divisible(100 / 4, 8), bias\nc conv 1x1, max(1, round(2.5)), odd(4) - 4');
  assert.deepEqual(errors, []);
  assert.equal(none?.stages[0]?.nodes.length, 0);
  assert.deepEqual(none?.stages[1]?.output, [8, 8, 24]);
  assert.deepEqual(none?.stages[2]?.output, [8, 8, 2]);
});

test('pre-activation: the projection reads the tap, without BatchNorm where the add says norm none', () => {
  const blocks = 'block pre(w, stride = 1) {\n  bn, relu\n  tap\n  conv 3x3, w, stride stride\n  bn, relu\n  conv 3x3, w\n  add shortcut, norm none\n}';
  const { model: m, errors } = model('input 8x8x16\npre(32) x 1, stride 2', blocks);
  assert.deepEqual(errors, []);
  const block = m?.stages[0]?.nodes[0];
  assert.ok(block?.kind === 'block' && block.tap === 2 && block.shortcut?.kind === 'layers');
  assert.equal(block.shortcut.layers.length, 1);
  assert.equal(m?.cost.nonTrainable, 2 * 16 + 2 * 32);
});

test('add if_same adds the identity only where the shape stays; drop path follows the schedule and is off where nothing is added', () => {
  const blocks = 'block inv(out, stride = 1) {\n  conv 3x3, out, stride stride, bn\n  droppath\n  add if_same\n}';
  const { model: m, errors } = model('input 8x8x16\ndrop_path 0.3\nsa inv(16) x 2\nsb inv(32) x 2, stride 2', blocks);
  assert.deepEqual(errors, []);
  assert.ok(m);
  const blocksOf = m.stages.flatMap((s) => s.nodes);
  assert.deepEqual(
    blocksOf.map((b) => b.kind === 'block' && b.shortcut !== undefined),
    [true, true, false, true],
  );
  const rates = [...modelLayers(m)].filter((l) => l.spec.op === 'droppath').map((l) => dropPathRates(m).get(l));
  // rate · k / (K − 1), computed in timm's order.
  assert.deepEqual(rates, [0, (0.3 * 1) / 3, 0, 0.3]);
  assert.ok(savedActivations(m).perSampleBytes > 0);
});

test('a bare droppath without the model setting, and tap outside a block, are errors at their place', () => {
  const { errors } = model('input 8x8x16\nconv 3x3, 16, droppath, tap');
  assert.ok(
    errors.some((e) => /drop_path/.test(e)),
    errors.join('\n'),
  );
});

test("an even channelconv kernel is refused at the kernel (PyTorch's Conv1d would give C − 1 channels), with the next odd kernel as the quick fix", () => {
  for (const [body, line, column] of [
    ['input 8x8x64\ngate { avgpool, channelconv 4, sigmoid }', 4, 29],
    ['input 8x8x64\ngate { avgpool, channelconv kernel 4, sigmoid }', 4, 36],
    ['input 8x8x64\neca(kernel 4)', 4, 12],
  ] as const) {
    const { analysis, errors } = model(body);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0] ?? '', /needs an odd kernel, not 4: .* one channel fewer than the input .* use 5/);
    const [error] = analysis.diagnostics;
    assert.deepEqual([error?.range.startLine, error?.range.startColumn, error?.range.endColumn], [line, column, column + 1], body);
    assert.deepEqual(error?.fix, { kind: 'rename', to: '5' });
  }
  // Written with a parameter: said there, with no fix that would replace the parameter by a number.
  const { analysis } = model('input 8x8x64\ns b(4)', 'block b(k) {\n  gate { avgpool, channelconv k, sigmoid }\n}');
  const [error] = analysis.diagnostics.filter((d) => d.severity === 'error');
  assert.match(error?.message ?? '', /odd kernel, not 4/);
  assert.equal(error?.fix, undefined);
  // Odd kernels, and eca's own (made odd), are as before.
  assert.deepEqual(model('input 8x8x64\ngate { avgpool, channelconv 5, sigmoid }\neca()\neca(kernel 3)').errors, []);
});
