// A column of numbers that grows at its end, in a Float64Array with spare capacity: a run's steps,
// losses and learning rates. A million values take 8 MB (a plain array of them about twice that,
// and more while it grows), and a history's own Float64Array is taken as it is, without a copy.
// The view handed out, `values`, is `subarray(0, length)`: a new object as the column grows, so
// what keeps state per column (the min/max summaries, the log-axis copies) keys it by `columnKey`.
// A column holding 1, 2, 3, … (a run's steps, as they usually are) holds no array of its own: all
// such columns share one (`naturalsTo`), and take their own only when a value breaks the pattern.

/**
 * The growth factor of the capacity: a sixteenth more, not double, so that a million-step column
 * holds at most 8.5 MB, not 16 (six runs' four columns: 204 MB against 384). A column grown from
 * nothing copies each value about 16 times over its life (by `set`, a memory copy); at a million
 * steps that is one 8 MB copy per 62,500 new steps, a minute of a fast run.
 */
const GROWTH = 1.0625;
const MIN_CAPACITY = 1024;

/**
 * 1, 2, 3, …: the one array every column of the values 1…n views (six runs of a million steps
 * hold 8.5 MB of steps, not 51). Never written to once filled; replaced by a longer one when a
 * column needs more, the shorter staying with the columns that took it until they grow past it.
 */
let naturals = new Float64Array(0);

function naturalsTo(n: number): Float64Array {
  if (naturals.length < n) {
    const grown = new Float64Array(Math.max(MIN_CAPACITY, Math.ceil(n * GROWTH)));
    grown.set(naturals);
    for (let i = naturals.length; i < grown.length; i++) grown[i] = i + 1;
    naturals = grown;
  }
  return naturals;
}

/** The column each view was handed out by. */
const owners = new WeakMap<object, GrowableColumn>();

/**
 * Doubles only: a column of float32 (tried for the smoothed loss, half its memory) made the
 * decimation's reads of columns polymorphic, and a redraw of six runs about twice as slow.
 */
export class GrowableColumn {
  private data: Float64Array;
  private size: number;
  private view: Float64Array | undefined;
  /**
   * The values are whole steps, each one more than the one before, from at least 1 (a run's steps
   * as they usually are): known from the start (an empty column, or the extension said so) and
   * kept up on each push, so comparing two such columns needs no walk (align.ts).
   */
  private consecutiveSteps: boolean;
  /** `data` is the shared `naturals` (the values are 1…size): read only, left for an own array at a value off the pattern. */
  private shared = false;

  /**
   * `values` is taken as the column, not copied: the caller must not change it afterwards.
   * `consecutive`: the caller knows them to be consecutive steps (else they are taken as not).
   */
  constructor(values: Float64Array = new Float64Array(0), consecutive = values.length === 0) {
    this.data = values;
    this.size = values.length;
    this.consecutiveSteps = consecutive;
    // Steps known consecutive from 1 are 1…n: the shared array holds them, `values` is let go.
    if (consecutive && values.length > 0 && values[0] === 1) {
      this.data = naturalsTo(values.length);
      this.shared = true;
    }
  }

  get consecutive(): boolean {
    return this.consecutiveSteps;
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
    if (this.consecutiveSteps && !(this.size === 0 ? value >= 1 && Number.isInteger(value) : value === (this.data[this.size - 1] as number) + 1)) this.consecutiveSteps = false;
    if (value === this.size + 1 && (this.shared || this.size === 0)) {
      // Still 1…n: the shared array has the value already (a longer one is taken when it is past its end).
      if (!this.shared || this.data.length <= this.size) this.data = naturalsTo(this.size + 1);
      this.shared = true;
      this.size++;
      return;
    }
    if (this.shared) this.unshare();
    if (this.size === this.data.length) this.reserve(Math.max(MIN_CAPACITY, Math.ceil(this.data.length * GROWTH)));
    this.data[this.size++] = value;
  }

  /** An own array in place of the shared one, before a value off the 1…n pattern is written. */
  private unshare(): void {
    const own = new Float64Array(Math.max(MIN_CAPACITY, Math.ceil((this.size + 1) * GROWTH)));
    own.set(this.data.subarray(0, this.size));
    this.data = own;
    this.shared = false;
  }

  /** Room for `capacity` values without growing again (a column derived from another of known length). */
  reserve(capacity: number): void {
    // A shared column grows without copying; an own array is made only if it leaves the pattern.
    if (this.shared || capacity <= this.data.length) return;
    const grown = new Float64Array(capacity);
    grown.set(this.data.subarray(0, this.size));
    this.data = grown;
  }

  /** A new column holding the first `n` values (a column only grows: shortening one makes another). */
  prefix(n: number): GrowableColumn {
    const kept = Math.min(n, this.size);
    return new GrowableColumn(this.shared ? this.data.subarray(0, kept) : this.data.slice(0, kept), this.consecutiveSteps || this.shared);
  }
}

/** What identifies a column across its views: its owner for a GrowableColumn's view, else itself. */
export function columnKey(values: object): object {
  return owners.get(values) ?? values;
}

/** Whether `values` is a GrowableColumn's view known to hold consecutive steps (see `consecutive`). */
export function isConsecutive(values: object): boolean {
  return owners.get(values)?.consecutive ?? false;
}
