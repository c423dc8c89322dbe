// The architecture view's commands: "ResNet: Show Architecture" (also the `Graph` code lens and an
// editor-title button) and "ResNet: Compare Architecture with…" (the file at git HEAD through VS
// Code's built-in git extension, another file, or another model of the same file), and the
// serializer that brings the view back after a reload; and "ResNet: Colour Architecture by Measured
// Time…", which loads a `resnet-studio profile --json` file into the view.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import * as v from 'valibot';
import { ARCHITECTURE_VIEW_TYPE } from '../protocol/architecture';
import { REVEAL_LAYER_COMMAND, RevealLayerArgsSchema } from '../protocol/webview';
import { peekRunConfig } from '../training/runFolder/runFolder';
import { ArchitectureGraphRequest, Commands, isModelCommandArgs } from '../protocol/languageServer';
import { ArchitecturePanel, activeResnetEditor, type ArchitectureDeps, type CompareAgainst } from './architecturePanel';
import { reportingFailures } from './failures';
import { readProfileDocument } from '../protocol/profile';
import type { MeasuredTimes } from './measuredTimes';
import { MAX_SOURCE_BYTES } from '../core/sourceSize';

/** A `profile --json` file: about 150 bytes a layer, so ResNet-1202's is under 1 MB. */
const MAX_PROFILE_BYTES = 64 * 1024 * 1024;

export function registerArchitectureView(context: vscode.ExtensionContext, client: LanguageClient, log: vscode.LogOutputChannel, measured: MeasuredTimes): void {
  const deps: ArchitectureDeps = { extensionUri: context.extensionUri, client, log };
  context.subscriptions.push(
    vscode.commands.registerCommand(
      Commands.showArchitecture,
      reportingFailures(
        (reason) => l10n.t('ResNet: could not show the architecture: {0}', reason),
        async (args?: unknown) => {
          if (isModelCommandArgs(args)) {
            ArchitecturePanel.show(deps, args);
            return;
          }
          const editor = activeResnetEditor();
          if (!editor) {
            void vscode.window.showInformationMessage(l10n.t('Open a .resnet file and put the cursor in a model to see its architecture.'));
            return;
          }
          ArchitecturePanel.show(deps, { uri: editor.document.uri.toString() });
        },
      ),
    ),
    vscode.commands.registerCommand(
      Commands.compareArchitecture,
      reportingFailures(
        (reason) => l10n.t('ResNet: could not compare the architecture: {0}', reason),
        async (args?: unknown) => {
          const editor = activeResnetEditor();
          const uri = isModelCommandArgs(args) ? args.uri : editor?.document.uri.toString();
          if (!uri) {
            void vscode.window.showInformationMessage(l10n.t('Open a .resnet file and put the cursor in a model to compare it.'));
            return;
          }
          const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
          const position = editor && editor.document.uri.toString() === uri ? { line: editor.selection.active.line, character: editor.selection.active.character } : undefined;
          const graph = await client.sendRequest(ArchitectureGraphRequest, { uri, ...(isModelCommandArgs(args) ? { model: args.model } : {}), ...(position ? { position } : {}) });
          if (graph.kind === 'missing') {
            void vscode.window.showInformationMessage(graph.message);
            return;
          }
          const against = await chooseOtherVersion(document, graph.graph.model, graph.models);
          if (against) ArchitecturePanel.compare(deps, { uri, model: graph.graph.model }, against);
        },
      ),
    ),
    vscode.commands.registerCommand(
      Commands.colourArchitectureByTime,
      reportingFailures(
        (reason) => l10n.t('ResNet: could not colour the architecture by measured time: {0}', reason),
        async () => {
          const editor = activeResnetEditor();
          if (!editor) {
            void vscode.window.showInformationMessage(l10n.t('Open the .resnet file that was profiled, then load its times.'));
            return;
          }
          const picked = await vscode.window.showOpenDialog({
            canSelectMany: false,
            filters: { 'Profile (resnet-studio profile --json)': ['json'] },
            title: 'Measured times to colour the architecture by',
          });
          if (!picked?.[0]) return;
          const timings = readProfileDocument(new TextDecoder().decode(await readPickedFile(picked[0], MAX_PROFILE_BYTES)), picked[0].fsPath);
          // Kept for the file: its model summary colours its rows by them too.
          measured.set(editor.document.uri.toString(), timings);
          ArchitecturePanel.colourByTimes(deps, { uri: editor.document.uri.toString() }, timings);
        },
      ),
    ),
    // The dashboard's layer charts: a clicked layer in its model's text and in the architecture view,
    // coloured by the run's measurement. The run folder names a model and holds its text; it does not
    // choose a file to open: an open document that defines the model is used, else the run's own text.
    vscode.commands.registerCommand(
      REVEAL_LAYER_COMMAND,
      reportingFailures(
        (reason) => l10n.t('ResNet: could not show the layer: {0}', reason),
        async (raw: unknown) => {
          const parsed = v.safeParse(RevealLayerArgsSchema, raw);
          if (!parsed.success) throw new Error(l10n.t('the dashboard sent a malformed request'));
          const args = parsed.output;
          const config = peekRunConfig(args.runDir);
          if (!config) throw new Error(l10n.t('{0} has no readable config.json, so its model is unknown', args.runDir));
          const document = documentDefining(config.modelName) ?? (await vscode.workspace.openTextDocument({ language: 'resnet', content: config.sourceText }));
          await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
          ArchitecturePanel.colourByLayerStats(
            deps,
            { uri: document.uri.toString() },
            { type: 'layerStats', model: config.modelName, run: args.label, step: args.step, layers: [...args.layers], select: args.path },
          );
        },
      ),
    ),
    vscode.window.registerWebviewPanelSerializer(ARCHITECTURE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => ArchitecturePanel.restore(panel, state, deps),
    }),
  );
}

/** An open .resnet document that defines `model` (the active editor's first), if any. */
function documentDefining(model: string): vscode.TextDocument | undefined {
  const defines = new RegExp(`^\\s*model\\s+${model.replace(/[^\w-]/g, '\\$&')}\\b`, 'm');
  const active = vscode.window.activeTextEditor?.document;
  const open = [...(active ? [active] : []), ...vscode.workspace.textDocuments];
  return open.find((d) => d.languageId === 'resnet' && defines.test(d.getText()));
}

/**
 * A file the user picked, read only when it is a regular file of at most `limit` bytes: reading a
 * named pipe or a device called `x.resnet` would never end. (VS Code's stat says Unknown for those.)
 */
async function readPickedFile(uri: vscode.Uri, limit: number): Promise<Uint8Array> {
  const stat = await vscode.workspace.fs.stat(uri);
  if ((stat.type & vscode.FileType.File) === 0) throw new Error(l10n.t('{0} is not a regular file (a folder, a pipe or a device); choose a file', uri.fsPath));
  const tooLarge = (size: number) => new Error(l10n.t('{0} is {1} bytes, over the {2} bytes such a file may have', uri.fsPath, size.toLocaleString('en-US'), limit.toLocaleString('en-US')));
  if (stat.size > limit) throw tooLarge(stat.size);
  const bytes = await vscode.workspace.fs.readFile(uri);
  if (bytes.length > limit) throw tooLarge(bytes.length);
  return bytes;
}

async function chooseOtherVersion(document: vscode.TextDocument, model: string, models: readonly string[]): Promise<CompareAgainst | undefined> {
  const others = models.filter((m) => m !== model);
  type Choice = vscode.QuickPickItem & { readonly id: 'head' | 'file' | 'model' };
  const items: Choice[] = [
    { id: 'head', label: `$(git-commit) ${l10n.t('The file at git HEAD')}`, description: l10n.t('what this file was at the last commit') },
    { id: 'file', label: `$(file) ${l10n.t('Another file…')}`, description: l10n.t('a .resnet file on disk') },
  ];
  if (others.length > 0) items.push({ id: 'model', label: `$(symbol-class) ${l10n.t('Another model in this file')}`, description: others.join(', ') });
  const choice = await vscode.window.showQuickPick(items, { title: l10n.t('Compare {0} with…', model), placeHolder: l10n.t('What to compare with') });
  if (!choice) return undefined;
  switch (choice.id) {
    case 'head':
      return fileAtHead(document);
    case 'file': {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { ResNet: ['resnet'] }, title: l10n.t('Compare {0} with…', model) });
      if (!picked?.[0]) return undefined;
      // The same limit as the command line's and the language server's (src/core/sourceSize.ts).
      const text = new TextDecoder().decode(await readPickedFile(picked[0], MAX_SOURCE_BYTES));
      return { text, label: vscode.workspace.asRelativePath(picked[0]) };
    }
    case 'model': {
      const other = others.length === 1 ? others[0] : await vscode.window.showQuickPick(others, { title: l10n.t('Compare {0} with which model?', model) });
      if (!other) return undefined;
      return { text: document.getText(), label: 'this file', model: other };
    }
  }
}

/** The part of the built-in git extension's API (`vscode.git`, version 1) this needs. */
interface GitApi {
  getRepository(uri: vscode.Uri): { show(ref: string, path: string): Promise<string> } | null;
}

async function fileAtHead(document: vscode.TextDocument): Promise<CompareAgainst | undefined> {
  const extension = vscode.extensions.getExtension<{ getAPI(version: 1): GitApi }>('vscode.git');
  if (!extension) throw new Error('the built-in Git extension is not available (is it disabled?)');
  const git = (extension.isActive ? extension.exports : await extension.activate()).getAPI(1);
  const repository = git.getRepository(document.uri);
  if (!repository) throw new Error(`${vscode.workspace.asRelativePath(document.uri)} is not in a git repository that VS Code has open`);
  let text: string;
  try {
    text = await repository.show('HEAD', document.uri.fsPath);
  } catch (error) {
    throw new Error(`${vscode.workspace.asRelativePath(document.uri)} has no version at HEAD (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); commit it first`);
  }
  return { text, label: 'HEAD' };
}
