// The training dashboard's webview panel: one at a time, restored after a reload by its
// serializer. It answers the page's requests (runs, their metrics, stop, resume, exports) and
// forwards the live run's messages in batches.
import { createWriteStream, existsSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { displayLocale } from '../displayLanguage';
import type { TrainingMessage } from '../../protocol/training';
import {
  DASHBOARD_VIEW_TYPE,
  REVEAL_LAYER_COMMAND,
  checkFromDashboard,
  describeDropped,
  heldHistory,
  sliceColumns,
  stepsAnswer,
  type FromDashboard,
  type RevealLayerArgs,
  type StepsRequest,
  type ToDashboard,
} from '../../protocol/webview';
import { StepStore } from '../../core/metrics/stepStore';
import { dashboardHtml } from './dashboardHtml';
import { listRuns } from './runFiles';
import { runPaths } from '../../training/runFolder/runFolder';
import { readMetricsHistory, writeStepsCsv } from '../../training/runFolder/metricsStream';
import { readState, stateFile } from '../../training/experiment/state';
import { resultsOf } from '../../core/report/experimentResults';
import type { RunProgress } from './runProgress';
import type { TrainingSession } from './trainingSession';
import { webviewPage } from '../webviewPage';

export interface DashboardDeps {
  readonly extensionUri: vscode.Uri;
  readonly session: TrainingSession;
  readonly log: vscode.LogOutputChannel;
  readonly runsFolder: () => string | undefined;
  /** Resumes a run, with the same checks as a new one (trust, a run already going). */
  readonly resume: (runDir: string) => Promise<void>;
  /** The experiment queue training now, if any: Stop stops it (after a checkpoint). */
  readonly experimentQueue: () => { readonly stopping: boolean; stop(): void } | undefined;
}

/** Live messages are sent this often at most: a fast run makes hundreds a second. */
const FLUSH_MS = 100;

export class DashboardPanel implements vscode.Disposable {
  private static current?: DashboardPanel | undefined;
  /** Run folders the page may name: the last listing and the live run. Nothing else is read. */
  private readonly known = new Set<string>();
  private pending: { runDir: string; messages: TrainingMessage[]; progress: RunProgress } | undefined;
  /**
   * Runs whose metrics.jsonl is being read for the page: their live messages wait until the history
   * is sent, so the page never gets a step before a history that was read without it.
   */
  private readonly readingHistory = new Set<string>();
  private flushTimer?: ReturnType<typeof setTimeout> | undefined;
  /**
   * The steps of the runs the page shows (issue 21), by resolved run folder: the page gets only
   * what it draws of them (`stepsRequest`). Live steps are added as they are sent on.
   */
  private readonly steps = new StepStore();
  /**
   * The history message last sent per run (its last step and other messages: small) and the
   * identity of the metrics.jsonl it was read from: with the run's steps put aside in the store,
   * ticking the run again sends it without reading the file, if the file is as it was.
   */
  private readonly histories = new Map<string, { readonly identity: string; readonly message: Extract<ToDashboard, { type: 'runHistory' }> }>();
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  /** Shows the dashboard: reveals the open one, or opens it. */
  static show(deps: DashboardDeps): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal();
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'ResNet Training', vscode.ViewColumn.Beside, webviewOptions(deps.extensionUri));
    return (DashboardPanel.current = new DashboardPanel(panel, deps));
  }

  /** Takes over a panel VS Code restored after a reload (the page restores its own state). */
  static restore(panel: vscode.WebviewPanel, deps: DashboardDeps): void {
    DashboardPanel.current?.dispose();
    panel.webview.options = webviewOptions(deps.extensionUri);
    DashboardPanel.current = new DashboardPanel(panel, deps);
  }

  static get open(): DashboardPanel | undefined {
    return DashboardPanel.current;
  }

  /** The language changed (resnet.language): the open page reloads in it and asks for its state again. */
  static relocalize(): void {
    DashboardPanel.current?.render();
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: DashboardDeps,
  ) {
    const webview = panel.webview;
    this.render();
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => {
        const checked = checkFromDashboard(raw);
        if (!checked.ok) {
          deps.log.warn(`dashboard: dropped a malformed message from the page (${checked.error}): ${describeDropped(raw)}`);
          return;
        }
        const message = checked.value;
        this.handle(message).catch((error: unknown) => {
          const text = error instanceof Error ? error.message : String(error);
          deps.log.error(`dashboard: ${message.type} failed: ${text}`);
          void vscode.window.showErrorMessage(`Training dashboard: ${text}`);
        });
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private render(): void {
    this.panel.webview.html = dashboardHtml(webviewPage(this.panel.webview, this.deps.extensionUri, 'dashboard'), displayLocale());
  }

  /** A message from the training worker: queued and sent with the others of the next flush. */
  onTrainingMessage(runDir: string | undefined, message: TrainingMessage, progress: RunProgress): void {
    if (runDir === undefined) return; // nothing comes before 'started' but a failure, which the notification shows
    this.known.add(resolve(runDir));
    if (this.pending && this.pending.runDir !== runDir) this.flush({ evenWhileReading: true });
    this.pending ??= { runDir, messages: [], progress };
    this.pending.messages.push(message);
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** The session started, is stopping, or ended: the page's buttons and runs list follow. */
  onSessionChange(): void {
    this.flush();
    this.postSession();
    this.postRuns();
  }

  private flush({ evenWhileReading = false } = {}): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    // Held while the run's history is read; sendHistory flushes once it has sent the history.
    if (this.pending && !evenWhileReading && this.readingHistory.has(resolve(this.pending.runDir))) return;
    const pending = this.pending;
    this.pending = undefined;
    if (!pending || pending.messages.length === 0) return;
    // The held steps follow what the page is sent: a run's history (read before these) is in the store by now.
    const held = this.steps.run(resolve(pending.runDir));
    if (held)
      for (const m of pending.messages) {
        if (m.type === 'batch') held.append(m.step, m.loss, m.lr);
        else if (m.type === 'started' && m.resumedAtStep !== undefined) held.dropAfter(m.resumedAtStep);
      }
    const eta = pending.progress.etaSeconds();
    this.post({ type: 'runProgress', runDir: pending.runDir, messages: pending.messages, ...(eta === undefined ? {} : { etaSeconds: eta }) });
  }

  private async handle(message: FromDashboard): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.postRuns();
        this.postSession();
        return;
      case 'refreshRuns':
        this.postRuns();
        return;
      case 'loadRuns':
        for (const runDir of message.runDirs) await this.sendHistory(runDir);
        return;
      case 'stepsRequest':
        this.answerSteps(message);
        return;
      case 'stop': {
        const queue = this.deps.experimentQueue();
        if (queue && this.deps.session.state === 'idle') {
          queue.stop();
          this.postSession();
        } else this.deps.session.stop();
        return;
      }
      case 'resume':
        if (this.check(message.runDir, 'resume')) await this.deps.resume(resolve(message.runDir));
        return;
      case 'revealRun':
        if (this.check(message.runDir, 'reveal')) await revealFolder(vscode.Uri.file(resolve(message.runDir)));
        return;
      case 'revealLayer': {
        if (!this.check(message.runDir, 'reveal a layer of')) return;
        const { type: _type, ...args } = message;
        await vscode.commands.executeCommand(REVEAL_LAYER_COMMAND, { ...args, runDir: resolve(message.runDir) } satisfies RevealLayerArgs);
        return;
      }
      case 'exportPng':
        await this.save(message.fileName, Buffer.from(message.dataUrl.slice(message.dataUrl.indexOf(',') + 1), 'base64'), { 'PNG image': ['png'] });
        return;
      case 'exportCsv':
        await this.save(message.fileName, Buffer.from(message.csv, 'utf8'), { CSV: ['csv'] });
        return;
      case 'exportStepsCsv':
        await this.exportSteps(message.fileName, message.runDirs);
        return;
      case 'exportMarkdown':
        await this.save(message.fileName, Buffer.from(message.markdown, 'utf8'), { Markdown: ['md'] });
        return;
      case 'log':
        if (message.level === 'warn') this.deps.log.warn(message.message);
        else this.deps.log.info(message.message);
        return;
    }
  }

  /** The page may only name runs it was told about; anything else is logged and ignored. */
  private check(runDir: string, action: string): boolean {
    if (this.known.has(resolve(runDir))) return true;
    this.deps.log.warn(`dashboard: asked to ${action} ${runDir}, which is not a run of ${this.deps.runsFolder() ?? 'the runs folder'}; ignored`);
    return false;
  }

  private async sendHistory(runDir: string): Promise<void> {
    if (!this.check(runDir, 'load')) {
      this.post({ type: 'runError', runDir, message: `${runDir} is not in the runs folder (any more).` });
      return;
    }
    const key = resolve(runDir);
    this.readingHistory.add(key);
    try {
      const file = runPaths(key).metrics;
      // Taken before reading: a file that grows meanwhile is read again next time.
      const before = await fileIdentity(file);
      // A run ticked again whose file did not change since it was read: its steps were put aside (StepStore's shelf).
      const kept = this.histories.get(key);
      const restored = kept && before !== undefined && kept.identity === before ? this.steps.restore(key) : undefined;
      if (kept && restored) {
        this.post({ ...kept.message, batches: sliceColumns(kept.message.batches), stepsOnHost: { count: restored.length, first: restored.firstStep, last: restored.lastStep } });
        return;
      }
      // Streamed: a run of a million steps is about 100 MB of lines, read into columns as it goes.
      const { batches, messages, skipped } = await readMetricsHistory(key);
      if (skipped > 0) this.deps.log.info(`dashboard: ${runPaths(runDir).metrics}: skipped ${skipped} line${skipped === 1 ? '' : 's'} that did not parse (a crash cuts the last one off)`);
      // The steps stay here (issue 21): the page gets the last one (where the run stands) and asks
      // for what it draws. Kept from the history's own columns, without a copy.
      const message = heldHistory(this.steps, runDir, key, batches, messages);
      if (before !== undefined && message.type === 'runHistory') this.histories.set(key, { identity: before, message });
      this.post(message);
    } catch (error) {
      this.post({ type: 'runError', runDir, message: error instanceof Error ? error.message : String(error) });
    } finally {
      // The worker writes each message to the file before sending it: what waited is at or past the history's end.
      this.readingHistory.delete(key);
      this.flush();
    }
  }

  /**
   * What a step chart draws, from the held steps: per run the exact min/max picks of each pixel
   * column of the page's grid, or every step where there are few. Runs the page no longer shows
   * are dropped (those being read for it are kept).
   */
  private answerSteps(request: StepsRequest): void {
    this.steps.retain([...request.runs.map((r) => resolve(r.runDir)), ...this.readingHistory]);
    // A history is kept while its steps are, shown or put aside.
    for (const key of [...this.histories.keys()]) if (!this.steps.run(key) && !this.steps.shelved(key)) this.histories.delete(key);
    this.post(stepsAnswer(this.steps, request, resolve));
  }

  private postRuns(): void {
    const folder = this.deps.runsFolder();
    const runs = folder ? listRuns(folder, this.deps.session.runDir) : [];
    this.known.clear();
    for (const run of runs) this.known.add(resolve(run.runDir));
    if (this.deps.session.runDir) this.known.add(resolve(this.deps.session.runDir));
    this.post({ type: 'runs', runsFolder: folder ?? 'Open a folder to keep training runs in it.', runs });
    this.postExperiment(folder);
  }

  /** The runs of the experiment queued in `folder`, when it is an experiment's (Run Experiment). */
  private postExperiment(folder: string | undefined): void {
    if (!folder || !existsSync(stateFile(folder))) return;
    try {
      const state = readState(folder);
      this.post({ type: 'experiment', experiment: state.experiment, results: resultsOf(state.runs) });
    } catch (error) {
      this.deps.log.warn(`dashboard: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The experiment's queue moved on (a run started or ended): the list, the table and the curves follow. */
  onExperimentChange(): void {
    this.postRuns();
  }

  private postSession(): void {
    const { state, runDir } = this.deps.session;
    // An experiment's queue trains outside the session: the page's Stop follows it too.
    const queue = state === 'idle' ? this.deps.experimentQueue() : undefined;
    if (queue) this.post({ type: 'session', state: queue.stopping ? 'stopping' : 'running' });
    else this.post({ type: 'session', state, ...(runDir === undefined ? {} : { runDir }) });
  }

  private async save(fileName: string, bytes: Uint8Array, filters: Record<string, string[]>): Promise<void> {
    const target = await this.askWhere(fileName, filters);
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, bytes);
    this.deps.log.info(`dashboard: saved ${target.fsPath}`);
  }

  /** Where to save: only a plain name is taken from the page; where it goes is the person's choice. */
  private async askWhere(fileName: string, filters: Record<string, string[]>): Promise<vscode.Uri | undefined> {
    const name = basename(fileName).replace(/[^\w.-]+/g, '-') || 'chart';
    const folder = this.deps.runsFolder();
    return vscode.window.showSaveDialog({ ...(folder && { defaultUri: vscode.Uri.file(join(folder, name)) }), filters, title: `Save ${name}` });
  }

  /** Every step of the listed runs as CSV, streamed from their metrics.jsonl into the file chosen. */
  private async exportSteps(fileName: string, runDirs: readonly string[]): Promise<void> {
    const runs = runDirs.filter((d) => this.check(d, 'export')).map((d) => ({ runDir: resolve(d), name: basename(d) }));
    if (runs.length === 0) return;
    const target = await this.askWhere(fileName, { CSV: ['csv'] });
    if (!target) return;
    // Streamed to the file itself: the editor's file system API takes only whole contents.
    if (target.scheme !== 'file') throw new Error(l10n.t('Cannot write the CSV to {0}: choose a file on this machine.', target.toString()));
    const out = createWriteStream(target.fsPath);
    const closed = new Promise<void>((done, fail) => {
      out.once('close', done);
      out.once('error', fail);
    });
    try {
      const { rows, skipped } = await writeStepsCsv(runs, out);
      out.end();
      await closed;
      this.deps.log.info(`dashboard: saved ${target.fsPath} (${rows} steps${skipped > 0 ? `, ${skipped} lines that did not parse left out` : ''})`);
    } catch (error) {
      out.destroy();
      await closed.catch(() => undefined);
      throw error;
    }
  }

  private post(message: ToDashboard): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.flushTimer);
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  // Scripts for the page itself; it may load nothing but its own bundle folder.
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
}

/** In the Explorer when the folder is in the workspace, else in the operating system's file manager. */
async function revealFolder(uri: vscode.Uri): Promise<void> {
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
}

/** A file's size and modification time, as one string (undefined when it cannot be read): what tells a changed file. */
async function fileIdentity(path: string): Promise<string | undefined> {
  try {
    // The link itself, never followed: the read that comes after opens regular files only (metricsStream.ts).
    const stats = await lstat(path);
    return `${stats.size} ${stats.mtimeMs}`;
  } catch {
    return undefined;
  }
}
