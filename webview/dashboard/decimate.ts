// A long run has far more steps than the chart has pixels. Handing uPlot every point makes each
// redraw walk them all; instead each pixel column keeps its first and last point and, for every
// series, its lowest and highest: the drawn lines look the same (min/max per column, as in M4).
// Zoomed in to a few points per column, every point is drawn.
import { envelopeOf } from './envelope';
import { Envelope } from '../../src/core/metrics/minMaxEnvelope';
import { columnKey } from '../../src/core/metrics/column';
import { drawnWhole, gather, gridRange, pickColumns, visibleRange } from '../../src/core/metrics/pixelColumns';
import { alignTables, commonSteps, padTo, type Aligned, type Table, type Xs, type Ys } from './align';

export { paddedEnd } from '../../src/core/metrics/pixelColumns';

export interface Columns {
  readonly x: Xs;
  /** As long as x, or shorter (a series that ends early). */
  readonly ys: readonly Ys[];
}

/** What decimation gives: new arrays, for uPlot (typed where the column is: copied as one block). */
export interface Decimated {
  readonly x: Xs;
  readonly ys: readonly Ys[];
}

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
  const [lo, hi] = gridRange(first, last, from, to);
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
  [lo, hi] = gridRange(lo, hi, from, to);
  const width = (hi - lo || 1) / columns;
  return alignTables(visible.map(({ table, range }) => decimateRange(table, range[0], range[1], columns, lo, width)));
}

/** Below this many points per pixel column, decimation looks at every point instead of a summary. */
const SCAN_BELOW = 32;
/** A summary of nothing: its `extremes` look at each point. */
const SCANNED = new Envelope();

/** The page's x columns are the x values themselves (the host's are steps, scaled to epochs). */
const SAME_X = 1;

/**
 * Each pixel column (`width` of x from `x0` on) keeps its first and last point and every series'
 * lowest and highest: the exact min/max envelope. The extremes come from each column's summary
 * (envelope.ts), so a redraw costs O(pixels · log points), not a walk over every point.
 */
function decimateRange(data: Columns, start: number, end: number, columns: number, x0: number, width: number): Decimated {
  const { x, ys } = data;
  const count = end - start;
  if (drawnWhole(count, columns)) return { x: copyRange(x, start, end), ys: ys.map((y) => copyRange(y, start, Math.min(end, y.length))) };
  // A few points a column (an answer from the extension holds at most six): each column's points
  // looked at, no summary built (building one for each new answer's columns took milliseconds).
  const envelopes = count <= SCAN_BELOW * columns ? ys.map(() => SCANNED) : ys.map((y) => envelopeOf(y));
  // The buckets the last redraw of the same columns on the same pixel grid left as they are.
  const memo = resumeFrom(x, ys, start, end, columns, x0, width);
  const { keep, bucketStarts, bucketEnds, keepAt } = memo;
  pickColumns(x, SAME_X, ys, envelopes, memo.resumeAt, end, x0, width, keep, (columnStart, columnEnd, keptBefore) => {
    bucketStarts.push(columnStart);
    bucketEnds.push(columnEnd);
    keepAt.push(keptBefore);
  });
  return { x: gather(x, keep), ys: ys.map((y) => (y instanceof Float64Array ? gather(y, keep) : gatherNullable(y, keep))) };
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

/** values at the kept indices of a plain column (nulls where it has none, past its end). */
function gatherNullable<T extends number | null>(values: ArrayLike<T>, keep: readonly number[]): (T | null)[] {
  const out = new Array<T | null>(keep.length);
  for (let k = 0; k < keep.length; k++) out[k] = values[keep[k] as number] ?? null;
  return out;
}

/**
 * values[start..end) as a new array: a run's typed column as a typed copy (one block copy; a
 * plain array of 70,000 numbers took milliseconds to fill, on each live redraw), a plain one plain.
 */
function copyRange<T extends number | null>(values: ArrayLike<T>, start: number, end: number): ArrayLike<T> {
  if (values instanceof Float64Array) return values.slice(start, Math.max(start, end)) as unknown as ArrayLike<T>;
  const out = new Array<T>(Math.max(0, end - start));
  for (let i = start; i < end; i++) out[i - start] = values[i] as T;
  return out;
}
