// A column of numbers that grows at its end, in a Float64Array with spare capacity: a run's steps,
// losses and learning rates. A million values take 8 MB (a plain array of them about twice that,
// and more while it grows), and a history's own Float64Array is taken as it is, without a copy.
// The view handed out, `values`, is `subarray(0, length)`: a new object as the column grows, so
// what keeps state per column (the min/max summaries, the log-axis copies) keys it by `columnKey`.

/** The growth factor of the capacity: a quarter more, not double, so that a million-step column holds at most 10 MB, not 16; each value is still copied only a few times on average (by `set`, a memory copy). */
const GROWTH = 1.25;
const MIN_CAPACITY = 1024;

/** The column each view was handed out by. */
const owners = new WeakMap<object, GrowableColumn>();

export class GrowableColumn {
  private data: Float64Array;
  private size: number;
  private view: Float64Array | undefined;

  /** `values` is taken as the column, not copied: the caller must not change it afterwards. */
  constructor(values: Float64Array = new Float64Array(0)) {
    this.data = values;
    this.size = values.length;
  }

  get length(): number {
    return this.size;
  }

  /** The last value, `fallback` when empty. */
  last(fallback: number): number {
    return this.size > 0 ? (this.data[this.size - 1] as number) : fallback;
  }

  /** The values so far, as a view (no copy). Valid until the column grows; its values never change. */
  get values(): Float64Array {
    if (!this.view || this.view.length !== this.size) {
      this.view = this.data.subarray(0, this.size);
      owners.set(this.view, this);
    }
    return this.view;
  }

  push(value: number): void {
    if (this.size === this.data.length) this.reserve(Math.max(MIN_CAPACITY, Math.ceil(this.data.length * GROWTH)));
    this.data[this.size++] = value;
  }

  /** Room for `capacity` values without growing again (a column derived from another of known length). */
  reserve(capacity: number): void {
    if (capacity <= this.data.length) return;
    const grown = new Float64Array(capacity);
    grown.set(this.data.subarray(0, this.size));
    this.data = grown;
  }

  /** A new column holding the first `n` values (a column only grows: shortening one makes another). */
  prefix(n: number): GrowableColumn {
    return new GrowableColumn(this.data.slice(0, Math.min(n, this.size)));
  }
}

/** What identifies a column across its views: its owner for a GrowableColumn's view, else itself. */
export function columnKey(values: object): object {
  return owners.get(values) ?? values;
}
