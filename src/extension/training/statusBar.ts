// The status bar item while a run trains: model, epoch, loss and ETA; a click opens the dashboard.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { displayLocale } from '../displayLanguage';
import type { SessionState } from '../../protocol/webview';
import type { RunProgress } from './runProgress';

export class TrainingStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('resnet.training', vscode.StatusBarAlignment.Left, 10);
  private hideTimer?: ReturnType<typeof setTimeout>;
  private shown: { state: SessionState; time: number } = { state: 'idle', time: 0 };

  constructor(openDashboardCommand: string) {
    this.item.name = 'ResNet Training';
    this.item.command = openDashboardCommand;
  }

  update(state: SessionState, label: string, progress: RunProgress): void {
    // A fast run reports hundreds of steps a second; a few updates a second are plenty.
    const now = Date.now();
    if (state === 'running' && this.shown.state === 'running' && now - this.shown.time < 250) return;
    this.shown = { state, time: now };
    clearTimeout(this.hideTimer);
    const model = progress.started?.model ?? label;
    if (state !== 'idle') {
      const icon = state === 'stopping' ? '$(debug-pause)' : '$(sync~spin)';
      this.item.text = `${icon} ${model} · ${state === 'stopping' ? l10n.t('stopping') : progress.describe(displayLocale())}`;
      this.item.tooltip = this.tooltip(progress);
      this.item.show();
      return;
    }
    // Ended: show the outcome for a while, then get out of the way.
    const finished = progress.finished;
    this.item.text = progress.failure
      ? `$(error) ${l10n.t('{0} failed', model)}`
      : finished
        ? `$(check) ${finished.stopped ? l10n.t('{0} stopped · test error {1}', model, `${(100 * (1 - finished.testAccuracy)).toFixed(2)}%`) : l10n.t('{0} done · test error {1}', model, `${(100 * (1 - finished.testAccuracy)).toFixed(2)}%`)}`
        : `$(warning) ${l10n.t('{0} ended early', model)}`;
    this.item.tooltip = `${this.tooltip(progress)}\n\n${l10n.t('Click to open the training dashboard.')}`;
    this.item.show();
    this.hideTimer = setTimeout(() => this.item.hide(), 60_000);
  }

  private tooltip(progress: RunProgress): string {
    const s = progress.started;
    if (!s) return l10n.t('Training is starting…');
    const lines = [l10n.t('{0} on {1} · {2} ({3})', s.model, s.dataset, s.backend, s.device), l10n.t('step {0} of {1}', progress.step.toLocaleString('en-US'), s.totalSteps.toLocaleString('en-US'))];
    if (progress.lastBatch) lines.push(l10n.t('{0} images/s', Math.round(progress.lastBatch.imagesPerSec).toLocaleString('en-US')));
    return lines.join('\n');
  }

  dispose(): void {
    clearTimeout(this.hideTimer);
    this.item.dispose();
  }
}
