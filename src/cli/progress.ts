// Renders training messages for a person: a one-line progress bar on a terminal, plain lines
// otherwise (logs, CI). Where the run stands and its ETA come from the shared fold
// (src/training/runProgress.ts), the same the editor and the dashboard show.
import type { TrainingMessage } from '../protocol/training';
import { format, msg } from '../core/l10n/format';
import { formatBytes, formatShort } from '../core/report/numbers';
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
    /** --verbose: why this engine, every candidate `auto` checked. */
    private readonly options: { readonly verbose?: boolean } = {},
  ) {
    this.progress = new RunProgress(now);
  }

  show(message: TrainingMessage): void {
    this.progress.add(message);
    const locale = this.out.locale ?? 'en';
    switch (message.type) {
      case 'started': {
        const facts = {
          model: message.model,
          params: formatShort(message.params),
          macs: formatShort(message.macs),
          dataset: message.dataset,
          images: message.trainImages,
          batch: message.batchSize,
          epochs: msg(message.epochs === 1 ? 'term.epochs.one' : 'term.epochs.other', { count: message.epochs }),
          steps: message.totalSteps,
        };
        this.line(message.resumedAtStep !== undefined ? format(locale, 'train.startedResumed', { ...facts, resumedAt: message.resumedAtStep }) : format(locale, 'train.started', facts));
        // `auto` chose: one short line (the candidates it checked under --verbose); else the backend and why.
        if (message.engineChoice) this.line(format(locale, 'train.engine', { summary: message.engineChoice.summary }));
        if (!message.engineChoice || this.options.verbose) this.line(format(locale, 'train.backend', { backend: message.backend, device: message.device, reason: message.backendReason }));
        if (this.options.verbose) for (const reason of message.engineChoice?.reasoning ?? []) this.line(`  ${reason}`);
        this.line(format(locale, 'train.runFolder', { folder: message.runDir }));
        break;
      }
      case 'batch': {
        const done = this.progress.fraction;
        const text = format(locale, 'train.batch', {
          epoch: message.epoch + 1,
          epochs: this.progress.started?.epochs ?? 0,
          bar: bar(done),
          percent: (done * 100).toFixed(0).padStart(3),
          loss: message.loss.toFixed(4),
          accuracy: (message.accuracy * 100).toFixed(1),
          speed: message.imagesPerSec.toFixed(0),
          // Unknown ('--:--') until a second step gives a pace: the first includes compiling kernels.
          eta: formatDuration(this.progress.etaSeconds() ?? Number.NaN),
        });
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
        const epoch = { epoch: message.epoch + 1, loss: message.trainLoss.toFixed(4), accuracy: (message.trainAccuracy * 100).toFixed(2), seconds: message.seconds.toFixed(1) };
        this.line(
          message.valAccuracy !== undefined
            ? format(locale, 'train.epochValidation', { ...epoch, valLoss: message.valLoss?.toFixed(4) ?? '–', valAccuracy: (message.valAccuracy * 100).toFixed(2) })
            : format(locale, 'train.epoch', epoch),
        );
        if (message.peakStepBytes !== undefined)
          this.line(
            format(locale, 'train.stepMemory', { measured: formatBytes(message.peakStepBytes), estimated: message.estimatedStepBytes === undefined ? '–' : formatBytes(message.estimatedStepBytes) }),
          );
        break;
      }
      case 'checkpoint':
        break;
      case 'finished':
        this.line(
          format(locale, message.stopped ? 'train.stopped' : 'train.finished', {
            steps: message.step,
            duration: formatDuration(message.seconds),
            accuracy: (message.testAccuracy * 100).toFixed(2),
            loss: message.testLoss.toFixed(4),
          }),
        );
        if (message.stopped) this.line(format(locale, 'train.resumeWith', { command: `resnet-studio train --resume ${message.runDir}` }));
        break;
      case 'failed':
        this.closeLine();
        this.out.error(format(locale, 'train.failed', { reason: message.message }));
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
