// Smoothing of a noisy curve as TensorBoard does it: an exponential moving average whose pull
// toward its zero start is divided out ("debiased"), so the first points are not dragged down.

import { at } from '../../src/core/indexed';

/** Extends incrementally: live runs add a few points per frame, and refolding them all would be O(n). */
export class DebiasedEma {
  private readonly smoothed: number[] = [];
  private last = 0;
  /** weight^n after n points: the share of the zero start still in `last`. */
  private startShare = 1;

  /** weight in [0, 1): 0 keeps the raw values, 0.99 averages over about a hundred points. */
  constructor(readonly weight: number) {}

  get values(): readonly number[] {
    return this.smoothed;
  }

  /** Smooths the points of `raw` past those already smoothed. */
  extend(raw: ArrayLike<number>): readonly number[] {
    const w = this.weight;
    for (let i = this.smoothed.length; i < raw.length; i++) {
      const value = at(raw, i, 'raw values');
      if (!Number.isFinite(value)) {
        // A diverged step shows as itself and does not poison the average after it.
        this.smoothed.push(value);
        continue;
      }
      this.last = this.last * w + (1 - w) * value;
      this.startShare *= w;
      this.smoothed.push(this.last / (1 - this.startShare));
    }
    return this.smoothed;
  }
}

export function debiasedEma(raw: ArrayLike<number>, weight: number): number[] {
  return [...new DebiasedEma(weight).extend(raw)];
}
