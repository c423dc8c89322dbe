// Where the run being trained stands, for the status bar, the progress notification and the
// dashboard's ETA. Plain TypeScript, no editor API.
import { formatDuration } from '../../core/report/numbers';
import type { BatchMessage, FinishedMessage, StartedMessage, TrainingMessage } from '../../protocol/training';

export { formatDuration };

export class RunProgress {
  started?: StartedMessage;
  lastBatch?: BatchMessage;
  finished?: FinishedMessage;
  failure?: string;
  /** The first step seen and when: the ETA is the average pace since, evaluation time included. */
  private origin?: { readonly step: number; readonly time: number };

  constructor(private readonly now: () => number = Date.now) {}

  add(message: TrainingMessage): void {
    switch (message.type) {
      case 'started':
        this.started = message;
        this.origin = undefined;
        break;
      case 'batch':
        this.lastBatch = message;
        // The first step of a process includes compiling kernels; timing from its end is fairer.
        this.origin ??= { step: message.step, time: this.now() };
        break;
      case 'finished':
        this.finished = message;
        break;
      case 'failed':
        this.failure = message.message;
        break;
    }
  }

  get step(): number {
    return this.lastBatch?.step ?? this.started?.resumedAtStep ?? 0;
  }

  /** Done so far, 0 to 1. */
  get fraction(): number {
    const total = this.started?.totalSteps;
    return total ? Math.min(1, this.step / total) : 0;
  }

  /** Seconds left at the pace so far; undefined until there is a pace to go by. */
  etaSeconds(): number | undefined {
    const total = this.started?.totalSteps;
    const last = this.lastBatch;
    if (!total || !last || !this.origin || last.step <= this.origin.step) return undefined;
    const seconds = (this.now() - this.origin.time) / 1000;
    if (seconds <= 0) return undefined;
    const stepsPerSecond = (last.step - this.origin.step) / seconds;
    return Math.max(0, (total - last.step) / stepsPerSecond);
  }

  /** "epoch 3/182 · loss 0.412 · ETA 1h 02m", for the status bar and the notification. */
  describe(): string {
    const started = this.started;
    if (!started) return 'starting…';
    const parts: string[] = [];
    const epoch = this.lastBatch ? this.lastBatch.epoch + 1 : Math.floor(this.step / started.stepsPerEpoch) + 1;
    parts.push(`epoch ${Math.min(epoch, started.epochs)}/${started.epochs}`);
    if (this.lastBatch) parts.push(`loss ${this.lastBatch.loss.toFixed(3)}`);
    const eta = this.etaSeconds();
    if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`);
    return parts.join(' · ');
  }
}

