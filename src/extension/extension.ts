// The VS Code extension: a thin adapter that starts the language server and adds the commands,
// the summary view and the status bar item. Everything about `.resnet` itself lives in the server.
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createLanguageClient } from './languageClient';
import { registerModelSummary } from './modelSummary';
import { registerNewFromTemplate } from './newFromTemplate';
import { registerModelTotalsStatus } from './statusBar';
import { registerTrainingCommands } from './training';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  client = createLanguageClient(context);
  registerModelSummary(context, client);
  registerNewFromTemplate(context, client);
  // The training engine is not part of this build yet: the commands say so.
  registerTrainingCommands(context, client, undefined);
  registerModelTotalsStatus(context, client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
