// Property tests: no input, random or mutated from a real example, makes the parser or the
// analyzer throw or hang, and every diagnostic range lies inside the text. How fast the analysis
// is belongs to the benchmarks (npm run bench, bench:diagnostics); here a hang is caught by each
// test's timeout, which is far above any honest run even on a loaded machine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../src/core/analysis/analyze';
import { exampleFiles, readExample } from '../helpers/examples';

const examples = exampleFiles().map(readExample);
const fragments = [
  'model',
  'block',
  'let',
  'train',
  'add',
  'conv',
  'bn',
  'relu',
  'maxpool',
  'avgpool',
  'fc',
  'basic',
  'bottleneck',
  '{',
  '}',
  '(',
  ')',
  ',',
  '\n',
  ' x ',
  '×',
  '3x3',
  '224x224x3',
  '=',
  '+',
  '*',
  '/',
  '-',
  'stride',
  'shortcut',
  'A',
  '//',
  '/*',
  '*/',
  '32k',
  '1e-4',
  ':',
  ';',
  'n',
];

function checkWellBehaved(text: string): void {
  const result = analyze(text);
  for (const d of result.diagnostics) {
    assert.ok(d.range.startOffset >= 0 && d.range.endOffset <= text.length && d.range.startOffset <= d.range.endOffset, JSON.stringify(d.range));
    assert.ok(d.range.startLine >= 1 && d.range.startColumn >= 1);
    assert.ok(d.message.length > 0);
  }
}

test('random text never throws', { timeout: 120_000 }, () => {
  fc.assert(fc.property(fc.string({ maxLength: 400 }), checkWellBehaved), { numRuns: 300 });
});

test("random sequences of the language's own words never throw", { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 120 }), (words) => checkWellBehaved(words.join(' '))),
    { numRuns: 400 },
  );
});

test('examples with random deletions, insertions and swaps never throw', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(fc.nat({ max: examples.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.constantFrom(...fragments, '')), { minLength: 1, maxLength: 6 }), (index, edits) => {
      let text = examples[index];
      for (const [at, length, insert] of edits) {
        const start = at % (text.length + 1);
        text = text.slice(0, start) + insert + text.slice(start + length);
      }
      checkWellBehaved(text);
    }),
    { numRuns: 300 },
  );
});

test('pathological inputs: deep nesting, a huge file, a huge number, an endless comment', { timeout: 120_000 }, () => {
  checkWellBehaved(`model m {\n  input 8x8x3\n  a conv 3x3, ${'('.repeat(5000)}8${')'.repeat(5000)}\n}`);
  checkWellBehaved('model m { input 8x8x3\n a conv 3x3, 99999999999999999999999999, stride 1e308 }');
  checkWellBehaved('/* never closed\nmodel m { input 8x8x3 }');
  checkWellBehaved(`model m {\n  input 8x8x3\n${'  s conv 3x3, 8\n'.repeat(20000)}}`);
});
