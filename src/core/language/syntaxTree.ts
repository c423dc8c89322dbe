// Turns Chevrotain's concrete syntax tree into the typed AST of `ast.ts`. Recovery may leave
// holes (a missing name, a missing value); every accessor here tolerates them, so a half-typed
// file still yields a tree the analyzer can work on.
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type * as A from './ast';
import * as T from './tokens';
import { readNumberLiteral } from './numberLiteral';

type Children = Record<string, CstElement[] | undefined>;

function isToken(e: CstElement): e is IToken {
  return (e as IToken).image !== undefined;
}

function tokenIsReal(t: IToken): boolean {
  return !t.isInsertedInRecovery && Number.isFinite(t.startOffset);
}

export function tokenRange(t: IToken): A.SourceRange {
  const length = t.image.length;
  return {
    startOffset: t.startOffset,
    endOffset: t.startOffset + length,
    startLine: t.startLine ?? 1,
    startColumn: t.startColumn ?? 1,
    endLine: t.endLine ?? t.startLine ?? 1,
    endColumn: (t.endColumn ?? t.startColumn ?? 0) + 1,
  };
}

/** The range covered by the real (not recovery-inserted) tokens under a node. */
function nodeRange(node: CstNode, fallback: A.SourceRange): A.SourceRange {
  const loc = node.location;
  if (loc && Number.isFinite(loc.startOffset) && loc.endOffset !== undefined && Number.isFinite(loc.endOffset)) {
    return {
      startOffset: loc.startOffset,
      endOffset: loc.endOffset + 1,
      startLine: loc.startLine ?? fallback.startLine,
      startColumn: loc.startColumn ?? fallback.startColumn,
      endLine: loc.endLine ?? fallback.endLine,
      endColumn: (loc.endColumn ?? fallback.endColumn - 1) + 1,
    };
  }
  return fallback;
}

const EMPTY: A.SourceRange = { startOffset: 0, endOffset: 0, startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 };

function nodes(children: Children, key: string): CstNode[] {
  return (children[key] ?? []).filter((e): e is CstNode => !isToken(e));
}

function tokens(children: Children, key: string): IToken[] {
  return (children[key] ?? []).filter((e): e is IToken => isToken(e) && tokenIsReal(e));
}

function firstNode(children: Children, key: string): CstNode | undefined {
  return nodes(children, key)[0];
}

function firstToken(children: Children, key: string): IToken | undefined {
  return tokens(children, key)[0];
}

function name(t: IToken | undefined): A.Name | undefined {
  return t === undefined ? undefined : { text: t.image, range: tokenRange(t) };
}

/** `32k`, `1e-4`, `2M` as numbers; NaN (a hole, as after a syntax error) for one parse.ts refuses as inexact. */
export function numberValue(image: string): number {
  const reading = readNumberLiteral(image);
  return reading.ok ? reading.value : Number.NaN;
}

export class SyntaxTreeBuilder {
  constructor(private readonly whole: A.SourceRange) {}

  file(node: CstNode): A.ResnetFile {
    const items: A.TopLevel[] = [];
    for (const child of nodes(node.children, 'top')) {
      const item = this.topLevel(child);
      if (item) items.push(item);
    }
    return { items, range: this.whole };
  }

  private range(node: CstNode): A.SourceRange {
    return nodeRange(node, this.whole);
  }

  private topLevel(node: CstNode): A.TopLevel | undefined {
    switch (node.name) {
      case 'modelDecl':
        return this.model(node);
      case 'blockDecl':
        return this.block(node);
      case 'experimentDecl':
        return this.experiment(node);
      case 'letStatement':
        return this.letStatement(node);
      default:
        return undefined;
    }
  }

  private model(node: CstNode): A.ModelDecl | undefined {
    const c = node.children;
    const modelName = name(firstToken(c, 'name'));
    if (!modelName) return undefined;
    const paramList = firstNode(c, 'paramList');
    const bodyNode = firstNode(c, 'body');
    const template = name(firstToken(c, 'template'));
    const parenArgs = firstNode(c, 'parenArgs');
    return {
      kind: 'model',
      name: modelName,
      params: paramList ? this.params(paramList) : undefined,
      body: bodyNode ? this.body(bodyNode) : undefined,
      instanceOf: template ? { template, args: parenArgs ? this.parenArgs(parenArgs) : [] } : undefined,
      range: this.range(node),
    };
  }

  private block(node: CstNode): A.BlockDecl | undefined {
    const c = node.children;
    const blockName = name(firstToken(c, 'name'));
    if (!blockName) return undefined;
    const paramList = firstNode(c, 'paramList');
    const bodyNode = firstNode(c, 'body');
    return {
      kind: 'block',
      name: blockName,
      params: paramList ? this.params(paramList) : [],
      body: bodyNode ? this.body(bodyNode) : [],
      range: this.range(node),
    };
  }

  private experiment(node: CstNode): A.ExperimentDecl | undefined {
    const c = node.children;
    const experimentName = name(firstToken(c, 'name'));
    if (!experimentName) return undefined;
    const bodyNode = firstNode(c, 'body');
    return { kind: 'experiment', name: experimentName, body: bodyNode ? this.body(bodyNode) : [], range: this.range(node) };
  }

  private params(node: CstNode): A.Param[] {
    const out: A.Param[] = [];
    for (const p of nodes(node.children, 'param')) {
      const paramName = name(firstToken(p.children, 'name'));
      if (!paramName) continue;
      const e = firstNode(p.children, 'expr');
      out.push({ name: paramName, defaultValue: e ? this.expr(e) : undefined, range: this.range(p) });
    }
    return out;
  }

  private body(node: CstNode): A.Statement[] {
    const out: A.Statement[] = [];
    for (const s of nodes(node.children, 'statement')) {
      const statement = this.statement(s);
      if (statement) out.push(statement);
    }
    return out;
  }

  private statement(node: CstNode): A.Statement | undefined {
    switch (node.name) {
      case 'letStatement':
        return this.letStatement(node);
      case 'trainBlock':
        return this.trainBlock(node);
      case 'line':
        return this.line(node);
      case 'setting':
        return this.setting(node);
      default:
        return undefined;
    }
  }

  private letStatement(node: CstNode): A.LetStatement | undefined {
    const letName = name(firstToken(node.children, 'name'));
    if (!letName) return undefined;
    const e = firstNode(node.children, 'expr');
    return { kind: 'let', name: letName, value: e ? this.expr(e) : undefined, range: this.range(node) };
  }

  private trainBlock(node: CstNode): A.TrainBlock {
    const keyword = firstToken(node.children, 'Train');
    return {
      kind: 'train',
      keywordRange: keyword ? tokenRange(keyword) : this.range(node),
      settings: nodes(node.children, 'setting')
        .map((s) => this.setting(s))
        .filter((s): s is A.Setting => s !== undefined),
      range: this.range(node),
    };
  }

  private setting(node: CstNode): A.Setting | undefined {
    const key = name(firstToken(node.children, 'key'));
    if (!key) return undefined;
    const argList = firstNode(node.children, 'argList');
    return { kind: 'setting', key, args: argList ? this.args(argList) : [], range: this.range(node) };
  }

  private line(node: CstNode): A.Line {
    const items = nodes(node.children, 'item')
      .map((i) => this.item(i))
      .filter((i): i is A.Item => i !== undefined);
    return { kind: 'line', label: name(firstToken(node.children, 'label')), items, range: this.range(node) };
  }

  private item(node: CstNode): A.Item | undefined {
    const inner =
      nodes(node.children, 'layerItem')[0] ?? nodes(node.children, 'addItem')[0] ?? nodes(node.children, 'gateItem')[0] ?? nodes(node.children, 'splitItem')[0] ?? nodes(node.children, 'callItem')[0];
    if (!inner) return undefined;
    if (inner.name === 'layerItem') return this.layerItem(inner);
    if (inner.name === 'addItem') return this.addItem(inner);
    if (inner.name === 'gateItem') return this.gateItem(inner);
    if (inner.name === 'splitItem') return this.splitItem(inner);
    return this.callItem(inner);
  }

  private splitItem(node: CstNode): A.SplitItem {
    const keyword = firstToken(node.children, 'Split');
    const lineArgs = firstNode(node.children, 'lineArgs');
    return {
      kind: 'split',
      keywordRange: keyword ? tokenRange(keyword) : this.range(node),
      args: lineArgs ? this.args(lineArgs) : [],
      lines: nodes(node.children, 'branch').map((l) => this.line(l)),
      range: this.range(node),
    };
  }

  private gateItem(node: CstNode): A.GateItem {
    const keyword = firstToken(node.children, 'Gate');
    return {
      kind: 'gate',
      keywordRange: keyword ? tokenRange(keyword) : this.range(node),
      lines: nodes(node.children, 'branch').map((l) => this.line(l)),
      range: this.range(node),
    };
  }

  private layerItem(node: CstNode): A.LayerItem | undefined {
    const keyword = firstToken(node.children, 'LayerKeyword');
    if (!keyword) return undefined;
    const lineArgs = firstNode(node.children, 'lineArgs');
    return {
      kind: 'layer',
      op: layerOp(keyword),
      opRange: tokenRange(keyword),
      args: lineArgs ? this.args(lineArgs) : [],
      range: this.range(node),
    };
  }

  private addItem(node: CstNode): A.AddItem {
    const lineArgs = firstNode(node.children, 'lineArgs');
    const hasBranch = tokens(node.children, 'LBrace').length > 0;
    return {
      kind: 'add',
      args: lineArgs ? this.args(lineArgs) : [],
      branch: hasBranch ? nodes(node.children, 'branch').map((l) => this.line(l)) : undefined,
      range: this.range(node),
    };
  }

  private callItem(node: CstNode): A.CallItem | undefined {
    const c = node.children;
    const callee = name(firstToken(c, 'callee'));
    if (!callee) return undefined;
    const parenArgs = firstNode(c, 'parenArgs');
    const repeat = firstNode(c, 'repeat');
    return {
      kind: 'call',
      callee,
      args: parenArgs ? this.parenArgs(parenArgs) : [],
      repeat: repeat ? this.expr(repeat) : undefined,
      trailing: nodes(c, 'trailing').map((a) => this.arg(a)),
      range: this.range(node),
    };
  }

  private parenArgs(node: CstNode): A.Arg[] {
    return nodes(node.children, 'arg').map((a) => this.arg(a));
  }

  private args(node: CstNode): A.Arg[] {
    return nodes(node.children, 'arg').map((a) => this.arg(a));
  }

  private arg(node: CstNode): A.Arg {
    const v = firstNode(node.children, 'value');
    return {
      name: name(firstToken(node.children, 'name')),
      value: v ? this.value(v) : undefined,
      range: this.range(node),
    };
  }

  private value(node: CstNode): A.Value {
    return { parts: nodes(node.children, 'expr').map((e) => this.expr(e)), range: this.range(node) };
  }

  private expr(node: CstNode): A.Expr {
    return this.binaryChain(node, 'term', (n) => this.term(n));
  }

  private term(node: CstNode): A.Expr {
    return this.binaryChain(node, 'unary', (n) => this.unary(n));
  }

  /** Left-associative `a op b op c`, from operands and operator tokens in source order. */
  private binaryChain(node: CstNode, operandKey: string, operand: (n: CstNode) => A.Expr): A.Expr {
    const operands = nodes(node.children, operandKey);
    const ops = tokens(node.children, 'op');
    const [head, ...rest] = operands;
    if (!head) return { kind: 'number', value: Number.NaN, range: this.range(node) };
    let result = operand(head);
    for (const [i, next] of rest.entries()) {
      const right = operand(next);
      const op = (ops[i]?.image ?? '+') as '+' | '-' | '*' | '/';
      result = {
        kind: 'binary',
        op,
        left: result,
        right,
        range: { ...result.range, endOffset: right.range.endOffset, endLine: right.range.endLine, endColumn: right.range.endColumn },
      };
    }
    return result;
  }

  private unary(node: CstNode): A.Expr {
    const inner = firstNode(node.children, 'unary');
    if (inner) return { kind: 'negate', operand: this.unary(inner), range: this.range(node) };
    const primary = firstNode(node.children, 'primary');
    if (!primary) return { kind: 'number', value: Number.NaN, range: this.range(node) };
    return this.primary(primary);
  }

  private primary(node: CstNode): A.Expr {
    const c = node.children;
    const num = firstToken(c, 'NumberLiteral');
    if (num) return { kind: 'number', value: numberValue(num.image), range: tokenRange(num) };
    const callee = name(firstToken(c, 'callee'));
    if (callee) return { kind: 'call', callee, args: nodes(c, 'argument').map((e) => this.expr(e)), range: this.range(node) };
    const id = name(firstToken(c, 'Identifier'));
    if (id) return { kind: 'ref', name: id, range: id.range };
    const inner = firstNode(c, 'expr');
    if (inner) return this.expr(inner);
    return { kind: 'number', value: Number.NaN, range: this.range(node) };
  }
}

/** The layer a keyword token names: its word (`relu6`, `gn`), as the lexer matched it. */
function layerOp(t: IToken): A.LayerOp {
  return (LAYER_OPS.has(t.image) ? t.image : 'softmax') as A.LayerOp;
}

const LAYER_OPS: ReadonlySet<string> = new Set(T.LAYER_WORDS);

export { EMPTY as emptyRange };
