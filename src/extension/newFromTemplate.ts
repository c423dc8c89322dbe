// "ResNet: New File from Template": pick one of the paper's models and get it as a new, untitled
// `.resnet` document.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Commands, PaperTemplatesRequest } from '../protocol/languageServer';
import { reportingFailures } from './failures';

export function registerNewFromTemplate(context: vscode.ExtensionContext, client: LanguageClient): void {
  const newFromTemplate = reportingFailures(
    (reason) => l10n.t('ResNet: could not create a file from a template: {0}', reason),
    async () => {
      const templates = await client.sendRequest(PaperTemplatesRequest);
      const picked = await vscode.window.showQuickPick(
        templates.map((t) => ({ label: t.label, description: t.description, template: t })),
        { title: l10n.t('New .resnet File from the Paper'), placeHolder: l10n.t('Pick a model from He et al. 2015') },
      );
      if (!picked) return;
      const document = await vscode.workspace.openTextDocument({ language: 'resnet', content: picked.template.text });
      await vscode.window.showTextDocument(document);
    },
  );
  context.subscriptions.push(vscode.commands.registerCommand(Commands.newFileFromTemplate, newFromTemplate));
}
