// The header: what the focused run is, where it stands, and the buttons that act on it.
import type { PageText } from '../pageText';
import type { RunStatus, RunSummary, SessionState } from '../../src/protocol/webview';
import { formatCount, formatDuration, formatPercent, runLabel } from './format';
import type { RunSeries } from './runSeries';
import { formatBytes } from '../../src/core/report/numbers';

export interface FocusedRun {
  readonly runDir: string;
  readonly series?: RunSeries | undefined;
  readonly summary?: RunSummary | undefined;
  /** The worker is training this run now. */
  readonly live: boolean;
  readonly session: SessionState;
  readonly etaSeconds?: number | undefined;
}

export function statusOf(focus: FocusedRun): RunStatus | 'stopping' {
  if (focus.live) return focus.session === 'stopping' ? 'stopping' : 'running';
  const s = focus.series;
  if (s?.failure !== undefined) return 'failed';
  if (s?.finished) return s.finished.stopped ? 'stopped' : 'finished';
  // A run's summary can say "running" while the CLI trains it elsewhere.
  return focus.summary?.status ?? 'incomplete';
}

export function canResume(focus: FocusedRun | undefined, session: SessionState): boolean {
  if (!focus || focus.live || session !== 'idle') return false;
  const status = statusOf(focus);
  const hasCheckpoint = focus.summary?.resumable === true || focus.series?.lastCheckpointStep !== undefined;
  return hasCheckpoint && (status === 'stopped' || status === 'incomplete' || status === 'failed');
}

function set(id: string, text: string, title?: string): void {
  const element = document.getElementById(id);
  if (!element) return;
  if (element.textContent !== text) element.textContent = text;
  if (title !== undefined) element.title = title;
}

export function renderHeader(focus: FocusedRun | undefined, session: SessionState, text: PageText): void {
  const stop = document.getElementById('stop') as HTMLElement & { disabled: boolean };
  stop.disabled = session !== 'running';
  stop.textContent = session === 'stopping' ? text('webview.dashboard.stopping') : text('webview.dashboard.stop');
  const resume = document.getElementById('resume') as HTMLElement & { disabled: boolean };
  resume.disabled = !canResume(focus, session);
  const reveal = document.getElementById('reveal') as HTMLAnchorElement;
  reveal.classList.toggle('disabled', !focus);
  reveal.setAttribute('aria-disabled', String(!focus));

  const badge = document.getElementById('run-status') as HTMLElement;
  const message = document.getElementById('run-message') as HTMLElement;
  if (!focus) {
    set('run-title', text('webview.dashboard.noRunSelected'));
    badge.hidden = true;
    message.hidden = true;
    for (const id of ['params', 'macs', 'backend', 'data', 'memory', 'speed', 'epoch', 'step', 'eta', 'best', 'test']) set(`fact-${id}`, '—');
    return;
  }
  const s = focus.series;
  const started = s?.started;
  const status = statusOf(focus);
  set('run-title', runLabel(focus.runDir, started?.model ?? focus.summary?.model), focus.runDir);
  badge.hidden = false;
  badge.textContent = text(`webview.dashboard.status.${status}`);
  badge.dataset.status = status;

  set('fact-params', started ? formatCount(started.params) : '—', started ? started.params.toLocaleString('en-US') : '');
  set('fact-macs', started ? formatCount(started.macs) : '—', started ? started.macs.toLocaleString('en-US') : '');
  set('fact-backend', started ? `${started.backend} · ${started.device}` : '—', started?.backendReason ?? '');
  set(
    'fact-data',
    started ? text('webview.dashboard.dataFact', { dataset: started.dataset, images: started.trainImages.toLocaleString('en-US'), batch: started.batchSize }) : (focus.summary?.dataset ?? '—'),
  );
  // The measured peak of a step (the first epoch of a launch reports it), the estimate on hover.
  const measured = s?.epochs.find((e) => e.peakStepBytes !== undefined);
  set(
    'fact-memory',
    measured?.peakStepBytes !== undefined ? formatBytes(measured.peakStepBytes) : '—',
    measured?.estimatedStepBytes !== undefined ? text('webview.dashboard.stepMemoryTip', { estimated: formatBytes(measured.estimatedStepBytes) }) : '',
  );
  set('fact-speed', s && s.imagesPerSec > 0 && focus.live ? Math.round(s.imagesPerSec).toLocaleString('en-US') : '—');
  set('fact-epoch', started && s ? `${Math.min(s.currentEpoch + 1, started.epochs)} / ${started.epochs}` : '—');
  set('fact-step', started && s ? `${s.lastStep.toLocaleString('en-US')} / ${started.totalSteps.toLocaleString('en-US')}` : '—');
  set(
    'fact-eta',
    focus.live ? (focus.etaSeconds === undefined ? text('webview.dashboard.estimating') : formatDuration(focus.etaSeconds)) : status === 'finished' ? text('webview.dashboard.done') : '—',
  );
  const best = s?.best;
  set('fact-best-label', text(best?.on === 'training' ? 'webview.dashboard.bestTrainError' : 'webview.dashboard.bestValError'));
  set(
    'fact-best',
    best
      ? text('webview.dashboard.bestAtEpoch', {
          error: formatPercent(1 - (best.on === 'validation' ? (best.epoch.valAccuracy as number) : best.epoch.trainAccuracy)),
          epoch: best.epoch.epoch + 1,
        })
      : '—',
  );
  const testAccuracy = s?.finished?.testAccuracy ?? focus.summary?.testAccuracy;
  set('fact-test', testAccuracy === undefined ? '—' : formatPercent(1 - testAccuracy));

  message.hidden = s?.failure === undefined;
  message.textContent = s?.failure ?? '';
}
