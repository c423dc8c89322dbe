// Conversions between the core's source ranges (1-based lines and columns, offsets) and LSP's
// ranges (0-based lines and UTF-16 characters). Offsets are exact for both, so they are the bridge.
import type { Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { SourceRange } from '../core/language/ast';

export function toLspRange(document: TextDocument, range: SourceRange): Range {
  return { start: document.positionAt(range.startOffset), end: document.positionAt(range.endOffset) };
}

/** True when `offset` lies in `range` or touches its end (a cursor just after a word is on it). */
export function touches(range: SourceRange, offset: number): boolean {
  return range.startOffset <= offset && offset <= range.endOffset;
}

export function rangesOverlap(a: SourceRange, startOffset: number, endOffset: number): boolean {
  return a.startOffset <= endOffset && startOffset <= a.endOffset;
}

export function sameRange(a: SourceRange, b: SourceRange): boolean {
  return a.startOffset === b.startOffset && a.endOffset === b.endOffset;
}
