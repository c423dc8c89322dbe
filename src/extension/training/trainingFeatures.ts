// Training from the editor: the one worker the commands run, and everything that shows its
// progress (status bar, notification, dashboard, log). `createTrainingFeatures` is the engine the
// commands of src/extension/training.ts plug into; `registerTrainingFeatures` registers the
// commands itself, for a build without that file.
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { WorkerCommand } from '../../protocol/training';
import { startFitWarning } from '../../core/report/costLines';
import { Commands, defaultSettings } from '../../protocol/languageServer';
import { DASHBOARD_VIEW_TYPE } from '../../protocol/webview';
import { reportingFailures } from '../failures';
import type { TrainingEngine } from '../training';
import { DashboardPanel, type DashboardDeps } from './dashboardPanel';
import { TrainingNotification } from './progressNotification';
import type { RunProgress } from './runProgress';
import { backendSetting, runsFolder } from './settings';
import { TrainingStatusBar } from './statusBar';
import { askForTrainRequest, parseTrainArgs, type TrainArgs } from './trainCommand';
import { TrainingSession } from './trainingSession';

/** What starts a worker (a 'stop' goes to a running one). */
type LaunchCommand = Extract<WorkerCommand, { type: 'start' | 'resume' }>;

/** The command ids, as package.json contributes them and the code lenses call them. */
export const TRAINING_COMMANDS = {
  trainModel: Commands.trainModel,
  stopTraining: Commands.stopTraining,
  openDashboard: Commands.openTrainingDashboard,
} as const;

/** A context key, true while a worker trains (package.json's menus use it). */
export const TRAINING_RUNNING_CONTEXT = 'resnet.trainingRunning';

export interface TrainingFeatures {
  /** What the three commands do; `train` asks for whatever `target` leaves open. */
  readonly engine: TrainingEngine & { train(target?: TrainArgs): Promise<void> };
  /** The status bar item, the worker, the dashboard and its serializer. */
  readonly disposables: vscode.Disposable[];
}

export function createTrainingFeatures(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): TrainingFeatures {
  const statusBar = new TrainingStatusBar(TRAINING_COMMANDS.openDashboard);
  let notification: TrainingNotification | undefined;
  /** The runs folder of the last run started here: the dashboard lists it (multi-root workspaces). */
  let lastRunsFolder: string | undefined;

  const session: TrainingSession = new TrainingSession({
    message(runDir, message, progress) {
      if (message.type === 'started') {
        log.info(`training ${message.model} in ${message.runDir}: ${message.backend} on ${message.device} (${message.backendReason}); ${message.dataset}, ${message.trainImages} images, ${message.totalSteps} steps`);
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
    state(state, runDir, progress, exitCode) {
      // For menus: Stop Training only while something trains.
      void vscode.commands.executeCommand('setContext', TRAINING_RUNNING_CONTEXT, state !== 'idle');
      if (state === 'stopping') log.info(`stopping ${progress.started?.model ?? session.label ?? 'the run'} after its current step (a checkpoint is written)`);
      statusBar.update(state, session.label ?? progress.started?.model ?? '', progress);
      notification?.update(state, progress);
      DashboardPanel.open?.onSessionChange();
      if (state === 'idle') {
        notification?.close();
        notification = undefined;
        void reportEnd(progress, runDir, exitCode);
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
  };

  /** Runs a worker command once trust and any run already going are settled. */
  async function run(command: LaunchCommand, label: string): Promise<void> {
    if (refusedInRestrictedMode()) return;
    const busy = () => session.state !== 'idle';
    if (busy()) {
      const what = session.progress?.started?.model ?? session.label ?? 'a model';
      const choice = await vscode.window.showWarningMessage(
        `${what} is still training (${session.progress?.describe() ?? 'starting'}). Stop it and start ${label}?`,
        { modal: true, detail: 'Stopping writes a checkpoint: the stopped run can be resumed from the dashboard.' },
        'Stop and Start',
        'Show Dashboard',
      );
      if (choice === 'Show Dashboard') DashboardPanel.show(dashboardDeps);
      if (choice !== 'Stop and Start') return;
      session.stop();
      await session.idle();
      if (busy()) return; // something else started meanwhile
    }
    log.info(command.type === 'start' ? `starting ${label}` : `resuming ${command.runDir}`);
    lastRunsFolder = command.type === 'start' ? command.request.outDir : dirname(command.runDir);
    try {
      void session.start(command, label);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      log.error(`could not start the training worker: ${text}`);
      void vscode.window.showErrorMessage(`Could not start the training worker: ${text}`);
      return;
    }
    notification = new TrainingNotification(label, () => session.stop());
    // The live plot is the point of training from the editor: show it as the run starts.
    DashboardPanel.show(dashboardDeps);
  }

  async function resume(runDir: string): Promise<void> {
    const backend = backendSetting();
    await run({ type: 'resume', runDir, backend, backendDirs: [context.globalStorageUri.fsPath] }, basename(runDir));
  }

  async function reportEnd(progress: RunProgress, runDir: string | undefined, exitCode: number | undefined): Promise<void> {
    const model = progress.started?.model ?? 'the model';
    let choice: string | undefined;
    if (progress.failure !== undefined) {
      choice = await vscode.window.showErrorMessage(`Training ${model} failed: ${progress.failure}`, 'Show Log');
    } else if (progress.finished) {
      const f = progress.finished;
      const text = f.stopped
        ? `Training ${model} stopped at step ${f.step.toLocaleString('en-US')}; its checkpoint can be resumed from the dashboard. Test error so far: ${percent(1 - f.testAccuracy)}.`
        : `Training ${model} finished: test error ${percent(1 - f.testAccuracy)} after ${f.step.toLocaleString('en-US')} steps.`;
      choice = await vscode.window.showInformationMessage(text, 'Open Dashboard', ...(runDir ? ['Reveal Run Folder'] : []));
    } else {
      log.warn(`the training worker exited with code ${exitCode} before finishing`);
      choice = await vscode.window.showErrorMessage(
        `The training worker exited (code ${exitCode}) before finishing ${model}. Its last checkpoint is kept: resume it from the dashboard.`,
        'Open Dashboard',
        'Show Log',
      );
    }
    if (choice === 'Show Log') log.show(true);
    if (choice === 'Open Dashboard') DashboardPanel.show(dashboardDeps);
    if (choice === 'Reveal Run Folder' && runDir) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(runDir));
  }

  const engine: TrainingFeatures['engine'] = {
    async train(target?: TrainArgs) {
      if (refusedInRestrictedMode()) return;
      const asked = await askForTrainRequest(target ?? {}, context);
      if (!asked) return;
      // Will it fit: warn before a run whose batch needs more memory than resnet.costs.memoryBudgetMiB.
      const fit = startFitWarning(asked.request, vscode.workspace.getConfiguration('resnet').get<number>('costs.memoryBudgetMiB', defaultSettings.costs.memoryBudgetMiB));
      if (fit && (await vscode.window.showWarningMessage(`Training may run out of memory: ${fit}.`, 'Train Anyway')) !== 'Train Anyway') return;
      await run({ type: 'start', request: asked.request }, asked.label);
    },
    async stop() {
      if (!session.stop()) void vscode.window.showInformationMessage(session.state === 'stopping' ? 'Training is already stopping.' : 'No training is running.');
    },
    async openDashboard() {
      DashboardPanel.show(dashboardDeps);
    },
  };
  return {
    engine,
    disposables: [
      statusBar,
      { dispose: () => session.dispose() },
      { dispose: () => DashboardPanel.open?.dispose() },
      vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => DashboardPanel.restore(panel, dashboardDeps),
      }),
    ],
  };
}

/** Everything, the three commands included (which src/extension/training.ts registers otherwise). */
export function registerTrainingFeatures(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const { engine, disposables } = createTrainingFeatures(context, log);
  return [
    ...disposables,
    vscode.commands.registerCommand(TRAINING_COMMANDS.trainModel, reportingFailures('train the model', (args?: unknown) => engine.train(parseTrainArgs(args)))),
    vscode.commands.registerCommand(TRAINING_COMMANDS.stopTraining, reportingFailures('stop training', () => engine.stop())),
    vscode.commands.registerCommand(TRAINING_COMMANDS.openDashboard, reportingFailures('open the training dashboard', () => engine.openDashboard())),
  ];
}

/** Training runs the worker on workspace files and writes into the workspace: trusted only. */
function refusedInRestrictedMode(): boolean {
  if (vscode.workspace.isTrusted) return false;
  void vscode.window
    .showErrorMessage('Training is off in Restricted Mode: it runs code on files from this workspace and writes run folders into it. Trust the workspace to train.', 'Manage Workspace Trust')
    .then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return true;
}

function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)}%`;
}
