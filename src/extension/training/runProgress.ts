// The run being trained, as the status bar and the progress notification say it: the shared fold
// of src/training/runProgress.ts, rendered in one line. Plain TypeScript, no editor API.
import { format } from '../../core/l10n/format';
import type { Locale } from '../../core/l10n/locale';
import { formatDuration } from '../../core/report/numbers';
import { RunProgress as RunProgressFold } from '../../training/runProgress';

export { formatDuration };

export class RunProgress extends RunProgressFold {
  /** "epoch 3/182 · loss 0.412 · ETA 1h 02m", for the status bar and the notification. */
  describe(locale: Locale = 'en'): string {
    const started = this.started;
    if (!started) return format(locale, 'progress.starting');
    const epoch = { epoch: this.epoch + 1, epochs: started.epochs };
    const loss = this.lastBatch?.loss.toFixed(3);
    const seconds = this.etaSeconds();
    const eta = seconds === undefined ? undefined : formatDuration(seconds);
    if (loss !== undefined && eta !== undefined) return format(locale, 'progress.epochLossEta', { ...epoch, loss, eta });
    if (loss !== undefined) return format(locale, 'progress.epochLoss', { ...epoch, loss });
    if (eta !== undefined) return format(locale, 'progress.epochEta', { ...epoch, eta });
    return format(locale, 'progress.epoch', epoch);
  }
}
