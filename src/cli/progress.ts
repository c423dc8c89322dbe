// Renders training messages for a person: a one-line progress bar on a terminal, plain lines
// otherwise (logs, CI). Where the run stands and its ETA come from the shared fold
// (src/training/runProgress.ts), the same the editor and the dashboard show.
import type { TrainingMessage } from '../protocol/training';
import { formatShort } from '../core/report/numbers';
import { RunProgress } from '../training/runProgress';
import type { Output } from './output';

export class ProgressView {
  private readonly progress: RunProgress;
  private lastPlain = 0;
  private lineOpen = false;

  constructor(
    private readonly out: Output,
    private readonly terminal: { isTTY: boolean; write(text: string): void },
    now: () => number = Date.now,
  ) {
    this.progress = new RunProgress(now);
  }

  show(message: TrainingMessage): void {
    this.progress.add(message);
    switch (message.type) {
      case 'started':
        this.line(
          `training ${message.model} (${formatShort(message.params)} params, ${formatShort(message.macs)} MACs) on ${message.dataset}, ${message.trainImages} images, batch ${message.batchSize}, ${message.epochs} epoch${message.epochs === 1 ? '' : 's'} (${message.totalSteps} steps)` +
            (message.resumedAtStep !== undefined ? `, resumed at step ${message.resumedAtStep}` : ''),
        );
        this.line(`backend: ${message.backend}, ${message.device} (${message.backendReason})`);
        this.line(`run folder: ${message.runDir}`);
        break;
      case 'batch': {
        const done = this.progress.fraction;
        // Unknown ('--:--') until a second step gives a pace: the first includes compiling kernels.
        const eta = formatDuration(this.progress.etaSeconds() ?? Number.NaN);
        const epochs = this.progress.started?.epochs ?? 0;
        const text = `epoch ${message.epoch + 1}/${epochs} ${bar(done)} ${(done * 100).toFixed(0).padStart(3)}%  loss ${message.loss.toFixed(4)}  acc ${(message.accuracy * 100).toFixed(1)}%  ${message.imagesPerSec.toFixed(0)} img/s  ETA ${eta}`;
        if (this.terminal.isTTY) {
          this.terminal.write(`\r${text}\x1b[K`);
          this.lineOpen = true;
        } else if (Date.now() - this.lastPlain > 5000 || message.step === this.progress.started?.totalSteps) {
          this.lastPlain = Date.now();
          this.line(text);
        }
        break;
      }
      case 'epoch': {
        const val = message.valAccuracy !== undefined ? `, validation loss ${message.valLoss?.toFixed(4)} accuracy ${(message.valAccuracy * 100).toFixed(2)}%` : '';
        this.line(`epoch ${message.epoch + 1}: train loss ${message.trainLoss.toFixed(4)} accuracy ${(message.trainAccuracy * 100).toFixed(2)}%${val} (${message.seconds.toFixed(1)} s)`);
        break;
      }
      case 'checkpoint':
        break;
      case 'finished':
        this.line(
          `${message.stopped ? 'stopped' : 'finished'} after ${message.step} steps in ${formatDuration(message.seconds)}: test accuracy ${(message.testAccuracy * 100).toFixed(2)}% (loss ${message.testLoss.toFixed(4)})`,
        );
        if (message.stopped) this.line(`resume with: resnet-studio train --resume ${message.runDir}`);
        break;
      case 'failed':
        this.closeLine();
        this.out.error(`resnet-studio: training failed: ${message.message}`);
        break;
    }
  }

  private line(text: string): void {
    this.closeLine();
    this.out.print(text);
  }

  private closeLine(): void {
    if (this.lineOpen) this.terminal.write('\n');
    this.lineOpen = false;
  }
}

function bar(fraction: number): string {
  const width = 24;
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
