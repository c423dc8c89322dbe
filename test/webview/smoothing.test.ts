// Smoothing (TensorBoard's debiased EMA) and the alignment of runs on one x axis.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignTables } from '../../webview/dashboard/align';
import { decimate } from '../../webview/dashboard/decimate';
import { DebiasedEma, debiasedEma } from '../../src/core/metrics/smoothing';

const near = (actual: readonly number[], expected: readonly number[]) => {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12, `at ${i}: ${v} ≠ ${expected[i]}`));
};

test('the debiased EMA matches the values worked out by hand', () => {
  // w = 0.5: last = 0.5, 1.25, 2.125; debias by 1 − 0.5^n = 0.5, 0.75, 0.875.
  near(debiasedEma([1, 2, 3], 0.5), [1, 1.25 / 0.75, 2.125 / 0.875]);
});

test('weight 0 keeps the raw values; a constant stays constant (no pull toward 0)', () => {
  near(debiasedEma([3, 1, 4, 1, 5], 0), [3, 1, 4, 1, 5]);
  near(debiasedEma(new Array(50).fill(2.5), 0.99), new Array(50).fill(2.5));
});

test('a diverged step shows as itself and does not poison what follows', () => {
  const smoothed = debiasedEma([1, Number.NaN, 1, Number.POSITIVE_INFINITY, 1], 0.9);
  assert.ok(Number.isNaN(smoothed[1]));
  assert.equal(smoothed[3], Number.POSITIVE_INFINITY);
  near([smoothed[0], smoothed[2], smoothed[4]], [1, 1, 1]);
});

test('extending point by point gives what smoothing it all at once gives', () => {
  const raw = Array.from({ length: 500 }, (_, i) => Math.exp(-i / 100) + Math.sin(i) * 0.1);
  const ema = new DebiasedEma(0.9);
  const growing: number[] = [];
  for (let i = 0; i < raw.length; i += 37) {
    growing.push(...raw.slice(i, i + 37));
    ema.extend(growing);
  }
  near(Array.from(ema.values), debiasedEma(raw, 0.9));
});

test('runs on the same steps align without copying', () => {
  const x = [1, 2, 3, 4];
  const a = { x, ys: [[1, 2, 3, 4]] };
  const b = { x: [1, 2], ys: [[5, 6]] };
  const aligned = alignTables([a, b]);
  assert.equal(aligned.x, x);
  assert.equal(aligned.ys[0], a.ys[0]);
  assert.deepEqual(aligned.ys[1], [5, 6, null, null]);
});

test('runs on different steps are merged onto the union of their x values', () => {
  const aligned = alignTables([
    {
      x: [0.5, 1, 1.5],
      ys: [
        [1, 2, 3],
        [10, 20, 30],
      ],
    },
    { x: [0.25, 1, 2], ys: [[7, 8, 9]] },
  ]);
  assert.deepEqual(aligned.x, [0.25, 0.5, 1, 1.5, 2]);
  assert.deepEqual(aligned.ys, [
    [null, 1, 2, 3, null],
    [null, 10, 20, 30, null],
    [7, null, 8, null, 9],
  ]);
  assert.deepEqual(alignTables([]), { x: [], ys: [] });
});

test("decimation keeps each pixel column's ends and every series' extremes", () => {
  const n = 10_000;
  const x = Array.from({ length: n }, (_, i) => i + 1);
  const noisy = x.map((i) => Math.sin(i * 1.7) + (i === 5000 ? 10 : 0));
  const smooth = x.map((i) => i / n);
  const decimated = decimate({ x, ys: [noisy, smooth] }, 100);
  const shown = { x: Array.from(decimated.x), ys: decimated.ys.map((y) => Array.from(y)) };
  assert.ok(shown.x.length <= 100 * 6 && shown.x.length >= 200, `${shown.x.length} points`);
  assert.equal(shown.x[0], 1);
  assert.equal(shown.x.at(-1), n);
  assert.ok(shown.ys[0].includes(noisy[4999]), 'the spike survives');
  assert.equal(Math.min(...(shown.ys[0] as number[])), Math.min(...noisy));
  // The series stay aligned with x.
  shown.x.forEach((v, i) => assert.equal(shown.ys[1][i], v / n));
});

test('decimation of a zoomed range keeps one point beyond each edge; small data passes as a copy', () => {
  const x = Array.from({ length: 10_000 }, (_, i) => i);
  const y = x.map((i) => i % 7);
  const zoomed = Array.from(decimate({ x, ys: [y] }, 100, 2000.5, 2100.5).x);
  assert.deepEqual([zoomed[0], zoomed.at(-1), zoomed.length], [2000, 2101, 102]);
  const small = { x: [1, 2, 3], ys: [[1, null, 3]] };
  const passed = decimate(small, 100);
  assert.deepEqual(passed, small);
  // A copy: the chart compares what it drew with the next frame's data, and a live run's columns grow in place.
  assert.notEqual(passed.x, small.x);
  assert.notEqual(passed.ys[0], small.ys[0]);
  const gaps = decimate({ x, ys: [x.map((i) => (i % 2 ? null : i))] }, 10);
  assert.ok(Array.from(gaps.ys[0] ?? []).some((v) => v !== null));
});

test("smoothing taken from the extension with the fold's state goes on as if done here", () => {
  const raw = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) + (i === 3000 ? Number.NaN : 0));
  const direct = new DebiasedEma(0.9).extend(raw);
  const host = new DebiasedEma(0.9);
  const sent = host.extend(raw.subarray(0, 3500));
  const taken = DebiasedEma.adopt(0.9, sent, host.state);
  assert.equal(taken.values.length, 3500);
  assert.deepEqual(Array.from(taken.extend(raw)), Array.from(direct));
});
