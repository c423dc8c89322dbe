// The analysis of each open document, computed once per version and shared by every feature: a
// hover right after an edit reuses what the diagnostics pass computed, and the other way round.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type Analysis } from '../core/analysis/analyze';
import { NetworkIndex } from './networkIndex';

export class AnalyzedDocument {
  private networkIndex: NetworkIndex | undefined;

  constructor(
    readonly document: TextDocument,
    /** The document is updated in place; this is the version that was analyzed. */
    readonly version: number,
    readonly analysis: Analysis,
  ) {}

  /** Built on first use: diagnostics alone never need it. */
  get index(): NetworkIndex {
    this.networkIndex ??= new NetworkIndex(this.analysis.models);
    return this.networkIndex;
  }
}

export class AnalyzedDocuments {
  private readonly cache = new Map<string, AnalyzedDocument>();

  get(document: TextDocument): AnalyzedDocument {
    const cached = this.cache.get(document.uri);
    if (cached && cached.document === document && cached.version === document.version) return cached;
    const analyzed = new AnalyzedDocument(document, document.version, analyze(document.getText()));
    this.cache.set(document.uri, analyzed);
    return analyzed;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}
