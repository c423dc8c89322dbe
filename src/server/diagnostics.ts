// Publishes the core's diagnostics: immediately when a document opens, and after a short quiet
// time on every change, so typing a word does not analyze the file once per keystroke.
import { format, render } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';
import { DiagnosticSeverity, DiagnosticTag, type Connection, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from '../core/diagnostics';
import type { AnalyzedDocuments } from './analyzedDocuments';
import { toLspRange } from './ranges';

export const DEFAULT_DIAGNOSTICS_DELAY_MS = 150;

const severities: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** The core's diagnostic for the client, in the client's locale where the catalogue has it. */
export function toLspDiagnostic(document: TextDocument, diagnostic: Diagnostic, locale: Locale = 'en'): LspDiagnostic {
  return {
    severity: severities[diagnostic.severity],
    code: diagnostic.code,
    source: 'resnet',
    message: diagnostic.text && locale !== 'en' ? render(locale, diagnostic.text) : diagnostic.message,
    range: toLspRange(document, diagnostic.range),
    ...(diagnostic.related && {
      relatedInformation: diagnostic.related.map((r) => ({
        location: { uri: document.uri, range: toLspRange(document, r.range) },
        message: r.text && locale !== 'en' ? render(locale, r.text) : r.message,
      })),
    }),
    // Editors fade unused declarations out rather than underline them.
    ...(diagnostic.code === 'unused' && { tags: [DiagnosticTag.Unnecessary] }),
  };
}

export class DiagnosticsPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The version last published per document: opening a document reports its content twice. */
  private readonly published = new Map<string, number>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: AnalyzedDocuments,
    private readonly delayMs: number,
    /** Asked at each publish: the `resnet.language` setting can change while documents are open. */
    private readonly locale: () => Locale = () => 'en',
  ) {}

  /** Forgets every pending timer (the server is shutting down). */
  dispose(): void {
    for (const uri of [...this.timers.keys()]) this.cancel(uri);
  }

  /** Analyzes and publishes now (a document was opened). */
  publishNow(document: TextDocument): void {
    this.cancel(document.uri);
    this.publish(document);
  }

  /** Analyzes and publishes once edits pause for the delay. */
  publishSoon(document: TextDocument): void {
    if (this.published.get(document.uri) === document.version) return;
    if (this.delayMs <= 0) {
      this.publishNow(document);
      return;
    }
    this.cancel(document.uri);
    this.timers.set(
      document.uri,
      setTimeout(() => {
        this.timers.delete(document.uri);
        this.publish(document);
      }, this.delayMs),
    );
  }

  clear(uri: string): void {
    this.cancel(uri);
    this.published.delete(uri);
    this.connection.sendDiagnostics({ uri, diagnostics: [] }).catch(() => undefined);
  }

  private cancel(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.delete(uri);
  }

  /**
   * Never throws: it runs from a timer, where an exception would end the server. A failure is
   * logged and shown on the document as one diagnostic, so the user knows why nothing else shows.
   */
  private publish(document: TextDocument): void {
    this.published.set(document.uri, document.version);
    let diagnostics: LspDiagnostic[];
    try {
      diagnostics = this.documents.get(document).analysis.diagnostics.map((d) => toLspDiagnostic(document, d, this.locale()));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.connection.console.error(`diagnostics failed for ${document.uri}: ${error instanceof Error && error.stack ? error.stack : reason}`);
      diagnostics = [
        {
          severity: DiagnosticSeverity.Error,
          source: 'resnet',
          message: format(this.locale(), 'server.analysisFailed', { reason }),
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        },
      ];
    }
    this.connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics }).catch(() => undefined);
  }
}
