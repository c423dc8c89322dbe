// What one file may cost, and the messages at the limits (issue 9): hostile and merely huge
// inputs end with diagnostics, never a crash, a hang or a wrong digit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_DIAGNOSTICS_PER_FILE, analyze } from '../../src/core/analysis/analyze';
import { MAX_SOURCE_BYTES } from '../../src/core/sourceSize';
import { MAX_BLOCK_NESTING } from '../../src/core/analysis/context';

test('300 KB of one bad character: no stack overflow, diagnostics capped with one that counts the rest', () => {
  const text = '@ '.repeat(150_000);
  const a = analyze(text);
  assert.equal(a.diagnostics.length, MAX_DIAGNOSTICS_PER_FILE);
  const last = a.diagnostics[a.diagnostics.length - 1];
  const rest = 150_000 - (MAX_DIAGNOSTICS_PER_FILE - 1);
  assert.match(last.message, new RegExp(`^and ${rest.toLocaleString('en-US')} more problems`));
  assert.equal(a.counts.errors, 150_000);
});

test('the cap keeps errors before warnings: an error is not hidden behind hundreds of warnings', () => {
  const lets = Array.from({ length: 400 }, (_, i) => `let unused${i} = ${i}`).join('\n');
  const a = analyze(`${lets}\nmodel m {\n  input 8x8x3\n  s conv 3x3, 8, stride 0\n}`);
  assert.equal(a.diagnostics.length, MAX_DIAGNOSTICS_PER_FILE);
  assert.ok(a.diagnostics.some((d) => d.severity === 'error' && /stride/.test(d.message)));
  assert.equal(a.counts.warnings, 400);
});

test('fifty instances of a huge template (1.2 KB): each refused before its blocks are built, in bounded time', () => {
  const instances = Array.from({ length: 50 }, (_, i) => `model m${i} = t(n = 80000)`).join('\n');
  const text = `model t(n) {\n  input 8x8x3\n  s basic(4) x n\n}\n${instances}\n`;
  const started = performance.now();
  const a = analyze(text);
  assert.ok(performance.now() - started < 60_000, `${performance.now() - started} ms`);
  assert.deepEqual(a.models, []);
  assert.deepEqual(
    a.diagnostics.map((d) => d.message),
    ['this model expands to more than 250,000 layers; reduce a repeat count'],
  );
});

test('the layers of all the models of a file are bounded: models past the bound are refused before they expand', () => {
  const limits = { layersPerModel: 1000, layersPerFile: 2500, milliseconds: 60_000 };
  const instances = Array.from({ length: 6 }, (_, i) => `model m${i} = t(n = 90)`).join('\n');
  const text = `model t(n) {\n  input 8x8x3\n  s basic(4) x n\n}\n${instances}\n`;
  const a = analyze(text, { limits });
  // Each instance spends 540 of the budget (5 layers and the block itself, 90 times): four fit in 2,500.
  assert.deepEqual(
    a.models.map((m) => m.name),
    ['m0', 'm1', 'm2', 'm3'],
  );
  assert.deepEqual(
    a.diagnostics.map((d) => d.message),
    ['the models of this file expand to more than 2,500 layers in all; reduce a repeat count or split the file'],
  );
  // A file whose budget is spent to the last layer refuses the next model at its name, unexpanded.
  const exact = analyze('model a {\n  input 8x8x3\n  s conv 3x3, 8\n}\nmodel b {\n  input 8x8x3\n  s conv 3x3, 8\n}', { limits: { layersPerModel: 1, layersPerFile: 1, milliseconds: 60_000 } });
  assert.deepEqual(
    exact.models.map((m) => m.name),
    ['a'],
  );
  assert.equal(exact.diagnostics[0].message, 'not analyzed: the models above already expand to 1 layers, the most one file may have; split the file');
});

test('the time of a file is bounded: past it, models are refused with a message that says so', () => {
  const a = analyze('model a {\n  input 8x8x3\n  s conv 3x3, 8\n}\nmodel b {\n  input 8x8x3\n  s conv 3x3, 8\n}', { limits: { layersPerModel: 1000, layersPerFile: 1000, milliseconds: 0 } });
  assert.deepEqual(a.models, []);
  assert.deepEqual(
    a.diagnostics.map((d) => d.message),
    [
      'not analyzed: this file took over 0 s to analyze and was stopped here; reduce repeat counts or split the file',
      'not analyzed: this file took over 0 s to analyze and was stopped here; reduce repeat counts or split the file',
    ],
  );
});

test('a repeat count beyond what is left is refused before the first block is built', () => {
  const started = performance.now();
  const a = analyze('model m {\n  input 8x8x3\n  s basic(4) x 99999\n  t basic(4) x 99999\n  u basic(4) x 99999\n}');
  assert.ok(performance.now() - started < 60_000);
  assert.equal(a.diagnostics.filter((d) => d.code === 'too-large').length, 1);
});

test('a text longer than the limit is refused at once with one diagnostic', () => {
  const text = 'model m {\n  input 8x8x3\n}\n'.padEnd(MAX_SOURCE_BYTES + 1, ' ');
  const a = analyze(text);
  assert.equal(a.diagnostics.length, 1);
  assert.match(a.diagnostics[0].message, /^this file is 1,048,577 bytes of UTF-8, over the 1,048,576 bytes \(1 MiB\) a \.resnet file may have/);
  assert.deepEqual(a.models, []);
});

test('counts past 2^53 are refused, never printed rounded: one huge layer, and a sum of exact ones', () => {
  const layer = analyze('model m {\n  input 32x32x3\n  a conv 3x3, 1099511627776\n}');
  assert.deepEqual(layer.models, []);
  assert.ok(layer.diagnostics.some((d) => d.code === 'too-large' && /past 2\^53/.test(d.message)));
  // Each layer has 2^52 parameters (exact); the model has more than 2^53.
  const sum = analyze('model m {\n  input 1x1x1048576\n  a conv 1x1, 4294967296\n  b conv 1x1, 1048576\n}');
  assert.deepEqual(sum.models, []);
  assert.ok(
    sum.diagnostics.some((d) => d.code === 'too-large' && /model `m` has about 9\.0\de\+15 parameters, past 2\^53/.test(d.message)),
    JSON.stringify(sum.diagnostics),
  );
});

test('a chain of 5,000 blocks: the depth is named, not "simplify the deepest expression", and no false "never used"', () => {
  const lines = ['block b0(w) { conv 3x3, w }'];
  for (let i = 1; i < 5000; i++) lines.push(`block b${i}(w) { b${i - 1}(w) }`);
  lines.push('model m {\n  input 8x8x3\n  s b4999(4)\n}');
  const a = analyze(lines.join('\n'));
  assert.equal(a.diagnostics.length, 1, JSON.stringify(a.diagnostics.slice(0, 3).map((d) => d.message)));
  assert.match(a.diagnostics[0].message, new RegExp(`blocks call blocks more than ${MAX_BLOCK_NESTING} deep here \\(b4999 → b4998 → b4997 → …`));
});

test('`stride -1` is stride minus one as a value, refused by name; `w - 1` stays an expression', () => {
  const conv = analyze('model m {\n  input 8x8x3\n  s conv 3x3, 8, stride -1\n}');
  assert.deepEqual(
    conv.diagnostics.map((d) => d.message),
    ['`stride` of `conv` must be at least 1, not -1'],
  );
  const stage = analyze('model m {\n  input 8x8x3\n  s basic(8) x 2, stride -1\n}');
  assert.deepEqual(
    stage.diagnostics.map((d) => d.message),
    ['stride must be at least 1, not -1'],
  );
  const expr = analyze('let w = 9\nmodel m {\n  input 8x8x3\n  s conv 3x3, w - 1\n}');
  assert.deepEqual(expr.diagnostics, []);
  assert.equal(expr.models[0].output[2], 8);
});

test('`x` is a name wherever a name is expected, and "times" between operands', () => {
  const cases: [string, number][] = [
    ['model x {\n  input 32x32x3\n  s conv 3x3, 8\n}', 216],
    ['let x = 8\nmodel m {\n  input 32x32x3\n  s conv 3x3, x\n}', 216],
    ['block x(w) { conv 3x3, w }\nmodel m {\n  input 32 x 32 x 3\n  s x(8) x 2\n}', 216 + 8 * 8 * 9],
    ['model t(x) {\n  input 32x32x3\n  s conv 3x3, x\n}\nmodel m = t(x = 8)', 216],
    ['let k = 3\nmodel m {\n  input 32x32x3\n  s conv k x k, 8\n}', 216],
  ];
  for (const [text, params] of cases) {
    const a = analyze(text);
    assert.deepEqual(
      a.diagnostics.filter((d) => d.severity === 'error'),
      [],
      text,
    );
    assert.equal(a.models[a.models.length - 1].cost.params, params, text);
  }
});

test('a template of a template is followed to the body; a cycle of templates is named', () => {
  const a = analyze('model t(n) {\n  input 32x32x3, classes 10\n  s basic(16) x n\n  head avgpool, fc 10\n}\nmodel t2(k) = t(n = k * 2)\nmodel a = t2(k = 3)\nmodel b = t(n = 6)');
  assert.deepEqual(a.diagnostics, []);
  assert.equal(a.models.find((m) => m.name === 'a')?.cost.params, a.models.find((m) => m.name === 'b')?.cost.params);
  const cycle = analyze('model t(n) = u(n = n)\nmodel u(n) = t(n = n)\nmodel a = t(n = 3)');
  assert.ok(cycle.diagnostics.some((d) => /model templates instantiate each other \(a → t → u → t\)/.test(d.message)));
});

test('augment on a non-square input: the default crop is the input itself; a square crop is refused by its shape', () => {
  const model = (augment: string) => `model m {\n  input 32x28x1, classes 10\n  s conv 3x3, 8\n  head avgpool, fc 10\n  train {\n    ${augment}\n  }\n}`;
  for (const augment of ['augment none', 'augment pad 4, flip', 'augment flip']) assert.deepEqual(analyze(model(augment)).diagnostics, [], augment);
  const square = analyze(model('augment pad 4, crop 28'));
  assert.match(square.diagnostics[0].message, /`crop 28` is a square crop, but the input is 32×28/);
});

test('a trailing comma at the end of a stage line is named, and the next line stays its own', () => {
  const text = 'model m {\n  input 32x32x3, classes 10\n  conv1 conv 3x3, 8, stride 2,\n  head avgpool, fc 10\n}';
  const a = analyze(text);
  assert.equal(a.diagnostics.length, 1);
  assert.equal(text.slice(a.diagnostics[0].range.startOffset, a.diagnostics[0].range.endOffset), ',');
  assert.equal(a.diagnostics[0].range.startLine, 3);
  assert.match(a.diagnostics[0].message, /this comma ends the line/);
  assert.deepEqual(
    a.models[0].stages.map((s) => s.name),
    ['conv1', 'head'],
  );
  // An indented next line continues the statement, as before.
  assert.deepEqual(analyze('model m {\n  input 32x32x3, classes 10\n  conv1 conv 3x3, 8,\n        bn, relu\n  head avgpool, fc 10\n}').diagnostics, []);
});

test('control characters of a binary file are escaped in messages', () => {
  const a = analyze('\u007f\u001b[31mred\u009b');
  for (const d of a.diagnostics) assert.doesNotMatch(d.message, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  assert.match(a.diagnostics[0].message, /\\u007f\\u001b\[/);
});
