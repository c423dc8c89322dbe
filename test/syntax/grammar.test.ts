// The TextMate grammar (syntaxes/resnet.tmLanguage.json) and the language configuration
// (language-configuration.json): every example is tokenized with vscode-textmate + vscode-oniguruma,
// the way VS Code colours a `.resnet` file, and checked token by token against the real lexer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Textmate from 'vscode-textmate';
import type * as Oniguruma from 'vscode-oniguruma';
import type { IToken as LexerToken } from 'chevrotain';
import * as T from '../../src/core/language/tokens';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
const textmate = require('vscode-textmate') as typeof Textmate;
const oniguruma = require('vscode-oniguruma') as typeof Oniguruma;

const grammarPath = path.join(root, 'syntaxes', 'resnet.tmLanguage.json');
const configPath = path.join(root, 'language-configuration.json');
const examplesDir = path.join(root, 'examples');
const SCOPE = 'source.resnet';

let onigReady: Promise<void> | undefined;
function loadOniguruma(): Promise<void> {
  // loadWASM may run once per process.
  onigReady ??= (async () => {
    const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  })();
  return onigReady;
}

let grammarPromise: Promise<Textmate.IGrammar> | undefined;
function loadGrammar(): Promise<Textmate.IGrammar> {
  grammarPromise ??= (async () => {
    await loadOniguruma();
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) => (scopeName === SCOPE ? textmate.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath) : null),
    });
    const grammar = await registry.loadGrammar(SCOPE);
    assert.ok(grammar, 'the grammar loads');
    return grammar;
  })();
  return grammarPromise;
}

interface Tok {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  /** Offset of `start` in the whole text. */
  readonly offset: number;
  readonly text: string;
  readonly scopes: readonly string[];
}

interface Doc {
  readonly name: string;
  readonly lines: readonly string[];
  readonly tokens: readonly Tok[];
}

async function tokenize(text: string, name: string): Promise<Doc> {
  const grammar = await loadGrammar();
  const lines = text.split('\n');
  const tokens: Tok[] = [];
  let stack = textmate.INITIAL;
  let lineOffset = 0;
  lines.forEach((raw, line) => {
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const result = grammar.tokenizeLine(content, stack, 5000);
    assert.equal(result.stoppedEarly, false, `${name}:${line + 1} tokenized in time`);
    for (const t of result.tokens) {
      const end = Math.min(t.endIndex, content.length);
      if (end <= t.startIndex) continue;
      tokens.push({ line, start: t.startIndex, end, offset: lineOffset + t.startIndex, text: content.slice(t.startIndex, end), scopes: t.scopes });
    }
    stack = result.ruleStack;
    lineOffset += raw.length + 1;
  });
  return { name, lines, tokens };
}

function listExamples(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listExamples(full));
    else if (entry.isFile() && entry.name.endsWith('.resnet')) out.push(full);
  }
  return out.sort();
}

async function tokenizeFile(file: string): Promise<Doc> {
  return tokenize(fs.readFileSync(file, 'utf8'), path.relative(root, file));
}

/** True when `scopes` holds `want` itself or a more specific scope under it (`keyword.operator` ⊇ `keyword.operator.times.resnet`). */
function has(scopes: readonly string[], want: string): boolean {
  return scopes.some((s) => s === want || s.startsWith(`${want}.`));
}

/** A scope that colours the text: anything below the root that is not just a `meta.*` wrapper. */
function colouring(scopes: readonly string[]): string[] {
  return scopes.filter((s) => s !== SCOPE && !s.startsWith('meta.'));
}

function describe(t: Tok): string {
  return `"${t.text}" at ${t.line + 1}:${t.start + 1} [${t.scopes.join(' ')}]`;
}

/** The token that starts exactly at the `nth` occurrence of `word` on the first line containing `lineHas`. */
function tokenOf(doc: Doc, lineHas: string | RegExp, word: string, nth = 0): Tok {
  const line = doc.lines.findIndex((l) => (typeof lineHas === 'string' ? l.includes(lineHas) : lineHas.test(l)));
  assert.ok(line >= 0, `${doc.name}: no line matches ${String(lineHas)}`);
  let col = -1;
  for (let i = 0; i <= nth; i++) {
    col = doc.lines[line].indexOf(word, col + 1);
    assert.ok(col >= 0, `${doc.name}:${line + 1}: no occurrence ${nth} of "${word}"`);
  }
  const tok = doc.tokens.find((t) => t.line === line && t.start === col);
  assert.ok(
    tok,
    `${doc.name}:${line + 1}: no token starts at "${word}" (col ${col + 1}); tokens: ${doc.tokens
      .filter((t) => t.line === line)
      .map(describe)
      .join(', ')}`,
  );
  return tok;
}

/** Asserts that `word` is one whole token carrying `scope`. */
function expectToken(doc: Doc, lineHas: string | RegExp, word: string, scope: string, nth = 0): Tok {
  const tok = tokenOf(doc, lineHas, word, nth);
  assert.equal(tok.text, word, `${doc.name}: "${word}" is one token, got ${describe(tok)}`);
  assert.ok(has(tok.scopes, scope), `${doc.name}: expected ${scope} on ${describe(tok)}`);
  return tok;
}

function notScope(tok: Tok, scope: string): void {
  assert.ok(!has(tok.scopes, scope), `did not expect ${scope} on ${describe(tok)}`);
}

// ---- the grammar file itself -------------------------------------------------------------------

interface RawRule {
  include?: string;
  match?: string;
  begin?: string;
  end?: string;
  patterns?: RawRule[];
  repository?: Record<string, RawRule>;
  [key: string]: unknown;
}

test('grammar file: scope name, package.json contribution, includes resolve, every regex compiles', async () => {
  const raw = JSON.parse(fs.readFileSync(grammarPath, 'utf8')) as RawRule & { scopeName: string };
  assert.equal(raw.scopeName, SCOPE);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const contribution = pkg.contributes.grammars.find((g: { language: string }) => g.language === 'resnet');
  assert.equal(contribution.scopeName, SCOPE);
  assert.equal(path.resolve(root, contribution.path), grammarPath);
  const language = pkg.contributes.languages.find((l: { id: string }) => l.id === 'resnet');
  assert.equal(path.resolve(root, language.configuration), configPath);

  await loadOniguruma();
  const repository = raw.repository ?? {};
  let regexes = 0;
  const visit = (rule: RawRule, where: string): void => {
    if (rule.include !== undefined) {
      if (rule.include.startsWith('#')) assert.ok(rule.include.slice(1) in repository, `${where}: unknown include ${rule.include}`);
      else assert.ok(rule.include === '$self' || rule.include === '$base', `${where}: external include ${rule.include}`);
    }
    for (const key of ['match', 'begin', 'end'] as const) {
      const source = rule[key];
      if (source === undefined) continue;
      regexes++;
      assert.doesNotThrow(() => new oniguruma.OnigScanner([source]), `${where}.${key} compiles: ${source}`);
    }
    rule.patterns?.forEach((p, i) => visit(p, `${where}.patterns[${i}]`));
  };
  visit(raw, 'root');
  for (const [name, rule] of Object.entries(repository)) visit(rule, `repository.${name}`);
  assert.ok(regexes > 20, `the grammar has rules (${regexes} regexes)`);
});

// ---- every example, token by token against the real lexer --------------------------------------

/** The scope each lexer token must carry, by token type; types not listed (names) must just be coloured and not look like a keyword, number or comment. */
const expected = new Map<unknown, string>([
  [T.Model, 'keyword.declaration.model'],
  [T.Block, 'keyword.declaration.block'],
  [T.Experiment, 'keyword.declaration.experiment'],
  [T.Let, 'keyword.declaration.let'],
  [T.Train, 'keyword.control.train'],
  [T.Add, 'keyword.other.add'],
  [T.Gate, 'keyword.other.add'],
  [T.Split, 'keyword.other.add'],
  [T.Times, 'keyword.operator.times'],
  [T.NumberLiteral, 'constant.numeric'],
  [T.LineComment, 'comment.line.double-slash'],
  [T.BlockComment, 'comment.block'],
  [T.LParen, 'punctuation'],
  [T.RParen, 'punctuation'],
  [T.LBrace, 'punctuation.section.block.begin'],
  [T.RBrace, 'punctuation.section.block.end'],
  [T.Comma, 'punctuation.separator'],
  [T.Colon, 'punctuation.separator'],
  [T.Equals, 'keyword.operator.assignment'],
  [T.Plus, 'keyword.operator.arithmetic'],
  [T.Minus, 'keyword.operator.arithmetic'],
  [T.Star, 'keyword.operator.arithmetic'],
  [T.Slash, 'keyword.operator.arithmetic'],
]);

function checkAgainstLexer(doc: Doc, text: string): number {
  const lexed = T.resnetLexer.tokenize(text);
  assert.deepEqual(
    lexed.errors.map((e) => e.message),
    [],
    `${doc.name} lexes cleanly`,
  );
  const all: LexerToken[] = [...lexed.tokens, ...(lexed.groups.comments ?? [])].filter((t) => t.tokenType !== T.Newline || t.image === ';');
  // Token boundaries TextMate draws: every token start, plus every line end.
  const boundaries = new Set<number>(doc.tokens.map((t) => t.offset));
  let lineStart = 0;
  for (const l of doc.lines) {
    boundaries.add(lineStart + l.replace(/\r$/, '').length);
    lineStart += l.length + 1;
  }
  let checked = 0;
  for (const lt of all) {
    const start = lt.startOffset;
    const end = lt.startOffset + lt.image.length;
    const where = `${doc.name}:${lt.startLine}:${lt.startColumn} ${lt.tokenType.name} "${lt.image}"`;
    const covering = doc.tokens.filter((t) => t.offset < end && t.offset + t.text.length > start && t.text.trim() !== '');
    assert.ok(covering.length > 0, `${where}: no TextMate token`);
    const isComment = lt.tokenType === T.LineComment || lt.tokenType === T.BlockComment;
    assert.ok(boundaries.has(start) && boundaries.has(end), `${where}: TextMate token boundaries differ: ${covering.map(describe).join(', ')}`);
    if (!isComment && lt.tokenType !== T.NumberLiteral) {
      // Only numbers (the k/M suffix) and comments (their `//`) may be split in several TextMate tokens.
      assert.equal(covering.length, 1, `${where}: split into ${covering.map(describe).join(', ')}`);
    }
    const isLayer = lt.tokenType.CATEGORIES?.includes(T.LayerKeyword) ?? false;
    const want = isLayer ? 'support.function.layer' : expected.get(lt.tokenType);
    for (const tok of covering) {
      assert.ok(colouring(tok.scopes).length > 0, `${where}: left uncoloured ${describe(tok)}`);
      if (want !== undefined) assert.ok(has(tok.scopes, want), `${where}: expected ${want}, got ${describe(tok)}`);
      if (lt.tokenType === T.Identifier) {
        for (const wrong of ['keyword', 'constant.numeric', 'support.function.layer', 'comment']) notScope(tok, wrong);
      }
    }
    checked++;
  }
  return checked;
}

test('every example: all tokens coloured, and scopes agree with the lexer (keywords, layers, numbers, `x`, comments)', async () => {
  assert.ok(fs.existsSync(examplesDir), 'examples/ exists');
  const files = listExamples(examplesDir);
  assert.ok(files.length > 0, 'examples/ holds .resnet files');
  let total = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const doc = await tokenize(text, path.relative(root, file));
    for (const tok of doc.tokens) {
      if (tok.text.trim() === '') continue;
      assert.ok(colouring(tok.scopes).length > 0, `${doc.name}: only root/meta scopes on ${describe(tok)}`);
    }
    total += checkAgainstLexer(doc, text);
  }
  assert.ok(total > 1000, `checked ${total} lexer tokens`);
});

// ---- specific lines ----------------------------------------------------------------------------

test('imagenet/resnet50: declaration, dimensions, settings, stage labels, builtin block, named args, comment', async () => {
  const doc = await tokenizeFile(path.join(examplesDir, 'imagenet', 'resnet50.resnet'));

  const comment = tokenOf(doc, /^\/\//, '//');
  assert.ok(has(comment.scopes, 'comment.line.double-slash.resnet'), describe(comment));
  assert.ok(has(comment.scopes, 'punctuation.definition.comment'), describe(comment));
  for (const t of doc.tokens.filter((t) => t.line === comment.line)) assert.ok(has(t.scopes, 'comment.line.double-slash.resnet'), describe(t));

  expectToken(doc, 'model resnet50', 'model', 'keyword.declaration.model.resnet');
  expectToken(doc, 'model resnet50', 'resnet50', 'entity.name.type.model.resnet');
  expectToken(doc, 'model resnet50', '{', 'punctuation.section.block.begin.resnet');

  // input 224x224x3, classes 1000
  expectToken(doc, 'input 224x224x3', 'input', 'support.type.property-name.setting.resnet');
  const dims = doc.tokens.filter((t) => t.line === tokenOf(doc, 'input 224x224x3', 'input').line && t.text.trim() !== '');
  assert.deepEqual(
    dims.map((t) => t.text),
    ['input', '224', 'x', '224', 'x', '3', ',', 'classes', '1000'],
  );
  for (const i of [1, 3, 5, 8]) assert.ok(has(dims[i].scopes, 'constant.numeric.integer.resnet'), describe(dims[i]));
  for (const i of [2, 4]) assert.ok(has(dims[i].scopes, 'keyword.operator.times.resnet'), describe(dims[i]));
  assert.ok(has(dims[6].scopes, 'punctuation.separator.comma.resnet'), describe(dims[6]));
  assert.ok(has(dims[7].scopes, 'entity.other.attribute-name'), describe(dims[7]));

  expectToken(doc, 'shortcut B', 'shortcut', 'support.type.property-name.setting.resnet');
  expectToken(doc, 'shortcut B', 'B', 'constant.language.shortcut.resnet');
  expectToken(doc, 'downsample v1', 'v1', 'constant.language.downsample.resnet');

  // conv1    conv 7x7, 64, stride 2, bn, relu
  expectToken(doc, 'conv1 ', 'conv1', 'entity.name.tag.stage.resnet');
  expectToken(doc, 'conv1 ', 'conv', 'support.function.layer.resnet', 1);
  expectToken(doc, 'conv1 ', '7', 'constant.numeric.integer.resnet');
  expectToken(doc, 'conv1 ', 'x', 'keyword.operator.times.resnet');
  expectToken(doc, 'conv1 ', 'stride', 'entity.other.attribute-name.argument.resnet');
  expectToken(doc, 'conv1 ', 'bn', 'support.function.layer.resnet');
  expectToken(doc, 'conv1 ', 'relu', 'support.function.layer.resnet');
  // maxpool 3x3, stride 2 (continuation line, no label)
  const maxpool = expectToken(doc, /^\s+maxpool/, 'maxpool', 'support.function.layer.resnet');
  notScope(maxpool, 'entity.name.tag');

  // conv2_x  bottleneck(64)   x 3: the label is one token with no operator inside it.
  const label = expectToken(doc, 'conv2_x', 'conv2_x', 'entity.name.tag.stage.resnet');
  notScope(label, 'keyword.operator');
  assert.ok(!doc.tokens.some((t) => t.line === label.line && t.start > label.start && t.start < label.end), 'no token boundary inside conv2_x');
  expectToken(doc, 'conv2_x', 'bottleneck', 'support.function.builtin.block.resnet');
  expectToken(doc, 'conv2_x', '(', 'punctuation.section.parens.begin.resnet');
  expectToken(doc, 'conv2_x', '64', 'constant.numeric.integer.resnet');
  expectToken(doc, 'conv2_x', ')', 'punctuation.section.parens.end.resnet');
  expectToken(doc, 'conv2_x', 'x', 'keyword.operator.times.resnet', 1);
  expectToken(doc, 'conv2_x', '3', 'constant.numeric.integer.resnet');
  expectToken(doc, 'conv3_x', 'stride', 'entity.other.attribute-name.argument.resnet');

  // head     avgpool, fc 1000
  expectToken(doc, /^\s+head\b/, 'head', 'entity.name.tag.stage.resnet');
  expectToken(doc, /^\s+head\b/, 'avgpool', 'support.function.layer.resnet');
  expectToken(doc, /^\s+head\b/, 'fc', 'support.function.layer.resnet');
  expectToken(doc, /^\}/, '}', 'punctuation.section.block.end.resnet');
});

test('torchvision/resnet50: `v1.5` is one constant', async () => {
  const doc = await tokenizeFile(path.join(examplesDir, 'torchvision', 'resnet50.resnet'));
  expectToken(doc, 'downsample v1.5', 'downsample', 'support.type.property-name.setting.resnet');
  expectToken(doc, 'downsample v1.5', 'v1.5', 'constant.language.downsample.resnet');
});

test('cifar/resnet110: the training recipe', async () => {
  const doc = await tokenizeFile(path.join(examplesDir, 'cifar', 'resnet110.resnet'));
  expectToken(doc, 'shortcut A', 'A', 'constant.language.shortcut.resnet');
  expectToken(doc, 'basic(16) x 18', 'basic', 'support.function.builtin.block.resnet');
  expectToken(doc, 'train {', 'train', 'keyword.control.train.resnet');
  expectToken(doc, 'dataset', 'dataset', 'support.type.property-name.recipe.resnet');
  expectToken(doc, 'dataset', 'cifar10', 'constant.language.dataset.resnet');
  expectToken(doc, 'batch 128', 'batch', 'support.type.property-name.recipe.resnet');
  expectToken(doc, 'sgd lr', 'sgd', 'support.type.property-name.recipe.resnet');
  expectToken(doc, 'sgd lr', 'lr', 'entity.other.attribute-name.argument.resnet');
  expectToken(doc, 'sgd lr', '0.1', 'constant.numeric.float.resnet');
  expectToken(doc, 'sgd lr', 'momentum', 'entity.other.attribute-name.argument.resnet');
  expectToken(doc, 'sgd lr', 'weight_decay', 'entity.other.attribute-name.argument.resnet');
  expectToken(doc, 'sgd lr', '1e-4', 'constant.numeric.float.resnet');
  expectToken(doc, 'decay 0.1 at', 'decay', 'support.type.property-name.recipe.resnet');
  expectToken(doc, 'decay 0.1 at', 'at', 'entity.other.attribute-name.argument.resnet');
  // 32k: the number, then its suffix, both numeric.
  const n32 = expectToken(doc, 'decay 0.1 at', '32', 'constant.numeric.integer.resnet');
  const k = doc.tokens.find((t) => t.line === n32.line && t.start === n32.end);
  assert.ok(k && k.text === 'k', 'the suffix follows 32');
  assert.ok(has(k.scopes, 'constant.numeric.integer.resnet') && has(k.scopes, 'keyword.other.unit.suffix.resnet'), describe(k));
  expectToken(doc, 'iterations 64k', 'iterations', 'support.type.property-name.recipe.resnet');
  expectToken(doc, 'augment', 'pad', 'entity.other.attribute-name.argument.resnet');
  expectToken(doc, 'augment', 'crop', 'entity.other.attribute-name.argument.resnet');
  expectToken(doc, 'augment', 'flip', 'entity.other.attribute-name.flag.resnet');
  expectToken(doc, 'normalize mean', 'mean', 'constant.language.normalize.resnet');
  expectToken(doc, 'validation 5k', 'validation', 'support.type.property-name.recipe.resnet');
  // The recipe's words are recipe keys only inside `train { … }`.
  const inTrain = tokenOf(doc, 'dataset', 'dataset');
  assert.ok(has(inTrain.scopes, 'meta.train.resnet'), describe(inTrain));
});

test('layer_stats: a recipe key, with its arguments', async () => {
  const doc = await tokenize('model m {\n  input 8x8x3\n  train {\n    layer_stats every 500, images 64\n    layer_stats off\n  }\n}\n', 'layer-stats.resnet');
  expectToken(doc, 'every 500', 'layer_stats', 'support.type.property-name.recipe.resnet');
  expectToken(doc, 'every 500', 'every', 'entity.other.attribute-name.argument.resnet');
  expectToken(doc, 'every 500', 'images', 'entity.other.attribute-name.argument.resnet');
  expectToken(doc, 'layer_stats off', 'layer_stats', 'support.type.property-name.recipe.resnet');
});

// ---- constructs the examples do not use --------------------------------------------------------

const snippet = `/* A template
   and a custom block */
let base = 64
block my_block(w, stride = 1) {
  conv 3x3, w, stride stride, bn, relu
  conv 3×3, w * 2, groups = 32, bias, pad = (w - 1) / 2
  add { conv 1x1, w; bn }
  add shortcut
}
model cifar_resnet(n, w = 16) {
  input 32x32x3; classes 10
  stem: conv 3x3, w
  stage my_block(w)x n, stride 2, shortcut A
  tail   conv 3x3, xavier, max_x, k x k, conv2_x, maxpool_2
  train { dataset mnist; adam lr 0.001 }
}
model resnet20 = cifar_resnet(n = 3) // instance
`;

test('declarations: block and model templates, parameters, instances, let', async () => {
  const doc = await tokenize(snippet, 'snippet');
  for (const t of doc.tokens.filter((t) => t.line <= 1 && t.text.trim() !== '')) assert.ok(has(t.scopes, 'comment.block.resnet'), describe(t));
  expectToken(doc, '/* A', '/*', 'punctuation.definition.comment.begin.resnet');
  expectToken(doc, 'block */', '*/', 'punctuation.definition.comment.end.resnet');

  expectToken(doc, 'let base', 'let', 'keyword.declaration.let.resnet');
  expectToken(doc, 'let base', 'base', 'variable.other.constant.resnet');
  expectToken(doc, 'let base', '=', 'keyword.operator.assignment.resnet');

  expectToken(doc, 'block my_block', 'block', 'keyword.declaration.block.resnet');
  expectToken(doc, 'block my_block', 'my_block', 'entity.name.function.block.resnet');
  expectToken(doc, 'block my_block', '(', 'punctuation.definition.parameters.begin.resnet');
  expectToken(doc, 'block my_block', 'w', 'variable.parameter.resnet');
  expectToken(doc, 'block my_block', 'stride', 'variable.parameter.resnet');
  expectToken(doc, 'block my_block', '1', 'constant.numeric.integer.resnet');

  expectToken(doc, 'model cifar_resnet', 'model', 'keyword.declaration.model.resnet');
  expectToken(doc, 'model cifar_resnet', 'cifar_resnet', 'entity.name.type.model.resnet');
  expectToken(doc, 'model cifar_resnet', 'n', 'variable.parameter.resnet', 1);
  expectToken(doc, 'model cifar_resnet', '16', 'constant.numeric.integer.resnet');

  expectToken(doc, 'model resnet20', 'resnet20', 'entity.name.type.model.resnet');
  expectToken(doc, 'model resnet20', '=', 'keyword.operator.assignment.resnet');
  expectToken(doc, 'model resnet20', 'cifar_resnet', 'entity.name.type.model.resnet');
  expectToken(doc, 'model resnet20', 'n', 'entity.other.attribute-name.argument.resnet', 2);
  expectToken(doc, 'model resnet20', '3', 'constant.numeric.integer.resnet');
  expectToken(doc, 'model resnet20', '//', 'comment.line.double-slash.resnet');
});

test('bodies: `x` inside names, ×, operators, add, labels with `:`, block calls, `;` statements', async () => {
  const doc = await tokenize(snippet, 'snippet');
  const stride = expectToken(doc, 'stride stride', 'stride', 'entity.other.attribute-name.argument.resnet');
  const value = expectToken(doc, 'stride stride', 'stride', 'variable.other.resnet', 1);
  assert.ok(value.start > stride.start);

  expectToken(doc, '3×3', '×', 'keyword.operator.times.resnet');
  expectToken(doc, '3×3', '*', 'keyword.operator.arithmetic.resnet');
  expectToken(doc, '3×3', 'groups', 'entity.other.attribute-name.argument.resnet');
  expectToken(doc, '3×3', '=', 'keyword.operator.assignment.resnet');
  expectToken(doc, '3×3', 'bias', 'entity.other.attribute-name.flag.resnet');
  expectToken(doc, '3×3', 'pad', 'entity.other.attribute-name.argument.resnet');
  expectToken(doc, '3×3', '-', 'keyword.operator.arithmetic.resnet');
  expectToken(doc, '3×3', '/', 'keyword.operator.arithmetic.resnet');

  expectToken(doc, 'add {', 'add', 'keyword.other.add.resnet');
  expectToken(doc, 'add {', '{', 'punctuation.section.block.begin.resnet');
  expectToken(doc, 'add {', ';', 'punctuation.terminator.statement.resnet');
  expectToken(doc, 'add {', 'bn', 'support.function.layer.resnet');
  expectToken(doc, 'add shortcut', 'shortcut', 'constant.language.add.resnet');

  // `;` starts a statement, so `classes` is a setting key again.
  expectToken(doc, 'input 32x32x3; classes', 'classes', 'support.type.property-name.setting.resnet');

  expectToken(doc, 'stem:', 'stem', 'entity.name.tag.stage.resnet');
  expectToken(doc, 'stem:', ':', 'punctuation.separator.label.resnet');
  expectToken(doc, 'stage my_block', 'stage', 'entity.name.tag.stage.resnet');
  expectToken(doc, 'stage my_block', 'my_block', 'entity.name.function.call.resnet');
  expectToken(doc, 'stage my_block', 'x', 'keyword.operator.times.resnet'); // right after `)`
  expectToken(doc, 'stage my_block', 'n', 'variable.other.resnet', 0);
  expectToken(doc, 'stage my_block', 'shortcut', 'entity.other.attribute-name.argument.resnet');
  expectToken(doc, 'stage my_block', 'A', 'constant.language.shortcut.resnet');

  // Names with an `x` in them stay names.
  for (const name of ['xavier', 'max_x', 'conv2_x', 'maxpool_2']) {
    const tok = expectToken(doc, 'tail ', name, 'variable.other.resnet');
    notScope(tok, 'keyword');
  }
  expectToken(doc, 'k x k', 'x', 'keyword.operator.times.resnet', 4);

  expectToken(doc, 'train { dataset mnist', 'train', 'keyword.control.train.resnet');
  expectToken(doc, 'train { dataset mnist', 'dataset', 'support.type.property-name.recipe.resnet');
  expectToken(doc, 'train { dataset mnist', 'mnist', 'constant.language.dataset.resnet');
  expectToken(doc, 'train { dataset mnist', 'adam', 'support.type.property-name.recipe.resnet');
  expectToken(doc, 'train { dataset mnist', '0.001', 'constant.numeric.float.resnet');

  // The snippet agrees with the lexer too.
  checkAgainstLexer(doc, snippet);
});

test('braces on their own line, and a `train` still being typed, do not derail the rest', async () => {
  const doc = await tokenize('model m\n{\n  train\n  conv1 conv 3x3, 8\n}\nblock b(w)\n{\n  relu\n}\n', 'allman');
  expectToken(doc, 'model m', 'm', 'entity.name.type.model.resnet', 1);
  expectToken(doc, /^\{/, '{', 'punctuation.section.block.begin.resnet');
  expectToken(doc, 'conv1', 'conv', 'support.function.layer.resnet', 1);
  expectToken(doc, 'conv1', '3', 'constant.numeric.integer.resnet');
  expectToken(doc, 'block b', 'b', 'entity.name.function.block.resnet', 1);
  const relu = expectToken(doc, 'relu', 'relu', 'support.function.layer.resnet');
  assert.ok(has(relu.scopes, 'meta.block.resnet'), describe(relu));
  notScope(relu, 'meta.train');
});

// ---- language configuration --------------------------------------------------------------------

test('language-configuration.json: comments, brackets, pairs, folding, word pattern, indentation on Enter', () => {
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  assert.equal(config.comments.lineComment, '//');
  assert.deepEqual(config.comments.blockComment, ['/*', '*/']);
  const pairs = (list: unknown[]): string[] => list.map((p) => (Array.isArray(p) ? p.join('') : `${(p as { open: string }).open}${(p as { close: string }).close}`));
  for (const key of ['brackets', 'autoClosingPairs', 'surroundingPairs']) {
    assert.ok(Array.isArray(config[key]), `${key} is a list`);
    const listed = pairs(config[key]);
    assert.ok(listed.includes('{}'), `${key} has {}`);
    assert.ok(listed.includes('()'), `${key} has ()`);
  }

  // VS Code reads these as JavaScript regular expressions.
  const markers = config.folding.markers;
  assert.match('  // #region stages', new RegExp(markers.start));
  assert.match('  // #endregion', new RegExp(markers.end));

  const words = (line: string): string[] => [...line.matchAll(new RegExp(config.wordPattern, 'g'))].map((m) => m[0]);
  assert.deepEqual(words('  conv2_x  bottleneck(64) x 3, base_width 128'), ['conv2_x', 'bottleneck', '64', 'x', '3', 'base_width', '128']);
  assert.deepEqual(words('downsample v1.5'), ['downsample', 'v1.5']);
  assert.deepEqual(words('input 224x224x3'), ['input', '224', '224', '3']);
  assert.deepEqual(words('weight_decay 1e-4, at 32k'), ['weight_decay', '1e-4', 'at', '32k']);

  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  assert.match('model resnet50 {', increase);
  assert.match('  train {  // recipe', increase);
  assert.match('block b(w,', increase);
  assert.doesNotMatch('  add { conv 1x1, 64; bn }', increase);
  assert.doesNotMatch('  conv1 conv 7x7 // {', increase);
  assert.match('}', decrease);
  assert.match('  )', decrease);
  assert.doesNotMatch('  conv 3x3, 64', decrease);

  const onEnter = (before: string, after: string): string | undefined =>
    config.onEnterRules.find((r: { beforeText: string; afterText?: string }) => new RegExp(r.beforeText).test(before) && (r.afterText === undefined || new RegExp(r.afterText).test(after)))?.action
      .indent;
  assert.equal(onEnter('model resnet50 {', ''), 'indent');
  assert.equal(onEnter('model resnet50 {', '}'), 'indentOutdent');
  assert.equal(onEnter('  conv 3x3, 64', ''), undefined);
});

test("modern/res2net50-26w-4s: `split` is a join keyword, `cascade` and `keep` its flags, a `keep` line's label no stage", async () => {
  const doc = await tokenizeFile(path.join(examplesDir, 'modern', 'res2net50-26w-4s.resnet'));
  expectToken(doc, 'split scale, cascade, keep', 'split', 'keyword.other.add.resnet');
  expectToken(doc, 'split scale, cascade, keep', 'cascade', 'entity.other.attribute-name.flag.resnet');
  expectToken(doc, 'split scale, cascade, keep', 'keep', 'entity.other.attribute-name.flag.resnet');
  const kept = expectToken(doc, 'keep avgpool', 'keep', 'entity.other.attribute-name.flag.resnet');
  notScope(kept, 'entity.name.tag');
  expectToken(doc, 'keep avgpool', 'avgpool', 'support.function.layer.resnet');
});
