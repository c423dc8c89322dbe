// Lexes and parses a `.resnet` source into an AST plus every syntax error found on the way.
import type { IRecognitionException, IToken } from 'chevrotain';
import type { ResnetFile, SourceRange, TopLevel } from './ast';
import { messageText, type Diagnostic } from '../diagnostics';
import { appendAll } from '../bounded';
import { msg, type MessageRef } from '../l10n/format';
import { quoted } from '../report/printable';
import { ResnetGrammar } from './grammar';
import { SyntaxTreeBuilder, tokenRange } from './syntaxTree';
import { tokenMatcher } from 'chevrotain';
import { Block, Comma, Experiment, Identifier, LBrace, LParen, LayerKeyword, Let, Model, Newline, NumberLiteral, RBrace, RParen, resnetLexer, significantNewlines } from './tokens';
import { readNumberLiteral } from './numberLiteral';

export interface ParseResult {
  readonly file: ResnetFile;
  readonly diagnostics: readonly Diagnostic[];
  /** Comments, kept for the formatter. */
  readonly comments: readonly IToken[];
}

// Building the grammar analyses it once (tens of milliseconds); every parse reuses it.
let grammar: ResnetGrammar | undefined;

export function parse(text: string): ParseResult {
  grammar ??= new ResnetGrammar();
  const lexed = resnetLexer.tokenize(text);
  const whole = wholeRange(text);
  const diagnostics: Diagnostic[] = lexed.errors.map((e) => ({
    severity: 'error',
    code: 'syntax',
    ...messageText(msg(e.length === 1 ? 'syntax.unexpectedCharacter' : 'syntax.unexpectedCharacters', { text: quoted(text.substr(e.offset, e.length)) })),
    range: {
      startOffset: e.offset,
      endOffset: e.offset + e.length,
      startLine: e.line ?? 1,
      startColumn: e.column ?? 1,
      endLine: e.line ?? 1,
      endColumn: (e.column ?? 1) + e.length,
    },
  }));
  const items: TopLevel[] = [];
  const tokens = dropTrailingCommas(lexed.tokens, diagnostics);
  const chunks = declarationChunks(significantNewlines(tokens));
  chunks.forEach((tokens, i) => {
    const next = chunks[i + 1]?.[0];
    const parsed = parseChunk(tokens, next, text);
    appendAll(items, parsed.items);
    appendAll(diagnostics, parsed.diagnostics);
  });
  return { file: { items, range: whole }, diagnostics, comments: lexed.groups.comments ?? [] };
}

/**
 * A comma at the end of a line continues the statement on the next one (`decay 0.1 at 32k,` /
 * `    48k`). When the next line starts at the same indentation or less, it was meant as a line of its
 * own (`conv1 conv 7x7, 64, stride 2,` then `head avgpool, fc 10`): joining them would report "too
 * many arguments" on the wrong line. Such a comma is dropped, with an error that names it.
 */
function dropTrailingCommas(tokens: IToken[], diagnostics: Diagnostic[]): IToken[] {
  const out: IToken[] = [];
  let lineStart: IToken | undefined;
  let depth = 0;
  for (const [i, token] of tokens.entries()) {
    const type = token.tokenType;
    if (type === LParen) depth++;
    else if (type === RParen) depth = Math.max(0, depth - 1);
    if (type === Newline) {
      lineStart = undefined;
      out.push(token);
      continue;
    }
    lineStart ??= token;
    if (type === Comma && depth === 0 && tokens[i + 1]?.tokenType === Newline) {
      let j = i + 1;
      while (tokens[j]?.tokenType === Newline) j++;
      const next = tokens[j];
      const startsOwnLine = next !== undefined && (next.tokenType === Identifier || tokenMatcher(next, LayerKeyword)) && (next.startColumn ?? 0) <= (lineStart?.startColumn ?? 0);
      if (startsOwnLine) {
        diagnostics.push({
          severity: 'error',
          code: 'syntax',
          ...messageText(msg('syntax.trailingComma', { next: next.image })),
          range: tokenRange(token),
        });
        continue;
      }
    }
    out.push(token);
  }
  return out;
}

/**
 * Splits the tokens at each top-level `model`, `block` or `let` that starts a line outside any
 * braces. Each declaration is parsed on its own and remembered by its text, so typing in one
 * model re-parses that model only: the others come from the cache, moved to where they now stand.
 */
function declarationChunks(tokens: IToken[]): IToken[][] {
  const chunks: IToken[][] = [];
  let current: IToken[] = [];
  let depth = 0;
  let previous: IToken | undefined;
  for (const token of tokens) {
    const type = token.tokenType;
    const startsLine = previous === undefined || previous.tokenType === Newline;
    if (depth === 0 && startsLine && (type === Model || type === Block || type === Experiment || type === Let) && current.length > 0) {
      chunks.push(current);
      current = [];
    }
    if (type === LBrace) depth++;
    else if (type === RBrace) depth = Math.max(0, depth - 1);
    current.push(token);
    previous = token;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

interface ChunkParse {
  readonly items: readonly TopLevel[];
  readonly diagnostics: readonly Diagnostic[];
  /** Where the chunk stood when it was parsed. */
  readonly offset: number;
  readonly line: number;
}

const chunkCache = new Map<string, ChunkParse>();
const CHUNK_CACHE_LIMIT = 4096;
/**
 * The cache is bounded by the text it holds too (its parse trees take some 60 bytes per
 * character): a few huge declarations must not keep hundreds of megabytes alive.
 */
const CHUNK_CACHE_CHARS = 1024 * 1024;
let cachedChars = 0;

/** Forgets every remembered declaration (tests compare a warm parse with a cold one; the server, when no document is open). */
export function clearParseCache(): void {
  chunkCache.clear();
  cachedChars = 0;
}

function parseChunk(tokens: IToken[], next: IToken | undefined, text: string): ChunkParse {
  const first = tokens[0];
  const last = tokens.at(-1);
  if (!first || !last) return { items: [], diagnostics: [], offset: 0, line: 1 }; // chunks are never empty
  const end = next ? next.startOffset : text.length;
  // What the parse depends on: the chunk's text, its first column, and what follows it (a syntax
  // error at the chunk's end names the next declaration's first word).
  const key = `${first.startColumn}|${next?.image ?? ''}|${text.slice(first.startOffset, end)}`;
  const cached = chunkCache.get(key);
  if (cached) {
    const dOffset = first.startOffset - cached.offset;
    const dLine = (first.startLine ?? 1) - cached.line;
    return dOffset === 0 && dLine === 0 ? cached : { ...relocate(cached, dOffset, dLine), offset: first.startOffset, line: first.startLine ?? 1 };
  }
  const parsed = parseTokens(tokens, first, last, next, text, end);
  if (chunkCache.size >= CHUNK_CACHE_LIMIT || cachedChars + key.length > CHUNK_CACHE_CHARS) clearParseCache();
  if (key.length <= CHUNK_CACHE_CHARS) {
    chunkCache.set(key, parsed);
    cachedChars += key.length;
  }
  return parsed;
}

function parseTokens(tokens: IToken[], first: IToken, last: IToken, next: IToken | undefined, text: string, end: number): ChunkParse {
  const chunkRange: SourceRange = {
    startOffset: first.startOffset,
    endOffset: end,
    startLine: first.startLine ?? 1,
    startColumn: first.startColumn ?? 1,
    endLine: last.endLine ?? last.startLine ?? 1,
    endColumn: (last.endColumn ?? 0) + 1,
  };
  const grammarInstance = grammar as ResnetGrammar;
  grammarInstance.input = tokens;
  const diagnostics: Diagnostic[] = [];
  let items: readonly TopLevel[];
  for (const token of tokens) {
    if (token.tokenType !== NumberLiteral) continue;
    const reading = readNumberLiteral(token.image);
    // The tree holds a hole for it (syntaxTree.ts), so nothing is computed from another number.
    if (!reading.ok) diagnostics.push({ severity: 'error', code: 'too-large', ...messageText(reading.problem), range: tokenRange(token) });
  }
  try {
    const cst = grammarInstance.file();
    for (const error of grammarInstance.errors) diagnostics.push(syntaxError(error, text, next));
    items = new SyntaxTreeBuilder(chunkRange).file(cst).items;
  } catch (error) {
    // Only nesting thousands of levels deep exhausts the stack; say so instead of crashing.
    if (!(error instanceof RangeError)) throw error;
    diagnostics.push({ severity: 'error', code: 'too-large', ...messageText(msg('syntax.nestedTooDeep')), range: chunkRange });
    items = [];
  }
  return { items, diagnostics, offset: first.startOffset, line: first.startLine ?? 1 };
}

/**
 * A parse result (or anything holding source ranges) moved by `dOffset` characters and `dLine`
 * lines (columns stay). Only what holds a range is copied: the rest (shapes, costs, names) is
 * shared with the original, which is never changed, so moving a large analysis stays cheap.
 */
export function relocate<T>(value: T, dOffset: number, dLine: number): T {
  return dOffset === 0 && dLine === 0 ? value : (moved(value, dOffset, dLine) as T);
}

function moved(value: unknown, dOffset: number, dLine: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const m = moved(item, dOffset, dLine);
      if (m !== item) (out ??= value.slice())[i] = m;
    }
    return out ?? value;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.startOffset === 'number' && typeof record.startLine === 'number') {
    const r = value as SourceRange;
    return { ...r, startOffset: r.startOffset + dOffset, endOffset: r.endOffset + dOffset, startLine: r.startLine + dLine, endLine: r.endLine + dLine };
  }
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const m = moved(item, dOffset, dLine);
    if (m !== item) (out ??= { ...record })[key] = m;
  }
  return out ?? value;
}

function syntaxError(error: IRecognitionException, text: string, next?: IToken): Diagnostic {
  const token = error.token;
  const atEnd = !Number.isFinite(token.startOffset) || token.tokenType.name === 'EOF';
  const previous = (error as { previousToken?: IToken }).previousToken;
  // A missing closing token is reported where it was due: right after the last good token,
  // when the parser only noticed on a later line (or at the end of the file).
  const missing = error.name === 'MismatchedTokenException' && previous !== undefined && Number.isFinite(previous.startOffset);
  const usePrevious = missing && (atEnd || (previous.endLine ?? 0) < (token.startLine ?? 0));
  let range: SourceRange;
  if (usePrevious) range = tokenRange(previous);
  else if (!atEnd) range = tokenRange(token);
  else if (next) range = tokenRange(next);
  else range = endRange(text);
  return { severity: 'error', code: 'syntax', ...messageText(describeSyntaxError(error, atEnd, next)), range };
}

const tokenLabels: Record<string, MessageRef> = {
  RParen: msg('term.code', { name: ')' }),
  LParen: msg('term.code', { name: '(' }),
  RBrace: msg('term.code', { name: '}' }),
  LBrace: msg('term.code', { name: '{' }),
  Comma: msg('term.code', { name: ',' }),
  Colon: msg('term.code', { name: ':' }),
  Equals: msg('term.code', { name: '=' }),
  Times: msg('term.code', { name: 'x' }),
  Identifier: msg('term.aName'),
  NumberLiteral: msg('term.aNumber'),
  Newline: msg('term.endOfLine'),
  LayerKeyword: msg('term.aLayer'),
  EOF: msg('term.endOfFile'),
};

function describeSyntaxError(error: IRecognitionException, atEnd: boolean, next?: IToken): MessageRef {
  const token = error.token;
  // The end of a declaration's tokens is the start of the next declaration, when there is one.
  const found = atEnd ? (next ? msg('term.code', { name: next.image }) : msg('term.endOfFile')) : token.tokenType === Newline ? msg('term.endOfLine') : msg('term.code', { name: token.image });
  if (error.name === 'MismatchedTokenException') {
    const expected = /-->\s*(\w+)\s*<--/.exec(error.message)?.[1];
    const label = expected ? (tokenLabels[expected] ?? msg('term.code', { name: expected.toLowerCase() })) : msg('term.somethingElse');
    return msg('syntax.expected', { expected: label, found });
  }
  if (error.name === 'NotAllInputParsedException') {
    return msg('syntax.notADeclaration', { found });
  }
  return msg('syntax.unexpected', { found });
}

function wholeRange(text: string): SourceRange {
  const end = endRange(text);
  return { startOffset: 0, startLine: 1, startColumn: 1, endOffset: end.endOffset, endLine: end.endLine, endColumn: end.endColumn };
}

function endRange(text: string): SourceRange {
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lastBreak = i;
    }
  }
  const column = text.length - lastBreak;
  return { startOffset: text.length, endOffset: text.length, startLine: line, startColumn: column, endLine: line, endColumn: column };
}
