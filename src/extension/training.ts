// Training from the editor, its one front door: Train Model, Stop Training and Open Training
// Dashboard, the one worker they run, and everything that shows its progress (status bar,
// notification, dashboard, log). Training starts a worker process that reads data sets and writes
// checkpoints into the workspace, so it is off in Restricted Mode. Which models a file has comes
// from the language server: this adapter never parses a file.
import * as l10n from '@vscode/l10n';
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { displayLocale } from './displayLanguage';
import { Commands } from '../protocol/languageServer';
import type { WorkerCommand } from '../protocol/training';
import { DASHBOARD_VIEW_TYPE } from '../protocol/webview';
import { workerEntry } from '../training/worker/launch';
import { reportingFailures } from './failures';
import { DashboardPanel, type DashboardDeps } from './training/dashboardPanel';
import { TrainingNotification } from './training/progressNotification';
import type { RunProgress } from './training/runProgress';
import { backendSetting, pythonField, runsFolder, threadsField } from './training/settings';
import { TrainingStatusBar } from './training/statusBar';
import { askForTrainRequest, parseTrainArgs, type ServerRequests } from './training/trainCommand';
import { TrainingSession } from './training/trainingSession';
import { runExperimentCommand } from './training/experimentCommand';

/** What starts a worker (a 'stop' goes to a running one). */
type LaunchCommand = Extract<WorkerCommand, { type: 'start' | 'resume' }>;

/** The command ids, as package.json contributes them and the code lenses call them. */
export const TRAINING_COMMANDS = {
  trainModel: Commands.trainModel,
  stopTraining: Commands.stopTraining,
  openDashboard: Commands.openTrainingDashboard,
} as const;

/** Where the dashboard's runs folder is kept between reloads (workspace state). */
const DASHBOARD_FOLDER_KEY = 'resnet.dashboard.runsFolder';

/** A context key, true while a worker trains (package.json's menus use it). */
export const TRAINING_RUNNING_CONTEXT = 'resnet.trainingRunning';

/**
 * Registers Train Model, Stop Training and Open Training Dashboard, and everything that shows a
 * run (status bar, notification, dashboard and its serializer, log). Returns what to dispose.
 */
export function registerTrainingCommands(context: vscode.ExtensionContext, server: ServerRequests, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const statusBar = new TrainingStatusBar(TRAINING_COMMANDS.openDashboard);
  let notification: TrainingNotification | undefined;
  /** The runs folder of the last run started here: the dashboard lists it (multi-root workspaces). */
  // Kept across reloads: the restored dashboard lists the folder it listed (an experiment's runs).
  let lastRunsFolder: string | undefined = context.workspaceState.get<string>(DASHBOARD_FOLDER_KEY);
  const showFolder = (folder: string) => {
    lastRunsFolder = folder;
    void context.workspaceState.update(DASHBOARD_FOLDER_KEY, folder);
  };
  /** The experiment queue training now: Stop (dashboard or command) stops it as its Cancel does. */
  let experimentQueue: { stopping: boolean; stop(): void } | undefined;

  const session: TrainingSession = new TrainingSession({
    message(runDir, message, progress) {
      if (message.type === 'started') {
        log.info(
          `training ${message.model} in ${message.runDir}: ${message.backend} on ${message.device} (${message.backendReason}); ${message.dataset}, ${message.trainImages} images, ${message.totalSteps} steps`,
        );
        // `auto` chose the engine: every candidate it checked, and what it found.
        for (const reason of message.engineChoice?.reasoning ?? []) log.info(`engine: ${reason}`);
      } else if (message.type === 'epoch') {
        const val = message.valAccuracy === undefined ? '' : `, validation error ${percent(1 - message.valAccuracy)}`;
        log.info(`epoch ${message.epoch + 1}: loss ${message.trainLoss.toFixed(4)}, training error ${percent(1 - message.trainAccuracy)}${val} (${message.seconds.toFixed(1)} s)`);
      } else if (message.type === 'failed') {
        log.error(`training failed: ${message.message}`);
      } else if (message.type === 'finished') {
        log.info(`training ${message.stopped ? 'stopped' : 'finished'} at step ${message.step}: test error ${percent(1 - message.testAccuracy)} (${message.seconds.toFixed(0)} s)`);
      }
      notification?.update(session.state, progress);
      if (message.type === 'batch' || message.type === 'epoch') statusBar.update(session.state, session.label ?? '', progress);
      DashboardPanel.open?.onTrainingMessage(runDir, message, progress);
    },
    state(state, runDir, progress, ending) {
      // For menus: Stop Training only while something trains.
      void vscode.commands.executeCommand('setContext', TRAINING_RUNNING_CONTEXT, state !== 'idle');
      if (state === 'stopping') log.info(`stopping ${progress.started?.model ?? session.label ?? 'the run'} after its current step (a checkpoint is written)`);
      statusBar.update(state, session.label ?? progress.started?.model ?? '', progress);
      notification?.update(state, progress);
      DashboardPanel.open?.onSessionChange();
      if (state === 'idle') {
        notification?.close();
        notification = undefined;
        void reportEnd(progress, runDir, ending);
      }
    },
    log(level, text) {
      if (level === 'warn') log.warn(text);
      else log.info(text);
    },
  });

  const dashboardDeps: DashboardDeps = {
    extensionUri: context.extensionUri,
    session,
    log,
    runsFolder: () => lastRunsFolder ?? runsFolder(vscode.window.activeTextEditor?.document.uri),
    resume: (runDir) => resume(runDir),
    experimentQueue: () => experimentQueue,
  };

  /** Runs a worker command once any run already going is settled (trust is checked by the caller). */
  async function run(command: LaunchCommand, label: string): Promise<void> {
    const busy = () => session.state !== 'idle';
    if (busy()) {
      const what = session.progress?.started?.model ?? session.label ?? l10n.t('a model');
      const stopAndStart = l10n.t('Stop and Start');
      const showDashboard = l10n.t('Show Dashboard');
      const choice = await vscode.window.showWarningMessage(
        l10n.t('{0} is still training ({1}). Stop it and start {2}?', what, session.progress?.describe(displayLocale()) ?? l10n.t('starting'), label),
        { modal: true, detail: l10n.t('Stopping writes a checkpoint: the stopped run can be resumed from the dashboard.') },
        stopAndStart,
        showDashboard,
      );
      if (choice === showDashboard) DashboardPanel.show(dashboardDeps);
      if (choice !== stopAndStart) return;
      session.stop();
      await session.idle();
      if (busy()) return; // something else started meanwhile
    }
    log.info(command.type === 'start' ? `starting ${label}` : `resuming ${command.runDir}`);
    showFolder(command.type === 'start' ? command.request.outDir : dirname(command.runDir));
    try {
      // The worker's own messages (why it failed, why this backend) in the language the extension speaks.
      void session.start({ ...command, locale: displayLocale() }, label);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      log.error(`could not start the training worker: ${text}`);
      void vscode.window.showErrorMessage(l10n.t('Could not start the training worker: {0}', text));
      return;
    }
    notification = new TrainingNotification(label, () => session.stop());
    // The live plot is the point of training from the editor: show it as the run starts.
    DashboardPanel.show(dashboardDeps);
  }

  async function resume(runDir: string): Promise<void> {
    if (refusedInRestrictedMode()) return;
    const backend = backendSetting();
    // A PyTorch run resumes with the Python of the user's settings, never the one its config.json names.
    await run({ type: 'resume', runDir, backend, backendDirs: [context.globalStorageUri.fsPath], ...pythonField(), ...threadsField() }, basename(runDir));
  }

  async function reportEnd(progress: RunProgress, runDir: string | undefined, ending: string | undefined): Promise<void> {
    const model = progress.started?.model ?? l10n.t('the model');
    let choice: string | undefined;
    const showLog = l10n.t('Show Log');
    const openDashboard = l10n.t('Open Dashboard');
    const revealRunFolder = l10n.t('Reveal Run Folder');
    if (progress.failure !== undefined) {
      choice = await vscode.window.showErrorMessage(l10n.t('Training {0} failed: {1}', model, progress.failure), showLog);
    } else if (progress.finished) {
      const f = progress.finished;
      const text = f.stopped
        ? l10n.t('Training {0} stopped at step {1}; its checkpoint can be resumed from the dashboard. Test error so far: {2}.', model, f.step.toLocaleString('en-US'), percent(1 - f.testAccuracy))
        : l10n.t('Training {0} finished: test error {1} after {2} steps.', model, percent(1 - f.testAccuracy), f.step.toLocaleString('en-US'));
      choice = await vscode.window.showInformationMessage(text, openDashboard, ...(runDir ? [revealRunFolder] : []));
    } else {
      log.warn(`the training worker ${ending ?? 'ended'} before finishing`);
      choice = await vscode.window.showErrorMessage(
        l10n.t('The training worker {0} before finishing {1}. Its last checkpoint is kept: resume it from the dashboard.', ending ?? l10n.t('ended'), model),
        openDashboard,
        showLog,
      );
    }
    if (choice === showLog) log.show(true);
    if (choice === openDashboard) DashboardPanel.show(dashboardDeps);
    if (choice === revealRunFolder && runDir) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(runDir));
  }

  async function train(args: unknown): Promise<void> {
    // Before anything is asked: in Restricted Mode nothing about training goes further.
    if (refusedInRestrictedMode() || !workerBundled()) return;
    const asked = await askForTrainRequest(parseTrainArgs(args), context, server);
    if (!asked) return;
    // Will it fit: the server warns when the batch needs more memory than resnet.costs.memoryBudget.
    const trainAnyway = l10n.t('Train Anyway');
    if (asked.memoryWarning && (await vscode.window.showWarningMessage(l10n.t('Training may run out of memory: {0}.', asked.memoryWarning), trainAnyway)) !== trainAnyway) return;
    await run({ type: 'start', request: asked.request }, asked.label);
  }

  async function stop(): Promise<void> {
    if (experimentQueue && session.state === 'idle') {
      experimentQueue.stop();
      DashboardPanel.open?.onSessionChange();
      return;
    }
    if (!session.stop()) void vscode.window.showInformationMessage(session.state === 'stopping' ? l10n.t('Training is already stopping.') : l10n.t('No training is running.'));
  }

  return [
    statusBar,
    { dispose: () => session.dispose() },
    { dispose: () => DashboardPanel.open?.dispose() },
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => DashboardPanel.restore(panel, dashboardDeps),
    }),
    vscode.commands.registerCommand(
      TRAINING_COMMANDS.trainModel,
      reportingFailures((reason) => l10n.t('ResNet: could not train the model: {0}', reason), train),
    ),
    vscode.commands.registerCommand(
      TRAINING_COMMANDS.stopTraining,
      reportingFailures((reason) => l10n.t('ResNet: could not stop training: {0}', reason), stop),
    ),
    vscode.commands.registerCommand(
      Commands.runExperiment,
      reportingFailures(
        (reason) => l10n.t('ResNet: could not run the experiment: {0}', reason),
        async (args: unknown) => {
          if (refusedInRestrictedMode() || !workerBundled()) return;
          await runExperimentCommand(args, {
            context,
            server,
            log,
            showDashboard: (folder) => {
              showFolder(folder);
              DashboardPanel.show(dashboardDeps);
            },
            queueChanged: (queue) => {
              experimentQueue = queue && {
                stopping: false,
                stop() {
                  this.stopping = true;
                  queue.stop();
                },
              };
              void vscode.commands.executeCommand('setContext', TRAINING_RUNNING_CONTEXT, queue !== undefined || session.state !== 'idle');
              DashboardPanel.open?.onSessionChange();
            },
            refreshDashboard: () => DashboardPanel.open?.onExperimentChange(),
            busy: () => {
              if (session.state === 'idle') return false;
              void vscode.window.showWarningMessage(`${session.progress?.started?.model ?? session.label ?? 'A model'} is still training; stop it before running an experiment.`);
              return true;
            },
          });
        },
      ),
    ),
    vscode.commands.registerCommand(
      TRAINING_COMMANDS.openDashboard,
      reportingFailures(
        (reason) => l10n.t('ResNet: could not open the training dashboard: {0}', reason),
        async () => void DashboardPanel.show(dashboardDeps),
      ),
    ),
  ];
}

/** Training runs the worker on workspace files and writes into the workspace: trusted only. */
function refusedInRestrictedMode(): boolean {
  if (vscode.workspace.isTrusted) return false;
  void vscode.window
    .showErrorMessage(
      l10n.t('Training is disabled in Restricted Mode: it runs code on files from this workspace and writes run folders into it. Trust the workspace to train.'),
      l10n.t('Manage Workspace Trust'),
    )
    .then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return true;
}

/** The worker this build trains with (dist/worker.cjs beside the bundle, or its source under tsx). */
function workerBundled(): boolean {
  const { path } = workerEntry();
  if (existsSync(path)) return true;
  void vscode.window.showErrorMessage(l10n.t('Training is not available: this build of ResNet Studio has no training engine ({0} is missing).', path));
  return false;
}

function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)}%`;
}
