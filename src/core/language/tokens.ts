// Token definitions and the lexer for `.resnet` files.
//
// Newlines are significant (a statement ends at the end of its line), which is what lets the
// language read like the paper's Table 1 without semicolons. The lexer emits every newline; the
// `significantNewlines` pass then drops the ones that cannot end a statement (inside parentheses,
// after a comma or an operator, repeated), so the grammar only ever sees meaningful ones.
import { createToken, Lexer, type IToken, type CustomPatternMatcherFunc } from 'chevrotain';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*(?:\.[0-9]+)*/ });

function keyword(name: string, word: string) {
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier });
}

export const Model = keyword('Model', 'model');
export const Block = keyword('Block', 'block');
export const Let = keyword('Let', 'let');
export const Train = keyword('Train', 'train');
export const Add = keyword('Add', 'add');
export const Experiment = keyword('Experiment', 'experiment');
export const Gate = keyword('Gate', 'gate');
export const Split = keyword('Split', 'split');

/** Layer keywords share a category so the grammar can say "any layer" once. */
export const LayerKeyword = createToken({ name: 'LayerKeyword', pattern: Lexer.NA });
function layerKeyword(name: string, word: string) {
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, categories: LayerKeyword });
}
export const Conv = layerKeyword('Conv', 'conv');
export const BatchNorm = layerKeyword('BatchNorm', 'bn');
export const Relu = layerKeyword('Relu', 'relu');
export const MaxPool = layerKeyword('MaxPool', 'maxpool');
export const GlobalAvgPool = layerKeyword('GlobalAvgPool', 'globalavgpool');
export const AvgPool = layerKeyword('AvgPool', 'avgpool');
export const FullyConnected = layerKeyword('FullyConnected', 'fc');
export const Softmax = layerKeyword('Softmax', 'softmax');
// Activations, norms, regularizers and the shortcut's tap (docs/language-design.md).
export const Relu6 = layerKeyword('Relu6', 'relu6');
export const HardSigmoid = layerKeyword('HardSigmoid', 'hardsigmoid');
export const Sigmoid = layerKeyword('Sigmoid', 'sigmoid');
export const Silu = layerKeyword('Silu', 'silu');
export const Swish = layerKeyword('Swish', 'swish');
export const HardSwish = layerKeyword('HardSwish', 'hardswish');
export const Gelu = layerKeyword('Gelu', 'gelu');
export const GroupNorm = layerKeyword('GroupNorm', 'gn');
export const LayerNorm = layerKeyword('LayerNorm', 'ln');
export const Dropout = layerKeyword('Dropout', 'dropout');
export const DropPath = layerKeyword('DropPath', 'droppath');
export const LayerScale = layerKeyword('LayerScale', 'layerscale');
export const ChannelConv = layerKeyword('ChannelConv', 'channelconv');
export const Tap = layerKeyword('Tap', 'tap');

/** Every layer keyword with its word, in the lexer's order (a longer word before its prefix: `relu6` before `relu`). */
export const LAYER_WORDS: readonly string[] = [
  'conv',
  'bn',
  'relu6',
  'relu',
  'maxpool',
  'globalavgpool',
  'avgpool',
  'fc',
  'softmax',
  'hardsigmoid',
  'sigmoid',
  'silu',
  'swish',
  'hardswish',
  'gelu',
  'gn',
  'ln',
  'dropout',
  'droppath',
  'layerscale',
  'channelconv',
  'tap',
];

const identChar = /[A-Za-z0-9_]/;

/** Words after which a standalone `x` is a name being declared or passed, never "times". */
const WORDS_BEFORE_A_NAME = new Set(['model', 'block', 'experiment', 'let', 'add', ...LAYER_WORDS]);

/**
 * `x` and `×` mean "times" in `7x7`, `224x224x3`, `k x k` and `basic(64) x 3`. An `x` right after
 * a digit or `)` is the operator. A standalone `x` is the operator only between two operands (after
 * a number, a name or `)`, before a number, a name or `(`); anywhere else (`model x {`, `let x = 3`,
 * `conv 3x3, x`, `x(4)`) it is the name `x`. Inside a word (`xavier`, `conv2_x`) it is a letter.
 */
const matchTimes: CustomPatternMatcherFunc = (text, offset) => {
  const c = text[offset];
  if (c === '×') return ['×'] as unknown as RegExpExecArray;
  if (c !== 'x') return null;
  const prev = offset > 0 ? text.charAt(offset - 1) : ' ';
  const next = offset + 1 < text.length ? text.charAt(offset + 1) : ' ';
  if ((prev >= '0' && prev <= '9') || prev === ')') return ['x'] as unknown as RegExpExecArray;
  if (identChar.test(prev) || identChar.test(next) || next === '(') return null;
  return betweenOperands(text, offset) ? (['x'] as unknown as RegExpExecArray) : null;
};

function betweenOperands(text: string, offset: number): boolean {
  let before = offset - 1;
  while (before >= 0 && (text[before] === ' ' || text[before] === '\t')) before--;
  let after = offset + 1;
  while (after < text.length && (text[after] === ' ' || text[after] === '\t')) after++;
  const left = text.charAt(before);
  const right = text.charAt(after);
  if (!(right === '(' || identChar.test(right))) return false;
  if (left === ')') return true;
  if (!identChar.test(left)) return false;
  let start = before;
  while (start > 0 && identChar.test(text.charAt(start - 1))) start--;
  return !WORDS_BEFORE_A_NAME.has(text.slice(start, before + 1));
}
export const Times = createToken({
  name: 'Times',
  pattern: { exec: matchTimes },
  line_breaks: false,
  start_chars_hint: ['x', '×'],
});

/** `32k` is 32,000 and `2M` 2,000,000: iteration counts in the paper are written that way. */
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[kM]?/,
});

export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /\}/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const Equals = createToken({ name: 'Equals', pattern: /=/ });
export const Plus = createToken({ name: 'Plus', pattern: /\+/ });
export const Minus = createToken({ name: 'Minus', pattern: /-/ });
export const Star = createToken({ name: 'Star', pattern: /\*/ });
export const Slash = createToken({ name: 'Slash', pattern: /\// });
export const Newline = createToken({ name: 'Newline', pattern: /\r\n|\r|\n|;/, line_breaks: true });

export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\r\n]*/, group: 'comments' });
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  line_breaks: true,
  group: 'comments',
});
export const Whitespace = createToken({ name: 'Whitespace', pattern: /[ \t\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });

export const allTokens = [
  Whitespace,
  Newline,
  LineComment,
  BlockComment,
  Times,
  NumberLiteral,
  Model,
  Block,
  Let,
  Train,
  Add,
  Experiment,
  Gate,
  Split,
  Conv,
  BatchNorm,
  Relu6,
  Relu,
  MaxPool,
  GlobalAvgPool,
  AvgPool,
  FullyConnected,
  Softmax,
  HardSigmoid,
  Sigmoid,
  Silu,
  Swish,
  HardSwish,
  Gelu,
  GroupNorm,
  LayerNorm,
  Dropout,
  DropPath,
  LayerScale,
  ChannelConv,
  Tap,
  LayerKeyword,
  Identifier,
  LParen,
  RParen,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
];

export const resnetLexer = new Lexer(allTokens, {
  positionTracking: 'full',
  ensureOptimizations: false,
  // Keep lexing past a bad character: every problem in a file is reported in one pass.
  recoveryEnabled: true,
});

/** Tokens after which a line break continues the statement instead of ending it. */
const continuesLine = new Set([Comma, Equals, Plus, Minus, Star, Slash, Times, LBrace, LParen, Colon, Newline]);

/** Drops newlines that cannot end a statement; see the file comment. */
export function significantNewlines(tokens: IToken[]): IToken[] {
  const out: IToken[] = [];
  let depth = 0;
  for (const token of tokens) {
    const type = token.tokenType;
    if (type === LParen) depth++;
    else if (type === RParen) depth = Math.max(0, depth - 1);
    else if (type === LBrace || type === RBrace) depth = 0;
    if (type === Newline) {
      const prev = out[out.length - 1];
      if (depth > 0 || prev === undefined || continuesLine.has(prev.tokenType)) continue;
    }
    out.push(token);
  }
  return out;
}
