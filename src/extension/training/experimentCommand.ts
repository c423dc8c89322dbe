// "ResNet: Run Experiment" (and the code lens above an experiment): asks the language server for
// the experiment's runs (the extension never analyses a file), confirms, and trains them in the
// queue of src/training/experiment/ under <runs>/<experiment>/, with a cancellable notification;
// the dashboard opens on the experiment's folder, and results.md opens when the queue ends.
import * as l10n from '@vscode/l10n';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { ExperimentPlanRequest, ExperimentPlanResultSchema, checkResult } from '../../protocol/languageServer';
import type { ExperimentPlan, QueueSettings } from '../../protocol/experiment';
import type { DatasetChoice } from '../../protocol/training';
import { runEngine, runQueue } from '../../training/experiment/queue';
import { writeResultFiles } from '../../training/experiment/resultFiles';
import { createExperiment, experimentDir, stateFile } from '../../training/experiment/state';
import { displayLocale } from '../displayLanguage';
import { backendSetting, engineSetting, experimentParallel, pythonField, runsFolder, threadsField } from './settings';
import { askCifarFolder, rememberedCifarFolder, type ServerRequests } from './trainCommand';

export interface ExperimentCommandDeps {
  readonly context: vscode.ExtensionContext;
  readonly server: ServerRequests;
  readonly log: vscode.LogOutputChannel;
  /** Opens the dashboard listing the runs of this folder. */
  showDashboard(folder: string): void;
  /** A run of the queue started or ended: the dashboard's list and table follow. */
  refreshDashboard(): void;
  /** True (after telling the person) when a single run is training: one thing at a time. */
  busy(): boolean;
  /** The queue started (the dashboard's Stop and Stop Training stop it, as Cancel does) or ended (undefined). */
  queueChanged(queue: { stop(): void } | undefined): void;
}

export function parseExperimentArgs(value: unknown): { uri?: string; experiment?: string } {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  return { ...(typeof v.uri === 'string' ? { uri: v.uri } : {}), ...(typeof v.experiment === 'string' ? { experiment: v.experiment } : {}) };
}

export async function runExperimentCommand(args: unknown, deps: ExperimentCommandDeps): Promise<void> {
  if (deps.busy()) return;
  const { uri, experiment } = parseExperimentArgs(args);
  const document = uri ? await vscode.workspace.openTextDocument(vscode.Uri.parse(uri, true)) : vscode.window.activeTextEditor?.document;
  if (!document) {
    void vscode.window.showErrorMessage(l10n.t('Open a .resnet file with an experiment to run it.'));
    return;
  }
  const cursor = experiment === undefined && vscode.window.activeTextEditor?.document === document ? vscode.window.activeTextEditor.selection.active : undefined;
  const answer = checkResult(
    ExperimentPlanRequest.method,
    ExperimentPlanResultSchema,
    await deps.server.sendRequest(ExperimentPlanRequest, {
      uri: document.uri.toString(),
      text: document.getText(),
      ...(experiment ? { experiment } : {}),
      ...(cursor ? { position: { line: cursor.line, character: cursor.character } } : {}),
    }),
  );
  if (!answer.ok) throw new Error(answer.error);
  if (answer.value.kind === 'missing') {
    void vscode.window.showErrorMessage(answer.value.message);
    return;
  }
  const plan = answer.value.plan;
  const runs = runsFolder(document.uri);
  if (!runs) {
    void vscode.window.showErrorMessage(l10n.t('Open a folder (or save the file) first: runs are written to a runs folder next to your work (setting resnet.training.runsFolder).'));
    return;
  }
  const data = await dataFor(plan, deps.context);
  if (!data) return;
  const dir = experimentDir(runs, plan.experiment);
  const resuming = existsSync(stateFile(dir));
  const parallel = experimentParallel();
  // resnet.training.engine: `auto` leaves each variant on its recipe's `engine`; tfjs or pytorch puts every run there.
  const engine = engineSetting();
  const detail = [
    l10n.t('Data: {0}', `${data.dataset}${data.dataDir ? ` (${data.dataDir})` : ''}`),
    l10n.t('Folder: {0}', dir),
    l10n.t('Runs at a time: {0} (setting resnet.experiment.parallel)', parallel),
    '',
    ...plan.runs.map(
      (r) =>
        `${r.label}${r.seed === undefined ? '' : ` · seed ${r.seed}`} · ${r.params.toLocaleString('en-US')} params${r.plain ? ' · plain' : ''}${runEngine({ engine, backend: backendSetting() }, r) === 'pytorch' ? ' · PyTorch' : ''}`,
    ),
  ].join('\n');
  const start = resuming ? l10n.t('Resume') : l10n.t('Start');
  const question = resuming ? l10n.t('Resume experiment {0}: {1} runs?', plan.experiment, plan.runs.length) : l10n.t('Run experiment {0}: {1} runs?', plan.experiment, plan.runs.length);
  const choice = await vscode.window.showInformationMessage(question, { modal: true, detail }, start);
  if (choice !== start) return;
  if (!resuming) {
    const settings: QueueSettings = { dataset: data.dataset, ...(data.dataDir ? { dataDir: data.dataDir } : {}), backend: backendSetting(), ...(engine ? { engine } : {}), order: 'listed' };
    createExperiment(plan, settings, runs);
  }
  // The CLI's queue, N runs at a time as `--parallel N` (setting resnet.experiment.parallel).
  const queue = runQueue(dir, {
    parallel,
    backendDirs: [deps.context.globalStorageUri.fsPath],
    locale: displayLocale(),
    ...pythonField(),
    ...threadsField(),
    onMessage: (run, message) => {
      if (message.type === 'started')
        deps.log.info(`experiment ${plan.experiment}: ${run.key} ${message.resumedAtStep !== undefined ? `resumed at step ${message.resumedAtStep}` : 'started'} in ${message.runDir}`);
      else if (message.type === 'failed') deps.log.error(`experiment ${plan.experiment}: ${run.key} failed: ${message.message}`);
      else if (message.type === 'finished' && !message.stopped) deps.log.info(`experiment ${plan.experiment}: ${run.key} finished, test error ${((1 - message.testAccuracy) * 100).toFixed(2)}%`);
      // The dashboard rereads a queued run once per epoch (its curves grow epoch by epoch, not step by step).
      if (message.type === 'epoch') deps.refreshDashboard();
    },
    onLog: (run, text) => deps.log.debug(`${run.key}: ${text.trimEnd()}`),
    onRunChange: () => deps.refreshDashboard(),
  });
  deps.queueChanged(queue);
  deps.showDashboard(dir);
  const final = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: l10n.t('Experiment {0}', plan.experiment), cancellable: true }, async (progress, token) => {
    token.onCancellationRequested(() => queue.stop());
    const timer = setInterval(() => progress.report({ message: l10n.t('training… (Cancel stops after a checkpoint; Run Experiment again resumes)') }), 5000);
    try {
      return await queue.done;
    } finally {
      clearInterval(timer);
      deps.queueChanged(undefined);
    }
  });
  const { markdown } = writeResultFiles(dir, final);
  const failed = final.runs.filter((r) => r.status === 'failed').length;
  const done = final.runs.filter((r) => r.status === 'finished').length;
  deps.log.info(`experiment ${plan.experiment}: ${done} of ${final.runs.length} runs finished${failed ? `, ${failed} failed` : ''}; results in ${markdown}`);
  // The dashboard already shows the table: results.md opens, rendered, only when asked for (a third
  // column of raw Markdown squeezed the dashboard).
  const openResults = l10n.t('Open Results');
  const opened = await vscode.window.showInformationMessage(
    l10n.t('Experiment {0}: {1} of {2} runs finished. The results table is in the dashboard and in {3}.', plan.experiment, done, final.runs.length, markdown),
    openResults,
  );
  if (opened === openResults) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(markdown));
}

async function dataFor(plan: ExperimentPlan, context: vscode.ExtensionContext): Promise<{ dataset: DatasetChoice; dataDir?: string } | undefined> {
  let dataset: DatasetChoice | undefined = plan.dataset;
  if (dataset === undefined) {
    const choices: DatasetChoice[] = ['mnist', 'cifar10', 'synthetic'];
    const picked = await vscode.window.showQuickPick(choices, { title: l10n.t('Train the variants of {0} on which data?', plan.experiment) });
    if (!picked) return undefined;
    dataset = picked as DatasetChoice;
  }
  if (dataset !== 'cifar10') return { dataset };
  const remembered = rememberedCifarFolder(context);
  if (remembered) return { dataset, dataDir: remembered };
  const dataDir = await askCifarFolder(context);
  return dataDir ? { dataset, dataDir } : undefined;
}
