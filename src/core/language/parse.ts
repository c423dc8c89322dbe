// Lexes and parses a `.resnet` source into an AST plus every syntax error found on the way.
import type { IRecognitionException, IToken } from 'chevrotain';
import type { ResnetFile, SourceRange } from './ast';
import type { Diagnostic } from '../diagnostics';
import { ResnetGrammar } from './grammar';
import { SyntaxTreeBuilder, tokenRange } from './syntaxTree';
import { resnetLexer, significantNewlines, Newline } from './tokens';

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
    message: `unexpected character ${JSON.stringify(text.substr(e.offset, e.length))}: remove it`,
    range: {
      startOffset: e.offset,
      endOffset: e.offset + e.length,
      startLine: e.line ?? 1,
      startColumn: e.column ?? 1,
      endLine: e.line ?? 1,
      endColumn: (e.column ?? 1) + e.length,
    },
  }));
  grammar.input = significantNewlines(lexed.tokens);
  const cst = grammar.file();
  for (const error of grammar.errors) diagnostics.push(syntaxError(error, text));
  const file = new SyntaxTreeBuilder(whole).file(cst);
  return { file, diagnostics, comments: lexed.groups.comments ?? [] };
}

function syntaxError(error: IRecognitionException, text: string): Diagnostic {
  let token = error.token;
  // At end of file Chevrotain reports a virtual token; point at the last character instead.
  if (!Number.isFinite(token.startOffset) || token.tokenType.name === 'EOF') {
    token = (error as { previousToken?: IToken }).previousToken ?? token;
  }
  const range: SourceRange = Number.isFinite(token.startOffset) ? tokenRange(token) : endRange(text);
  return { severity: 'error', code: 'syntax', message: describeSyntaxError(error, token), range };
}

function describeSyntaxError(error: IRecognitionException, token: IToken): string {
  const found = token.tokenType === Newline ? 'end of line' : token.tokenType.name === 'EOF' ? 'end of file' : `'${token.image}'`;
  const expected = /expecting[^:]*:?\s*(.*)$/s.exec(error.message);
  const what = error.name === 'NotAllInputParsedException' ? 'unexpected text' : `unexpected ${found}`;
  if (expected && expected[1] && !expected[1].startsWith('one of these possible Token sequences')) {
    return `${what}: expected ${expected[1].replace(/-->\s*|\s*<--/g, '').trim()}`;
  }
  if (error.name === 'NoViableAltException' || error.name === 'EarlyExitException') {
    return `${what}: this does not start a model, block, layer or setting`;
  }
  return `${what}`;
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
