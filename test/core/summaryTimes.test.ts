// The model summary coloured by measured time: which row is which layer or stage, its ms and share
// of the measured time, its heat against the slowest row of its kind; and without times, how to
// get them. The times here are chosen, not measured: what is tested is the mapping onto the table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { modelLayers } from '../../src/core/analysis/network';
import { formatSummary } from '../../src/core/report/summary';
import { timedSummary, type MeasuredTimes } from '../../src/core/report/summaryTimes';
import { readExample } from '../helpers/examples';

const model = analyze(readExample('cifar/resnet20.resnet')).models[0];
const options = { batchSize: 8 };
const SLOW = 'conv2_x.0.conv2';

/** A profile document of resnet20: every layer 1 ms (0.4 forward, 0.6 backward), one ten times slower. */
function profile(layers = [...modelLayers(model)]): MeasuredTimes {
  return {
    model: model.name,
    engine: 'tfjs',
    device: 'wasm, CPU',
    batch: 8,
    layers: layers.map((l) => (l.path === SLOW ? { path: l.path, forwardMs: 4, backwardMs: 6 } : { path: l.path, forwardMs: 0.4, backwardMs: 0.6 })),
  };
}

test('with times for the model: every layer and stage row has its ms, share and heat, on its own line', () => {
  const layers = [...modelLayers(model)];
  const { text, times } = timedSummary(model, options, profile());
  const lines = text.split('\n');
  const total = layers.length - 1 + 10;
  const layerRows = times.filter((t) => !model.stages.some((s) => s.name === t.path));
  const stageRows = times.filter((t) => model.stages.some((s) => s.name === t.path));
  assert.equal(layerRows.length, layers.length, 'a row per layer');
  assert.equal(stageRows.length, model.stages.length, 'a row per stage total');
  for (const row of layerRows) assert.ok(lines[row.line].startsWith(`${row.path} `), `line ${row.line} is ${row.path}'s row: ${lines[row.line]}`);
  for (const row of stageRows) assert.ok(lines[row.line].startsWith(`${row.path} (stage total)`), lines[row.line]);
  const slow = layerRows.find((r) => r.path === SLOW)!;
  assert.equal(slow.ms, 10);
  assert.equal(slow.heat, 1);
  assert.ok(Math.abs(slow.share - 10 / total) < 1e-12);
  const other = layerRows.find((r) => r.path === 'conv1.conv1')!;
  assert.equal(other.ms, 1);
  assert.ok(Math.abs(other.heat - 0.1) < 1e-12);
  const sum = (rows: typeof times) => rows.reduce((a, r) => a + r.share, 0);
  assert.ok(Math.abs(sum(layerRows) - 1) < 1e-9 && Math.abs(sum(stageRows) - 1) < 1e-9, 'layers and stages each add up to the whole');
  const conv2 = stageRows.find((r) => r.path === 'conv2_x')!;
  assert.equal(conv2.ms, [...layers].filter((l) => l.path.startsWith('conv2_x.')).length - 1 + 10);
  assert.equal(conv2.heat, 1, 'the slowest stage');
  // The table itself is the one without times; the notes follow it.
  assert.ok(text.startsWith(formatSummary(model, options)));
  assert.match(text, new RegExp(`Measured time \\(TF\\.js on wasm, CPU, batch 8, forward \\+ backward\\): ${total.toFixed(3)} ms in all`));
  assert.match(text, new RegExp(`Slowest layer: ${SLOW.replace(/\./g, '\\.')}, 10\\.000 ms \\(${((100 * 10) / total).toFixed(1)}%\\)`));
});

test('without times, or with times of another model, no row is timed and the summary says how to get them', () => {
  for (const measured of [undefined, { ...profile(), model: 'resnet56' }]) {
    const { text, times } = timedSummary(model, options, measured);
    assert.deepEqual(times, []);
    assert.ok(text.startsWith(formatSummary(model, options)));
    assert.match(
      text,
      /No measured times for resnet20.*: to colour this table by them, run `resnet-studio profile FILE --model resnet20 --json > times\.json`, then "ResNet: Colour Architecture by Measured Time…"/,
    );
    if (measured) assert.match(text, /the times loaded are for resnet56/);
  }
});

test('a profile of another version of the model: its missing layers are counted and have no time', () => {
  const layers = [...modelLayers(model)];
  const { text, times } = timedSummary(model, options, profile(layers.slice(0, 10)));
  assert.match(text, new RegExp(`${layers.length - 10} layers have no measured time`));
  assert.equal(times.find((t) => t.path === layers[12].path)?.ms, 0);
  assert.equal(times.find((t) => t.path === layers[12].path)?.heat, 0);
});
