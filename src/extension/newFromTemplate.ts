// "ResNet: New File from Template": pick one of the paper's models (from the language server), a
// small ResNet for the built-in MNIST, or the Fig. 6 experiment on MNIST (both shipped with the
// extension as the examples they are), and get it as a new, untitled `.resnet` document.
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
      const examples = [
        { label: 'ResNet-8 (MNIST)', description: l10n.t('8 layers for the built-in MNIST digits: trains in a minute or two on a CPU'), file: ['examples', 'mnist', 'resnet8.resnet'] },
        {
          label: l10n.t('Fig. 6 on MNIST (experiment)'),
          description: l10n.t("plain against residual, 8 and 20 layers: the paper's Fig. 6 in about ten minutes on a CPU"),
          file: ['examples', 'experiments', 'fig6-mnist.resnet'],
        },
      ];
      const picked = await vscode.window.showQuickPick(
        [
          ...examples.map((e) => ({ label: e.label, description: e.description, text: async () => readShipped(context, e.file) })),
          ...templates.map((t) => ({ label: t.label, description: t.description, text: async () => t.text })),
        ],
        { title: l10n.t('New .resnet File from the Paper'), placeHolder: l10n.t('Pick a model from He et al. 2015') },
      );
      if (!picked) return;
      const document = await vscode.workspace.openTextDocument({ language: 'resnet', content: await picked.text() });
      await vscode.window.showTextDocument(document);
    },
  );
  context.subscriptions.push(vscode.commands.registerCommand(Commands.newFileFromTemplate, newFromTemplate));
}

/** A file the extension ships (see .vscodeignore), as text. */
async function readShipped(context: vscode.ExtensionContext, path: readonly string[]): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, ...path)));
}
