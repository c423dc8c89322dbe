// A long run has far more steps than the chart has pixels. Handing uPlot every point makes each
// redraw walk them all; instead each pixel column keeps its first and last point and, for every
// series, its lowest and highest: the drawn lines look the same (min/max per column, as in M4).
// Zoomed in to a few points per column, every point is drawn.
import { at } from '../../src/core/indexed';
import { envelopeOf, type Envelope } from './envelope';
import { alignTables, commonSteps, padTo, type Aligned, type Table, type Xs, type Ys } from './align';

export interface Columns {
  readonly x: Xs;
  /** As long as x, or shorter (a series that ends early). */
  readonly ys: readonly Ys[];
}

/** What decimation gives: new plain arrays, for uPlot. */
export interface Decimated {
  readonly x: number[];
  readonly ys: (number | null)[][];
}

/** Below this many points per pixel column the data goes to uPlot as it is. */
const POINTS_PER_COLUMN = 4;

/**
 * The points worth drawing of those with x in [from, to] (one more on each side, so lines run
 * to the edges), for a plot `columns` pixels wide. Always new arrays, never `data`'s own: a live
 * run's columns grow in place, and what was drawn must stay as it was drawn.
 */
export function decimate(data: Columns, columns: number, from = -Infinity, to = Infinity): Decimated {
  const [start, end] = visibleRange(data.x, from, to);
  const first = data.x[start];
  const last = data.x[end - 1];
  // No points: nothing to decimate (the bucket origin and width are not used).
  if (first === undefined || last === undefined) return decimateRange(data, start, end, columns, 0, 1);
  const [lo, hi] = grid(first, last, from, to);
  return decimateRange(data, start, end, columns, lo, (hi - lo || 1) / columns);
}

/**
 * The same for runs overlaid on one chart, decimated before they are aligned: aligning first would
 * copy every run's columns, padded with nulls, on every frame, and then walk the nulls too. Runs on
 * the same steps are decimated together on the longest one's x (a shorter series simply ends);
 * runs on other steps each on their own, on pixel columns shared by all, then aligned.
 */
export function decimateTables(tables: readonly Table[], columns: number, from = -Infinity, to = Infinity): Aligned {
  const longest = commonSteps(tables);
  if (longest) {
    const shown = decimate({ x: longest.x, ys: tables.flatMap((t) => t.ys) }, columns, from, to);
    return { x: shown.x, ys: shown.ys.map((y) => padTo(y, shown.x.length)) };
  }
  let lo = Infinity;
  let hi = -Infinity;
  const visible = tables.map((t) => ({ table: t, range: visibleRange(t.x, from, to) }));
  for (const { table, range } of visible) {
    const first = table.x[range[0]];
    const last = table.x[range[1] - 1];
    if (range[1] <= range[0] || first === undefined || last === undefined) continue;
    lo = Math.min(lo, first);
    hi = Math.max(hi, last);
  }
  [lo, hi] = grid(lo, hi, from, to);
  const width = (hi - lo || 1) / columns;
  return alignTables(visible.map(({ table, range }) => decimateRange(table, range[0], range[1], columns, lo, width)));
}

/**
 * The x range the pixel columns divide: the zoomed range, as uPlot's scale maps it onto the plot,
 * so each bucket is one pixel column of the screen; the points' own range when not zoomed (uPlot's
 * x scale then spans exactly that).
 */
function grid(first: number, last: number, from: number, to: number): [number, number] {
  return Number.isFinite(from) && Number.isFinite(to) && to > from ? [from, to] : [first, last];
}

/** Indices [start, end) of the points with x in [from, to], with one more on each side. */
function visibleRange(x: Xs, from: number, to: number): [number, number] {
  return [Math.max(0, lowerBound(x, from) - 1), Math.min(x.length, upperBound(x, to) + 1)];
}

/**
 * Each pixel column (`width` of x from `x0` on) keeps its first and last point and every series'
 * lowest and highest: the exact min/max envelope. The extremes come from each column's summary
 * (envelope.ts), so a redraw costs O(pixels · log points), not a walk over every point.
 */
function decimateRange(data: Columns, start: number, end: number, columns: number, x0: number, width: number): Decimated {
  const { x, ys } = data;
  const count = end - start;
  if (count <= POINTS_PER_COLUMN * Math.max(1, columns)) return { x: copyRange(x, start, end), ys: ys.map((y) => copyRange(y, start, Math.min(end, y.length))) };
  const envelopes = ys.map((y) => envelopeOf(y));
  const keep: number[] = [];
  // A pixel column's picks: its first and last point and each series' extremes, kept in order.
  const picks: number[] = [];
  let bucketStart = start;
  while (bucketStart < end) {
    // The pixel column of a point is floor((x - x0) / width), the same sum for every point (and
    // the one the page tests check against): the bucket ends at the first point of a later one.
    const column = Math.floor((at(x, bucketStart, 'x') - x0) / width);
    const bucketEnd = columnEnd(x, x0, width, column, bucketStart + 1, end);
    picks.length = 0;
    picks.push(bucketStart, bucketEnd - 1);
    for (let s = 0; s < ys.length; s++) {
      const y = ys[s] as (typeof ys)[number];
      // A shorter run's series ends before x does.
      const stop = Math.min(bucketEnd, y.length);
      if (stop <= bucketStart) continue;
      const { lo, hi } = (envelopes[s] as Envelope).extremes(y, bucketStart, stop);
      if (lo >= 0) picks.push(lo, hi);
    }
    picks.sort((a, b) => a - b);
    for (const i of picks) if (keep[keep.length - 1] !== i) keep.push(i);
    bucketStart = bucketEnd;
  }
  return { x: keep.map((i) => at(x, i, 'x')), ys: ys.map((y) => keep.map((i) => y[i] ?? null)) };
}

/** The first index in [lo, hi) whose pixel column is past `column` (x ascending); `hi` when none is. */
function columnEnd(x: Xs, x0: number, width: number, column: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Math.floor(((x[mid] as number) - x0) / width) > column) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first index whose x is ≥ value (x ascending). */
function lowerBound(x: Xs, value: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(x, mid, 'x') < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose x is > value. */
function upperBound(x: Xs, value: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(x, mid, 'x') <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** values[start..end) as a new plain array (a run's typed column or a plain one). */
function copyRange<T>(values: ArrayLike<T>, start: number, end: number): T[] {
  const out = new Array<T>(Math.max(0, end - start));
  for (let i = start; i < end; i++) out[i - start] = values[i] as T;
  return out;
}
