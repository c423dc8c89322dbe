// Where in the grammar the cursor stands, read from the tokens before it. Completion runs while a
// line is half typed, when the syntax tree is least reliable, so this reads tokens, not the tree.
import type { IToken, TokenType } from 'chevrotain';
import { MODEL_SETTINGS } from '../core/analysis/analyze';
import type { LayerOp } from '../core/language/ast';
import {
  Add,
  Block,
  Comma,
  Equals,
  Identifier,
  LBrace,
  LineComment,
  LParen,
  LayerKeyword,
  Model,
  Newline,
  NumberLiteral,
  RBrace,
  RParen,
  Split,
  Train,
  resnetLexer,
  significantNewlines,
} from '../core/language/tokens';

/** What encloses the cursor: the body of a model, a block, a recipe, a shortcut branch, a split's groups. */
export type Owner = 'model' | 'block' | 'train' | 'branch' | 'split' | 'other';

export type CompletionPlace =
  | { readonly kind: 'top' }
  /** After `model name = `. */
  | { readonly kind: 'template' }
  | { readonly kind: 'bodyStart'; readonly owner: Owner }
  /** After a stage label: a layer or a block call comes next. */
  | { readonly kind: 'items' }
  /** After a setting's key, e.g. `shortcut `. */
  | { readonly kind: 'settingArgs'; readonly key: string; readonly afterComma: boolean }
  | { readonly kind: 'recipeStart' }
  | { readonly kind: 'recipeArgs'; readonly key: string }
  /** After `conv 3x3, 64, `: a named argument, or the next item. */
  | { readonly kind: 'layerArgs'; readonly op: LayerOp }
  /** Inside `bottleneck(…)`. */
  | { readonly kind: 'callArgs'; readonly callee: string }
  /** After `basic(64) x 2, `. */
  | { readonly kind: 'afterCall' }
  | { readonly kind: 'addArgs' }
  /** After `split 4, `: its flags. */
  | { readonly kind: 'splitArgs' }
  | { readonly kind: 'none' };

export function completionPlace(text: string, offset: number): CompletionPlace {
  const prefix = text.slice(0, offset);
  const lexed = resnetLexer.tokenize(prefix);
  const comments = lexed.groups.comments ?? [];
  const lastComment = comments[comments.length - 1];
  if (lastComment?.tokenType === LineComment && lastComment.startOffset + lastComment.image.length === offset) return { kind: 'none' };

  const tokens = significantNewlines(lexed.tokens);
  const last = tokens[tokens.length - 1];
  // A word or number touching the cursor is being typed: complete what comes before it.
  if (last && last.startOffset + last.image.length === offset) {
    if (last.tokenType === NumberLiteral) return { kind: 'none' };
    if (/^[A-Za-z_]/.test(last.image)) tokens.pop();
  }

  const owners: Owner[] = [];
  let statement: IToken[] = [];
  for (const token of tokens) {
    if (token.tokenType === LBrace) {
      owners.push(ownerOf(statement));
      statement = [];
    } else if (token.tokenType === RBrace) {
      owners.pop();
      statement = [];
    } else if (token.tokenType === Newline) {
      statement = [];
    } else {
      statement.push(token);
    }
  }
  const owner = owners[owners.length - 1];
  if (owner === undefined) return topLevelPlace(statement);
  const [first] = statement;
  if (first === undefined) return owner === 'train' ? { kind: 'recipeStart' } : { kind: 'bodyStart', owner };
  if (owner === 'train') return first.tokenType === Identifier ? { kind: 'recipeArgs', key: first.image } : { kind: 'none' };
  if (first.tokenType !== Identifier || is(statement[1], LParen)) return linePlace(statement);
  if (owner === 'model' && MODEL_SETTINGS.includes(first.image)) {
    return { kind: 'settingArgs', key: first.image, afterComma: is(statement[statement.length - 1], Comma) };
  }
  return linePlace(statement);
}

function topLevelPlace(statement: readonly IToken[]): CompletionPlace {
  if (statement.length === 0) return { kind: 'top' };
  const [keyword, , equals] = statement;
  if (statement.length === 3 && is(keyword, Model) && is(equals, Equals)) return { kind: 'template' };
  return { kind: 'none' };
}

function ownerOf(statement: readonly IToken[]): Owner {
  const first = statement[0];
  if (is(first, Model)) return 'model';
  if (is(first, Block)) return 'block';
  if (is(first, Train)) return 'train';
  if (statement.some((t) => is(t, Split))) return 'split';
  return statement.some((t) => is(t, Add)) ? 'branch' : 'other';
}

/** A line of items, optionally labelled: which item the cursor is in, and how far into it. */
function linePlace(statement: readonly IToken[]): CompletionPlace {
  let depth = 0;
  let itemStart = -1;
  let openParen = -1;
  statement.forEach((token, i) => {
    if (is(token, LParen)) {
      if (depth === 0) openParen = i;
      depth++;
    } else if (is(token, RParen)) {
      depth = Math.max(0, depth - 1);
    } else if (depth === 0 && (isLayer(token) || is(token, Add) || is(token, Split) || (is(token, Identifier) && is(statement[i + 1], LParen)))) {
      itemStart = i;
    }
  });
  if (depth > 0) {
    const callee = statement[openParen - 1];
    return callee !== undefined && is(callee, Identifier) ? { kind: 'callArgs', callee: callee.image } : { kind: 'none' };
  }
  const item = statement[itemStart];
  if (item === undefined) return { kind: 'items' };
  const afterComma = is(statement[statement.length - 1], Comma);
  if (is(item, Add)) return itemStart === statement.length - 1 ? { kind: 'addArgs' } : { kind: 'none' };
  if (is(item, Split)) return afterComma ? { kind: 'splitArgs' } : { kind: 'none' };
  if (isLayer(item)) {
    if (afterComma) return { kind: 'layerArgs', op: item.image as LayerOp };
    return { kind: 'none' };
  }
  return afterComma ? { kind: 'afterCall' } : { kind: 'none' };
}

function is(token: IToken | undefined, type: TokenType): boolean {
  return token !== undefined && token.tokenType === type;
}

function isLayer(token: IToken): boolean {
  return token.tokenType.CATEGORIES?.includes(LayerKeyword) ?? false;
}
