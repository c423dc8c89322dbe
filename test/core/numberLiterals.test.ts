// Number literals are read exactly or refused where they are written (issue 18, item 5): a
// whole number past 2^53 − 1, or a fraction a double cannot hold, is never silently another number.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { render } from '../../src/core/l10n/format';
import { LARGEST_EXACT_NUMBER, readNumberLiteral } from '../../src/core/language/numberLiteral';

const at = (text: string) =>
  analyze(text)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.range.startLine}:${d.range.startColumn} ${d.message}`);

test('a whole number past 2^53 − 1 is an error at the literal, and nothing is computed from a rounded one', () => {
  // 9007199254740993 reads as 9007199254740992 in a double: `q - 9007199254740990` was 2, silently.
  const a = analyze('let q = 9007199254740993\nmodel m {\n  input 8x8x3\n  s conv 3x3, q - 9007199254740990\n}');
  const literal = a.diagnostics.find((d) => d.range.startLine === 1);
  assert.ok(literal, JSON.stringify(a.diagnostics));
  assert.equal(literal.severity, 'error');
  assert.equal(literal.range.startColumn, 9);
  assert.equal(literal.range.endColumn, 9 + '9007199254740993'.length);
  assert.equal(literal.message, '`9007199254740993` is past 9,007,199,254,740,991 (2^53 − 1), the largest whole number held exactly, and would be read as another number; write a smaller one');
  assert.deepEqual(a.models, [], 'no conv of 2 filters');
  // Both sides of `99999999999999999999 - 99999999999999999996` are refused; no "must be at least 1, not 0".
  const both = at('model m {\n  input 8x8x3\n  s conv 3x3, 99999999999999999999 - 99999999999999999996\n}');
  assert.ok(
    both.includes('3:15 `99999999999999999999` is past 9,007,199,254,740,991 (2^53 − 1), the largest whole number held exactly, and would be read as another number; write a smaller one'),
    both.join('\n'),
  );
  assert.ok(both.some((m) => m.startsWith('3:38 `99999999999999999996` is past')));
  assert.ok(!both.some((m) => /at least 1, not 0/.test(m)), both.join('\n'));
});

test('seeds 9007199254740992 and 9007199254740993 are refused as inexact, not called duplicates', () => {
  const text = `model t(n) {\n  input 8x8x3, classes 2\n  s basic(4) x n\n  head avgpool, fc 2\n}\nexperiment e {\n  grid t(n = 1)\n  seeds 9007199254740992, 9007199254740993\n}`;
  const errors = at(text);
  assert.ok(!errors.some((m) => /duplicate seed/.test(m)), errors.join('\n'));
  assert.ok(errors.some((m) => m.startsWith('8:9 `9007199254740992` is past')));
  assert.ok(errors.some((m) => m.startsWith('8:27 `9007199254740993` is past')));
});

test('an exponent or a k/M suffix cannot carry a literal past the limit, nor a fraction to another number', () => {
  for (const literal of ['1e16', '9.1e15', '9007199254741k', '9007199255M', '1e400', '1.5e300']) {
    const r = readNumberLiteral(literal);
    assert.equal(r.ok, false, literal);
  }
  // Before: `1e400` was Infinity, and said so in a message ("not Infinity").
  const grid = at('model t(n) {\n  input 8x8x3\n  s basic(4) x n\n}\nexperiment e {\n  grid t(n = 1e400)\n}');
  assert.ok(
    grid.some((m) => m.startsWith('6:14 `1e400` is past')),
    grid.join('\n'),
  );
  assert.ok(!grid.some((m) => /Infinity/.test(m)), grid.join('\n'));
  // A fraction with more digits than a double keeps, or too small to tell from 0.
  assert.deepEqual(readNumberLiteral('0.1000000000000000001').ok, false);
  assert.deepEqual(readNumberLiteral('9007199254740990.5').ok, false);
  const tiny = at('model m {\n  input 8x8x3\n  s conv 3x3, 8\n  train {\n    sgd lr 1e-400\n  }\n}');
  assert.ok(tiny.includes('5:12 `1e-400` cannot be held exactly and would be read as 0; write a number that can be, such as 0'), tiny.join('\n'));
});

test('every literal a double holds exactly reads as itself', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['64', 64],
    ['0.1', 0.1],
    ['1e-4', 1e-4],
    ['32k', 32_000],
    ['1.5k', 1500],
    ['2M', 2_000_000],
    ['0.5M', 500_000],
    ['9007199254740991', LARGEST_EXACT_NUMBER],
    ['9.007199254740991e15', LARGEST_EXACT_NUMBER],
    ['000123.4500', 123.45],
    ['1e-300', 1e-300],
  ];
  for (const [literal, value] of cases) assert.deepEqual(readNumberLiteral(literal), { ok: true, value }, literal);
  assert.deepEqual(
    at('model m {\n  input 8x8x3, classes 10\n  s conv 3x3, 16, bn, relu\n  head avgpool, fc 10\n  train {\n    sgd lr 0.1, momentum 0.9\n    iterations 64k\n    decay 0.1 at 32k, 48k\n  }\n}'),
    [],
  );
});

test('the message names the literal and the limit in Korean too', () => {
  const d = analyze('let q = 9007199254740993\n').diagnostics.find((x) => x.severity === 'error');
  assert.ok(d?.text);
  assert.equal(render('ko', d.text), '`9007199254740993`은(는) 정확히 담을 수 있는 가장 큰 정수 9,007,199,254,740,991(2^53 − 1)보다 커서 다른 수로 읽히게 됩니다. 더 작은 수를 쓰세요');
});
