// Everything the dashboard knows about one run, folded from its TrainingMessages (the run's
// metrics.jsonl, then live ones) into typed columns (column.ts) the charts read without copying. Where
// the run stands (step, epoch, how it ended) is the shared fold of src/training/runProgress.ts.
import type { EpochMessage, FinishedMessage, LayerStatsMessage, StartedMessage, TrainingMessage } from '../../src/protocol/training';
import { batchAt, type BatchColumns, type HistorySummaries, type StepsOnHost } from '../../src/protocol/webview';
import { at } from '../../src/core/indexed';
import { RunProgress } from '../../src/training/runProgress';
import { GrowableColumn } from '../../src/core/metrics/column';
import { adoptEnvelope } from './envelope';

export class RunSeries {
  /** Where the run stands: the same fold the CLI and the editor render. */
  readonly progress = new RunProgress();
  /**
   * Per optimizer step, in step order. (Replaced wholesale when a history arrives.) No accuracy per
   * step: no chart draws it (the metric chart is per epoch), and at a million steps it cost 8 MB a run.
   */
  private steps = new GrowableColumn();
  private losses = new GrowableColumn();
  private lrs = new GrowableColumn();
  /** The latest throughput (the worker already smooths it). */
  imagesPerSec = 0;
  /** Per finished epoch, in epoch order. */
  readonly epochs: EpochMessage[] = [];
  /** Bumps when an epoch was replaced or removed (not when one is appended): what is derived from `epochs` is then rebuilt, not extended. */
  epochRewrites = 0;
  /** The run's layer statistics (issue 24), in step order: a few dozen a run. */
  readonly layerStats: LayerStatsMessage[] = [];
  /** Bumps when steps were removed or replaced, so derived columns must be rebuilt, not extended. */
  rewrites = 0;
  /**
   * The loss smoothed by the extension for the history these columns came from (at the weight the
   * page asked with): the charts take it instead of smoothing a million steps. Dropped with the steps.
   */
  private smoothedFromHost?: HistorySummaries['smoothed'];

  /**
   * The extension's smoothed loss if it was made at `weight`, asked for once: whoever takes it owns
   * it, and at another weight (the slider moved meanwhile) it is of no use. Kept here after, it would
   * hold its 8 MB a million steps once the taker's column has grown.
   */
  takeSmoothed(weight: number): NonNullable<HistorySummaries['smoothed']> | undefined {
    const smoothed = this.smoothedFromHost;
    this.smoothedFromHost = undefined;
    return smoothed && smoothed.weight === weight && smoothed.values.length <= this.losses.length ? smoothed : undefined;
  }
  /**
   * Where the run's history steps are when the extension keeps them (issue 21): the page's columns
   * then hold only the last of them and the live steps after it, and the step charts draw what
   * they ask of the extension (hostSteps.ts).
   */
  stepsOnHost?: StepsOnHost | undefined;
  /** The last step of the last record (history) received, lowered when a resume drops steps past it. */
  private lastRecordEnd = 0;

  constructor(readonly runDir: string) {}

  /** The columns as views (no copy); a view stays valid, and unchanged, as the column grows. */
  get step(): Float64Array {
    return this.steps.values;
  }

  get loss(): Float64Array {
    return this.losses.values;
  }

  get lr(): Float64Array {
    return this.lrs.values;
  }

  get started(): StartedMessage | undefined {
    return this.progress.started;
  }

  get finished(): FinishedMessage | undefined {
    return this.progress.finished;
  }

  get failure(): string | undefined {
    return this.progress.failure;
  }

  get lastCheckpointStep(): number | undefined {
    return this.progress.lastCheckpointStep;
  }

  add(message: TrainingMessage): void {
    this.progress.add(message);
    switch (message.type) {
      case 'started':
        // A resumed run replays from its checkpoint: what came after it is superseded.
        if (message.resumedAtStep !== undefined) this.dropAfter(message.resumedAtStep);
        break;
      case 'batch': {
        // The same step twice (read from the file and then received live) counts once.
        if (message.step <= this.steps.last(0)) return;
        this.steps.push(message.step);
        this.losses.push(message.loss);
        this.lrs.push(message.lr);
        this.imagesPerSec = message.imagesPerSec;
        break;
      }
      case 'epoch': {
        // The usual case, the next epoch, is appended without a search: a history of a million
        // steps has thousands of epochs, and searching and sorting for each made reading it O(n²).
        const latest = this.epochs[this.epochs.length - 1];
        if (latest === undefined || message.epoch > latest.epoch) {
          this.epochs.push(message);
          break;
        }
        this.epochRewrites++;
        const at = this.epochs.findIndex((e) => e.epoch === message.epoch);
        if (at >= 0) {
          this.epochs[at] = message;
        } else {
          this.epochs.push(message);
          this.epochs.sort((a, b) => a.epoch - b.epoch);
        }
        break;
      }
      case 'layerStats': {
        const latest = this.layerStats[this.layerStats.length - 1];
        if (latest === undefined || message.step > latest.step) this.layerStats.push(message);
        else {
          // Read from the file and then received live: the same step once.
          const same = this.layerStats.findIndex((m) => m.step === message.step);
          if (same >= 0) this.layerStats[same] = message;
          else {
            this.layerStats.push(message);
            this.layerStats.sort((a, b) => a.step - b.step);
          }
        }
        break;
      }
      default:
        break;
    }
  }

  /**
   * Steps in columns (a run's history): those past the last step known are appended. `summaries`,
   * the extension's of these columns, spare the page the walks over every step (the steps' order,
   * the min/max summaries) when the columns become the run's whole.
   */
  addBatches(columns: BatchColumns, summaries?: HistorySummaries): void {
    const n = columns.step.length;
    let last = this.steps.last(0);
    if (n > 0) {
      // The fold needs only the latest step of the lot.
      const latest = batchAt(columns, n - 1);
      this.imagesPerSec = latest.imagesPerSec;
      this.progress.add(latest);
    }
    // The usual case, a whole history after `clear()`: the message's own columns become the
    // run's (no copy; live steps are appended to them), not step by step.
    const consecutive = summaries?.consecutiveSteps === true;
    if (this.steps.length === 0 && (consecutive || increasing(columns.step))) {
      this.steps = new GrowableColumn(columns.step, consecutive);
      this.losses = new GrowableColumn(columns.loss);
      this.lrs = new GrowableColumn(columns.lr);
      if (summaries) {
        adoptEnvelope(this.losses.values, summaries.loss);
        adoptEnvelope(this.lrs.values, summaries.lr);
        this.smoothedFromHost = summaries.smoothed;
      }
      this.rewrites++;
      return;
    }
    for (let i = 0; i < n; i++) {
      const step = columns.step[i] as number;
      if (step <= last) continue;
      last = step;
      this.steps.push(step);
      this.losses.push(columns.loss[i] as number);
      this.lrs.push(columns.lr[i] as number);
    }
  }

  /**
   * The run's whole record (its metrics.jsonl) replaces what the page had, keeping the points that
   * arrived live past the record's last step: a history read before they were written can arrive
   * after them, and a point once drawn must not disappear.
   */
  replaceHistory(messages: readonly TrainingMessage[], batches: BatchColumns, summaries?: HistorySummaries, stepsOnHost?: StepsOnHost): void {
    const recordEnd = Math.max(batches.step.length > 0 ? at(batches.step, batches.step.length - 1, 'history steps') : 0, lastStepOf(messages));
    // Only what came live since the last record: steps an earlier record held past this one's end
    // were superseded (a resume from an older checkpoint), not missed.
    const later = this.pointsAfter(Math.max(recordEnd, this.lastRecordEnd));
    this.clear();
    for (const m of messages) this.add(m);
    this.addBatches(batches, summaries);
    for (const m of later) this.add(m);
    this.lastRecordEnd = recordEnd;
    this.stepsOnHost = stepsOnHost;
  }

  /** The epochs and steps this series holds past `step`, as the messages that brought them. */
  private pointsAfter(step: number): TrainingMessage[] {
    const later: TrainingMessage[] = [...this.epochs.filter((e) => e.step > step), ...this.layerStats.filter((m) => m.step > step)];
    const steps = this.step;
    let first = steps.length;
    while (first > 0 && at(steps, first - 1, 'steps') > step) first--;
    const lastBatch = this.progress.lastBatch;
    for (let i = first; i < steps.length; i++) {
      const s = at(steps, i, 'steps');
      // The columns keep no epoch or throughput per step; the latest step's own message has them.
      if (lastBatch && s === lastBatch.step) later.push(lastBatch);
      else
        later.push({
          type: 'batch',
          step: s,
          epoch: lastBatch?.epoch ?? 0,
          loss: at(this.loss, i, 'loss'),
          // Not kept per step (see `step`): the latest step's, which nothing draws per step either.
          accuracy: lastBatch?.accuracy ?? 0,
          lr: at(this.lr, i, 'lr'),
          imagesPerSec: this.imagesPerSec,
        });
    }
    return later;
  }

  /** Forgets everything (a fresh history replaces it). */
  clear(): void {
    this.progress.clear();
    this.dropAfter(-Infinity);
    this.imagesPerSec = 0;
  }

  get lastStep(): number {
    return this.progress.step;
  }

  /** The epoch in progress (0-based), from the latest step. */
  get currentEpoch(): number {
    return this.started ? this.progress.epoch : this.epochs.length;
  }

  /** The finished epoch with the lowest validation error (or training error, without a validation split). */
  get best(): { readonly epoch: EpochMessage; readonly on: 'validation' | 'training' } | undefined {
    // Kept and extended as epochs are appended: the metric chart asks at every redraw, over thousands of epochs.
    const known = this.bestSoFar;
    const fresh = known === undefined || known.rewrites !== this.epochRewrites || known.count > this.epochs.length;
    let withVal = fresh ? undefined : known.withVal;
    let bestVal = fresh ? undefined : known.bestVal;
    let bestTrain = fresh ? undefined : known.bestTrain;
    for (let i = fresh ? 0 : known.count; i < this.epochs.length; i++) {
      const e = this.epochs[i] as EpochMessage;
      if (e.valAccuracy !== undefined) {
        withVal = true;
        if (bestVal === undefined || e.valAccuracy > (bestVal.valAccuracy as number)) bestVal = e;
      }
      if (bestTrain === undefined || e.trainAccuracy > bestTrain.trainAccuracy) bestTrain = e;
    }
    this.bestSoFar = { rewrites: this.epochRewrites, count: this.epochs.length, withVal, bestVal, bestTrain };
    if (withVal && bestVal) return { epoch: bestVal, on: 'validation' };
    return bestTrain ? { epoch: bestTrain, on: 'training' } : undefined;
  }

  /** `best`'s running state: the epochs looked at, the best by validation and by training accuracy. */
  private bestSoFar?: {
    readonly rewrites: number;
    readonly count: number;
    readonly withVal: boolean | undefined;
    readonly bestVal: EpochMessage | undefined;
    readonly bestTrain: EpochMessage | undefined;
  };

  private dropAfter(step: number): void {
    const steps = this.step;
    let keep = steps.length;
    while (keep > 0 && at(steps, keep - 1, 'steps') > step) keep--;
    // New columns, not shortened ones: a column only ever grows in place, which is what lets the
    // charts keep summaries of it (envelope.ts) and extend them instead of rebuilding.
    if (keep < steps.length) {
      this.smoothedFromHost = undefined;
      this.steps = this.steps.prefix(keep);
      this.losses = this.losses.prefix(keep);
      this.lrs = this.lrs.prefix(keep);
    }
    const epochsKept = this.epochs.filter((e) => e.step <= step);
    if (epochsKept.length < this.epochs.length) this.epochRewrites++;
    this.epochs.splice(0, this.epochs.length, ...epochsKept);
    const statsKept = this.layerStats.filter((m) => m.step <= step);
    this.layerStats.splice(0, this.layerStats.length, ...statsKept);
    this.lastRecordEnd = Math.min(this.lastRecordEnd, Math.max(0, step));
    this.rewrites++;
  }
}

/** The latest step any of `messages` names (0 when none does). */
function lastStepOf(messages: readonly TrainingMessage[]): number {
  let last = 0;
  for (const m of messages) if ((m.type === 'epoch' || m.type === 'checkpoint' || m.type === 'finished') && m.step > last) last = m.step;
  return last;
}

function increasing(values: Float64Array): boolean {
  // Steps start at 1: the first must be above 0, each next above the one before.
  let previous = 0;
  for (let i = 0, n = values.length; i < n; i++) {
    const v = values[i] as number;
    if (!(v > previous)) return false;
    previous = v;
  }
  return true;
}
