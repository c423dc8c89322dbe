// `resnet-studio profile` on a small model with real PyTorch: one row per layer of the analyzer,
// in order, with its MACs, positive forward and backward times and the achieved rate; and the
// engine it cannot profile yet gets a message. Skipped, saying why, without a Python with torch.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { modelLayers } from '../../src/core/analysis/network';
import type { LayerTiming } from '../../src/cli/profile';
import { readExample } from '../helpers/examples';
import { torchPython } from '../helpers/torchPeer';

/** The built CLI (node esbuild.js), as users run it. */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['dist/cli.cjs', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('profile --json: every layer, in order, with its MACs and positive forward and backward times', { timeout: 300_000 }, (t) => {
  const { python, why } = torchPython();
  if (!python) {
    t.skip(why);
    return;
  }
  const r = cli('profile', 'examples/mnist/resnet8.resnet', '--batch', '2', '--repeats', '2', '--python', python, '--json');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { model: string; device: string; batch: number; layers: LayerTiming[] };
  const model = analyze(readExample('mnist/resnet8.resnet')).models[0];
  assert.equal(doc.model, model.name);
  assert.equal(doc.batch, 2);
  assert.deepEqual(
    doc.layers.map((l) => l.path),
    [...modelLayers(model)].map((l) => l.path),
    'layers complete and in order',
  );
  assert.deepEqual(
    doc.layers.map((l) => l.macs),
    [...modelLayers(model)].map((l) => l.cost.macs),
  );
  for (const l of doc.layers) {
    assert.ok(l.forwardMs > 0, `${l.path} forward`);
    assert.ok(l.backwardMs > 0, `${l.path} backward`);
    if (l.macs > 0) assert.ok(l.forwardGmacPerS > 0, `${l.path} rate`);
  }
  const table = cli('profile', 'examples/mnist/resnet8.resnet', '--batch', '2', '--repeats', '1', '--python', python);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^resnet8: PyTorch on (cpu|cuda), batch 2/);
  assert.match(table.stdout, /conv2_x\.0\.conv1\s+conv 3×3, 16\s+1,806,336\s+\d+\.\d{3}\s+\d+\.\d{3}\s+\d+\.\d{2}/);
});

test('profile: the TF.js engine and bad numbers get a message', () => {
  const tfjs = cli('profile', 'examples/mnist/resnet8.resnet', '--engine', 'tfjs');
  assert.equal(tfjs.code, 2);
  assert.match(tfjs.stderr, /--engine tfjs is not profiled yet; use --engine pytorch/);
  const batch = cli('profile', 'examples/mnist/resnet8.resnet', '--batch', '0');
  assert.equal(batch.code, 2);
  assert.match(batch.stderr, /--batch takes a whole number of at least 1, not "0"/);
});
