// uPlot draws series that share one sorted x array. Runs overlaid on one chart have x values of
// their own (other step counts, other epoch lengths), so they are merged onto the union of their
// x values, with null where a run has no point (the series span those gaps).

export interface Table {
  /** Ascending. */
  readonly x: readonly number[];
  /** One array per series, as long as `x`. */
  readonly ys: readonly (readonly (number | null)[])[];
}

export interface Aligned {
  readonly x: readonly number[];
  readonly ys: readonly (readonly (number | null)[])[];
}

export function alignTables(tables: readonly Table[]): Aligned {
  if (tables.length === 0) return { x: [], ys: [] };
  // The common case (one run, or runs on the same steps) needs no copy at all.
  const longest = commonSteps(tables);
  if (longest) {
    return { x: longest.x, ys: tables.flatMap((t) => (t === longest ? t.ys : t.ys.map((y) => padTo(y, longest.x.length)))) };
  }
  const x = mergeSorted(tables.map((t) => t.x));
  const ys: (readonly (number | null)[])[] = [];
  for (const table of tables) {
    const index = new Array<number>(table.x.length);
    let j = 0;
    let i = 0;
    for (const step of table.x) {
      // x holds every table's steps, so j stops at this one before x ends (past the end: stop too).
      while ((x[j] ?? Number.POSITIVE_INFINITY) < step) j++;
      index[i++] = j;
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

/** For each pair of step columns, how long a prefix of the first was found equal to the second. */
const checkedPrefix = new WeakMap<readonly number[], WeakMap<readonly number[], number>>();

function isPrefix(short: readonly number[], long: readonly number[]): boolean {
  if (short === long) return true;
  if (short.length > long.length) return false;
  // Step columns only grow in place, so what matched once still does: a live run's redraw checks
  // only its new steps, not a million each frame.
  let known = checkedPrefix.get(short);
  if (!known) checkedPrefix.set(short, (known = new WeakMap()));
  const from = Math.min(known.get(long) ?? 0, short.length);
  for (let i = from; i < short.length; i++) if (short[i] !== long[i]) return false;
  known.set(long, short.length);
  return true;
}

/** `values` with nulls after its end, up to `length`. */
export function padTo(values: readonly (number | null)[], length: number): readonly (number | null)[] {
  if (values.length === length) return values;
  const padded = values.slice();
  padded.length = length;
  return padded.fill(null, values.length);
}

/** The sorted union of ascending arrays, duplicates once. */
function mergeSorted(arrays: readonly (readonly number[])[]): number[] {
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
