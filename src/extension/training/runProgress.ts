// The run being trained, as the status bar and the progress notification say it: the shared fold
// of src/training/runProgress.ts, rendered in one line. Plain TypeScript, no editor API.
import { formatDuration } from '../../core/report/numbers';
import { RunProgress as RunProgressFold } from '../../training/runProgress';

export { formatDuration };

export class RunProgress extends RunProgressFold {
  /** "epoch 3/182 · loss 0.412 · ETA 1h 02m", for the status bar and the notification. */
  describe(): string {
    const started = this.started;
    if (!started) return 'starting…';
    const parts = [`epoch ${this.epoch + 1}/${started.epochs}`];
    if (this.lastBatch) parts.push(`loss ${this.lastBatch.loss.toFixed(3)}`);
    const eta = this.etaSeconds();
    if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`);
    return parts.join(' · ');
  }
}
