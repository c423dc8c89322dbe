// The outline: models with their stages and recipe, templates, blocks, and top-level values.
import type { Locale } from '../core/l10n/locale';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { BlockDecl, LetStatement, Line, ModelDecl, SourceRange, Statement } from '../core/language/ast';
import type { AnalyzedDocument } from './analyzedDocuments';
import { experimentTotalsLabel, modelTotalsLabel } from './codeLens';
import { toLspRange } from './ranges';

export function documentSymbols(analyzed: AnalyzedDocument, locale: Locale = 'en'): DocumentSymbol[] {
  const { document, analysis } = analyzed;
  return analysis.file.items.map((item) => {
    switch (item.kind) {
      case 'let':
        return letSymbol(document, item);
      case 'block':
        return blockSymbol(document, item);
      case 'experiment': {
        const experiment = analysis.experiments.find((e) => e.nameRange.startOffset === item.name.range.startOffset);
        const detail = experiment ? experimentTotalsLabel(experiment) : 'experiment';
        return symbol(document, item.name.text, SymbolKind.Event, item.range, item.name.range, detail, bodySymbols(document, item.body));
      }
      case 'model': {
        const model = analysis.models.find((m) => m.nameRange.startOffset === item.name.range.startOffset);
        return modelSymbol(document, item, model ? modelTotalsLabel(model, locale) : undefined);
      }
    }
  });
}

function symbol(document: TextDocument, name: string, kind: SymbolKind, range: SourceRange, selection: SourceRange, detail?: string, children?: DocumentSymbol[]): DocumentSymbol {
  return { name, kind, ...(detail !== undefined && { detail }), range: toLspRange(document, range), selectionRange: toLspRange(document, selection), ...(children && { children }) };
}

function modelSymbol(document: TextDocument, decl: ModelDecl, totals: string | undefined): DocumentSymbol {
  const params = decl.params ? `(${decl.params.map((p) => p.name.text).join(', ')})` : '';
  const detail = decl.instanceOf ? `= ${decl.instanceOf.template.text}(…)${totals ? ` · ${totals}` : ''}` : decl.params ? `template${params}` : totals;
  return symbol(document, decl.name.text, SymbolKind.Class, decl.range, decl.name.range, detail, bodySymbols(document, decl.body ?? []));
}

function blockSymbol(document: TextDocument, decl: BlockDecl): DocumentSymbol {
  const params = `(${decl.params.map((p) => p.name.text).join(', ')})`;
  return symbol(document, decl.name.text, SymbolKind.Function, decl.range, decl.name.range, params, bodySymbols(document, decl.body));
}

function letSymbol(document: TextDocument, statement: LetStatement): DocumentSymbol {
  return symbol(document, statement.name.text, SymbolKind.Constant, statement.range, statement.name.range);
}

/** Stages run from one labelled line to the line before the next label. */
function bodySymbols(document: TextDocument, body: readonly Statement[]): DocumentSymbol[] {
  const symbols: DocumentSymbol[] = [];
  let stage: { label: Line; last: Line } | undefined;
  const closeStage = () => {
    if (!stage?.label.label) return;
    const range = { ...stage.label.range, endOffset: stage.last.range.endOffset };
    symbols.push(symbol(document, stage.label.label.text, SymbolKind.Module, range, stage.label.label.range));
    stage = undefined;
  };
  for (const statement of body) {
    if (statement.kind === 'line') {
      if (statement.label) {
        closeStage();
        stage = { label: statement, last: statement };
      } else if (stage) {
        stage.last = statement;
      }
      continue;
    }
    closeStage();
    if (statement.kind === 'train') symbols.push(symbol(document, 'train', SymbolKind.Object, statement.range, statement.keywordRange, 'training recipe'));
    if (statement.kind === 'let') symbols.push(letSymbol(document, statement));
  }
  closeStage();
  return symbols;
}
