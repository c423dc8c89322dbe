// One figure per fact: the activation memory of a training step is computed by one owner
// (src/core/report/trainingMemory.ts) and every view shows that figure: the hover and the summary
// (the model's), the architecture view (its header, each stage, block and layer) and `diff`. A
// part's figure is what its own layers keep, so the parts sum to the model's.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { diffModels } from '../../src/core/diff/architectureDiff';
import { architectureGraph, graphItems, type GraphItem } from '../../src/core/report/architectureGraph';
import { formatBytes } from '../../src/core/report/numbers';
import { summaryTable } from '../../src/core/report/summary';
import { trainingMemory } from '../../src/core/report/trainingMemory';
import { exampleFiles, readExample } from '../helpers/examples';

const BATCH = 128;

function items(nodes: readonly GraphItem[]): GraphItem[] {
  return [...graphItems(nodes)];
}

test('the architecture view shows the step memory of the hover and the summary, and its parts sum to it (every example)', () => {
  for (const file of exampleFiles()) {
    for (const model of analyze(readExample(file)).models) {
      const kept = trainingMemory(model, BATCH).activationsBytes;
      const graph = architectureGraph(model, [], BATCH);
      assert.equal(graph.totals.activationBytes, kept, `${file} ${model.name}: the header's figure`);
      assert.equal(
        graph.stages.reduce((sum, s) => sum + s.cost.activationBytes, 0),
        kept,
        `${file} ${model.name}: the stages sum to the model`,
      );
      for (const stage of graph.stages) {
        const layers = items(stage.items).filter((n) => n.kind === 'layer');
        assert.equal(
          layers.reduce((sum, l) => sum + l.cost.activationBytes, 0),
          stage.cost.activationBytes,
          `${file} ${model.name} ${stage.name}: the layers sum to the stage`,
        );
      }
      const summary = summaryTable(model, { batchSize: BATCH }).text;
      assert.ok(summary.includes(formatBytes(kept)), `${file} ${model.name}: the summary says ${formatBytes(kept)}`);
    }
  }
});

test('ResNet-50 at batch 128: the header says what the hover says (once 17.23 GiB against 9.67 GiB)', () => {
  const [model] = analyze(readExample(join('imagenet', 'resnet50.resnet'))).models;
  assert.ok(model);
  const graph = architectureGraph(model, [], BATCH);
  assert.equal(formatBytes(graph.totals.activationBytes), formatBytes(trainingMemory(model, BATCH).activationsBytes));
  assert.notEqual(formatBytes(graph.totals.activationBytes), '17.23 GiB');
});

test("diff's activation deltas are the change in that figure, per stage and in total", () => {
  const [v1] = analyze(readExample(join('imagenet', 'resnet50.resnet'))).models;
  const [v15] = analyze(readExample(join('torchvision', 'resnet50.resnet'))).models;
  assert.ok(v1 && v15);
  const d = diffModels(v1, v15, BATCH);
  assert.equal(d.delta.activationBytes, trainingMemory(v15, BATCH).activationsBytes - trainingMemory(v1, BATCH).activationsBytes);
  assert.equal(
    d.stages.reduce((sum, s) => sum + s.delta.activationBytes, 0),
    d.delta.activationBytes,
  );
});
