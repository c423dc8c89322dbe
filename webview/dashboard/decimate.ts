// A long run has far more steps than the chart has pixels. Handing uPlot every point makes each
// redraw walk them all; instead each pixel column keeps its first and last point and, for every
// series, its lowest and highest: the drawn lines look the same (min/max per column, as in M4).
import { at } from '../../src/core/indexed';
import { alignTables, commonSteps, padTo, type Aligned, type Table } from './align';

export interface Columns {
  readonly x: readonly number[];
  /** As long as x, or shorter (a series that ends early). */
  readonly ys: readonly (readonly (number | null)[])[];
}

/** Below this many points per pixel column the data goes to uPlot as it is. */
const POINTS_PER_COLUMN = 4;

/**
 * The points worth drawing of those with x in [from, to] (one more on each side, so lines run
 * to the edges), for a plot `columns` pixels wide. Always new arrays, never `data`'s own: a live
 * run's columns grow in place, and what was drawn must stay as it was drawn.
 */
export function decimate(data: Columns, columns: number, from = -Infinity, to = Infinity): Columns {
  const [start, end] = visibleRange(data.x, from, to);
  const first = data.x[start];
  const last = data.x[end - 1];
  // No points: nothing to decimate (the bucket origin and width are not used).
  if (first === undefined || last === undefined) return decimateRange(data, start, end, columns, 0, 1);
  return decimateRange(data, start, end, columns, first, (last - first || 1) / columns);
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
  const width = (hi - lo || 1) / columns;
  return alignTables(visible.map(({ table, range }) => decimateRange(table, range[0], range[1], columns, lo, width)));
}

/** Indices [start, end) of the points with x in [from, to], with one more on each side. */
function visibleRange(x: readonly number[], from: number, to: number): [number, number] {
  return [Math.max(0, lowerBound(x, from) - 1), Math.min(x.length, upperBound(x, to) + 1)];
}

/** Each pixel column (`width` of x from `x0` on) keeps its first and last point and every series' extremes. */
function decimateRange(data: Columns, start: number, end: number, columns: number, x0: number, width: number): Columns {
  const { x, ys } = data;
  const count = end - start;
  if (count <= POINTS_PER_COLUMN * Math.max(1, columns)) return { x: x.slice(start, end), ys: ys.map((y) => y.slice(start, end)) };
  const keep: number[] = [];
  const marks = new Uint8Array(count);
  let bucketStart = start;
  while (bucketStart < end) {
    const limit = x0 + (Math.floor((at(x, bucketStart, 'x') - x0) / width) + 1) * width;
    let bucketEnd = bucketStart + 1;
    while (bucketEnd < end && at(x, bucketEnd, 'x') < limit) bucketEnd++;
    marks[bucketStart - start] = 1;
    marks[bucketEnd - 1 - start] = 1;
    for (const y of ys) {
      let lo = -1;
      let hi = -1;
      // A shorter run's series ends before x does: reading past its end would be slow, not wrong.
      const stop = Math.min(bucketEnd, y.length);
      for (let i = bucketStart; i < stop; i++) {
        const v = y[i];
        if (v == null) continue;
        if (lo < 0 || v < (y[lo] as number)) lo = i;
        if (hi < 0 || v > (y[hi] as number)) hi = i;
      }
      if (lo >= 0) marks[lo - start] = 1;
      if (hi >= 0) marks[hi - start] = 1;
    }
    bucketStart = bucketEnd;
  }
  for (let i = 0; i < count; i++) if (marks[i]) keep.push(start + i);
  return { x: keep.map((i) => at(x, i, 'x')), ys: ys.map((y) => keep.map((i) => y[i] ?? null)) };
}

/** The first index whose x is ≥ value (x ascending). */
function lowerBound(x: readonly number[], value: number): number {
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
function upperBound(x: readonly number[], value: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(x, mid, 'x') <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
