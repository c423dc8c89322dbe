// Res2Net's split (Gao et al. 2019; docs/language-design.md) through the real parser and analyzer:
// the groups' shapes and counts, the layers' names (timm's module lists), and what is said at the
// place of each mistake.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { modelLayers, type SplitNode } from '../../src/core/analysis/network';
import { describeSplit } from '../../src/core/report/layerKind';
import { render } from '../../src/core/l10n/format';

function analyzed(blocks: string, body: string) {
  const analysis = analyze(`${blocks}\nmodel m {\n${body}\n}\n`);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  return { analysis, model: analysis.models.find((m) => m.name === 'm'), errors, messages: errors.map((d) => d.message) };
}

const CASCADE = `block r2(w) {
  conv 1x1, 4 * w, bn, relu
  split 4, cascade, keep {
    conv 3x3, w, bn, relu
  }
  conv 1x1, 4 * w, bn
  add shortcut
  relu
}`;

const STAGE = `block r2s(w, stride = 1) {
  conv 1x1, 4 * w, bn, relu
  split 4, keep {
    conv 3x3, w, stride stride, bn, relu
    keep avgpool 3x3, stride stride, pad 1
  }
  conv 1x1, 4 * w, bn
  add shortcut
  relu
}`;

function splitOf(model: ReturnType<typeof analyzed>['model']): SplitNode {
  const block = model?.stages[0]?.nodes[0];
  assert.ok(block?.kind === 'block', 'a block');
  const split = block.branch.find((n): n is SplitNode => n.kind === 'split');
  assert.ok(split, 'the block has a split');
  return split;
}

test('a cascading split with a kept group: three groups run their own 3×3, the fourth passes; counts and shape', () => {
  const { model, messages } = analyzed(CASCADE, 'input 8x8x104\ns r2(26)');
  assert.deepEqual(messages, []);
  assert.ok(model);
  const split = splitOf(model);
  assert.equal(describeSplit(split), 'split 4, cascade, keep');
  assert.deepEqual(split.output, [8, 8, 104]);
  assert.equal(split.columns.length, 4);
  assert.deepEqual(split.columns.at(-1), [], 'the kept group passes as it is');
  // Three groups of 26 channels: a 3×3 convolution and a BatchNorm each.
  assert.equal(split.cost.params, 3 * (26 * 26 * 9 + 2 * 26));
  assert.equal(split.cost.nonTrainable, 3 * 2 * 26);
  assert.equal(split.cost.macs, 3 * 8 * 8 * 26 * 26 * 9);
  assert.equal(model.cost.params, 104 * 104 + 2 * 104 + split.cost.params + 104 * 104 + 2 * 104);
});

test("a split's layers are named as timm's Res2Net names its modules: convs.i, bns.i, the kept group's pool, then conv3", () => {
  const { model, messages } = analyzed(STAGE, 'input 8x8x64\ns r2s(16, stride 2)');
  assert.deepEqual(messages, []);
  assert.ok(model);
  const paths = [...modelLayers(model)].map((l) => l.path);
  assert.deepEqual(paths.slice(0, 3), ['s.0.conv1', 's.0.bn1', 's.0.relu1']);
  assert.deepEqual(paths.slice(3, 6), ['s.0.convs.0', 's.0.bns.0', 's.0.relus.0']);
  assert.ok(paths.includes('s.0.convs.2') && paths.includes('s.0.bns.2') && paths.includes('s.0.pool'), paths.join(' '));
  assert.ok(paths.includes('s.0.conv3') && paths.includes('s.0.bn3'), paths.join(' '));
  const split = splitOf(model);
  // Every group strides, the kept one by its pooling: 4×4, and the channels concatenated back.
  assert.deepEqual(split.output, [4, 4, 64]);
  assert.equal(model.stages[0]?.nodes[0]?.output[0], 4);
});

test('a split without keep runs every group through the layers; without cascade none adds into the next', () => {
  const { model, messages } = analyzed('block b(w) {\n  split 2 { conv 3x3, w, bn }\n  add shortcut\n}', 'input 8x8x32\ns b(16)');
  assert.deepEqual(messages, []);
  const split = splitOf(model);
  assert.equal(split.columns.length, 2);
  assert.equal(split.cost.params, 2 * (16 * 16 * 9 + 32));
  assert.deepEqual(split.output, [8, 8, 32]);
});

test('a split that does not divide the channels is an error at its count, with the nearest divisor as the quick fix', () => {
  const { errors } = analyzed('block b {\n  split 7 { conv 3x3, 10 }\n}', 'input 8x8x60\ns b()');
  const error = errors.find((d) => /split 7 must divide the 60 channels/.test(d.message));
  assert.ok(error, errors.map((d) => d.message).join('\n'));
  assert.equal(error.range.startLine, 2);
  assert.equal(error.range.startColumn, 9);
  assert.deepEqual(error.fix, { kind: 'rename', to: '6' });
  assert.ok(error.text);
  assert.match(render('ko', error.text), /split 7/);
});

test('a split written with a parameter that does not divide is an error there, without a quick fix (the fix would lose the parameter)', () => {
  const { errors } = analyzed('block b(s) {\n  split s { conv 3x3, 10 }\n}', 'input 8x8x60\ns b(7)');
  const error = errors.find((d) => /split 7 must divide/.test(d.message));
  assert.ok(error);
  assert.equal(error.fix, undefined);
});

test('misuse of split is said at its place', () => {
  const cases: [blocks: string, body: string, message: RegExp, line: number][] = [
    ['', 'input 8x8x16\ns conv 1x1, 16\nsplit 2 { conv 3x3, 8 }', /`split` belongs in a block's body/, 5],
    ['block b {\n  split { conv 3x3, 8 }\n}', 'input 8x8x16\ns b()', /`split` needs the number of groups/, 2],
    ['block b {\n  split 1, keep { conv 3x3, 8 }\n}', 'input 8x8x16\ns b()', /needs at least 2 groups, not 1/, 2],
    ['block b {\n  split 2 { basic(8) }\n}', 'input 8x8x16\ns b()', /a split's groups run layers only/, 2],
    ['block b {\n  split 2 {\n    conv 3x3, 8\n    last conv 3x3, 8\n  }\n}', 'input 8x8x16\ns b()', /takes only the label `keep`/, 4],
    ['block b {\n  split 2, cascade { conv 3x3, 8, stride 2 }\n}', 'input 8x8x16\ns b()', /`cascade` adds each group's output \(4×4×8\) into the next group's input \(8×8×8\)/, 2],
    ['block b {\n  split 2, keep { conv 3x3, 8, stride 2 }\n}', 'input 8x8x16\ns b()', /the groups give 4×4×8, the kept group 8×8×8/, 2],
    ['block b {\n  split 2, tangle { conv 3x3, 8 }\n}', 'input 8x8x16\ns b()', /too many arguments for `split`: it takes groups, `cascade`, `keep`/, 2],
  ];
  for (const [blocks, body, message, line] of cases) {
    const { errors } = analyzed(blocks, body);
    const error = errors.find((d) => message.test(d.message));
    assert.ok(error, `${message}: ${errors.map((d) => d.message).join('\n')}`);
    assert.equal(error.range.startLine, line, `${message} at line ${line}`);
  }
});

test('the kept group may not skip the stride: the concatenation error names both shapes and points at both sides', () => {
  const { errors } = analyzed('block b {\n  split 2, keep {\n    conv 3x3, 8, stride 2\n    keep relu\n  }\n}', 'input 8x8x16\ns b()');
  const error = errors.find((d) => /concatenates/.test(d.message));
  assert.ok(error);
  assert.deepEqual(
    error.related?.map((r) => [r.range.startLine, r.message]),
    [
      [3, "a group's output: 4×4×8"],
      [4, "the kept group's output: 8×8×8"],
    ],
  );
});
