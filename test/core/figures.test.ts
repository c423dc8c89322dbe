// Every figure of the reference table (test/fixtures/reference-figures.md) equals the analyzer's,
// digit for digit, for the example that describes that architecture. The table is typed in: PyTorch
// computed it once (torchvision's constructors and a twin of the paper's CIFAR networks, with
// forward hooks), and each row names its source there (torchvision's model pages, the paper's
// tables). No PyTorch runs here: this compares with the table, not with PyTorch itself.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { readExample } from '../helpers/examples';

/** Which example file describes each row of the table. */
const rowToExample: [RegExp, string][] = [
  [/^ResNet-(18|34) \(paper Table 1/, 'imagenet/resnet$1.resnet'],
  [/^ResNet-(50|101|152), paper v1/, 'imagenet/resnet$1.resnet'],
  [/^ResNet-(50|101|152), torchvision v1\.5/, 'torchvision/resnet$1.resnet'],
  [/^CIFAR ResNet-(\d+), option A/, 'cifar/resnet$1.resnet'],
  [/^CIFAR ResNet-(\d+), option B/, 'cifar/resnet$1-b.resnet'],
  [/^CIFAR plain-(\d+) \(no shortcuts\)/, 'cifar/plain$1.resnet'],
];

function referenceRows(): { architecture: string; input: string; params: number; macs: number }[] {
  const text = readFileSync('test/fixtures/reference-figures.md', 'utf8');
  const rows = [];
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 6 || !/^[\d,]+$/.test(cells[3] ?? '')) continue;
    rows.push({ architecture: cells[1], input: cells[2], params: Number(cells[3].replace(/,/g, '')), macs: Number(cells[4].replace(/,/g, '')) });
  }
  return rows;
}

const rows = referenceRows();

test('the reference table is read whole', () => {
  assert.equal(rows.length, 19);
});

for (const row of rows) {
  test(`${row.architecture}: params and MACs equal the reference table's (reference-figures.md, counted by PyTorch)`, () => {
    const match = rowToExample.find(([re]) => re.test(row.architecture));
    assert.ok(match, `no example mapped for ${row.architecture}`);
    const file = row.architecture.replace(match[0], match[1]).replace(/ .*$/, '');
    const analysis = analyze(readExample(file.replace(/^(.*?\.resnet).*/, '$1')));
    assert.deepEqual(
      analysis.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.equal(analysis.models.length, 1);
    const model = analysis.models[0];
    assert.equal(`${model.input[0]}×${model.input[1]}`, row.input);
    assert.equal(model.cost.params, row.params);
    assert.equal(model.cost.macs, row.macs);
  });
}
