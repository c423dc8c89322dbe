// Smoothing of a noisy curve as TensorBoard does it: an exponential moving average whose pull
// toward its zero start is divided out ("debiased"), so the first points are not dragged down.
// Host-free: the extension smooths a history it sends at the page's weight (`state` goes with it),
// and the page takes that (`DebiasedEma.adopt`) and goes on smoothing the live steps.

import { GrowableColumn } from './column';

/**
 * Extends incrementally: live runs add a few points per frame, and refolding them all would be O(n).
 * Into a typed column (column.ts): pushing a million values onto a plain array, as it first did,
 * took about 110 ms in Node; smoothing a million at once into one array takes 22–25 ms on the
 * 2-core VM (2026-12-06, shared), pushing them into the column took about 50.
 */
export class DebiasedEma {
  private smoothed = new GrowableColumn();
  private last = 0;
  /** weight^n after n points: the share of the zero start still in `last`. */
  private startShare = 1;

  /** weight in [0, 1): 0 keeps the raw values, 0.99 averages over about a hundred points. */
  constructor(readonly weight: number) {}

  /** Where the fold stands after the values so far: what `adopt` needs to go on from them. */
  get state(): SmoothingState {
    return { last: this.last, startShare: this.startShare };
  }

  /**
   * Smoothed values computed elsewhere (the extension, for a history), taken without a copy, with
   * the fold's state after them: extending then smooths the raw points past them as if done here.
   */
  static adopt(weight: number, values: Float64Array, state: SmoothingState): DebiasedEma {
    const ema = new DebiasedEma(weight);
    ema.smoothed = new GrowableColumn(values);
    ema.last = state.last;
    ema.startShare = state.startShare;
    return ema;
  }

  get values(): Float64Array {
    return this.smoothed.values;
  }

  /** Smooths the points of `raw` past those already smoothed. */
  extend(raw: ArrayLike<number>): Float64Array {
    const w = this.weight;
    const from = this.smoothed.length;
    const n = raw.length;
    if (from >= n) return this.smoothed.values;
    // Into an array of its own first: a whole column smoothed at once (a history, or the
    // extension's store at a new weight) becomes the column as it is, where pushing each value
    // cost about 50 ms a million in Node; a live run's few new points are pushed after.
    const out = new Float64Array(n - from);
    // The running sums in locals: a number field written per point allocates a heap number each time.
    let last = this.last;
    let startShare = this.startShare;
    for (let i = from; i < n; i++) {
      const value = raw[i] as number;
      if (!Number.isFinite(value)) {
        // A diverged step shows as itself and does not poison the average after it.
        out[i - from] = value;
        continue;
      }
      last = last * w + (1 - w) * value;
      // weight^n stops at the smallest subnormal (0.6 of it rounds back up), where every product
      // is slow: about 70 ms per million points instead of 7. 1 - share is 1 long before, so 0 is exact.
      startShare = startShare < 1e-300 ? 0 : startShare * w;
      out[i - from] = last / (1 - startShare);
    }
    this.last = last;
    this.startShare = startShare;
    if (from === 0) this.smoothed = new GrowableColumn(out);
    else for (let k = 0; k < out.length; k++) this.smoothed.push(out[k] as number);
    return this.smoothed.values;
  }
}

/** The fold's running values after some points (see `DebiasedEma.state`). */
export interface SmoothingState {
  readonly last: number;
  readonly startShare: number;
}

export function debiasedEma(raw: ArrayLike<number>, weight: number): number[] {
  return Array.from(new DebiasedEma(weight).extend(raw));
}
