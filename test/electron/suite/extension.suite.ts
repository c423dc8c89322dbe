// The extension in desktop VS Code, through the editor's own API: what a user sees, asked of the
// providers VS Code itself calls (diagnostics, hover, inlay hints, code lens, commands).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { until as untilHolds } from '../../helpers/until';

/** The editor starts the language server with the window: up to a minute for its first answers. */
const until = <T>(what: string, probe: () => T | Promise<T>) => untilHolds(what, probe, { timeoutMs: 60_000, intervalMs: 200 });

function text(content: vscode.MarkdownString | vscode.MarkedString | string): string {
  return typeof content === 'string' ? content : 'value' in content ? content.value : String(content);
}

export function registerExtensionTests(): void {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

  describe('ResNet Studio in desktop VS Code', () => {
    it('activates on a .resnet file and reports a bad shortcut addition', async () => {
      const doc = await vscode.workspace.openTextDocument(path.join(folder, 'broken.resnet'));
      await vscode.window.showTextDocument(doc);
      assert.equal(doc.languageId, 'resnet');
      const diagnostics = await until('diagnostics', () => {
        const found = vscode.languages.getDiagnostics(doc.uri);
        return found.length > 0 ? found : undefined;
      });
      assert.ok(diagnostics.some((d) => /shortcut adds 56×56×64 to 28×28×128/.test(d.message)));
    });

    it('hovers, inlay hints and code lenses show shapes, params and MACs', async () => {
      const doc = await vscode.workspace.openTextDocument(path.join(folder, 'resnet50.resnet'));
      await vscode.window.showTextDocument(doc);
      const line = doc
        .getText()
        .split('\n')
        .findIndex((l) => l.trimStart().startsWith('conv3_x'));
      const position = new vscode.Position(line, doc.lineAt(line).firstNonWhitespaceCharacterIndex + 1);
      const hovers = await until('a hover', async () => {
        const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, position);
        return h.length > 0 ? h : undefined;
      });
      assert.match(hovers.flatMap((h) => h.contents.map(text)).join('\n'), /1,219,584/);
      const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
      assert.ok(hints.some((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')).includes('28×28×512')));
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
      assert.ok(lenses.some((l) => /25\.56M params · 3\.86G MACs/.test(l.command?.title ?? '')));
    });

    it('contributes the ResNet commands', async () => {
      const commands = await vscode.commands.getCommands(true);
      for (const id of ['resnet.showModelSummary', 'resnet.trainModel', 'resnet.stopTraining', 'resnet.openTrainingDashboard', 'resnet.newFileFromTemplate']) {
        assert.ok(commands.includes(id), id);
      }
    });
  });
}
