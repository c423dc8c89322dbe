// uPlot draws series that share one sorted x array. Runs overlaid on one chart have x values of
// their own (other step counts, other epoch lengths), so they are merged onto the union of their
// x values, with null where a run has no point (the series span those gaps).
import { columnKey, isConsecutive } from '../../src/core/metrics/column';

/** A column as the charts read it: a run's own typed column (column.ts) or a plain array. Read by index only. */
export type Xs = ArrayLike<number>;
export type Ys = ArrayLike<number | null>;

export interface Table {
  /** Ascending. */
  readonly x: Xs;
  /** One array per series, as long as `x`. */
  readonly ys: readonly Ys[];
}

export interface Aligned {
  readonly x: Xs;
  readonly ys: readonly Ys[];
}

export function alignTables(tables: readonly Table[]): Aligned {
  if (tables.length === 0) return { x: [], ys: [] };
  // The common case (one run, or runs on the same steps) needs no copy at all.
  const longest = commonSteps(tables);
  if (longest) {
    return { x: longest.x, ys: tables.flatMap((t) => (t === longest ? t.ys : t.ys.map((y) => padTo(y, longest.x.length)))) };
  }
  const x = mergeSorted(tables.map((t) => t.x));
  const ys: Ys[] = [];
  for (const table of tables) {
    const index = new Array<number>(table.x.length);
    let j = 0;
    for (let i = 0; i < table.x.length; i++) {
      const step = table.x[i] as number;
      // x holds every table's steps, so j stops at this one before x ends (past the end: stop too).
      while ((x[j] ?? Number.POSITIVE_INFINITY) < step) j++;
      index[i] = j;
    }
    for (const y of table.ys) {
      const spread = new Array<number | null>(x.length).fill(null);
      let k = 0;
      for (const to of index) spread[to] = y[k++] ?? null;
      ys.push(spread);
    }
  }
  return { x, ys };
}

/** How many points `alignTables` would give, without building them in the usual case. */
export function alignedLength(tables: readonly Table[]): number {
  if (tables.length === 0) return 0;
  return commonSteps(tables)?.x.length ?? alignTables(tables).x.length;
}

/** The longest table, when every other one's x is a prefix of its x (runs on the same steps). */
export function commonSteps(tables: readonly Table[]): Table | undefined {
  const longest = tables.reduce<Table | undefined>((a, t) => (!a || t.x.length > a.x.length ? t : a), undefined);
  return longest && tables.every((t) => isPrefix(t.x, longest.x)) ? longest : undefined;
}

/** For each pair of step columns (by `columnKey`), how long a prefix of the first was found equal to the second. */
const checkedPrefix = new WeakMap<object, WeakMap<object, number>>();

function isPrefix(short: Xs, long: Xs): boolean {
  if (short === long) return true;
  if (short.length > long.length) return false;
  // Step columns only grow in place, so what matched once still does: a live run's redraw checks
  // only its new steps, not a million each frame.
  const shortKey = columnKey(short);
  const longKey = columnKey(long);
  if (shortKey === longKey) return true;
  // Runs of consecutive steps from the same first step: the shorter is a prefix, without a walk.
  if (isConsecutive(short) && isConsecutive(long)) return short.length === 0 || short[0] === long[0];
  let known = checkedPrefix.get(shortKey);
  if (!known) checkedPrefix.set(shortKey, (known = new WeakMap()));
  const from = Math.min(known.get(longKey) ?? 0, short.length);
  for (let i = from; i < short.length; i++) if (short[i] !== long[i]) return false;
  known.set(longKey, short.length);
  return true;
}

/** `values` with nulls after its end, up to `length`. */
export function padTo(values: Ys, length: number): Ys {
  if (values.length === length) return values;
  const padded = new Array<number | null>(length).fill(null);
  for (let i = 0; i < values.length; i++) padded[i] = values[i] as number | null;
  return padded;
}

/** The sorted union of ascending arrays, duplicates once. */
function mergeSorted(arrays: readonly Xs[]): number[] {
  const out: number[] = [];
  // Each array with the index of its first value not yet merged.
  const cursors = arrays.map((values) => ({ values, next: 0 }));
  for (;;) {
    let next = Infinity;
    for (const c of cursors) {
      const value = c.values[c.next];
      if (value !== undefined && value < next) next = value;
    }
    if (next === Infinity) return out;
    out.push(next);
    for (const c of cursors) while (c.values[c.next] === next) c.next++;
  }
}
