// The architecture diff in the core: matching by path, order of changes, deltas that add up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { diffModels, mergeInOrder, modelParts } from '../../src/core/diff/architectureDiff';
import { readExample } from '../helpers/examples';

test('mergeInOrder keeps the new order and puts each removed name where it was', () => {
  assert.deepEqual(mergeInOrder(['a', 'b', 'c', 'd'], ['a', 'c', 'x', 'd']), ['a', 'b', 'c', 'x', 'd']);
  assert.deepEqual(mergeInOrder(['a', 'b'], []), ['a', 'b']);
  assert.deepEqual(mergeInOrder([], ['a', 'b']), ['a', 'b']);
  assert.deepEqual(mergeInOrder(['a', 'b', 'c'], ['c', 'b', 'a']), ['c', 'b', 'a']);
  assert.deepEqual(mergeInOrder(['s.0', 's.1', 's.2', 't.0'], ['s.0', 't.0', 't.1']), ['s.0', 's.1', 's.2', 't.0', 't.1']);
});

test('modelParts lists every block and layer once, and the layers are those of stats', () => {
  const model = analyze(readExample('imagenet/resnet50.resnet')).models[0];
  const parts = modelParts(model);
  assert.equal(new Set(parts.map((p) => p.path)).size, parts.length);
  assert.equal(parts.filter((p) => p.figures.part === 'block').length, 3 + 4 + 6 + 3);
  const layerParams = parts.filter((p) => p.figures.part === 'layer').reduce((a, p) => a + p.figures.params, 0);
  assert.equal(layerParams, model.cost.params);
});

test('moving text without changing the network is no change', () => {
  const source = readExample('cifar/resnet20.resnet');
  const moved = source.replace('model resnet20 {', '// a comment\n\nmodel resnet20 {');
  const d = diffModels(analyze(source).models[0], analyze(moved).models[0], 32);
  assert.deepEqual(d.changes, []);
});

test('a block deep in a stage that changes width shows the block and its layers, with the shapes', () => {
  const source = readExample('cifar/resnet20.resnet');
  const wider = source.replace('conv4_x  basic(64) x 3', 'conv4_x  basic(96) x 3');
  assert.notEqual(wider, source);
  const oldModel = analyze(source).models[0];
  const newModel = analyze(wider).models[0];
  const d = diffModels(oldModel, newModel, 128);
  assert.ok(d.changes.some((c) => c.path === 'conv4_x.2.conv2' && c.new!.outputShape[2] === 96 && c.old!.outputShape[2] === 64));
  assert.ok(
    d.changes.some((c) => c.path === 'head.fc1' && c.change === 'changed'),
    'the fc layer has more inputs',
  );
  assert.equal(d.delta.params, newModel.cost.params - oldModel.cost.params);
  assert.deepEqual(
    d.stages.filter((s) => s.delta.params !== 0).map((s) => s.name),
    ['conv4_x', 'head'],
  );
});
