// Activation memory checked by PyTorch itself: every model of every example (and of the edge-case
// fixture) is exported and run forward once in training mode under
// torch.autograd.graph.saved_tensors_hooks; the bytes it keeps for the backward pass (one count per
// storage, parameters, buffers and the input batch apart) must equal our estimate within 2%.
// Skipped, saying why, when no Python with torch is at hand. RESNET_MEMORY_ONLY=cifar/ checks a subset.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { activationsForBatch } from '../../src/core/report/trainingMemory';
import { exampleFiles, examplesDir } from '../helpers/examples';
import { exportModels, measureWith, torchPython } from '../helpers/torchPeer';

const fixturesDir = join(import.meta.dirname, 'fixtures');
/** Small models run at the batch of 8; large ones at 2, to spare a shared CPU. */
const SMALL_MACS = 100_000_000;

interface Measured {
  readonly id: string;
  readonly error?: string;
  readonly activationsBytes: number;
}

test('activation memory equals what PyTorch autograd saves for the exported module, within 2%', { timeout: 900_000 }, async (t) => {
  const { python, why } = torchPython();
  if (!python) {
    t.skip(why);
    return;
  }
  const only = process.env.RESNET_MEMORY_ONLY;
  const sources = [
    ...exampleFiles().map((f) => ({ path: join(examplesDir, f), label: f })),
    ...readdirSync(fixturesDir)
      .filter((f) => f.endsWith('.resnet'))
      .map((f) => ({ path: join(fixturesDir, f), label: `fixtures/${f}` })),
  ].filter((s) => only === undefined || s.label.includes(only));
  const batchOf = (macs: number) => (macs > SMALL_MACS ? 2 : 8);
  const models = exportModels(sources, (model) => ({ batch: batchOf(model.cost.macs) }));
  const measured = measureWith<Measured>(python, 'measure_memory.py', models);
  for (const { id, model } of models) {
    const batch = batchOf(model.cost.macs);
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
