// Formats a whole document: two spaces of indentation per brace, stage labels aligned within each
// model (continuation lines under the first item), one space after each comma, none before, and no
// trailing whitespace. Only whitespace between tokens changes and line breaks never move, so the
// meaning cannot change; comments are kept as written, and formatting twice changes nothing.
import type { IToken } from 'chevrotain';
import type { TextEdit } from 'vscode-languageserver';
import { maxOf } from '../core/bounded';
import { at } from '../core/indexed';
import type { Line, ResnetFile } from '../core/language/ast';
import { Colon, Comma, Equals, LBrace, LParen, Minus, Newline, Plus, RBrace, RParen, Slash, Star, Times, resnetLexer } from '../core/language/tokens';

const INDENT = '  ';
/** Spaces between the longest stage label and the first item. */
const LABEL_GAP = 2;
/** After these a line break continues the statement (as in the lexer's `significantNewlines`). */
const continuesStatement = new Set([Comma, Equals, Plus, Minus, Star, Slash, Times, LParen, Colon]);

interface PhysicalLine {
  readonly start: number;
  readonly end: number;
  readonly eol: string;
}

/** How a line that starts a statement in a model body lines up with the stage labels. */
type Alignment = { readonly kind: 'label'; readonly column: number } | { readonly kind: 'item'; readonly column: number };

export function formatText(text: string, file: ResnetFile): string {
  const lines = physicalLines(text);
  const tokens = lineTokens(text, lines);
  const alignments = stageAlignments(file, text);
  const out: string[] = [];
  let depth = 0;
  let parens = 0;
  let continues = false;
  let coveredUntil = 0;
  lines.forEach((line, i) => {
    const original = text.slice(line.start, line.end);
    const own = at(tokens, i, 'tokens by line');
    const [head] = own;
    const verbatim = line.start < coveredUntil || own.some((t) => tokenEnd(t) > line.end) || !/^[ \t]*$/.test(text.slice(line.start, head?.startOffset ?? line.start));
    let formatted: string;
    // A line of nothing but whitespace empties; one inside a comment or of rejected characters stays.
    if (head === undefined) formatted = line.start < coveredUntil || /\S/.test(original) ? original : '';
    else if (verbatim) formatted = original;
    else {
      const level = Math.max(0, depth - (head.tokenType === RBrace ? 1 : 0));
      const alignment = alignments.get(head.startOffset);
      const currentIndent = /^[ \t]*/.exec(original)?.[0].replace(/\t/g, INDENT).length ?? 0;
      let indent = INDENT.repeat(level).length;
      // A statement's continuation keeps its own indentation, indented at least once more.
      if (continues || parens > 0) indent = Math.max(currentIndent, indent + INDENT.length);
      else if (alignment?.kind === 'item') indent += alignment.column;
      formatted = ' '.repeat(indent) + joinTokens(text, own, alignment?.kind === 'label' ? alignment.column : undefined) + trailing(text, own, line);
    }
    out.push(formatted + line.eol);
    for (const t of own) {
      if (t.tokenType === LBrace) depth++;
      else if (t.tokenType === RBrace) depth = Math.max(0, depth - 1);
      else if (t.tokenType === LParen) parens++;
      else if (t.tokenType === RParen) parens = Math.max(0, parens - 1);
      if (t.tokenType === LBrace || t.tokenType === RBrace) parens = 0;
      coveredUntil = Math.max(coveredUntil, tokenEnd(t));
    }
    const lastCode = own.filter((t) => t.tokenType.GROUP !== 'comments').at(-1);
    if (lastCode) continues = continuesStatement.has(lastCode.tokenType);
  });
  return out.join('');
}

/** The edits that turn the document's text into its formatted text, one per changed line. */
export function formattingEdits(text: string, file: ResnetFile): TextEdit[] {
  const before = physicalLines(text);
  const formatted = formatText(text, file);
  const after = physicalLines(formatted);
  const edits: TextEdit[] = [];
  // formatText keeps every line break, so `after` has a line for each line of `before`.
  before.forEach((line, i) => {
    const old = text.slice(line.start, line.end);
    const formattedLine = at(after, i, 'formatted lines');
    const now = formatted.slice(formattedLine.start, formattedLine.end);
    if (old !== now) edits.push({ range: { start: { line: i, character: 0 }, end: { line: i, character: old.length } }, newText: now });
  });
  return edits;
}

function physicalLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  const pattern = /\r\n|\r|\n/g;
  let start = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    lines.push({ start, end: m.index, eol: m[0] });
    start = m.index + m[0].length;
  }
  lines.push({ start, end: text.length, eol: '' });
  return lines;
}

/** Every token and comment, by the line it starts on; line breaks are left out (`;` is kept). */
function lineTokens(text: string, lines: readonly PhysicalLine[]): IToken[][] {
  const lexed = resnetLexer.tokenize(text);
  const all = [...lexed.tokens, ...(lexed.groups.comments ?? [])].filter((t) => t.tokenType !== Newline || t.image === ';').sort((a, b) => a.startOffset - b.startOffset);
  const byLine: IToken[][] = lines.map(() => []);
  let line = 0;
  for (const token of all) {
    while (line < lines.length - 1 && token.startOffset >= at(lines, line + 1, 'lines').start) line++;
    at(byLine, line, 'tokens by line').push(token);
  }
  return byLine;
}

function tokenEnd(token: IToken): number {
  return token.startOffset + token.image.length;
}

/** The line's tokens with their spacing normalized; `labelColumn` pads the label to line up the items. */
function joinTokens(text: string, tokens: readonly IToken[], labelColumn: number | undefined): string {
  let out = '';
  let previous: IToken | undefined;
  for (const [i, token] of tokens.entries()) {
    if (previous === undefined) {
      out = token.image;
      previous = token;
      continue;
    }
    const gap = text.slice(tokenEnd(previous), token.startOffset);
    const labelEnds = labelColumn !== undefined && (i === 1 ? token.tokenType !== Colon : i === 2 && tokens[1]?.tokenType === Colon);
    if (!/^[ \t]*$/.test(gap))
      out += gap; // stray characters the lexer rejected: keep them exactly
    else if (labelColumn !== undefined && i === 1 && token.tokenType === Colon) out += '';
    else if (labelEnds) out = out.padEnd(labelColumn);
    else if (token.tokenType === Comma) out += '';
    else if (previous.tokenType === Comma) out += ' ';
    else out += gap;
    out += token.image;
    previous = token;
  }
  return out;
}

function trailing(text: string, tokens: readonly IToken[], line: PhysicalLine): string {
  return text.slice(tokenEnd(at(tokens, tokens.length - 1, 'line tokens')), line.end).trimEnd();
}

/**
 * For each model (and experiment: its `grid` lines) with stage labels: label lines pad their label to the longest label plus a gap,
 * and unlabelled lines of layers start in that same column. Keyed by the line's first offset.
 */
function stageAlignments(file: ResnetFile, text: string): Map<number, Alignment> {
  const alignments = new Map<number, Alignment>();
  for (const item of file.items) {
    if ((item.kind !== 'model' && item.kind !== 'experiment') || !item.body) continue;
    const lines = item.body.filter((s): s is Line => s.kind === 'line' && startsItsLine(text, s.range.startOffset));
    const widths = lines.flatMap((l) => (l.label ? [labelWidth(text, l)] : []));
    if (widths.length === 0) continue;
    const column = maxOf(widths, 0) + LABEL_GAP;
    for (const line of lines) alignments.set(line.range.startOffset, { kind: line.label ? 'label' : 'item', column });
  }
  return alignments;
}

/** The label and its colon, if it has one right after it. */
function labelWidth(text: string, line: Line): number {
  const label = line.label;
  if (!label) return 0;
  const colon = /^[ \t]*:/.exec(text.slice(label.range.endOffset));
  return label.text.length + (colon ? 1 : 0);
}

function startsItsLine(text: string, offset: number): boolean {
  const lineStart = Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
  return /^[ \t]*$/.test(text.slice(lineStart, offset));
}
