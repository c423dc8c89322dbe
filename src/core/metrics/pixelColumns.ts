// The exact min/max decimation of a chart's points per pixel column (as in M4): each column keeps
// its first and last point and every series' lowest and highest, so the drawn lines look the same
// as with every point. One owner for both sides of issue 21: the extension host decimates a run's
// million steps for the range the page asks for (stepStore.ts), and the page decimates what it
// holds (webview/dashboard/decimate.ts) with the same picks, so what the host sent, decimated
// again on the same grid, gives the same points.
import type { Envelope, Values } from './minMaxEnvelope';

/** Below this many points per pixel column every point is drawn (zoomed in: single steps). */
export const POINTS_PER_COLUMN = 4;

/** An ascending x column read by index: a typed column or a plain array. */
export type XValues = ArrayLike<number>;

/**
 * The x range the pixel columns divide: the zoomed range when zoomed (uPlot's x scale then spans
 * exactly that), else the points' own first x to a padded end (`paddedEnd`).
 */
export function gridRange(first: number, last: number, from: number, to: number): [number, number] {
  return Number.isFinite(from) && Number.isFinite(to) && to > from ? [from, to] : [first, paddedEnd(first, last)];
}

/**
 * Where the x range ends when not zoomed (uPlot's x scale ends there too): past the last x, on a
 * grid of a power of two of about a 32nd to a 64th of the span. While a run grows the pixel
 * columns stay where they are until its steps pass that end (16,384 steps at a million), so a
 * redraw decimates only the last columns again and the host is asked again only then.
 */
export function paddedEnd(first: number, last: number): number {
  const span = last - first;
  if (!(span > 0) || !Number.isFinite(span)) return last;
  const unit = 2 ** (Math.floor(Math.log2(span)) - 5);
  return first + Math.ceil(span / unit) * unit;
}

/** Indices [start, end) of the points with x in [from, to], with one more on each side (lines run to the plot's edges). `scale`: x is `x[i] / scale`. */
export function visibleRange(x: XValues, from: number, to: number, scale = 1): [number, number] {
  return [Math.max(0, lowerBound(x, from, scale) - 1), Math.min(x.length, upperBound(x, to, scale) + 1)];
}

/** Whether a range of `count` points is drawn as it is on `columns` pixel columns. */
export function drawnWhole(count: number, columns: number): boolean {
  return count <= POINTS_PER_COLUMN * Math.max(1, columns);
}

/**
 * Appends to `keep` the indices each pixel column of [start, end) keeps (`width` of x from `x0`
 * on; x is `x[i] / scale`): its first and last point and each series' lowest and highest, in
 * order. The extremes come from each series' summary, so this costs O(pixels · log points), not a
 * walk over every point. `positive` (a log axis): a column whose lowest value is zero or less also
 * keeps its lowest positive one. `onColumn` hears each column's index range and how many indices were
 * kept before it (the page keeps them, to go on from at its next redraw).
 */
export function pickColumns(
  x: XValues,
  scale: number,
  ys: readonly Values[],
  envelopes: readonly Envelope[],
  start: number,
  end: number,
  x0: number,
  width: number,
  keep: number[],
  onColumn?: (columnStart: number, columnEnd: number, keptBefore: number) => void,
  positive = false,
): void {
  const picks: number[] = [];
  let columnStart = start;
  while (columnStart < end) {
    // The pixel column of a point is floor((x - x0) / width), the same sum for every point (and
    // the one the page tests check against): the column ends at the first point of a later one.
    const column = Math.floor(((x[columnStart] as number) / scale - x0) / width);
    const stop = columnEnd(x, scale, x0, width, column, columnStart + 1, end);
    picks.length = 0;
    picks.push(columnStart, stop - 1);
    for (let s = 0; s < ys.length; s++) {
      const y = ys[s] as Values;
      // A shorter run's series ends before x does.
      const seriesStop = Math.min(stop, y.length);
      if (seriesStop <= columnStart) continue;
      const { lo, hi } = (envelopes[s] as Envelope).extremes(y, columnStart, seriesStop);
      if (lo >= 0) picks.push(lo, hi);
      // A log axis leaves out values of zero or less: the column's lowest positive value is drawn
      // instead, looked for only in the rare column whose lowest is not positive.
      if (positive && lo >= 0 && !((y[lo] as number) > 0)) {
        const lowest = lowestPositive(y, columnStart, seriesStop);
        if (lowest >= 0) picks.push(lowest);
      }
    }
    picks.sort((a, b) => a - b);
    onColumn?.(columnStart, stop, keep.length);
    for (const i of picks) if (keep[keep.length - 1] !== i) keep.push(i);
    columnStart = stop;
  }
}

/** values at the kept indices, as a new Float64Array (what goes to the page, transferable; what uPlot draws, filled in one loop). */
export function gather(values: ArrayLike<number>, keep: readonly number[]): Float64Array {
  const out = new Float64Array(keep.length);
  for (let k = 0; k < keep.length; k++) out[k] = values[keep[k] as number] as number;
  return out;
}

/** The index of the lowest value above zero in y[from..to), -1 when there is none. */
function lowestPositive(y: Values, from: number, to: number): number {
  let best = -1;
  for (let i = from; i < to; i++) {
    const v = y[i];
    if (v != null && v > 0 && (best < 0 || v < (y[best] as number))) best = i;
  }
  return best;
}

/** The first index in [lo, hi) whose pixel column is past `column` (x ascending); `hi` when none is. */
function columnEnd(x: XValues, scale: number, x0: number, width: number, column: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Math.floor(((x[mid] as number) / scale - x0) / width) > column) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first index whose x is ≥ value (x ascending). */
function lowerBound(x: XValues, value: number, scale: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((x[mid] as number) / scale < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose x is > value. */
function upperBound(x: XValues, value: number, scale: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((x[mid] as number) / scale <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
