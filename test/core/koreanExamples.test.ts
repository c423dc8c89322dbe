// examples/ko/: the paper's models with a study group's Korean comments. They are the same
// networks as the English examples (same shapes, parameters, MACs and recipe) and the paper
// recognises them; the comments change nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { findPaperModel } from '../../src/core/paper';
import { readExample } from '../helpers/examples';

const pairs: [string, string, string][] = [
  ['ko/resnet20.resnet', 'cifar/resnet20.resnet', 'ResNet-20'],
  ['ko/resnet34.resnet', 'imagenet/resnet34.resnet', 'ResNet-34'],
  ['ko/resnet50.resnet', 'imagenet/resnet50.resnet', 'ResNet-50'],
];

for (const [korean, english, paper] of pairs) {
  test(`${korean} is ${english} with Korean comments`, () => {
    const text = readExample(korean);
    assert.match(text, /[\uac00-\ud7a3]/);
    const ko = analyze(text);
    const en = analyze(readExample(english));
    assert.deepEqual(ko.diagnostics, []);
    assert.equal(ko.models.length, 1);
    const [a, b] = [ko.models[0], en.models[0]];
    assert.deepEqual([a.input, a.output, a.depth, a.cost, a.recipe], [b.input, b.output, b.depth, b.cost, b.recipe]);
    assert.equal(findPaperModel(a)?.name, paper);
  });
}
