// Activation memory checked by PyTorch itself: every model of every example (and of the edge-case
// fixture) is exported and run forward once in training mode under
// torch.autograd.graph.saved_tensors_hooks; the bytes it keeps for the backward pass (one count per
// storage, parameters, buffers and the input batch apart) must equal our estimate within 2%.
// Skipped, saying why, when no Python with torch is at hand.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import type { ModelNode } from '../../src/core/analysis/network';
import { activationsForBatch } from '../../src/core/report/trainingMemory';
import { exportPyTorchModule } from '../../src/export/pytorch';
import { findPython } from '../../src/training/pytorch/python';
import { exampleFiles, examplesDir } from '../helpers/examples';

const fixturesDir = join(import.meta.dirname, 'fixtures');
/** Small models run at the batch of 8; large ones at 2, to spare a shared CPU. */
const SMALL_MACS = 100_000_000;

interface Measured {
  readonly id: string;
  readonly error?: string;
  readonly activationsBytes: number;
  readonly seconds: number;
}

test('activation memory equals what PyTorch autograd saves for the exported module, within 2%', { timeout: 900_000 }, async (t) => {
  let python: string;
  try {
    python = findPython(process.env.RESNET_STUDIO_PYTHON ?? '/usr/bin/python3').command;
  } catch (error) {
    t.skip(`no Python with torch: ${(error as Error).message}`);
    return;
  }
  const only = process.env.RESNET_MEMORY_ONLY;
  const sources = [
    ...exampleFiles().map((f) => ({ path: join(examplesDir, f), label: f })),
    ...readdirSync(fixturesDir)
      .filter((f) => f.endsWith('.resnet'))
      .map((f) => ({ path: join(fixturesDir, f), label: `fixtures/${f}` })),
  ].filter((s) => only === undefined || s.label.includes(only));
  const dir = mkdtempSync(join(tmpdir(), 'resnet-memory-'));
  const cases = new Map<string, { model: ModelNode; batch: number }>();
  const manifest: { path: string; class: string; id: string; batch: number }[] = [];
  sources.forEach((source, index) => {
    const text = readFileSync(source.path, 'utf8');
    const analysis = analyze(text);
    const module = exportPyTorchModule(analysis.models, source.path, { sourceText: text });
    const path = join(dir, `m${index}.py`);
    writeFileSync(path, module.text);
    for (const model of analysis.models) {
      const id = `${source.label} ${model.name}`;
      const batch = model.cost.macs > SMALL_MACS ? 2 : 8;
      cases.set(id, { model, batch });
      manifest.push({ path, class: module.classNames.get(model.name) as string, id, batch });
    }
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const run = spawnSync(python, [join(import.meta.dirname, 'measure_memory.py'), join(dir, 'manifest.json')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.status, 0, run.stderr);
  const measured = new Map(
    run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Measured)
      .map((m) => [m.id, m]),
  );
  for (const [id, { model, batch }] of cases) {
    await t.test(`${id} (batch ${batch})`, () => {
      const m = measured.get(id);
      assert.ok(m, `no measurement for ${id}`);
      assert.equal(m.error, undefined, m.error);
      const ours = activationsForBatch(model, batch);
      const off = Math.abs(ours - m.activationsBytes) / m.activationsBytes;
      console.log(`${id}: batch ${batch}, PyTorch saves ${m.activationsBytes} bytes, we estimate ${ours} (${(100 * off).toFixed(2)}% off)`);
      assert.ok(off <= 0.02, `PyTorch saves ${m.activationsBytes} bytes, we estimate ${ours}`);
    });
  }
});
