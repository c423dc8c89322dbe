// Activation memory, estimate against measurement: for each example model, the older upper bound
// (`totals.activationBytes`: every output kept), our estimate of what autograd keeps
// (`totals.memory.activationsBytes`) and what PyTorch 1.13 really keeps for the exported module
// (test/export/measure_memory.py). Prints a Markdown table for docs/benchmarks.md.
// Usage: npm run bench:memory [-- FILTER]   (FILTER: part of an example's path, e.g. cifar/)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/core/analysis/analyze';
import { activationBytes, type ModelNode } from '../../src/core/analysis/network';
import { formatExact } from '../../src/core/report/numbers';
import { activationsForBatch } from '../../src/core/report/trainingMemory';
import { exportPyTorchModule } from '../../src/export/pytorch';
import { findPython } from '../../src/training/pytorch/python';
import { exampleFiles, examplesDir } from '../helpers/examples';

const filter = process.argv[2] ?? '';
const python = findPython(process.env.RESNET_STUDIO_PYTHON ?? '/usr/bin/python3').command;
const dir = mkdtempSync(join(tmpdir(), 'resnet-memory-bench-'));
const rows = new Map<string, { model: ModelNode; batch: number }>();
const manifest: { path: string; class: string; id: string; batch: number }[] = [];
exampleFiles()
  .filter((f) => f.includes(filter))
  .forEach((file, index) => {
    const text = readFileSync(join(examplesDir, file), 'utf8');
    const analysis = analyze(text);
    const module = exportPyTorchModule(analysis.models, join(examplesDir, file), { sourceText: text });
    const path = join(dir, `m${index}.py`);
    writeFileSync(path, module.text);
    for (const model of analysis.models) {
      const id = `${file} ${model.name}`;
      const batch = model.cost.macs > 100_000_000 ? 2 : 8;
      rows.set(id, { model, batch });
      manifest.push({ path, class: module.classNames.get(model.name) as string, id, batch });
    }
  });
writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
const run = spawnSync(python, [join(import.meta.dirname, '..', 'export', 'measure_memory.py'), join(dir, 'manifest.json')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
if (run.status !== 0) throw new Error(run.stderr);
console.log('| model | batch | every output (old `activationBytes`, input excluded) | our estimate | PyTorch keeps | estimate off |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const line of run.stdout.trim().split('\n')) {
  const measured = JSON.parse(line) as { id: string; activationsBytes: number };
  const { model, batch } = rows.get(measured.id) as { model: ModelNode; batch: number };
  const old = activationBytes(model, batch) - model.input[0] * model.input[1] * model.input[2] * batch * 4;
  const ours = activationsForBatch(model, batch);
  const off = (100 * (ours - measured.activationsBytes)) / measured.activationsBytes;
  console.log(`| ${measured.id} | ${batch} | ${formatExact(old)} | ${formatExact(ours)} | ${formatExact(measured.activationsBytes)} | ${off.toFixed(2)}% |`);
}
