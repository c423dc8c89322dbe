// A multi-resolution min/max summary of one growing column (a run's loss, its smoothed loss, its
// learning rate): for each bucket of 16·2^k values, the index of its lowest and highest value.
// The lowest and highest of any index range then cost O(log n) bucket reads instead of a walk over
// every value, so a chart of a million steps is decimated per pixel column, exactly, at the cost
// of its pixels; appending steps only adds the buckets they complete.
//
// The columns handed in only grow at their end (RunSeries and the derived columns replace an
// array rather than change its values): a summary built for a prefix stays true of it. A growing
// typed column hands out a new view as it grows; the summary is kept per column (`columnKey`).
import { columnKey } from './column';

/** Values in a bucket of the finest level; shorter runs of values are read one by one. */
const LEAF = 16;

type Values = ArrayLike<number | null | undefined>;

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

export class Envelope {
  /** levels[k]: per full bucket of LEAF·2^k values, its lowest and highest value's index (-1: all null). */
  private readonly lows: number[][] = [];
  private readonly highs: number[][] = [];
  /** How many values of the column the summary covers (full buckets only). */
  private covered = 0;

  /** Folds the values of `y` past those already summarised: only the buckets they complete. */
  extend(y: Values): void {
    const fullBuckets = Math.floor(y.length / LEAF);
    if (this.lows.length === 0) {
      this.lows.push([]);
      this.highs.push([]);
    }
    const leafLows = this.lows[0] as number[];
    const leafHighs = this.highs[0] as number[];
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
        const below = this.lows[k - 1] as number[];
        if (this.lows.length <= k) {
          if (below.length < 2) break;
          this.lows.push([]);
          this.highs.push([]);
        }
        const level = this.lows[k] as number[];
        const levelHighs = this.highs[k] as number[];
        const belowHighs = this.highs[k - 1] as number[];
        if (below.length < 2 * level.length + 2) break;
        const left = 2 * level.length;
        level.push(lower(y, below[left] as number, below[left + 1] as number));
        levelHighs.push(higher(y, belowHighs[left] as number, belowHighs[left + 1] as number));
      }
    }
    this.covered = fullBuckets * LEAF;
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
          lo = lower(y, lo, (this.lows[k] as number[])[bucket] as number);
          hi = higher(y, hi, (this.highs[k] as number[])[bucket] as number);
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

const summaries = new WeakMap<object, Envelope>();

/** The summary of `y`, brought up to its length (built once per column, then extended). */
export function envelopeOf(y: Values): Envelope {
  const key = columnKey(y);
  let envelope = summaries.get(key);
  // A column shorter than its summary was changed in place after all: summarise it afresh.
  if (!envelope || envelope.length > y.length) summaries.set(key, (envelope = new Envelope()));
  envelope.extend(y);
  return envelope;
}
