// A long run has far more steps than the chart has pixels. Handing uPlot every point makes each
// redraw walk them all; instead each pixel column keeps its first and last point and, for every
// series, its lowest and highest: the drawn lines look the same (min/max per column, as in M4).
// Zoomed in to a few points per column, every point is drawn.
import { at } from '../../src/core/indexed';
import { envelopeOf, type Envelope } from './envelope';
import { columnKey } from '../../src/core/metrics/column';
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
  return Number.isFinite(from) && Number.isFinite(to) && to > from ? [from, to] : [first, paddedEnd(first, last)];
}

/**
 * Where the x range ends when not zoomed (uPlot's x scale ends there too, lineChart.ts): past the
 * last x, on a grid of a power of two of about a 32nd to a 64th of the span. While a run grows the
 * pixel columns stay where they are until its steps pass that end (16,384 steps at a million), so
 * a redraw decimates only the last columns again (`decimateRange` keeps the others); a live run's
 * line stops up to 3% short of the plot's right edge.
 */
export function paddedEnd(first: number, last: number): number {
  const span = last - first;
  if (!(span > 0) || !Number.isFinite(span)) return last;
  const unit = 2 ** (Math.floor(Math.log2(span)) - 5);
  return first + Math.ceil(span / unit) * unit;
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
  // The buckets the last redraw of the same columns on the same pixel grid left as they are.
  const memo = resumeFrom(x, ys, start, end, columns, x0, width);
  const { keep, bucketStarts, bucketEnds, keepAt } = memo;
  // A pixel column's picks: its first and last point and each series' extremes, kept in order.
  const picks: number[] = [];
  let bucketStart = memo.resumeAt;
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
    bucketStarts.push(bucketStart);
    bucketEnds.push(bucketEnd);
    keepAt.push(keep.length);
    for (const i of picks) if (keep[keep.length - 1] !== i) keep.push(i);
    bucketStart = bucketEnd;
  }
  return { x: keep.map((i) => at(x, i, 'x')), ys: ys.map((y) => keep.map((i) => y[i] ?? null)) };
}

/** One decimation's buckets, to carry on from at the next redraw of the same columns on the same grid. */
interface Memo {
  readonly keys: readonly object[];
  readonly lengths: readonly number[];
  readonly grid: readonly number[];
  readonly end: number;
  readonly bucketStarts: number[];
  /** Where each bucket ended (its next bucket's start): a bucket ending at `end` may take more points. */
  readonly bucketEnds: number[];
  /** How many points were kept before each bucket. */
  readonly keepAt: number[];
  readonly keep: number[];
  /** Where this redraw starts decimating: the first bucket that may have changed. */
  resumeAt: number;
}

/** The last few decimations per x column (the loss and learning-rate charts share a run's steps). */
const memos = new WeakMap<object, Memo[]>();
const MEMOS_PER_X = 4;

/**
 * The buckets of the last decimation of these columns on this grid that are still right, ready to
 * go on from; an empty start otherwise. Columns only grow at their end (a changed one is another
 * column, by `columnKey`), so a bucket stands while its end is before the old end of x and before
 * the old end of every series that grew since (a shorter run growing into it changes it).
 */
function resumeFrom(x: Xs, ys: readonly Ys[], start: number, end: number, columns: number, x0: number, width: number): Memo {
  const keys = [columnKey(x), ...ys.map((y) => columnKey(y))];
  const lengths = ys.map((y) => y.length);
  const grid = [start, columns, x0, width];
  const xKey = keys[0] as object;
  let list = memos.get(xKey);
  if (!list) memos.set(xKey, (list = []));
  const index = list.findIndex((m) => m.keys.length === keys.length && m.keys.every((k, i) => k === keys[i]) && m.grid.every((g, i) => g === grid[i]) && m.end <= end);
  const old = index >= 0 ? (list[index] as Memo) : undefined;
  const memo: Memo = { keys, lengths, grid, end, bucketStarts: [], bucketEnds: [], keepAt: [], keep: [], resumeAt: start };
  if (old) {
    list.splice(index, 1);
    let limit = Infinity;
    old.lengths.forEach((n, s) => {
      if ((lengths[s] as number) !== n) limit = Math.min(limit, n);
    });
    let b = 0;
    while (b < old.bucketEnds.length && (old.bucketEnds[b] as number) < old.end && (old.bucketEnds[b] as number) <= limit) b++;
    memo.bucketStarts.push(...old.bucketStarts.slice(0, b));
    memo.bucketEnds.push(...old.bucketEnds.slice(0, b));
    memo.keepAt.push(...old.keepAt.slice(0, b));
    const kept = b < old.keepAt.length ? (old.keepAt[b] as number) : old.keep.length;
    memo.keep.push(...old.keep.slice(0, kept));
    memo.resumeAt = b < old.bucketStarts.length ? (old.bucketStarts[b] as number) : old.end;
  }
  list.unshift(memo);
  if (list.length > MEMOS_PER_X) list.length = MEMOS_PER_X;
  return memo;
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
