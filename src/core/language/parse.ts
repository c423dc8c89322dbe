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
  let file: ResnetFile;
  try {
    const cst = grammar.file();
    for (const error of grammar.errors) diagnostics.push(syntaxError(error, text));
    file = new SyntaxTreeBuilder(whole).file(cst);
  } catch (error) {
    // Only nesting thousands of levels deep exhausts the stack; say so instead of crashing.
    if (!(error instanceof RangeError)) throw error;
    diagnostics.push({ severity: 'error', code: 'too-large', message: 'parentheses are nested too deeply to read; simplify the expression', range: whole });
    file = { items: [], range: whole };
  }
  return { file, diagnostics, comments: lexed.groups.comments ?? [] };
}

function syntaxError(error: IRecognitionException, text: string): Diagnostic {
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
  else range = endRange(text);
  return { severity: 'error', code: 'syntax', message: describeSyntaxError(error, atEnd), range };
}

const tokenLabels: Record<string, string> = {
  RParen: '`)`',
  LParen: '`(`',
  RBrace: '`}`',
  LBrace: '`{`',
  Comma: '`,`',
  Colon: '`:`',
  Equals: '`=`',
  Times: '`x`',
  Identifier: 'a name',
  NumberLiteral: 'a number',
  Newline: 'the end of the line',
  LayerKeyword: 'a layer (conv, bn, relu, maxpool, avgpool, globalavgpool, fc, softmax)',
  EOF: 'the end of the file',
};

function describeSyntaxError(error: IRecognitionException, atEnd: boolean): string {
  const token = error.token;
  const found = atEnd ? 'the end of the file' : token.tokenType === Newline ? 'the end of the line' : `\`${token.image}\``;
  if (error.name === 'MismatchedTokenException') {
    const expected = /-->\s*(\w+)\s*<--/.exec(error.message)?.[1];
    const label = expected ? (tokenLabels[expected] ?? `\`${expected.toLowerCase()}\``) : 'something else';
    return `expected ${label} but found ${found}`;
  }
  if (error.name === 'NotAllInputParsedException') {
    return `unexpected ${found}: a file holds \`model\`, \`block\` and \`let\` declarations`;
  }
  return `unexpected ${found}: expected a layer, a block call, a setting or an argument here`;
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
