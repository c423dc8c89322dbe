// Train Model, Stop Training and Open Training Dashboard. Training starts a worker process that
// reads data sets and writes checkpoints into the workspace, so it is off in Restricted Mode; the
// engine itself (dist/worker.cjs and the dashboard) plugs in through `TrainingEngine`.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Commands, isModelCommandArgs, type ModelCommandArgs } from '../protocol/languageServer';
import { reportingFailures } from './failures';
import { modelUnderCursor } from './modelUnderCursor';

export interface TrainingEngine {
  train(target: ModelCommandArgs): Promise<void>;
  stop(): Promise<void>;
  openDashboard(): Promise<void>;
}

const WORKER = 'dist/worker.cjs';

export function registerTrainingCommands(context: vscode.ExtensionContext, client: LanguageClient, engine: TrainingEngine | undefined): void {
  /** The engine, when this build has one and its worker is bundled; otherwise says so. */
  const ready = (): TrainingEngine | undefined => {
    const hasWorker = existsSync(context.asAbsolutePath(WORKER));
    if (engine && hasWorker) return engine;
    const why = hasWorker ? 'the training engine is not connected to the editor in this build' : `this build of ResNet Studio has no training engine (${WORKER} is missing)`;
    void vscode.window.showInformationMessage(`Training is not available yet: ${why}.`);
    return undefined;
  };
  const train = reportingFailures('train the model', async (args?: unknown) => {
    if (!vscode.workspace.isTrusted) {
      const manage = 'Manage Workspace Trust';
      const choice = await vscode.window.showWarningMessage(
        'Training is disabled in Restricted Mode: it starts a worker process that reads data sets and writes checkpoints in this workspace. Trust the workspace to train.',
        manage,
      );
      if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    const trainer = ready();
    const target = trainer && (isModelCommandArgs(args) ? args : await modelUnderCursor(client, 'train it'));
    if (trainer && target) await trainer.train(target);
  });
  const stop = reportingFailures('stop training', async () => {
    await ready()?.stop();
  });
  const openDashboard = reportingFailures('open the training dashboard', async () => {
    await ready()?.openDashboard();
  });
  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.trainModel, train),
    vscode.commands.registerCommand(Commands.stopTraining, stop),
    vscode.commands.registerCommand(Commands.openTrainingDashboard, openDashboard),
  );
}
