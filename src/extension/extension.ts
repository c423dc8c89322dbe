// The VS Code extension: a thin adapter that starts the language server and adds the commands,
// the summary view, the architecture view and the status bar item. Everything about `.resnet` itself lives in the server.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerArchitectureView } from './architectureCommands';
import { ArchitecturePanel } from './architecturePanel';
import { useDisplayLanguage } from './displayLanguage';
import { createLanguageClient } from './languageClient';
import { MeasuredTimes } from './measuredTimes';
import { registerModelSummary } from './modelSummary';
import { registerNewFromTemplate } from './newFromTemplate';
import { registerModelTotalsStatus } from './statusBar';
import { registerTrainingCommands } from './training';
import { registerInstallBackend } from './training/installBackendCommand';
import { DashboardPanel } from './training/dashboardPanel';
import { registerDownloadCifar10 } from './training/downloadCifar10Command';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const started = performance.now();
  // First: every string shown from here on is in the resnet.language setting's language. The server
  // follows the setting itself (it is one of the resnet.* settings sent to it).
  context.subscriptions.push(
    useDisplayLanguage(context, () => {
      DashboardPanel.relocalize();
      ArchitecturePanel.relocalize();
    }),
  );
  client = createLanguageClient(context);
  // Measured times loaded for a file colour both its architecture view and its model summary.
  const measured = new MeasuredTimes();
  context.subscriptions.push(measured);
  registerModelSummary(context, client, measured);
  registerNewFromTemplate(context, client);
  // Training runs in a worker process; its dashboard, status bar and notification live here.
  const trainingLog = vscode.window.createOutputChannel('ResNet Training', { log: true });
  context.subscriptions.push(trainingLog, ...registerTrainingCommands(context, client, trainingLog), registerInstallBackend(context, trainingLog), registerDownloadCifar10(trainingLog));
  registerModelTotalsStatus(context, client);
  registerArchitectureView(context, client, trainingLog, measured);
  const registered = performance.now();
  await client.start();
  // Startup must stay fast: say how long it took (the end-to-end test reads this line).
  trainingLog.info(`activated in ${(registered - started).toFixed(0)} ms; language server ready after ${(performance.now() - started).toFixed(0)} ms`);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
