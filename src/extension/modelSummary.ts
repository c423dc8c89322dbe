// "ResNet: Show Model Summary": the summary table in a read-only virtual document
// (`resnet-summary:`), kept up to date while its source file is edited. With measured times
// loaded for the file, its rows are coloured by their share of the time: the server says which
// line has which time and share; this only turns that into editor decorations.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { checkResult, Commands, ModelSummaryRequest, ModelSummaryResultSchema, isModelCommandArgs, type ModelCommandArgs, type ModelSummaryResult } from '../protocol/languageServer';
import { describeFailure, reportingFailures } from './failures';
import type { MeasuredTimes } from './measuredTimes';
import { modelUnderCursor } from './modelUnderCursor';

type RowTimes = NonNullable<Extract<ModelSummaryResult, { kind: 'summary' }>['times']>;

export const SUMMARY_SCHEME = 'resnet-summary';
/** Edits pause this long before open summaries are recomputed. */
const REFRESH_DELAY_MS = 300;

export function registerModelSummary(context: vscode.ExtensionContext, client: LanguageClient, measured: MeasuredTimes): void {
  const decorations = new TimeDecorations();
  const provider = new SummaryProvider(client, measured, decorations);
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, provider),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.scheme === SUMMARY_SCHEME) decorations.applyTo(e.document.uri);
      else provider.sourceChanged(e.document.uri.toString());
    }),
    vscode.window.onDidChangeVisibleTextEditors(() => decorations.applyAll()),
    measured.onDidChange((source) => provider.sourceChanged(source, 0)),
    // The convention, the batch size or the memory budget changed: every open summary follows.
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('resnet')) provider.settingsChanged();
    }),
    decorations,
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

export function summaryUri(target: ModelCommandArgs): vscode.Uri {
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

  constructor(
    private readonly client: LanguageClient,
    private readonly measured: MeasuredTimes,
    private readonly decorations: TimeDecorations,
  ) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const target = summaryTarget(uri);
    this.decorations.set(uri, []);
    if (!target) return 'This summary link is not valid: run "ResNet: Show Model Summary" again.';
    try {
      const timings = this.measured.get(target.uri);
      const answer = checkResult(
        ModelSummaryRequest.method,
        ModelSummaryResultSchema,
        await this.client.sendRequest(ModelSummaryRequest, { uri: target.uri, model: target.model, ...(timings ? { timings } : {}) }),
      );
      if (!answer.ok) return `The summary could not be computed: ${answer.error}`;
      const result = answer.value;
      if (result.kind !== 'summary') return result.message;
      this.decorations.set(uri, result.times ?? []);
      return result.text;
    } catch (error) {
      return `The summary could not be computed: ${describeFailure(error)}`;
    }
  }

  /** Recomputes the open summaries of a source file once its edits pause. */
  sourceChanged(source: string, delayMs = REFRESH_DELAY_MS): void {
    const summaries = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === SUMMARY_SCHEME && summaryTarget(d.uri)?.uri === source);
    if (summaries.length === 0) return;
    clearTimeout(this.timers.get(source));
    this.timers.set(
      source,
      setTimeout(() => {
        this.timers.delete(source);
        for (const summary of summaries) this.changed.fire(summary.uri);
      }, delayMs),
    );
  }

  /**
   * Recomputes every open summary. After the usual pause: the language client sends the server the
   * new settings on the same change, and the summary must be asked for after that.
   */
  settingsChanged(): void {
    const sources = new Set(vscode.workspace.textDocuments.flatMap((d) => (d.uri.scheme === SUMMARY_SCHEME ? [summaryTarget(d.uri)?.uri ?? ''] : [])));
    for (const source of sources) if (source) this.sourceChanged(source);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.changed.dispose();
  }
}

/** Heat steps: a row's background is one of these, from faint to strong. */
const HEAT_STEPS = 8;

/** The rows' measured times as decorations: a background by heat, the ms and share after the row. */
class TimeDecorations implements vscode.Disposable {
  private readonly bySummary = new Map<string, RowTimes>();
  // A fixed warm colour with rising alpha reads on light, dark and high-contrast themes alike.
  private readonly steps = Array.from({ length: HEAT_STEPS }, (_, i) =>
    vscode.window.createTextEditorDecorationType({ isWholeLine: true, backgroundColor: `rgba(255, 128, 0, ${(0.08 + (0.45 * (i + 1)) / HEAT_STEPS).toFixed(3)})` }),
  );
  private readonly note = vscode.window.createTextEditorDecorationType({ after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em' } });

  set(summary: vscode.Uri, times: RowTimes): void {
    this.bySummary.set(summary.toString(), times);
  }

  applyAll(): void {
    for (const editor of vscode.window.visibleTextEditors) if (editor.document.uri.scheme === SUMMARY_SCHEME) this.apply(editor);
  }

  applyTo(summary: vscode.Uri): void {
    for (const editor of vscode.window.visibleTextEditors) if (editor.document.uri.toString() === summary.toString()) this.apply(editor);
  }

  private apply(editor: vscode.TextEditor): void {
    const times = this.bySummary.get(editor.document.uri.toString()) ?? [];
    const byStep: vscode.DecorationOptions[][] = this.steps.map(() => []);
    const notes: vscode.DecorationOptions[] = [];
    for (const row of times) {
      if (row.line >= editor.document.lineCount) continue;
      const range = editor.document.lineAt(row.line).range;
      const text = `${row.ms.toFixed(3)} ms · ${(100 * row.share).toFixed(1)}% of the measured time`;
      notes.push({ range, hoverMessage: `Measured forward + backward: ${text}`, renderOptions: { after: { contentText: text } } });
      if (row.heat > 0) byStep[Math.min(HEAT_STEPS, Math.ceil(row.heat * HEAT_STEPS)) - 1]?.push({ range });
    }
    for (const [i, type] of this.steps.entries()) editor.setDecorations(type, byStep[i] ?? []);
    editor.setDecorations(this.note, notes);
  }

  dispose(): void {
    for (const type of [...this.steps, this.note]) type.dispose();
  }
}
