// The columns of the dashboard's "Layer responses" and "Gradient flow" charts
// (webview/dashboard/layerStatsData.ts) from recorded layerStats messages: the network's order or
// sorted largest first (the paper's two panels of Fig. 7), the measurement at a slider's step,
// layers without the measure left out, runs of different depths side by side.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartColumns, layerChart, measuredSteps, recordAt, type LayerStatsRun } from '../../webview/dashboard/layerStatsData';

const plain: LayerStatsRun = {
  id: 'runs/plain',
  label: 'plain-20',
  color: 0,
  plain: true,
  records: [
    {
      step: 1,
      layers: [
        { path: 'conv1.conv1', responseStd: 0.5, gradNorm: 0.01 },
        { path: 'conv1.bn1', gradNorm: 0.02 },
        { path: 'conv2_x.0.conv1', responseStd: 0.9, gradNorm: 0.001 },
        { path: 'conv2_x.0.conv2', responseStd: 0.7, gradNorm: null },
      ],
    },
    {
      step: 100,
      layers: [
        { path: 'conv1.conv1', responseStd: 0.4, gradNorm: 0.03 },
        { path: 'conv2_x.0.conv1', responseStd: 1.2, gradNorm: 0.002 },
        { path: 'conv2_x.0.conv2', responseStd: 0.6, gradNorm: 0.004 },
      ],
    },
  ],
};

const residual: LayerStatsRun = {
  id: 'runs/residual',
  label: 'resnet-20',
  color: 1,
  records: [{ step: 50, layers: [{ path: 'conv1.conv1', responseStd: 0.3, gradNorm: 0.5 }] }],
};

test('the latest measurement of each run, in the network order, layers without the measure left out', () => {
  const model = layerChart([plain, residual], 'responseStd', false);
  assert.deepEqual(model.x, [1, 2, 3]);
  assert.deepEqual(
    model.lines.map((l) => [l.label, l.step, l.ys, l.paths, l.plain]),
    [
      ['plain-20', 100, [0.4, 1.2, 0.6], ['conv1.conv1', 'conv2_x.0.conv1', 'conv2_x.0.conv2'], true],
      ['resnet-20', 50, [0.3], ['conv1.conv1'], false],
    ],
  );
  // The shorter run ends where its layers end.
  assert.deepEqual(chartColumns(model), [
    [1, 2, 3],
    [0.4, 1.2, 0.6],
    [0.3, null, null],
  ]);
});

test('sorted: largest first, each point still naming its layer', () => {
  const [line] = layerChart([plain], 'responseStd', true).lines;
  assert.deepEqual(line?.ys, [1.2, 0.6, 0.4]);
  assert.deepEqual(line?.paths, ['conv2_x.0.conv1', 'conv2_x.0.conv2', 'conv1.conv1']);
});

test('gradient flow at a slider step: the measurement at or before it, null and absent norms skipped', () => {
  const early = layerChart([plain, residual], 'gradNorm', false, 10);
  assert.deepEqual(
    early.lines.map((l) => [l.label, l.step, l.ys]),
    [
      ['plain-20', 1, [0.01, 0.02, 0.001]],
      // A run whose first measurement is later shows its first.
      ['resnet-20', 50, [0.5]],
    ],
  );
  assert.deepEqual(measuredSteps([plain, residual]), [1, 50, 100]);
  assert.equal(recordAt(plain.records, 99)?.step, 1);
  assert.equal(recordAt(plain.records, 100)?.step, 100);
  assert.equal(recordAt([], 5), undefined);
});

test("responses are the convolutions' (Fig. 7), not the logits'; gradient flow has every layer", () => {
  const run: LayerStatsRun = {
    id: 'runs/r',
    label: 'r',
    color: 0,
    records: [
      {
        step: 1,
        layers: [
          { path: 'conv1.conv1', op: 'conv', responseStd: 0.8, gradNorm: 0.1 },
          { path: 'head.fc1', op: 'fc', responseStd: 4.5, gradNorm: 0.3 },
        ],
      },
    ],
  };
  assert.deepEqual(layerChart([run], 'responseStd', true).lines[0]?.paths, ['conv1.conv1']);
  assert.deepEqual(layerChart([run], 'gradNorm', false).lines[0]?.paths, ['conv1.conv1', 'head.fc1']);
});

test('a run with no measurement, or none of this measure, draws no line', () => {
  const empty: LayerStatsRun = { id: 'runs/young', label: 'young', color: 2, records: [] };
  const noGrad: LayerStatsRun = { id: 'runs/nograd', label: 'no grads', color: 3, records: [{ step: 1, layers: [{ path: 'a', responseStd: 1 }] }] };
  const model = layerChart([empty, noGrad], 'gradNorm', false);
  assert.deepEqual(model.lines, []);
  assert.deepEqual(model.x, []);
  assert.deepEqual(chartColumns(model), [[]]);
});
