// What the cursor is on, in terms of the syntax tree: the declaration around it, the line and item,
// and the word under it with the role that word plays. Hover and go-to-definition both start here.
import type { Arg, BlockDecl, ExperimentDecl, Expr, Item, LetStatement, Line, ModelDecl, Name, Param, ResnetFile, Setting, Statement, TrainBlock } from '../core/language/ast';
import { touches } from './ranges';

export type WordRole =
  /** The name of a model, template or block being declared. */
  | 'declaration'
  /** A stage label. */
  | 'stage'
  /** The block a call names: `basic` in `basic(64) x 2`. */
  | 'callee'
  /** The template an instance names: `cifar_resnet` in `model resnet20 = cifar_resnet(n = 3)`. */
  | 'template'
  /** The name of a named argument: `stride` in `stride 2`, `n` in `cifar_resnet(n = 3)`. */
  | 'argument'
  /** A name used as a value: a parameter, a `let`, or a bare word such as `flip`. */
  | 'reference'
  /** The key of a setting: `input`, `shortcut`, `sgd`. */
  | 'setting';

export interface SyntaxTarget {
  /** The model, template or block the cursor is in. */
  readonly owner?: ModelDecl | BlockDecl;
  /** The experiment the cursor is in (its `let`s are seen by its grid, seeds and overrides). */
  readonly experiment?: ExperimentDecl;
  readonly train?: TrainBlock;
  readonly setting?: Setting;
  readonly line?: Line;
  readonly item?: Item;
  readonly word?: { readonly name: Name; readonly role: WordRole } | undefined;
}

export function syntaxAt(file: ResnetFile, offset: number): SyntaxTarget {
  for (const top of file.items) {
    if (!touches(top.range, offset)) continue;
    if (top.kind === 'let') return { word: inLet(top, offset) };
    // An experiment's body has recipe settings and lines naming templates, but no owner of layers.
    if (top.kind === 'experiment') return touches(top.name.range, offset) ? {} : { experiment: top, ...inStatements(top.body, offset) };
    const owner = top;
    if (touches(top.name.range, offset)) return { owner, word: { name: top.name, role: 'declaration' } };
    const inParams = inParamList(top.params, offset);
    if (inParams) return { owner, word: inParams };
    if (top.kind === 'model' && top.instanceOf) {
      const { template, args } = top.instanceOf;
      if (touches(template.range, offset)) return { owner, word: { name: template, role: 'template' } };
      return { owner, word: inArgs(args, offset) };
    }
    return { owner, ...inStatements(top.body ?? [], offset) };
  }
  return {};
}

function inStatements(statements: readonly Statement[], offset: number): Omit<SyntaxTarget, 'owner'> {
  for (const statement of statements) {
    if (!touches(statement.range, offset)) continue;
    switch (statement.kind) {
      case 'let':
        return { word: inLet(statement, offset) };
      case 'setting':
        return inSetting(statement, offset);
      case 'train':
        for (const setting of statement.settings) {
          if (touches(setting.range, offset)) return { train: statement, ...inSetting(setting, offset) };
        }
        return { train: statement };
      case 'line':
        return inLine(statement, offset);
    }
  }
  return {};
}

function inSetting(setting: Setting, offset: number): Omit<SyntaxTarget, 'owner'> {
  if (touches(setting.key.range, offset)) return { setting, word: { name: setting.key, role: 'setting' } };
  return { setting, word: inArgs(setting.args, offset) };
}

function inLine(line: Line, offset: number): Omit<SyntaxTarget, 'owner'> {
  if (line.label && touches(line.label.range, offset)) return { line, word: { name: line.label, role: 'stage' } };
  for (const item of line.items) {
    if (!touches(item.range, offset)) continue;
    switch (item.kind) {
      case 'layer':
        return { line, item, word: inArgs(item.args, offset) };
      case 'call': {
        if (touches(item.callee.range, offset)) return { line, item, word: { name: item.callee, role: 'callee' } };
        const word = inArgs(item.args, offset) ?? (item.repeat ? inExpr(item.repeat, offset) : undefined) ?? inArgs(item.trailing, offset);
        return { line, item, word };
      }
      case 'add':
        for (const branchLine of item.branch ?? []) {
          if (touches(branchLine.range, offset)) return inLine(branchLine, offset);
        }
        return { line, item, word: inArgs(item.args, offset) };
      case 'gate':
      case 'split':
        // The layers in braces are items of their own; the keyword and a split's arguments are the item's.
        for (const inner of item.lines) {
          if (touches(inner.range, offset)) return inLine(inner, offset);
        }
        return { line, item, word: item.kind === 'split' ? inArgs(item.args, offset) : undefined };
    }
  }
  return { line };
}

function inLet(statement: LetStatement, offset: number): SyntaxTarget['word'] {
  if (touches(statement.name.range, offset)) return { name: statement.name, role: 'declaration' };
  return statement.value ? inExpr(statement.value, offset) : undefined;
}

function inParamList(params: readonly Param[] | undefined, offset: number): SyntaxTarget['word'] {
  for (const param of params ?? []) {
    if (touches(param.name.range, offset)) return { name: param.name, role: 'declaration' };
    if (param.defaultValue && touches(param.defaultValue.range, offset)) return inExpr(param.defaultValue, offset);
  }
  return undefined;
}

function inArgs(args: readonly Arg[], offset: number): SyntaxTarget['word'] {
  for (const arg of args) {
    if (!touches(arg.range, offset)) continue;
    if (arg.name && touches(arg.name.range, offset)) return { name: arg.name, role: arg.value ? 'argument' : 'reference' };
    for (const part of arg.value?.parts ?? []) {
      const word = inExpr(part, offset);
      if (word) return word;
    }
  }
  return undefined;
}

function inExpr(expr: Expr, offset: number): SyntaxTarget['word'] {
  if (!touches(expr.range, offset)) return undefined;
  switch (expr.kind) {
    case 'number':
      return undefined;
    case 'ref':
      return { name: expr.name, role: 'reference' };
    case 'negate':
      return inExpr(expr.operand, offset);
    case 'binary':
      return inExpr(expr.left, offset) ?? inExpr(expr.right, offset);
  }
}
