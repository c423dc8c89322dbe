// Renders training messages for a person: a one-line progress bar on a terminal, plain lines
// otherwise (logs, CI).
import type { TrainingMessage } from '../protocol/training';
import { formatShort } from '../core/report/numbers';
import type { Output } from './output';

export class ProgressView {
  private totalSteps = 0;
  private epochs = 0;
  private startedAt = Date.now();
  private startStep = 0;
  private lastPlain = 0;
  private lineOpen = false;

  constructor(
    private readonly out: Output,
    private readonly terminal: { isTTY: boolean; write(text: string): void },
  ) {}

  show(message: TrainingMessage): void {
    switch (message.type) {
      case 'started':
        this.totalSteps = message.totalSteps;
        this.epochs = message.epochs;
        this.startedAt = Date.now();
        this.startStep = message.resumedAtStep ?? 0;
        this.line(
          `training ${message.model} (${formatShort(message.params)} params, ${formatShort(message.macs)} MACs) on ${message.dataset}, ${message.trainImages} images, batch ${message.batchSize}, ${message.epochs} epoch${message.epochs === 1 ? '' : 's'} (${message.totalSteps} steps)` +
            (message.resumedAtStep !== undefined ? `, resumed at step ${message.resumedAtStep}` : ''),
        );
        this.line(`backend: ${message.backend}, ${message.device} (${message.backendReason})`);
        this.line(`run folder: ${message.runDir}`);
        break;
      case 'batch': {
        const done = message.step / Math.max(1, this.totalSteps);
        const elapsed = (Date.now() - this.startedAt) / 1000;
        const perStep = elapsed / Math.max(1, message.step - this.startStep);
        const eta = formatDuration(perStep * (this.totalSteps - message.step));
        const text = `epoch ${message.epoch + 1}/${this.epochs} ${bar(done)} ${(done * 100).toFixed(0).padStart(3)}%  loss ${message.loss.toFixed(4)}  acc ${(message.accuracy * 100).toFixed(1)}%  ${message.imagesPerSec.toFixed(0)} img/s  ETA ${eta}`;
        if (this.terminal.isTTY) {
          this.terminal.write(`\r${text}\x1b[K`);
          this.lineOpen = true;
        } else if (Date.now() - this.lastPlain > 5000 || message.step === this.totalSteps) {
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
