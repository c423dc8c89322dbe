// Every error and warning the analyzer gives: where it points and what fix it names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import type { Diagnostic } from '../../src/core/diagnostics';
import { format } from '../../src/core/l10n/format';

const head = '  input 32x32x3, classes 10\n';
const tail = '  head avgpool, fc 10\n';

function diagnose(text: string): Diagnostic[] {
  return [...analyze(text).diagnostics];
}

/** The one diagnostic with `code`, and the text it points at. */
function one(text: string, code: Diagnostic['code']): { d: Diagnostic; at: string } {
  const found = diagnose(text).filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(diagnose(text).map((d) => d.message))}`);
  return { d: found[0], at: text.slice(found[0].range.startOffset, found[0].range.endOffset) };
}

test('an identity shortcut over a shape change: both shapes, both fixes, related information on both sides', () => {
  const text = `model m {\n${head}  shortcut identity\n  c conv 3x3, 16\n  s1 basic(16) x 2\n  s2 basic(32) x 2, stride 2\n${tail}}`;
  const { d, at } = one(text, 'shortcut-mismatch');
  assert.equal(d.severity, 'error');
  assert.equal(at, 'basic(32) x 2, stride 2');
  assert.match(d.message, /32×32×16 to 16×16×32/);
  assert.match(d.message, /option A/);
  assert.match(d.message, /B \(a 1×1 projection\)/);
  assert.deepEqual(d.fix, { kind: 'shortcut-option', options: ['A', 'B'] });
  assert.equal(d.related?.length, 2);
  assert.match(d.related?.[0].message ?? '', /32×32×16/);
  assert.match(d.related?.[1].message ?? '', /16×16×32/);
});

test('option A cannot remove channels: only a projection is offered', () => {
  const text = `model m {\n${head}  shortcut A\n  c conv 3x3, 64\n  s1 basic(32)\n${tail}}`;
  const { d } = one(text, 'shortcut-mismatch');
  assert.match(d.message, /cannot remove channels/);
  assert.deepEqual(d.fix, { kind: 'shortcut-option', options: ['B'] });
});

test('a hand-written shortcut branch that does not match the residual branch', () => {
  const text = `block b(w) {\n  conv 3x3, w\n  bn\n  add { conv 1x1, 8 }\n  relu\n}\nmodel m {\n${head}  s b(16)\n${tail}}`;
  const { d, at } = one(text, 'shortcut-mismatch');
  assert.equal(at, 'add { conv 1x1, 8 }');
  assert.match(d.message, /32×32×8 to 32×32×16/);
});

test('the spatial size reaching zero names the layer and the shapes', () => {
  const text = 'model m {\n  input 4x4x3\n  a conv 3x3, 8, stride 2\n  b conv 3x3, 8, stride 2\n  c conv 3x3, 8, stride 2, pad 0\n}';
  const { d, at } = one(text, 'zero-size');
  assert.equal(at, 'conv 3x3, 8, stride 2, pad 0');
  assert.match(d.message, /output would be 0×0/);
  assert.match(d.message, /1×1×8 input/);
});

test('groups that do not divide the channels', () => {
  const { d, at } = one('model m {\n  input 8x8x3\n  a conv 3x3, 16, groups 4\n}', 'groups');
  assert.equal(at, 'conv 3x3, 16, groups 4');
  assert.match(d.message, /groups 4 must divide both the 3 input channels and the 16 filters/);
});

test('wrong argument types and counts', () => {
  const cases: [string, RegExp][] = [
    ['a conv 3x3x3, 8', /`kernel` of `conv` is written like `3x3` or `3`/],
    ['a conv 3x3, 8, 2, 7', /too many arguments for `conv`/],
    ['a conv 3x3, 2.5', /`filters` of `conv` must be a whole number, not 2.5/],
    ['a conv 3x3', /`conv` needs a kernel and a number of filters/],
    ['a conv 3x3, 8, bias maybe', /`bias` of `conv` is on or off/],
    ['a conv 3x3, 8, stride 0', /`stride` of `conv` must be at least 1, not 0/],
    ['a conv 3x3, 8, strde 2', /`conv` has no argument `strde`; did you mean `stride`\?/],
    ['a conv 3x3, 8, stride 1, stride 2', /given `stride` twice/],
    ['a basic(8) x (0 - 1)', /repeats a whole number of times from 0/],
    ['a basic()', /`basic` needs its width/],
    ['a maxpool', /`maxpool` needs a window/],
  ];
  for (const [line, message] of cases) {
    const found = diagnose(`model m {\n  input 8x8x8\n  ${line}\n}`).filter((d) => d.code === 'argument');
    assert.ok(
      found.some((d) => message.test(d.message)),
      `${line}: ${JSON.stringify(found.map((d) => d.message))}`,
    );
    for (const d of found) assert.equal(d.range.startLine, 3, line);
  }
});

test('unknown names everywhere, with the closest known name as a fix', () => {
  const text = [
    'model m {',
    '  input 8x8x3, classes 2',
    '  shortcat B', // unknown setting
    '  a conv 3x3, widht', // unknown value name
    '  b bsic(8)', // unknown block
    '  head avgpool, fc 2',
    '  train { batch 8\n    sdg lr 0.1 }', // unknown recipe setting
    '}',
    'model n = famly(n = 1)', // unknown template
    'model family(n) {\n  input 8x8x3\n  s basic(8) x n\n}',
  ].join('\n');
  const unknown = diagnose(text).filter((d) => d.code === 'unknown-name' || d.code === 'recipe');
  const renames = unknown.map((d) => (d.fix?.kind === 'rename' ? d.fix.to : undefined));
  assert.ok(renames.includes('shortcut'));
  assert.ok(renames.includes('basic'));
  assert.ok(renames.includes('sgd'));
  assert.ok(renames.includes('family'));
  assert.ok(unknown.some((d) => /unknown name `widht`/.test(d.message)));
});

test('duplicates: models, blocks, built-in names, parameters, stages, lets and settings', () => {
  const text = [
    'let k = 1',
    'let k = 2',
    'block basic(w) { conv 3x3, w }',
    'block b(w, w) { conv 3x3, w }',
    'block b(w) { conv 3x3, w }',
    'model m {\n  input 8x8x3\n  input 8x8x3\n  s b(k) \n  s conv 1x1, 4\n}',
    'model m { input 8x8x3 }',
  ].join('\n');
  const messages = diagnose(text)
    .filter((d) => d.code === 'duplicate')
    .map((d) => d.message);
  for (const pattern of [
    /`k` is already defined/,
    /`basic` is a built-in block/,
    /parameter `w` is listed twice/,
    /block `b` is already defined/,
    /`input` is set twice/,
    /stage `s` is already defined/,
    /model `m` is already defined/,
  ]) {
    assert.ok(
      messages.some((m) => pattern.test(m)),
      `${pattern}: ${JSON.stringify(messages)}`,
    );
  }
});

test('a block that uses itself is an error, not a hang', () => {
  const text = 'block a(w) { conv 3x3, w\n b(w) }\nblock b(w) { a(w) }\nmodel m {\n  input 8x8x3\n  s a(4)\n}';
  const { d } = one(text, 'recursion');
  assert.match(d.message, /a → b → a/);
});

test('an enormous repeat count stops with an error instead of expanding', () => {
  const started = Date.now();
  const found = diagnose('model m {\n  input 8x8x3\n  s basic(3) x 99999\n}').filter((d) => d.code === 'too-large');
  assert.equal(found.length, 1);
  assert.ok(Date.now() - started < 20_000);
});

test('recipe errors: values out of range, milestones out of order, a crop that does not fit', () => {
  const text = `model m {\n${head}${tail}  train {\n    batch 0\n    decay 0.1 at 48k, 32k\n    iterations 64k\n    augment pad 0, crop 40\n  }\n}`;
  const messages = diagnose(text)
    .filter((d) => d.code === 'recipe')
    .map((d) => d.message);
  assert.ok(messages.some((m) => /`size` of `batch` must be/.test(m)));
  assert.ok(messages.some((m) => /milestones must increase/.test(m)));
  assert.ok(messages.some((m) => /40×40 crop does not fit/.test(m)));
});

test('layer_stats: a schedule and a batch, off, and the values it refuses (English and Korean)', () => {
  const recipeOf = (line: string) => {
    const analysis = analyze(`model m {\n${head}${tail}  train {\n    ${line}\n  }\n}`);
    return { layerStats: analysis.models[0]?.recipe.layerStats, messages: analysis.diagnostics.map((d) => d.message) };
  };
  assert.deepEqual(recipeOf('batch 8').layerStats, { images: 64 }, 'the default: the default steps on 64 images');
  assert.deepEqual(recipeOf('layer_stats every 50, images 16'), { layerStats: { every: 50, images: 16 }, messages: [] });
  assert.deepEqual(recipeOf('layer_stats off'), { layerStats: undefined, messages: [] });
  assert.match(recipeOf('layer_stats every 0').messages.join(), /`every` of `layer_stats` must be a whole number of at least 1, not 0/);
  assert.match(recipeOf('layer_stats images 2.5').messages.join(), /`images` of `layer_stats` must be a whole number/);
  assert.match(recipeOf('layer_stats off, every 10').messages.join(), /`layer_stats off` turns the layer statistics off: leave out `every` and `images`, or remove `off`/);
  assert.match(format('ko', 'recipe.layerStatsOff'), /층 통계를 끕니다/);
});

test('the model must end in its classes', () => {
  const { d } = one(`model m {\n${head}  s conv 3x3, 8\n}`, 'argument');
  assert.match(d.message, /ends in 32×32×8 but has 10 classes/);
});

test('warning: a plain network deeper than 20 layers (Fig. 6), but not a residual one or plain-20', () => {
  const plain = (n: number, option: string) => `model m {\n${head}  shortcut ${option}\n  c conv 3x3, 16, bn, relu\n  s basic(16) x ${n}\n${tail}}`;
  const { d } = one(plain(10, 'none'), 'plain-depth');
  assert.equal(d.severity, 'warning');
  assert.match(d.message, /22 layers/);
  assert.match(d.message, /Fig\. 6/);
  assert.equal(diagnose(plain(10, 'A')).filter((x) => x.code === 'plain-depth').length, 0);
  assert.equal(diagnose(plain(9, 'none')).filter((x) => x.code === 'plain-depth').length, 0);
});

test('warning: stride 2 that leaves the last row unread; not where the windows reach the edge', () => {
  // Without padding, 3×3 windows at rows 0, 2, 4 of 8 reach row 6: row 7 is read by none.
  const { d, at } = one('model m {\n  input 8x8x3\n  a conv 3x3, 8, stride 2, pad 0\n}', 'odd-stride');
  assert.equal(d.severity, 'warning');
  assert.equal(at, 'conv 3x3, 8, stride 2, pad 0');
  assert.match(d.message, /reads the last row and the last column with no window/);
  assert.equal(diagnose('model m {\n  input 8x8x3\n  a conv 3x3, 8, stride 2\n}').length, 0);
});

test('warnings: unused lets, blocks, templates and parameters', () => {
  const text = 'let spare = 3\nblock idle(w) { conv 3x3, w }\nblock used(w, extra = 1) { conv 3x3, w }\nmodel t(n) { input 8x8x3 }\nmodel m {\n  input 8x8x3\n  s used(4)\n}';
  const unused = diagnose(text).filter((d) => d.code === 'unused');
  assert.deepEqual(
    unused.map((d) => d.severity),
    ['warning', 'warning', 'warning', 'warning'],
  );
  const names = unused.map((d) => text.slice(d.range.startOffset, d.range.endOffset));
  assert.deepEqual(names.sort(), ['extra', 'idle', 'spare', 't']);
});

test('the clean examples have no diagnostics beyond the expected plain-depth warnings', () => {
  assert.deepEqual(diagnose('model m {\n  input 8x8x3, classes 2\n  s basic(4) x 2\n  h avgpool, fc 2\n}'), []);
});

test('the odd-size warning follows the geometry: it fires exactly where a real row is read by no window', () => {
  // The rule checked against brute force: mark every padded row each window reads, over many sizes.
  const unreadByBruteForce = (size: number, k: number, s: number, p: number): boolean => {
    const read = new Array<boolean>(size + 2 * p).fill(false);
    const windows = Math.floor((size + 2 * p - k) / s) + 1;
    // A stride cell's rows between windows (k < s) are subsampled by design; only the tail counts.
    for (let i = 0; i < windows; i++) for (let r = i * s; r < i * s + Math.max(k, s) && r < read.length; r++) read[r] = true;
    for (let r = p; r < p + size; r++) if (!read[r]) return true;
    return false;
  };
  for (const [k, s, p] of [
    [7, 2, 3],
    [3, 2, 1],
    [3, 2, 0],
    [1, 2, 0],
    [2, 2, 0],
    [3, 3, 1],
    [5, 4, 2],
  ] as const) {
    for (const size of [7, 8, 9, 15, 16, 56, 57, 224, 227]) {
      if (Math.floor((size + 2 * p - k) / s) + 1 < 1) continue;
      const text = `model m {\n  input ${size}x${size}x3\n  a conv ${k}x${k}, 8, stride ${s}, pad ${p}\n}`;
      const warned = diagnose(text).some((d) => d.code === 'odd-stride');
      assert.equal(warned, unreadByBruteForce(size, k, s, p), `${k}×${k} stride ${s} pad ${p} over ${size}`);
    }
  }
  // The paper's stem over 227×227 (AlexNet's size): the 7×7 windows with padding 3 read every row.
  assert.equal(diagnose('model m {\n  input 227x227x3\n  a conv 7x7, 64, stride 2\n}').filter((d) => d.code === 'odd-stride').length, 0);
});
