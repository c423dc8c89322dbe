// The extension host's store of the dashboard's steps (src/core/metrics/stepStore.ts), in Node:
// steps appended one by one give what a history loaded at once gives; what it sends for a pixel
// grid is, per pixel column, exactly the lowest and highest of the raw steps under it (checked by
// a walk over every step, at full zoom-out and two zoomed ranges); a spike of one step in a million
// survives full zoom-out; zoomed to 100 steps, every one of them comes back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paddedEnd } from '../../src/core/metrics/pixelColumns';
import { StepStore, type PixelGrid, type StepsQuery } from '../../src/core/metrics/stepStore';
import { DebiasedEma } from '../../src/core/metrics/smoothing';

const RUN = '/runs/a';

function makeRun(n: number, spikeStep?: number): { step: Float64Array; loss: Float64Array; lr: Float64Array } {
  let seed = 12345;
  const step = new Float64Array(n);
  const loss = new Float64Array(n);
  const lr = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    step[i] = i + 1;
    loss[i] = 0.2 + 2 * Math.exp(-(i + 1) / 200000) + (seed / 4294967296) * 0.3;
    lr[i] = i < n / 2 ? 0.1 : 0.01;
  }
  if (spikeStep !== undefined) loss[spikeStep - 1] = 50;
  return { step, loss, lr };
}

/** The grid the page asks with: the zoomed range, or the run's own steps to their padded end. */
function gridOf(first: number, last: number, columns: number, from?: number, to?: number): PixelGrid {
  const [lo, hi] = from !== undefined && to !== undefined ? [from, to] : [first, paddedEnd(first, last)];
  return { x0: lo, width: (hi - lo || 1) / columns, columns };
}

/** Per pixel column of [min, max], the raw values' lowest and highest against the picked ones'; what differs. */
function envelopeDiff(raw: { x: Float64Array; y: Float64Array }, picked: { x: Float64Array; y: Float64Array }, grid: PixelGrid, min: number, max: number): string[] {
  const column = (x: number) => Math.floor((x - grid.x0) / grid.width);
  const fold = (xs: Float64Array, ys: Float64Array) => {
    const out = new Map<number, [number, number]>();
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i] as number;
      if (x < min || x > max) continue;
      const y = ys[i] as number;
      const c = column(x);
      const r = out.get(c);
      if (!r) out.set(c, [y, y]);
      else out.set(c, [Math.min(r[0], y), Math.max(r[1], y)]);
    }
    return out;
  };
  const want = fold(raw.x, raw.y);
  const got = fold(picked.x, picked.y);
  const wrong: string[] = [];
  for (const [c, [lo, hi]] of want) {
    const g = got.get(c);
    if (!g || g[0] !== lo || g[1] !== hi) wrong.push(`column ${c}: raw ${lo}…${hi}, picked ${g ? `${g[0]}…${g[1]}` : 'nothing'}`);
  }
  if (got.size !== want.size) wrong.push(`${got.size} columns picked, ${want.size} hold steps`);
  return wrong;
}

test('steps appended live give the same answers as the whole history loaded at once', () => {
  const n = 60_001;
  const { step, loss, lr } = makeRun(n);
  const whole = new StepStore();
  whole.load(RUN, step, loss, lr);
  const live = new StepStore();
  // A history of part of the run, then the rest one step at a time (and a few repeated, as a step read and then received live).
  const run = live.load(RUN, step.slice(0, 20_000), loss.slice(0, 20_000), lr.slice(0, 20_000));
  for (let i = 19_990; i < n; i++) run.append(step[i] as number, loss[i] as number, lr[i] as number);
  assert.equal(run.length, n);
  for (const [from, to] of [
    [undefined, undefined],
    [1000.5, 45_000.25],
    [30_000, 30_099],
  ] as const) {
    const query: StepsQuery = { grid: gridOf(1, n, 733.5, from, to), from, to, perX: 1, series: ['loss', 'smoothed', 'lr'], smoothing: 0.9 };
    assert.deepEqual(live.run(RUN)?.pick(query), whole.run(RUN)?.pick(query), `${from}…${to}`);
  }
  // The smoothed loss as the page's smoothing gives it, its fold's state after the last step.
  const picked = whole.run(RUN)?.pick({ grid: gridOf(1, n, 10_000_000), perX: 1, series: ['smoothed'], smoothing: 0.9 });
  const ema = new DebiasedEma(0.9);
  assert.deepEqual(picked?.values[0], ema.extend(loss));
  assert.deepEqual(picked?.smoothingState, ema.state);
});

test('a million steps: each pixel column gets the exact min and max of its steps, at full zoom-out and two zoomed ranges; a one-step spike survives; 100 steps come back whole', () => {
  const n = 1_000_000;
  const spike = 654_321;
  const raw = makeRun(n, spike);
  const store = new StepStore();
  store.load(RUN, raw.step, raw.loss, raw.lr);
  // Whole CSS pixels, as the plot's width is at a device pixel ratio of 1.
  const columns = 1234;
  for (const [from, to] of [
    [undefined, undefined],
    [200_000.5, 700_000.25],
    [123_456.7, 140_000.3],
  ] as const) {
    const grid = gridOf(1, n, columns, from, to);
    const query: StepsQuery = { grid, from, to, perX: 1, series: ['loss', 'smoothed', 'lr'], smoothing: 0.6 };
    const picked = store.run(RUN)?.pick(query);
    assert.ok(picked);
    const min = from ?? 1;
    const max = to ?? n;
    assert.deepEqual(envelopeDiff({ x: raw.step, y: raw.loss }, { x: picked.step, y: picked.values[0] as Float64Array }, grid, min, max), [], `loss ${from}…${to}`);
    assert.deepEqual(envelopeDiff({ x: raw.step, y: raw.lr }, { x: picked.step, y: picked.values[2] as Float64Array }, grid, min, max), [], `lr ${from}…${to}`);
    // Every picked point is a raw step as logged.
    for (let i = 0; i < picked.step.length; i++) assert.equal(picked.values[0]?.[i], raw.loss[(picked.step[i] as number) - 1]);
    // At most six points a column: first, last, and two per series.
    assert.ok(picked.step.length <= 8 * Math.ceil(columns) + 2, `${picked.step.length} points`);
    assert.equal(picked.end, n);
    if (from === undefined) assert.equal(picked.values[0]?.[[...picked.step].indexOf(spike)], 50, 'the spike is picked');
  }
  // Zoomed to 100 steps: all of them, and one on each side so the line runs to the edges.
  const hundred = store.run(RUN)?.pick({ grid: gridOf(1, n, columns, 500_001, 500_100), from: 500_001, to: 500_100, perX: 1, series: ['loss'], smoothing: 0 });
  assert.deepEqual(
    [...(hundred?.step ?? [])],
    Array.from({ length: 102 }, (_, i) => 500_000 + i),
  );
});

test('on the epoch axis the grid is in epochs: x is the step over the steps per epoch', () => {
  const n = 200_000;
  const raw = makeRun(n);
  const store = new StepStore();
  store.load(RUN, raw.step, raw.loss, raw.lr);
  const perX = 391;
  const grid = gridOf(1 / perX, n / perX, 800);
  const picked = store.run(RUN)?.pick({ grid, perX, series: ['loss'], smoothing: 0 });
  assert.ok(picked);
  const x = (s: Float64Array) => s.map((v) => v / perX);
  assert.deepEqual(envelopeDiff({ x: x(raw.step), y: raw.loss }, { x: x(picked.step), y: picked.values[0] as Float64Array }, grid, -Infinity, Infinity), []);
});

test('runs no longer shown are dropped (with no room to put them aside); a resumed run forgets the steps past its checkpoint; the bytes held are about 19 MB a million steps (loss, learning rate, their summaries)', () => {
  const store = new StepStore(0);
  const a = makeRun(100_000);
  store.load('/runs/a', a.step, a.loss, a.lr);
  store.load('/runs/b', a.step.slice(), a.loss.slice(), a.lr.slice());
  store.retain(['/runs/b']);
  assert.deepEqual(store.runDirs, ['/runs/b']);
  const b = store.run('/runs/b');
  assert.ok(b);
  b.dropAfter(50_000);
  assert.equal(b.lastStep, 50_000);
  assert.ok(b.append(50_001, 1, 0.1));
  assert.equal(b.append(50_001, 2, 0.1), false, 'a step held already counts once');
  // Steps 1…n share one array: loss and lr, 8.5 bytes a value, and two summaries of about one byte.
  assert.ok(store.bytes > 50_001 * 17 && store.bytes < 50_001 * 20, `${store.bytes} bytes`);
});

test('for a log axis each pixel column also keeps its lowest positive loss: steps of zero or less are not drawn there, and the column still shows its lowest drawable one', () => {
  const n = 200_000;
  const { step, loss, lr } = makeRun(n);
  // Every 300th step a loss of exactly zero (a float32 loss that rounded to 0), a few negative ones: one in every column.
  for (let i = 299; i < n; i += 300) loss[i] = i % 2100 === 299 ? -0.5 : 0;
  const store = new StepStore();
  store.load(RUN, step, loss, lr);
  const columns = 500;
  const grid = gridOf(1, n, columns);
  const column = (s: number) => Math.floor((s - grid.x0) / grid.width);
  const lowestPositive = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const v = loss[i] as number;
    const c = column(step[i] as number);
    if (v > 0 && v < (lowestPositive.get(c) ?? Infinity)) lowestPositive.set(c, v);
  }
  const drawn = (positive: boolean) => {
    const picked = store.run(RUN)?.pick({ grid, perX: 1, series: ['loss'], smoothing: 0, positive });
    assert.ok(picked);
    const lowest = new Map<number, number>();
    picked.step.forEach((s, k) => {
      const v = picked.values[0]?.[k] as number;
      if (v > 0 && v < (lowest.get(column(s)) ?? Infinity)) lowest.set(column(s), v);
    });
    return lowest;
  };
  const onLog = drawn(true);
  assert.equal(onLog.size, lowestPositive.size);
  for (const [c, v] of lowestPositive) assert.equal(onLog.get(c), v, `column ${c}: the lowest positive loss`);
  // Without it, the columns' lowest picks are the zeros: their lowest positive loss is mostly missing.
  const onLinear = drawn(false);
  const missing = [...lowestPositive].filter(([c, v]) => onLinear.get(c) !== v).length;
  assert.ok(missing > columns / 2, `a linear axis's picks miss most columns' lowest positive loss (${missing})`);
});

test('runs no longer shown are put aside while they fit the shelf, the longest unshown dropped first; a run put aside comes back as it was', () => {
  const run = makeRun(100_000);
  const one = new StepStore();
  one.load('/runs/x', run.step.slice(), run.loss.slice(), run.lr.slice());
  const perRun = one.bytes;
  // Room for one run and a half.
  const store = new StepStore(perRun * 1.5);
  for (const name of ['a', 'b', 'c']) store.load(`/runs/${name}`, run.step.slice(), run.loss.slice(), run.lr.slice());
  store.retain(['/runs/a']);
  assert.deepEqual(store.runDirs, ['/runs/a']);
  assert.equal(store.shelved('/runs/b'), false, 'put aside first, dropped first');
  assert.equal(store.shelved('/runs/c'), true);
  assert.ok(store.bytes <= perRun * 2.5, `${store.bytes} bytes held, shown and put aside`);
  assert.equal(store.restore('/runs/b'), undefined);
  const c = store.restore('/runs/c');
  assert.equal(c?.length, 100_000);
  assert.deepEqual(store.runDirs, ['/runs/a', '/runs/c']);
  const query: StepsQuery = { grid: gridOf(1, 100_000, 500), perX: 1, series: ['loss'], smoothing: 0 };
  assert.deepEqual(c?.pick(query), one.run('/runs/x')?.pick(query), 'the same answers as before it was put aside');
  // A history read again replaces what was put aside.
  store.retain([]);
  store.load('/runs/a', run.step.slice(0, 10), run.loss.slice(0, 10), run.lr.slice(0, 10));
  assert.equal(store.shelved('/runs/a'), false);
});
