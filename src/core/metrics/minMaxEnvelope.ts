// A multi-resolution min/max summary of one column of values that grows at its end (a run's loss,
// its smoothed loss, its learning rate): for each bucket of 16·2^k values, the index of its lowest
// and highest value. The lowest and highest of any index range then cost O(log n) bucket reads
// instead of a walk over every value, so a chart of a million steps is decimated per pixel column,
// exactly, at the cost of its pixels; appending values only adds the buckets they complete.
//
// Host-free: the extension builds a run's summaries as it reads the run's history and sends their
// levels with it (`levels`), and the dashboard page takes them (`Envelope.adopt`) instead of
// walking a million steps on its first render; the page extends them as live steps arrive.
// The column must only grow at its end: a summary built for a prefix stays true of it.

/** Values in a bucket of the finest level; shorter runs of values are read one by one. */
export const LEAF = 16;

export type Values = ArrayLike<number | null | undefined>;

/** The lower of two candidate indices (-1: none); on a tie the first, as a scan from the left keeps. */
function lower(y: Values, a: number, b: number): number {
  if (a < 0) return b;
  if (b < 0) return a;
  return (y[b] as number) < (y[a] as number) ? b : a;
}

function higher(y: Values, a: number, b: number): number {
  if (a < 0) return b;
  if (b < 0) return a;
  return (y[b] as number) > (y[a] as number) ? b : a;
}

/** The lowest and highest value's indices of a range, -1 when it holds only gaps (null). */
export interface Extremes {
  lo: number;
  hi: number;
}

/** A summary's levels as sent between the extension and the page: per level, per full bucket, the lowest and highest value's index (-1: only gaps). */
export interface EnvelopeLevels {
  readonly lows: readonly Int32Array[];
  readonly highs: readonly Int32Array[];
}

/** How many full buckets level k has over n values (levels stop at the first with fewer than one). */
export function bucketsAt(n: number, k: number): number {
  return Math.floor(n / (LEAF * 2 ** k));
}

/**
 * Why `levels` cannot be the summary of n values, undefined when it can: the number of levels and
 * of buckets in each, and every index inside its own bucket (an index a bucket's reads would go
 * out of range with). Reads the levels (about n/8 indices), not the values.
 */
export function checkLevels(levels: EnvelopeLevels, n: number): string | undefined {
  const { lows, highs } = levels;
  if (lows.length !== highs.length) return `${lows.length} levels of lowest values but ${highs.length} of highest`;
  // As `extend` builds them: level 0 always, each next while the one below has two buckets.
  let expected = 1;
  while (bucketsAt(n, expected - 1) >= 2) expected++;
  if (lows.length !== expected) return `${lows.length} levels for ${n} values, expected ${expected}`;
  for (let k = 0; k < lows.length; k++) {
    const size = LEAF * 2 ** k;
    const count = bucketsAt(n, k);
    for (const [name, level] of [
      ['lowest', lows[k] as Int32Array],
      ['highest', highs[k] as Int32Array],
    ] as const) {
      if (level.length !== count) return `level ${k} has ${level.length} ${name} values' indices, expected ${count}`;
      for (let b = 0; b < count; b++) {
        const i = level[b] as number;
        if (i !== -1 && (i < b * size || i >= (b + 1) * size)) return `level ${k}, bucket ${b}: index ${i} is outside the bucket`;
      }
    }
  }
  return undefined;
}

/** A list of indices that grows at its end, in an Int32Array with spare room (a summary level). */
class IndexList {
  private data: Int32Array;
  length: number;

  /** `from` is taken as the list, not copied (and never written to: a push past it reallocates). */
  constructor(from?: Int32Array) {
    this.data = from ?? new Int32Array(16);
    this.length = from?.length ?? 0;
  }

  get(i: number): number {
    return this.data[i] as number;
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      // A sixteenth more (as the columns grow): doubling a taken level would double the summary.
      const grown = new Int32Array(this.length + Math.max(64, this.length >> 4));
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  copy(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

export class Envelope {
  /** levels[k]: per full bucket of LEAF·2^k values, its lowest and highest value's index (-1: all null). */
  private readonly lows: IndexList[] = [];
  private readonly highs: IndexList[] = [];
  /** How many values of the column the summary covers (full buckets only). */
  private covered = 0;

  /** Folds the values of `y` past those already summarised: only the buckets they complete. */
  extend(y: Values): void {
    const fullBuckets = Math.floor(y.length / LEAF);
    if (this.lows.length === 0) {
      this.lows.push(new IndexList());
      this.highs.push(new IndexList());
    }
    const leafLows = this.lows[0] as IndexList;
    const leafHighs = this.highs[0] as IndexList;
    for (let bucket = leafLows.length; bucket < fullBuckets; bucket++) {
      let lo = -1;
      let hi = -1;
      let low = 0;
      let high = 0;
      for (let i = bucket * LEAF, end = i + LEAF; i < end; i++) {
        const v = y[i];
        if (v == null) continue;
        if (lo < 0 || v < low) {
          lo = i;
          low = v;
        }
        if (hi < 0 || v > high) {
          hi = i;
          high = v;
        }
      }
      leafLows.push(lo);
      leafHighs.push(hi);
      // Each pair of finished buckets makes one bucket of the level above.
      for (let k = 1; ; k++) {
        const below = this.lows[k - 1] as IndexList;
        if (this.lows.length <= k) {
          if (below.length < 2) break;
          this.lows.push(new IndexList());
          this.highs.push(new IndexList());
        }
        const level = this.lows[k] as IndexList;
        const levelHighs = this.highs[k] as IndexList;
        const belowHighs = this.highs[k - 1] as IndexList;
        if (below.length < 2 * level.length + 2) break;
        const left = 2 * level.length;
        level.push(lower(y, below.get(left), below.get(left + 1)));
        levelHighs.push(higher(y, belowHighs.get(left), belowHighs.get(left + 1)));
      }
    }
    this.covered = fullBuckets * LEAF;
  }

  /** The summary's levels as typed arrays (to send), for the `length` values it covers. */
  levels(): EnvelopeLevels {
    return { lows: this.lows.map((l) => l.copy()), highs: this.highs.map((h) => h.copy()) };
  }

  /**
   * A summary from levels sent by another side, for the first `n` values of a column, taken as they
   * are (no copy; growing the summary later copies, never writes into them). The receiver checks
   * them first with `checkLevels` (the dashboard's protocol check does); only their shape is checked here.
   */
  static adopt(levels: EnvelopeLevels, n: number): Envelope {
    const { lows, highs } = levels;
    if (lows.length !== highs.length || lows.some((l, k) => l.length !== bucketsAt(n, k) || highs[k]?.length !== l.length))
      throw new Error(`the min/max summary does not fit its ${n} values: ${checkLevels(levels, n) ?? 'levels of other lengths'}`);
    const envelope = new Envelope();
    for (let k = 0; k < levels.lows.length; k++) {
      envelope.lows.push(new IndexList(levels.lows[k] as Int32Array));
      envelope.highs.push(new IndexList(levels.highs[k] as Int32Array));
    }
    envelope.covered = bucketsAt(n, 0) * LEAF;
    return envelope;
  }

  /** How many values the summary covers. */
  get length(): number {
    return this.covered;
  }

  /**
   * The indices of the lowest and highest non-null value with index in [from, to): the largest
   * whole buckets inside the range, values one by one at its ragged ends. `y` is the column this
   * summary was extended with, at least `to` long.
   */
  extremes(y: Values, from: number, to: number): Extremes {
    let lo = -1;
    let hi = -1;
    let i = from;
    while (i < to) {
      if (i % LEAF === 0) {
        // The coarsest bucket that starts at i and ends by `to`.
        let k = -1;
        let size = LEAF;
        while (k + 1 < this.lows.length && i % size === 0 && i + size <= to && i + size <= this.covered) {
          k++;
          size *= 2;
        }
        if (k >= 0) {
          size /= 2;
          const bucket = i / size;
          lo = lower(y, lo, (this.lows[k] as IndexList).get(bucket));
          hi = higher(y, hi, (this.highs[k] as IndexList).get(bucket));
          i += size;
          continue;
        }
      }
      if (y[i] != null) {
        lo = lower(y, lo, i);
        hi = higher(y, hi, i);
      }
      i++;
    }
    return { lo, hi };
  }
}

/** The levels of a whole column's summary, built in one pass (the extension, for a history it sends). */
export function envelopeLevels(y: Values): EnvelopeLevels {
  const envelope = new Envelope();
  envelope.extend(y);
  return envelope.levels();
}

/** Whether `steps` are consecutive whole steps from at least 1 (each one more than the one before). */
export function consecutiveSteps(steps: ArrayLike<number>): boolean {
  const n = steps.length;
  if (n === 0) return true;
  const first = steps[0] as number;
  if (!(first >= 1) || !Number.isInteger(first)) return false;
  for (let i = 1; i < n; i++) if (steps[i] !== first + i) return false;
  return true;
}
