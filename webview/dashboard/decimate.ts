// A long run has far more steps than the chart has pixels. Handing uPlot every point makes each
// redraw walk them all; instead each pixel column keeps its first and last point and, for every
// series, its lowest and highest: the drawn lines look the same (min/max per column, as in M4).

export interface Columns {
  readonly x: readonly number[];
  readonly ys: readonly (readonly (number | null)[])[];
}

/** Below this many points per pixel column the data goes to uPlot as it is. */
const POINTS_PER_COLUMN = 4;

/**
 * The points worth drawing of those with x in [from, to] (one more on each side, so lines run
 * to the edges), for a plot `columns` pixels wide. Returns `data` itself when it is small.
 */
export function decimate(data: Columns, columns: number, from = -Infinity, to = Infinity): Columns {
  const { x, ys } = data;
  const start = Math.max(0, lowerBound(x, from) - 1);
  const end = Math.min(x.length, upperBound(x, to) + 1);
  const count = end - start;
  if (count <= POINTS_PER_COLUMN * Math.max(1, columns)) {
    return start === 0 && end === x.length ? data : { x: x.slice(start, end), ys: ys.map((y) => y.slice(start, end)) };
  }
  const x0 = x[start];
  const width = (x[end - 1] - x0 || 1) / columns;
  const keep: number[] = [];
  const marks = new Uint8Array(count);
  let bucketStart = start;
  while (bucketStart < end) {
    const limit = x0 + (Math.floor((x[bucketStart] - x0) / width) + 1) * width;
    let bucketEnd = bucketStart + 1;
    while (bucketEnd < end && x[bucketEnd] < limit) bucketEnd++;
    marks[bucketStart - start] = 1;
    marks[bucketEnd - 1 - start] = 1;
    for (const y of ys) {
      let lo = -1;
      let hi = -1;
      for (let i = bucketStart; i < bucketEnd; i++) {
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
  return { x: keep.map((i) => x[i]), ys: ys.map((y) => keep.map((i) => y[i] ?? null)) };
}

/** The first index whose x is ≥ value (x ascending). */
function lowerBound(x: readonly number[], value: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] < value) lo = mid + 1;
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
    if (x[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
