// The per-model analysis cache (src/core/analysis/modelCache.ts): an analysis that reuses remembered
// models after an edit must equal one made from nothing, and unchanged models must be reused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, type Analysis, type AnalyzeOptions } from '../../src/core/analysis/analyze';
import { analysisCacheSize, analysisCacheStats, clearAnalysisCache } from '../../src/core/analysis/modelCache';
import { exampleFiles, readExample } from '../helpers/examples';

function cold(text: string, options?: AnalyzeOptions): Analysis {
  clearAnalysisCache();
  return analyze(text, options);
}

function assertSame(warm: Analysis, fresh: Analysis, what: string): void {
  assert.deepEqual(warm.models, fresh.models, `${what}: models`);
  assert.deepEqual(warm.diagnostics, fresh.diagnostics, `${what}: diagnostics`);
  assert.deepEqual(warm.counts, fresh.counts, `${what}: counts`);
  assert.deepEqual(warm.file, fresh.file, `${what}: syntax tree`);
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = ['1', '2', '4', '0', ' ', '\n', 'x', 'x 2', ',', '(', ')', '}', 'a', 'basic', 'stride 2', 'let k = 3\n', 'n', '64', '*'];

/** One random edit: a piece typed, a few characters deleted, or a digit replaced. */
function edit(text: string, next: () => number): string {
  const at = Math.floor(next() * text.length);
  const roll = next();
  if (roll < 0.4) return text.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)] + text.slice(at);
  if (roll < 0.7) return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3));
  const digit = /\d/g;
  digit.lastIndex = at;
  const found = digit.exec(text) ?? /\d/.exec(text);
  if (!found) return text;
  return text.slice(0, found.index) + String(Math.floor(next() * 9) + 1) + text.slice(found.index + 1);
}

test('after random edits of every example, a warm analysis equals a cold one', () => {
  const next = random(20261201);
  for (const name of exampleFiles()) {
    if (name.includes('1202')) continue; // the random edits below would make this one slow, not different
    let text = readExample(name);
    cold(text);
    for (let k = 0; k < 12; k++) {
      text = edit(text, next);
      const warm = analyze(text);
      assertSame(warm, cold(text), `${name} after edit ${k + 1}`);
      analyze(text); // leaves the cache warm for the next edit, as typing does
    }
  }
});

test('a file of many examples: edits in one model reuse the others, moved or not, and equal a cold analysis', () => {
  const files = ['imagenet/resnet50.resnet', 'cifar/family.resnet', 'variants/own-block.resnet', 'cifar/resnet56-b.resnet', 'imagenet/resnet18.resnet'];
  const original = files.map((f) => readExample(f)).join('\n');
  const edits: [string, string][] = [
    ['same length, in the first model', original.replace('bottleneck(128)', 'bottleneck(256)')],
    ['lines added at the top', `// a comment\nlet unused_one = 4\n\n${original}`],
    ['a line added in the first model', original.replace('conv1    conv 7x7, 64, stride 2, bn, relu', 'conv1    conv 7x7, 64, stride 2\n           bn, relu')],
    ['a syntax error mid-file', original.replace('model resnet32 = cifar_resnet(n = 5)', 'model resnet32 = cifar_resnet(n = 5')],
    ['a template changed', original.replace(/model cifar_resnet\(n\)/, 'model cifar_resnet(n, m = 1)')],
    ['an unknown block typed', original.replace('bottleneck(512)', 'bottlenek(512)')],
    ['everything moved by a block added on top', `block extra(w) {\n  conv 3x3, w\n  bn\n  add shortcut\n  relu\n}\n${original}`],
  ];
  for (const [what, text] of edits) {
    cold(original);
    const before = { ...analysisCacheStats };
    const warm = analyze(text);
    const reused = analysisCacheStats.reused - before.reused;
    assertSame(warm, cold(text), what);
    assert.ok(reused > 0, `${what}: some model was reused`);
  }
});

test('an unchanged model is the very same result after an edit elsewhere; a changed one is not', () => {
  const text = `${readExample('imagenet/resnet18.resnet')}\n${readExample('imagenet/resnet34.resnet')}`;
  clearAnalysisCache();
  const first = analyze(text);
  const second = analyze(text.replace(/basic\(512\)( +)x 3/, 'basic(512)$1x 4'));
  assert.equal(first.models.length, 2);
  assert.equal(second.models[0], first.models[0]);
  assert.notEqual(second.models[1], first.models[1]);
});

test('a block or a let a model uses, when changed, changes the model; a name the model does not use does not', () => {
  const base =
    'let w = 16\nlet other = 1\nblock b(width) {\n  conv 3x3, width\n  bn\n  add shortcut\n  relu\n}\nmodel m {\n  input 32x32x3, classes 10\n  conv1 conv 3x3, w, bn, relu\n  s b(w) x 2\n  head avgpool, fc 10\n}\n';
  for (const changed of [base.replace('let w = 16', 'let w = 32'), base.replace('conv 3x3, width\n', 'conv 3x3, width\n  relu\n'), base.replace('let other = 1', 'let other = 2')]) {
    cold(base);
    assertSame(analyze(changed), cold(changed), changed);
  }
  cold(base);
  const before = analysisCacheStats.reused;
  analyze(base.replace('let other = 1', 'let other = 2'));
  assert.equal(analysisCacheStats.reused - before, 1);
});

test('the layer budget of a file still holds when models are reused', () => {
  const model = (i: number) => `model m${i} {\n  input 32x32x3, classes 10\n  conv1 conv 3x3, 16, bn, relu\n  s basic(16) x 20\n  head avgpool, fc 10\n}\n`;
  const text = [0, 1, 2, 3].map(model).join('\n');
  const limits = { layersPerModel: 1000, layersPerFile: 250, milliseconds: 3000 };
  cold(text, { limits });
  for (const changed of [text.replace('basic(16) x 20', 'basic(16) x 2'), text.replace('m3 {', 'm3  {'), text]) {
    const warm = analyze(changed, { limits });
    assertSame(warm, cold(changed, { limits }), changed.slice(0, 40));
    assert.ok(warm.diagnostics.some((d) => d.code === 'too-large'));
    analyze(text, { limits });
  }
  // The same text with other limits is not the same analysis.
  cold(text);
  assertSame(analyze(text, { limits }), cold(text, { limits }), 'other limits');
});

test('typing in a model replaces its remembered analysis: edits do not pile up entries', () => {
  const text = `${readExample('imagenet/resnet18.resnet')}\n${readExample('cifar/resnet56.resnet')}`;
  const models = cold(text).models.length;
  const held = analysisCacheSize();
  assert.equal(held.entries, models);
  for (let k = 1; k <= 20; k++) analyze(text.replace(/basic\(512\)( +)x 2/, `basic(512)$1x ${k}`));
  assert.equal(analysisCacheSize().entries, models);
  analyze(text);
  assert.deepEqual(analysisCacheSize(), held);
});
