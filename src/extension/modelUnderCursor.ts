// The model a command run from the palette is about: the one under the cursor in the active
// `.resnet` editor (or its first model), as the server sees it.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ModelTotalsRequest, type ModelCommandArgs } from '../protocol/languageServer';

export async function modelUnderCursor(client: LanguageClient, noEditor: string): Promise<ModelCommandArgs | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId !== 'resnet') {
    void vscode.window.showInformationMessage(noEditor);
    return undefined;
  }
  const uri = editor.document.uri.toString();
  const { line, character } = editor.selection.active;
  const totals = await client.sendRequest(ModelTotalsRequest, { uri, position: { line, character } });
  if (!totals) {
    void vscode.window.showInformationMessage(l10n.t('This file has no model that could be analyzed yet: see the Problems panel.'));
    return undefined;
  }
  return { uri, model: totals.model };
}
