// "ResNet: Show Model Summary": the summary table in a read-only virtual document
// (`resnet-summary:`), kept up to date while its source file is edited.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Commands, ModelSummaryRequest, isModelCommandArgs, type ModelCommandArgs } from '../protocol/languageServer';
import { describeFailure, reportingFailures } from './failures';
import { modelUnderCursor } from './modelUnderCursor';

export const SUMMARY_SCHEME = 'resnet-summary';
/** Edits pause this long before open summaries are recomputed. */
const REFRESH_DELAY_MS = 300;

export function registerModelSummary(context: vscode.ExtensionContext, client: LanguageClient): void {
  const provider = new SummaryProvider(client);
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, provider),
    vscode.workspace.onDidChangeTextDocument((e) => provider.sourceChanged(e.document.uri.toString())),
    vscode.commands.registerCommand(
      Commands.showModelSummary,
      reportingFailures(
        (reason) => l10n.t('ResNet: could not show the model summary: {0}', reason),
        async (args?: unknown) => {
          const target = isModelCommandArgs(args) ? args : await modelUnderCursor(client, l10n.t('Open a .resnet file and put the cursor in a model to see its summary.'));
          if (!target) return;
          const document = await vscode.workspace.openTextDocument(summaryUri(target));
          await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
        },
      ),
    ),
    provider,
  );
}

function summaryUri(target: ModelCommandArgs): vscode.Uri {
  return vscode.Uri.from({ scheme: SUMMARY_SCHEME, path: `/${target.model} summary.txt`, query: JSON.stringify(target) });
}

/** The source file and model a summary document shows; undefined for a mangled link. */
function summaryTarget(uri: vscode.Uri): ModelCommandArgs | undefined {
  try {
    const target: unknown = JSON.parse(uri.query);
    return isModelCommandArgs(target) ? target : undefined;
  } catch {
    return undefined;
  }
}

class SummaryProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly client: LanguageClient) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const target = summaryTarget(uri);
    if (!target) return 'This summary link is not valid: run "ResNet: Show Model Summary" again.';
    try {
      const result = await this.client.sendRequest(ModelSummaryRequest, { uri: target.uri, model: target.model });
      return result.kind === 'summary' ? result.text : result.message;
    } catch (error) {
      return `The summary could not be computed: ${describeFailure(error)}`;
    }
  }

  /** Recomputes the open summaries of a source file once its edits pause. */
  sourceChanged(source: string): void {
    const summaries = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === SUMMARY_SCHEME && summaryTarget(d.uri)?.uri === source);
    if (summaries.length === 0) return;
    clearTimeout(this.timers.get(source));
    this.timers.set(
      source,
      setTimeout(() => {
        this.timers.delete(source);
        for (const summary of summaries) this.changed.fire(summary.uri);
      }, REFRESH_DELAY_MS),
    );
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.changed.dispose();
  }
}
