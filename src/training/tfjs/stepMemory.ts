// The measured peak memory of a TF.js training step (issue 20, item 2): the backend's own
// accounting, tf.profile's peak of allocated bytes while a whole step runs (weights, gradients,
// optimizer state, every intermediate and the batch). The first two steps of a launch are measured
// (the first makes the optimizer's state, the second holds it from its start); the larger is the
// figure, reported once, in the first epoch message after it, beside the estimate. A data-parallel
// step (parallel/dataParallel.ts) counts every thread: the main thread's peak plus the others'.
import * as tf from '@tensorflow/tfjs';

/** Steps measured at the start of each launch: profiling costs a little time per kernel. */
const MEASURED_STEPS = 2;

export class StepPeakMeter {
  private left = MEASURED_STEPS;
  private peak: number | undefined;
  private reported = false;

  /**
   * Runs `step`, measuring its peak while steps are left to measure. `step` is told whether it is
   * measured; a data-parallel step adds what its other threads measured at their peaks.
   */
  async around<T extends { readonly otherThreadsPeakBytes?: number }>(step: (measuring: boolean) => Promise<T>): Promise<T> {
    if (this.left === 0) return step(false);
    this.left--;
    let result: { value: T } | undefined;
    const info = await tf.profile(async () => {
      result = { value: await step(true) };
    });
    const value = (result as { value: T }).value;
    this.peak = Math.max(this.peak ?? 0, info.peakBytes + (value.otherThreadsPeakBytes ?? 0));
    return value;
  }

  /** `{ peakStepBytes, estimatedStepBytes }` the first time a measurement is there; nothing after. */
  report(estimatedStepBytes: number): { peakStepBytes?: number; estimatedStepBytes?: number } {
    if (this.reported || this.peak === undefined) return {};
    this.reported = true;
    return { peakStepBytes: this.peak, estimatedStepBytes };
  }
}
