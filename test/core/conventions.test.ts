// Every compute convention against its tool: ptflops and thop against the figures they publish for
// torchvision models (cited in fixtures/published-compute.json), `flops` against PyTorch 1.13's own
// profiler on exported examples, and the hover's line on what the other tools would print.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import type { ModelNode } from '../../src/core/analysis/network';
import { computeCost, isConvention, otherToolsLines, type Convention } from '../../src/core/report/conventions';
import { exportPyTorchModule } from '../../src/export/pytorch';
import { findPython } from '../../src/training/pytorch/python';
import { examplesDir, readExample } from '../helpers/examples';

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

test('conventions differ where the tools differ: flops is twice the MACs, ptflops counts more than fvcore, fvcore more than MACs', () => {
  const model = onlyModel('torchvision/resnet50.resnet');
  assert.equal(computeCost(model, 'macs'), 4_089_184_256);
  assert.equal(computeCost(model, 'flops'), 2 * 4_089_184_256);
  assert.ok(computeCost(model, 'ptflops') > computeCost(model, 'fvcore'));
  assert.ok(computeCost(model, 'fvcore') > computeCost(model, 'macs'));
});

test('the line on what the other tools print names ptflops as its README does', () => {
  const lines = otherToolsLines(onlyModel('torchvision/resnet50.resnet'), 'macs');
  assert.ok(lines.includes('ptflops: 4.12 GMac, it adds BatchNorm, ReLU and pooling'), lines.join('\n'));
  assert.equal(lines.length, 3, 'ptflops, fvcore and thop; flops is twice the MACs shown');
});

test('flops equals what PyTorch 1.13\'s profiler counts for convolutions and linear layers of the exported model', { timeout: 300_000 }, (t) => {
  let python: string;
  try {
    python = findPython(process.env.RESNET_STUDIO_PYTHON ?? '/usr/bin/python3').command;
  } catch (error) {
    t.skip(`no Python with torch: ${(error as Error).message}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'resnet-flops-'));
  const cases = new Map<string, ModelNode>();
  const manifest: { path: string; class: string; id: string }[] = [];
  ['cifar/resnet20.resnet', 'cifar/resnet20-b.resnet', 'cifar/plain20.resnet', 'mnist/resnet8.resnet', 'variants/own-block.resnet'].forEach((example, index) => {
    const text = readExample(example);
    const analysis = analyze(text);
    const module = exportPyTorchModule(analysis.models, join(examplesDir, example), { sourceText: text });
    const path = join(dir, `m${index}.py`);
    writeFileSync(path, module.text);
    for (const model of analysis.models) {
      const id = `${example} ${model.name}`;
      cases.set(id, model);
      manifest.push({ path, class: module.classNames.get(model.name) as string, id });
    }
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const run = spawnSync(python, [join(import.meta.dirname, '..', 'export', 'profile_flops.py'), join(dir, 'manifest.json')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; matrixFlops: number });
  assert.equal(lines.length, cases.size);
  for (const { id, matrixFlops } of lines) {
    assert.equal(computeCost(cases.get(id) as ModelNode, 'flops'), matrixFlops, id);
  }
});
