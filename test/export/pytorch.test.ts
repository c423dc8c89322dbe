// The PyTorch export, checked by PyTorch itself: every model of every example (and of the edge-case
// fixture and the peers' even-kernel network) is exported, built and run once by one Python
// process, which counts parameters and multiply-accumulates with hooks and records each stage's
// output shape; all must equal the analyzer's. This checks the export against the analyzer; the
// analyzer itself is checked against networks built without it in test/peers/. Skipped, saying
// why, when no Python with torch is at hand (in CI, a failure).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import type { LayerNode, ModelNode, NetworkNode } from '../../src/core/analysis/network';
import { exportPyTorchModule } from '../../src/export/pytorch';
import { exampleFiles, examplesDir } from '../helpers/examples';
import { torchPython } from '../helpers/torchPeer';

const fixturesDir = join(import.meta.dirname, 'fixtures');
/** Models above this many MACs are run on PyTorch's meta device (shapes only), the rest compute for real. */
const COMPUTE_LIMIT = 100_000_000;

interface Measured {
  readonly id: string;
  readonly error?: string;
  readonly params: number;
  readonly nonTrainable: number;
  readonly macs: number;
  readonly stages: readonly [string, number[]][];
  readonly output: readonly number[];
  readonly weighted: readonly string[];
  readonly seconds: number;
}

interface Case {
  readonly id: string;
  readonly model: ModelNode;
}

/** Every `.resnet` file to check: the examples (listed now, so new ones are covered) and the fixtures. */
function sources(): { path: string; label: string }[] {
  const examples = exampleFiles().map((f) => ({ path: join(examplesDir, f), label: f }));
  const fixtures = readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.resnet'))
    .map((f) => ({ path: join(fixturesDir, f), label: `fixtures/${f}` }));
  // The independent peers' network of even kernels and ResNet-D shortcuts is exported too.
  const peers = [{ path: join(import.meta.dirname, '..', 'peers', 'even-kernels-d.resnet'), label: 'peers/even-kernels-d.resnet' }];
  return [...examples, ...fixtures, ...peers];
}

/** NCHW without the batch, as [H, W, C]; a flattened [features] is a 1×1 map. */
function asHwc(shape: readonly number[]): number[] {
  return shape.length === 3 ? [shape[1], shape[2], shape[0]] : [1, 1, shape[0]];
}

/**
 * The model's layers in the order the export registers their modules: execution order, except
 * that a split's layers come module list by module list (`convs.0`, `convs.1`, then `bns.0` …), as
 * timm's Res2Net registers them, then the kept group's.
 */
function exportOrder(model: ModelNode): LayerNode[] {
  const out: LayerNode[] = [];
  const walk = (nodes: readonly NetworkNode[]) => {
    for (const node of nodes) {
      if (node.kind === 'layer') out.push(node);
      else if (node.kind === 'split') {
        const paths = node.columns.slice(0, node.keep ? -1 : undefined);
        for (const [j] of (paths[0] ?? []).entries()) for (const column of paths) out.push(column[j] as LayerNode);
        if (node.keep) out.push(...(node.columns.at(-1) ?? []));
      } else {
        walk(node.branch);
        if (node.shortcut?.kind === 'layers') walk(node.shortcut.layers);
        walk(node.after);
      }
    }
  };
  for (const stage of model.stages) walk(stage.nodes);
  return out;
}

function hasNestedBlocks(nodes: readonly NetworkNode[]): boolean {
  return nodes.some((n) => n.kind === 'block' && [...n.branch, ...n.after, ...(n.shortcut?.kind === 'layers' ? n.shortcut.layers : [])].some((m) => m.kind === 'block'));
}

test("every exported model has the analyzer's parameters, MACs and stage shapes, measured by PyTorch", { timeout: 900_000 }, async (t) => {
  const { python, why } = torchPython();
  if (!python) {
    t.skip(why);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'resnet-export-'));
  const cases: Case[] = [];
  const manifest: { path: string; class: string; id: string; device: 'cpu' | 'meta' }[] = [];
  sources().forEach((source, index) => {
    const text = readFileSync(source.path, 'utf8');
    const analysis = analyze(text);
    assert.deepEqual(
      analysis.diagnostics.filter((d) => d.severity === 'error'),
      [],
      `${source.label} has errors`,
    );
    const module = exportPyTorchModule(analysis.models, source.path, { sourceText: text });
    const path = join(dir, `m${index}.py`);
    writeFileSync(path, module.text);
    for (const model of analysis.models) {
      const id = `${source.label} ${model.name}`;
      cases.push({ id, model });
      manifest.push({ path, class: module.classNames.get(model.name) as string, id, device: model.cost.macs > COMPUTE_LIMIT ? 'meta' : 'cpu' });
    }
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const started = Date.now();
  const run = spawnSync(python, [join(import.meta.dirname, 'measure_models.py'), join(dir, 'manifest.json')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.status, 0, run.stderr);
  const measured = new Map(
    run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Measured)
      .map((m) => [m.id, m]),
  );
  const slowest = [...measured.values()].sort((a, b) => b.seconds - a.seconds)[0];
  console.log(`PyTorch built and ran ${measured.size} exported models in ${((Date.now() - started) / 1000).toFixed(1)} s (slowest: ${slowest?.id}, ${slowest?.seconds} s)`);

  for (const { id, model } of cases) {
    await t.test(id, () => {
      const m = measured.get(id);
      assert.ok(m, `no measurement for ${id}`);
      assert.equal(m.error, undefined, m.error);
      assert.equal(m.params, model.cost.params, 'parameters');
      assert.equal(m.nonTrainable, model.cost.nonTrainable, 'BatchNorm running statistics');
      assert.equal(m.macs, model.cost.macs, 'multiply-accumulates');
      assert.deepEqual(
        m.stages.map(([, shape]) => asHwc(shape)),
        model.stages.map((s) => [...s.output]),
        'stage output shapes',
      );
      assert.deepEqual(asHwc(m.output), [...model.output], 'model output shape');
      // Module names are the analyzer's paths (stage attributes renamed only where Python reserves the name).
      if (!model.stages.some((s) => hasNestedBlocks(s.nodes))) {
        const attribute = new Map(model.stages.map((s, i) => [s.name, m.stages[i][0]]));
        const expected = exportOrder(model)
          .filter((l) => l.spec.op === 'conv' || l.spec.op === 'bn' || l.spec.op === 'fc')
          .map((l) => {
            const [stage, ...rest] = l.path.split('.');
            return [attribute.get(stage), ...rest].join('.');
          });
        assert.deepEqual(m.weighted, expected, 'module names');
      }
    });
  }
});
