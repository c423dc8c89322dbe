// Folding: models, blocks, recipes, shortcut branches, gates and splits fold to their first line; runs of line
// comments and long block comments fold too.
import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver';
import type { IToken } from 'chevrotain';
import { appendAll } from '../core/bounded';
import type { Line, SourceRange, Statement } from '../core/language/ast';
import { LineComment, resnetLexer } from '../core/language/tokens';
import type { AnalyzedDocument } from './analyzedDocuments';

export function foldingRanges(analyzed: AnalyzedDocument): FoldingRange[] {
  const { document, analysis } = analyzed;
  const ranges: FoldingRange[] = [];
  // The closing brace stays visible: the fold ends on the line before it.
  const fold = (range: SourceRange) => {
    const startLine = document.positionAt(range.startOffset).line;
    const endLine = document.positionAt(range.endOffset).line - 1;
    if (endLine > startLine) ranges.push({ startLine, endLine });
  };
  const visitLine = (line: Line) => {
    for (const item of line.items) {
      if ((item.kind === 'add' && item.branch) || item.kind === 'gate' || item.kind === 'split') fold(item.range);
    }
  };
  const visitBody = (body: readonly Statement[]) => {
    for (const statement of body) {
      if (statement.kind === 'train') fold(statement.range);
      if (statement.kind === 'line') visitLine(statement);
    }
  };
  for (const item of analysis.file.items) {
    if (item.kind === 'let') continue;
    fold(item.range);
    visitBody(item.body ?? []);
  }
  appendAll(
    ranges,
    commentFolds(document.getText(), (offset) => document.positionAt(offset).line),
  );
  return ranges;
}

function commentFolds(text: string, lineAt: (offset: number) => number): FoldingRange[] {
  const comments: readonly IToken[] = resnetLexer.tokenize(text).groups.comments ?? [];
  const folds: FoldingRange[] = [];
  let run: { startLine: number; endLine: number } | undefined;
  const closeRun = () => {
    if (run && run.endLine > run.startLine) folds.push({ ...run, kind: FoldingRangeKind.Comment });
    run = undefined;
  };
  for (const comment of comments) {
    const startLine = lineAt(comment.startOffset);
    const endLine = lineAt(comment.startOffset + comment.image.length);
    if (comment.tokenType !== LineComment) {
      closeRun();
      if (endLine > startLine) folds.push({ startLine, endLine, kind: FoldingRangeKind.Comment });
      continue;
    }
    // Consecutive `//` lines form one fold; a comment after code on the same line breaks the run.
    const ownLine = /^[ \t]*$/.test(text.slice(text.lastIndexOf('\n', comment.startOffset - 1) + 1, comment.startOffset));
    if (run && ownLine && startLine === run.endLine + 1) run.endLine = startLine;
    else {
      closeRun();
      if (ownLine) run = { startLine, endLine: startLine };
    }
  }
  closeRun();
  return folds;
}
