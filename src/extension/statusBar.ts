// The status bar item with the totals of the model under the cursor (or the file's first model).
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Commands, ModelTotalsRequest } from '../protocol/languageServer';

/** Typing and moving the cursor update the item once they pause for this long. */
const UPDATE_DELAY_MS = 250;

export function registerModelTotalsStatus(context: vscode.ExtensionContext, client: LanguageClient): void {
  const item = vscode.window.createStatusBarItem('resnet.modelTotals', vscode.StatusBarAlignment.Right, 100);
  item.name = 'ResNet Model Totals';
  item.command = Commands.showModelSummary;
  let timer: NodeJS.Timeout | undefined;
  let generation = 0;

  const update = async () => {
    const editor = vscode.window.activeTextEditor;
    const request = ++generation;
    if (editor?.document.languageId !== 'resnet') {
      item.hide();
      return;
    }
    const { line, character } = editor.selection.active;
    try {
      const totals = await client.sendRequest(ModelTotalsRequest, { uri: editor.document.uri.toString(), position: { line, character } });
      if (request !== generation) return;
      if (!totals) {
        item.hide();
        return;
      }
      item.text = `$(layers) ${totals.model}: ${totals.label}`;
      item.tooltip = `${totals.tooltip}\n${l10n.t('Click for the summary table.')}`;
      item.show();
    } catch {
      // The server is starting or restarting; the next edit or cursor move tries again.
      if (request === generation) item.hide();
    }
  };
  const updateSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void update(), UPDATE_DELAY_MS);
  };

  context.subscriptions.push(
    item,
    vscode.window.onDidChangeActiveTextEditor(() => void update()),
    vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor.document.languageId === 'resnet' && updateSoon()),
    vscode.workspace.onDidChangeTextDocument((e) => e.document.languageId === 'resnet' && updateSoon()),
    { dispose: () => clearTimeout(timer) },
  );
  void update();
}
