// Every compute convention against its tool: ptflops (each version and backend) and thop against
// the figures they publish for torchvision models, ptflops also digit for digit against what it
// counted itself (both cited in fixtures/published-compute.json), every tool's own count of the
// modern examples (fixtures/tool-compute-modern.json), `flops` against PyTorch 1.13's
// own profiler on exported examples, and the hover's line on what the other tools would print.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import type { ModelNode } from '../../src/core/analysis/network';
import { computeCost, isConvention, otherToolsLines, type Convention } from '../../src/core/report/conventions';
import { examplesDir, readExample } from '../helpers/examples';
import { exportModels, measureWith, torchPython } from '../helpers/torchPeer';

interface Published {
  readonly source: string;
  readonly tolerance: number;
  readonly figures: Record<string, number>;
}

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'published-compute.json'), 'utf8')) as Record<string, unknown> & {
  examples: Record<string, string>;
};

function onlyModel(example: string): ModelNode {
  const models = analyze(readExample(example)).models;
  assert.equal(models.length, 1, `${example} has one model`);
  return models[0];
}

for (const [tool, entry] of Object.entries(fixture)) {
  if (!isConvention(tool)) continue;
  const published = entry as Published;
  test(`${tool}: our figure under its rules equals its published figure (${published.source})`, async (t) => {
    for (const [architecture, figure] of Object.entries(published.figures)) {
      await t.test(architecture, () => {
        const ours = computeCost(onlyModel(fixture.examples[architecture]), tool as Convention) / 1e9;
        assert.ok(Math.abs(ours - figure) <= published.tolerance, `${tool} prints ${figure} G for ${architecture}; our ${tool} rule gives ${ours.toFixed(4)} G`);
      });
    }
  });
}

const measured = fixture.measured as unknown as Record<string, Record<string, number>>;
for (const [tool, figures] of Object.entries(measured)) {
  if (!isConvention(tool)) continue;
  test(`${tool}: our figure under its rules equals, digit for digit, what the tool itself counted (${Object.keys(figures).join(', ')})`, () => {
    for (const [architecture, figure] of Object.entries(figures)) assert.equal(computeCost(onlyModel(fixture.examples[architecture]), tool), figure, `${tool} on ${architecture}`);
  });
}

const modern = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'tool-compute-modern.json'), 'utf8')) as Record<string, { source: string; figures: Record<string, number> } | string>;
const modernModels = new Map<string, ModelNode>();
/** The model of a fixture key, 'modern/FILE.resnet MODEL', each file analyzed once. */
function modernModel(key: string): ModelNode {
  const [file = '', name] = key.split(' ');
  if (!modernModels.has(key)) for (const model of analyze(readExample(file)).models) modernModels.set(`${file} ${model.name}`, model);
  const model = modernModels.get(key);
  assert.ok(model, `${file} has a model ${name}`);
  return model;
}
for (const [tool, entry] of Object.entries(modern)) {
  if (!isConvention(tool) || typeof entry === 'string') continue;
  test(`${tool}: our figure equals, digit for digit, what ${entry.source.split(' (')[0]} counted on examples/modern (gates, GroupNorm/LayerNorm, new activations, Res2Net splits)`, () => {
    for (const [key, figure] of Object.entries(entry.figures)) assert.equal(computeCost(modernModel(key), tool), figure, `${tool} on ${key}`);
  });
}

test('conventions differ where the tools differ: flops is twice the MACs, ptflops counts more than fvcore, fvcore more than MACs', () => {
  const model = onlyModel('torchvision/resnet50.resnet');
  assert.equal(computeCost(model, 'macs'), 4_089_184_256);
  assert.equal(computeCost(model, 'flops'), 2 * 4_089_184_256);
  assert.ok(computeCost(model, 'ptflops') > computeCost(model, 'fvcore'));
  assert.ok(computeCost(model, 'fvcore') > computeCost(model, 'macs'));
});

test("the line on what the other tools print names ptflops's current version, as its README prints it", () => {
  const lines = otherToolsLines(onlyModel('torchvision/resnet50.resnet'), 'macs');
  assert.ok(lines.includes('ptflops: 4.13 GMac, version 0.7.1 and later, pytorch backend: it adds BatchNorm, and ReLU and pooling twice'), lines.join('\n'));
  assert.equal(lines.length, 3, "ptflops, fvcore and thop (ptflops's aten backend and version 0.7 only by name); flops is twice the MACs shown");
});

test("flops equals what PyTorch 1.13's profiler counts for convolutions and linear layers of the exported model", { timeout: 300_000 }, (t) => {
  const { python, why } = torchPython();
  if (!python) {
    t.skip(why);
    return;
  }
  const examples = ['cifar/resnet20.resnet', 'cifar/resnet20-b.resnet', 'cifar/plain20.resnet', 'mnist/resnet8.resnet', 'variants/own-block.resnet', 'modern/res2net50-26w-4s.resnet'];
  const models = exportModels(examples.map((label) => ({ path: join(examplesDir, label), label })));
  const measured = measureWith<{ id: string; matrixFlops: number }>(python, 'profile_flops.py', models);
  assert.equal(measured.size, models.length);
  for (const { id, model } of models) assert.equal(computeCost(model, 'flops'), measured.get(id)?.matrixFlops, id);
});
