// The formatter on every example: it leaves the examples as written, restores them from a mangled
// copy, keeps every comment, is idempotent, and never changes what a file means.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { resnetLexer } from '../../src/core/language/tokens';
import { formatText } from '../../src/server/formatting';
import { exampleFiles, readExample } from '../helpers/examples';

const format = (text: string) => formatText(text, analyze(text).file);

/** What a file means: each model's name, shapes and costs, and what is wrong with it. */
function figures(text: string) {
  const analysis = analyze(text);
  return {
    models: analysis.models.map((m) => ({ name: m.name, output: m.output, cost: m.cost, depth: m.depth, stages: m.stages.map((s) => [s.name, s.output]) })),
    diagnostics: analysis.diagnostics.map((d) => `${d.code}: ${d.message}`),
  };
}

function comments(text: string): string[] {
  return (resnetLexer.tokenize(text).groups.comments ?? []).map((c) => c.image);
}

/** Indentation stripped, spaces put before commas and taken from after them, trailing blanks added: code only. */
function mangle(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.trimStart().startsWith('//') ? line : line.trimStart().replace(/, /g, ' ,') + (line.trim() ? '   ' : '\t')))
    .join('\n');
}

for (const file of exampleFiles()) {
  test(`formatting ${file} keeps it as written, and restores it from a mangled copy`, () => {
    const text = readExample(file);
    assert.equal(format(text), text);
    const mangled = mangle(text);
    assert.notEqual(mangled, text);
    assert.deepEqual(figures(mangled), figures(text));
    assert.equal(format(mangled), text);
  });
}

test('formatting never changes meaning, keeps comments and is idempotent on awkward input', () => {
  const samples = [
    'model a{\ninput 8x8x3,classes 2\nconv1:conv 3x3,4 // c\n  fc 2\n}',
    '/* block\n   comment */ model b {\n  input 8x8x3, classes 2\n  stem conv 3x3, 4,\n      stride 2\n  head avgpool, fc 2\n}\n',
    'let w = 4\r\nblock k(c,s = 1) {\r\nconv 3x3, c, stride s\r\nbn ; relu\r\nadd { conv 1x1 , c , stride s\r\nbn }\r\n}\r\n',
    'model c(n) {\n input 8x8x3, classes 2\n  x1 basic(4) x n\n   head avgpool, fc 2 }\nmodel d = c(n = 2)\n',
    'model broken { input 8x8x3 @@ classes 2\n conv 3x3,\n}}\n',
  ];
  for (const text of samples) {
    const once = format(text);
    assert.deepEqual(figures(once), figures(text), text);
    assert.deepEqual(comments(once), comments(text));
    assert.equal(format(once), once, `not idempotent:\n${once}`);
    assert.equal(once.split(/\r\n|\r|\n/).length, text.split(/\r\n|\r|\n/).length);
  }
});
