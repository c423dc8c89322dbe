// Everything the dashboard knows about one run, folded from its TrainingMessages (the run's
// metrics.jsonl, then live ones) into columns the charts can hand to uPlot without copying. Where
// the run stands (step, epoch, how it ended) is the shared fold of src/training/runProgress.ts.
import type { EpochMessage, FinishedMessage, StartedMessage, TrainingMessage } from '../../src/protocol/training';
import type { BatchColumns } from '../../src/protocol/webview';
import { RunProgress } from '../../src/training/runProgress';

export class RunSeries {
  /** Where the run stands: the same fold the CLI and the editor render. */
  readonly progress = new RunProgress();
  /** Per optimizer step, in step order. (Replaced wholesale when a history arrives.) */
  step: number[] = [];
  loss: number[] = [];
  accuracy: number[] = [];
  lr: number[] = [];
  /** The latest throughput (the worker already smooths it). */
  imagesPerSec = 0;
  /** Per finished epoch, in epoch order. */
  readonly epochs: EpochMessage[] = [];
  /** Bumps when steps were removed or replaced, so derived columns must be rebuilt, not extended. */
  rewrites = 0;

  constructor(readonly runDir: string) {}

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
        const last = this.step.length > 0 ? this.step[this.step.length - 1] : 0;
        // The same step twice (read from the file and then received live) counts once.
        if (message.step <= last) return;
        this.step.push(message.step);
        this.loss.push(message.loss);
        this.accuracy.push(message.accuracy);
        this.lr.push(message.lr);
        this.imagesPerSec = message.imagesPerSec;
        break;
      }
      case 'epoch': {
        const at = this.epochs.findIndex((e) => e.epoch === message.epoch);
        if (at >= 0) {
          this.epochs[at] = message;
        } else {
          this.epochs.push(message);
          this.epochs.sort((a, b) => a.epoch - b.epoch);
        }
        break;
      }
      default:
        break;
    }
  }

  /** Steps in columns (a run's history): those past the last step known are appended. */
  addBatches(columns: BatchColumns): void {
    const n = columns.step.length;
    let last = this.step.length > 0 ? this.step[this.step.length - 1] : 0;
    if (n > 0) {
      this.imagesPerSec = columns.imagesPerSec[n - 1];
      // The fold needs only the latest step of the lot.
      const i = n - 1;
      this.progress.add({
        type: 'batch',
        step: columns.step[i],
        epoch: columns.epoch[i],
        loss: columns.loss[i],
        accuracy: columns.accuracy[i],
        lr: columns.lr[i],
        imagesPerSec: columns.imagesPerSec[i],
      });
    }
    // The usual case, a whole history after `clear()`: copied column by column (into plain
    // arrays, which live steps are appended to), not step by step.
    if (this.step.length === 0 && increasing(columns.step)) {
      this.step = toArray(columns.step);
      this.loss = toArray(columns.loss);
      this.accuracy = toArray(columns.accuracy);
      this.lr = toArray(columns.lr);
      this.rewrites++;
      return;
    }
    for (let i = 0; i < n; i++) {
      const step = columns.step[i];
      if (step <= last) continue;
      last = step;
      this.step.push(step);
      this.loss.push(columns.loss[i]);
      this.accuracy.push(columns.accuracy[i]);
      this.lr.push(columns.lr[i]);
    }
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
    const withVal = this.epochs.filter((e) => e.valAccuracy !== undefined);
    const on = withVal.length > 0 ? 'validation' : 'training';
    const pool = withVal.length > 0 ? withVal : this.epochs;
    let best: EpochMessage | undefined;
    for (const e of pool) {
      const acc = on === 'validation' ? (e.valAccuracy as number) : e.trainAccuracy;
      const bestAcc = best === undefined ? -Infinity : on === 'validation' ? (best.valAccuracy as number) : best.trainAccuracy;
      if (acc > bestAcc) best = e;
    }
    return best ? { epoch: best, on } : undefined;
  }

  private dropAfter(step: number): void {
    let keep = this.step.length;
    while (keep > 0 && this.step[keep - 1] > step) keep--;
    for (const column of [this.step, this.loss, this.accuracy, this.lr]) column.length = keep;
    const epochsKept = this.epochs.filter((e) => e.step <= step);
    this.epochs.splice(0, this.epochs.length, ...epochsKept);
    this.rewrites++;
  }
}

/** A plain copy; a preallocated loop is several times faster than Array.from on 100,000 values. */
function toArray(values: Float64Array): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

function increasing(values: Float64Array): boolean {
  for (let i = 1; i < values.length; i++) if (!(values[i] > values[i - 1])) return false;
  return values.length === 0 || values[0] > 0;
}
