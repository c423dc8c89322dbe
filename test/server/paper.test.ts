// The paper's models: the generated templates are the paper's networks (the same figures as the
// examples), and a network is recognised as the paper's by its architecture alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import type { ModelNode } from '../../src/core/analysis/network';
import { findPaperModel, paperModels } from '../../src/core/paper';
import { modelName, paperModelSource } from '../../src/server/paperTemplates';
import { exampleFiles, readExample } from '../helpers/examples';

function onlyModel(text: string): ModelNode {
  const analysis = analyze(text);
  assert.deepEqual(
    analysis.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(analysis.models.length, 1);
  return analysis.models[0];
}

for (const paper of paperModels) {
  test(`the ${paper.name} template has the paper's architecture and the example's figures`, () => {
    const model = onlyModel(paperModelSource(paper));
    assert.equal(model.name, modelName(paper));
    assert.equal(model.depth, paper.depth);
    // src/core/paper.ts's exact params are the rows of test/fixtures/reference-figures.md (PyTorch).
    assert.equal(model.cost.params, paper.exactParams);
    assert.equal(findPaperModel(model), paper);
    const example = onlyModel(readExample(`${paper.dataset === 'imagenet' ? 'imagenet' : 'cifar'}/${modelName(paper)}.resnet`));
    assert.deepEqual(model.cost, example.cost);
    assert.deepEqual(model.recipe, example.recipe);
  });
}

// As printed in He et al., "Deep Residual Learning for Image Recognition" (https://arxiv.org/abs/1512.03385):
// Table 1's FLOPs (multiply-adds, ×10⁹) and Table 6's params (millions) and CIFAR-10 test errors (%).
test("the paper's figures as printed", () => {
  const byName = new Map(paperModels.map((p) => [`${p.dataset}:${p.name}`, p]));
  // Table 1, last row.
  assert.deepEqual(
    ['ResNet-18', 'ResNet-34', 'ResNet-50', 'ResNet-101', 'ResNet-152'].map((n) => byName.get(`imagenet:${n}`)?.table1Gflops),
    [1.8, 3.6, 3.8, 7.6, 11.3],
  );
  // Table 6, "# params" and "error (%)" (ResNet-110: its best run; the mean of 5 is 6.61 ± 0.16).
  assert.deepEqual(
    ['ResNet-20', 'ResNet-32', 'ResNet-44', 'ResNet-56', 'ResNet-110', 'ResNet-1202'].map((n) => [byName.get(`cifar10:${n}`)?.table6Mparams, byName.get(`cifar10:${n}`)?.cifarTestError]),
    [
      [0.27, 8.75],
      [0.46, 7.51],
      [0.66, 7.17],
      [0.85, 6.97],
      [1.7, 6.43],
      [19.4, 7.93],
    ],
  );
});

test('every example is matched by architecture: other shortcut options and plain nets too, other widths not', () => {
  const matched = new Map<string, string | undefined>();
  for (const file of exampleFiles()) {
    for (const model of analyze(readExample(file)).models) matched.set(`${file}:${model.name}`, findPaperModel(model)?.name);
  }
  assert.equal(matched.get('imagenet/plain34.resnet:plain34'), 'ResNet-34');
  assert.equal(matched.get('torchvision/resnet50.resnet:resnet50'), 'ResNet-50');
  assert.equal(matched.get('cifar/resnet56-b.resnet:resnet56_b'), 'ResNet-56');
  assert.equal(matched.get('cifar/plain20.resnet:plain20'), 'ResNet-20');
  assert.equal(matched.get('variants/resnext50-32x4d.resnet:resnext50_32x4d'), undefined);
  assert.equal(matched.get('variants/wide-resnet50-2.resnet:wide_resnet50_2'), undefined);
  const renamed = onlyModel(readExample('imagenet/resnet152.resnet').replace('model resnet152', 'model whatever'));
  assert.equal(findPaperModel(renamed)?.name, 'ResNet-152');
  const narrower = onlyModel(readExample('imagenet/resnet152.resnet').replace('bottleneck(512)', 'bottleneck(448)'));
  assert.equal(findPaperModel(narrower), undefined);
});
