// Overlaid runs are decimated before they are aligned (webview/dashboard/decimate.ts): the points
// drawn must be those of decimating the aligned columns, without building them on every frame.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignTables, alignedLength } from '../../webview/dashboard/align';
import { chartWords, lossChart } from '../../webview/dashboard/chartData';
import { pageText } from '../../webview/pageText';
import { pageStrings } from '../../src/extension/webviewHtml';
import { decimate, decimateTables, paddedEnd } from '../../webview/dashboard/decimate';
import { GrowableColumn } from '../../src/core/metrics/column';
import { RunSeries } from '../../webview/dashboard/runSeries';
import { DEFAULT_STATE } from '../../webview/dashboard/viewOptions';

const noisy = (n: number, seed: number, from = 1) =>
  Array.from({ length: n }, (_, i) => {
    const step = from + i;
    return { step, loss: 2 * Math.exp(-step / 3000) + (Math.abs(Math.sin(step * 12.9898 + seed) * 43758.5453) % 0.3) };
  });

function run(name: string, points: { step: number; loss: number }[]): RunSeries {
  const series = new RunSeries(name);
  for (const p of points) series.add({ type: 'batch', step: p.step, epoch: 0, loss: p.loss, accuracy: 0.5, lr: 0.1, imagesPerSec: 1 });
  return series;
}

test('runs on the same steps: decimating them one by one gives what decimating the aligned columns gives', () => {
  const tables = [
    { x: noisy(20_000, 1).map((p) => p.step), ys: [noisy(20_000, 1).map((p) => p.loss)] },
    { x: noisy(12_000, 2).map((p) => p.step), ys: [noisy(12_000, 2).map((p) => p.loss), noisy(12_000, 3).map((p) => p.loss)] },
    { x: noisy(500, 4).map((p) => p.step), ys: [noisy(500, 4).map((p) => p.loss)] },
  ];
  for (const [from, to] of [
    [-Infinity, Infinity],
    [4000.5, 9000.5],
    [11_000, 15_000],
  ]) {
    const expected = decimate(alignTables(tables), 300, from, to);
    const shown = decimateTables(tables, 300, from, to);
    assert.deepEqual(shown.x, expected.x);
    assert.deepEqual(shown.ys, expected.ys);
    shown.ys.forEach((y) => assert.equal(y.length, shown.x.length));
  }
  assert.equal(alignedLength(tables), 20_000);
});

test('runs on other steps: each keeps its ends and extremes per pixel column, aligned on the union of what is kept', () => {
  const a = noisy(20_000, 1);
  const b = noisy(10_000, 2).map((p) => ({ step: p.step * 2 + 0.5, loss: p.loss }));
  const tables = [
    { x: a.map((p) => p.step), ys: [a.map((p) => p.loss)] },
    { x: b.map((p) => p.step), ys: [b.map((p) => p.loss)] },
  ];
  const shown = decimateTables(tables, 200);
  assert.ok(shown.x.length < 200 * 10, `${shown.x.length} points`);
  for (let k = 0; k < shown.x.length - 1; k++) assert.ok(shown.x[k] < shown.x[k + 1], 'x ascends');
  shown.ys.forEach((y) => assert.equal(y.length, shown.x.length));
  const values = (k: number) => Array.from(shown.ys[k]).filter((v): v is number => v !== null);
  assert.equal(Math.min(...values(0)), Math.min(...a.map((p) => p.loss)));
  assert.equal(Math.max(...values(1)), Math.max(...b.map((p) => p.loss)));
  assert.deepEqual([shown.x[0], shown.x[shown.x.length - 1]], [1, b.at(-1)?.step]);
  assert.equal(alignedLength(tables), alignTables(tables).x.length);
});

test("a chart model carries each run's columns, and its aligned columns (for the CSV) equal alignTables'", () => {
  const runs = [run('a', noisy(3000, 1)), run('b', noisy(1000, 2))].map((r, i) => ({ run: r, label: r.runDir, color: i }));
  const model = lossChart(runs, DEFAULT_STATE, chartWords(pageText({ dataset: { l10n: JSON.stringify(pageStrings('en', 'dashboard')) } } as unknown as HTMLElement)));
  assert.equal(model.tables.length, 2);
  assert.equal(model.tables[0].x, runs[0].run.step, "the run's own column, not a copy");
  const aligned = alignTables(model.tables);
  assert.deepEqual(model.x, aligned.x);
  assert.deepEqual(model.ys, aligned.ys);
  assert.equal(model.ys[2].length, 3000, 'the shorter run padded for the CSV');
});

test('a growing run redrawn on the same pixel grid: the buckets kept from the last redraw give what a fresh decimation gives', () => {
  let seed = 5;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  const steps = new GrowableColumn();
  const long = new GrowableColumn();
  const short = new GrowableColumn();
  const fresh = (c: GrowableColumn) => Float64Array.from(c.values);
  let reused = 0;
  let lastEnd = 0;
  for (let round = 0; round < 40; round++) {
    // The longer run grows by a few steps (the grid moves only past `paddedEnd`), the shorter one into buckets already drawn.
    const add = round === 0 ? 100_000 : 1 + Math.floor(random() * 300);
    for (let i = 0; i < add; i++) {
      steps.push(steps.length + 1);
      long.push(random() * 10);
    }
    const shortAdd = round === 0 ? 60_000 : Math.floor(random() * 2000);
    for (let i = 0; i < shortAdd && short.length < long.length; i++) short.push(random() * 10 - 5);
    const tables = [
      { x: steps.values, ys: [long.values] },
      { x: steps.values, ys: [short.values] },
    ];
    const drawn = decimateTables(tables, 700);
    const expected = decimateTables(
      [
        { x: fresh(steps), ys: [fresh(long)] },
        { x: fresh(steps), ys: [fresh(short)] },
      ],
      700,
    );
    assert.deepEqual(drawn, expected, `round ${round}: ${steps.length} steps, the shorter run ${short.length}`);
    // The same grid as the last redraw: the buckets before the last are kept, not decimated again.
    if (paddedEnd(1, steps.length) === lastEnd) reused++;
    lastEnd = paddedEnd(1, steps.length);
  }
  assert.ok(reused > 20, `the grid stayed put in ${reused} of 39 redraws`);
});
