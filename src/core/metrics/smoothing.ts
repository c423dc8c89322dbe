// Smoothing of a noisy curve as TensorBoard does it: an exponential moving average whose pull
// toward its zero start is divided out ("debiased"), so the first points are not dragged down.
// Host-free: the extension smooths a history it sends at the page's weight (`state` goes with it),
// and the page takes that (`DebiasedEma.adopt`) and goes on smoothing the live steps.

import { GrowableColumn } from './column';

/**
 * Extends incrementally: live runs add a few points per frame, and refolding them all would be O(n).
 * Into a typed column (column.ts): pushing a million values onto a plain array, as it first did,
 * took about 110 ms in Node, this about a twentieth of that.
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
    // As long as the raw column: a whole history smoothed at once allocates once.
    if (this.smoothed.length === 0) this.smoothed.reserve(raw.length);
    // The running sums in locals: a number field written per point allocates a heap number each time.
    let last = this.last;
    let startShare = this.startShare;
    const smoothed = this.smoothed;
    for (let i = smoothed.length, n = raw.length; i < n; i++) {
      const value = raw[i] as number;
      if (!Number.isFinite(value)) {
        // A diverged step shows as itself and does not poison the average after it.
        smoothed.push(value);
        continue;
      }
      last = last * w + (1 - w) * value;
      // weight^n stops at the smallest subnormal (0.6 of it rounds back up), where every product
      // is slow: about 70 ms per million points instead of 7. 1 - share is 1 long before, so 0 is exact.
      startShare = startShare < 1e-300 ? 0 : startShare * w;
      smoothed.push(last / (1 - startShare));
    }
    this.last = last;
    this.startShare = startShare;
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
