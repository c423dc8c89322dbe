// The progress notification of a run; its Cancel stops the run gracefully.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { format } from '../../core/l10n/format';
import { displayLocale } from '../displayLanguage';
import type { SessionState } from '../../protocol/webview';
import type { RunProgress } from './runProgress';

/** Reports at most this often: a fast run sends hundreds of steps a second. */
const REPORT_EVERY_MS = 500;

export class TrainingNotification {
  private report?: (value: { message?: string; increment?: number }) => void;
  private end?: () => void;
  private closed = false;
  private shownPercent = 0;
  private lastReport = 0;

  constructor(label: string, onCancel: () => void) {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: l10n.t('Training {0}', label), cancellable: true }, (progress, token) => {
      this.report = (value) => progress.report(value);
      token.onCancellationRequested(onCancel);
      return new Promise<void>((resolve) => {
        this.end = resolve;
        if (this.closed) resolve();
      });
    });
  }

  update(state: SessionState, progress: RunProgress): void {
    if (!this.report) return;
    const now = Date.now();
    if (state === 'running' && now - this.lastReport < REPORT_EVERY_MS) return;
    this.lastReport = now;
    const percent = Math.floor(progress.fraction * 100);
    const increment = Math.max(0, percent - this.shownPercent);
    this.shownPercent += increment;
    this.report({ message: state === 'stopping' ? format(displayLocale(), 'progress.stopping') : progress.describe(displayLocale()), increment });
  }

  close(): void {
    this.closed = true;
    this.end?.();
  }
}
