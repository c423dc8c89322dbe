import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Line, ModelDecl, Setting } from '../../src/core/language/ast';
import { parse } from '../../src/core/language/parse';
import { exampleFiles, readExample } from '../helpers/examples';

test('every example parses without a syntax error', () => {
  const files = exampleFiles();
  assert.ok(files.length >= 24);
  for (const f of files) assert.deepEqual(parse(readExample(f)).diagnostics, [], f);
});

test('a model, its settings and its stage lines, with exact ranges', () => {
  const text = 'model m {\n  input 32x32x3, classes 10\n  conv1  conv 3x3, 16, bn, relu\n         maxpool 3x3, stride 2\n  s2  basic(32) x 2, stride 2\n}\n';
  const { file, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  const model = file.items[0] as ModelDecl;
  assert.equal(model.name.text, 'm');
  assert.deepEqual([model.name.range.startLine, model.name.range.startColumn, model.name.range.endColumn], [1, 7, 8]);
  const [input, conv1, cont, s2] = model.body ?? [];
  assert.equal((input as Setting).key.text, 'input');
  assert.equal((input as Setting).args[0].value?.parts.length, 3);
  assert.equal((input as Setting).args[1].name?.text, 'classes');
  assert.equal((conv1 as Line).label?.text, 'conv1');
  assert.deepEqual(
    (conv1 as Line).items.map((i) => (i.kind === 'layer' ? i.op : i.kind)),
    ['conv', 'bn', 'relu'],
  );
  assert.equal((cont as Line).label, undefined);
  const call = (s2 as Line).items[0];
  assert.equal(call.kind, 'call');
  if (call.kind !== 'call') return;
  assert.equal(call.callee.text, 'basic');
  assert.equal(call.repeat?.kind, 'number');
  assert.equal(call.trailing[0].name?.text, 'stride');
  // The call's range covers `basic(32) x 2, stride 2` on line 5.
  assert.equal(text.slice(call.range.startOffset, call.range.endOffset), 'basic(32) x 2, stride 2');
  assert.deepEqual([call.range.startLine, call.range.startColumn], [5, 7]);
});

test('templates, instances, blocks with parameters, add branches and arithmetic', () => {
  const text = `
let base = 16
model family(n, width = base) {
  input 32x32x3, classes 10
  s basic(width * 2 + 1) x 6*n+2
}
model small = family(n = 1)
block b(w, stride = 1) {
  conv 3x3, w, stride stride
  bn
  add { conv 1x1, w, stride stride; bn }
  relu
}`;
  const { file, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    file.items.map((i) => i.kind),
    ['let', 'model', 'model', 'block'],
  );
  const family = file.items[1] as ModelDecl;
  assert.deepEqual(
    family.params?.map((p) => p.name.text),
    ['n', 'width'],
  );
  const instance = file.items[2] as ModelDecl;
  assert.equal(instance.instanceOf?.template.text, 'family');
  const block = file.items[3];
  assert.equal(block.kind, 'block');
  if (block.kind !== 'block') return;
  const add = (block.body[2] as Line).items[0];
  assert.equal(add.kind, 'add');
  if (add.kind === 'add') assert.equal(add.branch?.length, 2);
});

test('recovery: every syntax error in the file is reported in one pass, and later models still parse', () => {
  const text = [
    'model a {',
    '  input 32x32x3, classes 10',
    '  c conv 3x3, , 16', // 3: empty argument
    '  d basic(16 x 2', // 4: missing )
    '}',
    'model b {',
    '  input 32x32x3 classes', // fine: comma may be left out in settings
    '  head avgpool, fc 10 )', // 8: stray )
    '}',
    'model c { input 8x8x1 }',
  ].join('\n');
  const { file, diagnostics } = parse(text);
  const lines = diagnostics.map((d) => d.range.startLine);
  assert.ok(diagnostics.length >= 3, JSON.stringify(diagnostics));
  assert.ok(lines.includes(3) && lines.includes(4) && lines.includes(8), JSON.stringify(lines));
  for (const d of diagnostics) {
    assert.equal(d.severity, 'error');
    assert.ok(d.range.endOffset > d.range.startOffset || d.range.startOffset === text.length, 'a range covers text');
  }
  assert.deepEqual(
    file.items.map((i) => (i.kind === 'model' ? i.name.text : '?')),
    ['a', 'b', 'c'],
  );
});

test('an unterminated model at end of file is an error at the end, not a crash', () => {
  const { diagnostics } = parse('model a {\n  input 32x32x3');
  assert.equal(diagnostics.length, 1);
  assert.match(diagnostics[0].message, /\}/);
});

test('re-parsing after an edit reuses unchanged declarations, moved to their new place, exactly as a fresh parse', async () => {
  const { clearParseCache } = await import('../../src/core/language/parse');
  const original = [readExample('imagenet/resnet50.resnet'), readExample('cifar/family.resnet'), readExample('variants/own-block.resnet')].join('\n');
  const edits = [
    original.replace('bottleneck(128)', 'bottleneck(256)'), // same length, middle of the first model
    original.replace('conv1    conv 7x7, 64, stride 2, bn, relu', 'conv1    conv 7x7, 64, stride 2\n           bn, relu\n\n'), // lines added early
    original.replace('model resnet32 = cifar_resnet(n = 5)', 'model resnet32 = cifar_resnet(n = 5'), // a syntax error mid-file
    `// a comment on top\n${original}`,
  ];
  parse(original);
  for (const text of edits) {
    const warm = parse(text);
    clearParseCache();
    const cold = parse(text);
    assert.deepEqual(warm.file, cold.file);
    assert.deepEqual(warm.diagnostics, cold.diagnostics);
    parse(original);
  }
});
