// Activation memory, estimate against measurement: for each example model, the older upper bound
// (`totals.activationBytes`: every output kept), our estimate of what autograd keeps
// (`totals.memory.activationsBytes`) and what PyTorch 1.13 really keeps for the exported module
// (test/export/measure_memory.py). Prints a Markdown table for docs/benchmarks.md.
// Usage: npm run bench:memory [-- FILTER]   (FILTER: part of an example's path, e.g. cifar/)
import { join } from 'node:path';
import { activationBytes } from '../../src/core/analysis/network';
import { formatExact } from '../../src/core/report/numbers';
import { activationsForBatch } from '../../src/core/report/trainingMemory';
import { exampleFiles, examplesDir } from '../helpers/examples';
import { exportModels, measureWith, torchPython } from '../helpers/torchPeer';

const filter = process.argv[2] ?? '';
const { python, why } = torchPython();
if (!python) throw new Error(why);
const batchOf = (macs: number) => (macs > 100_000_000 ? 2 : 8);
const models = exportModels(
  exampleFiles()
    .filter((f) => f.includes(filter))
    .map((label) => ({ path: join(examplesDir, label), label })),
  (model) => ({ batch: batchOf(model.cost.macs) }),
);
const measured = measureWith<{ id: string; activationsBytes: number }>(python, 'measure_memory.py', models);
console.log('| model | batch | every output (old `activationBytes`, input excluded) | our estimate | PyTorch keeps | estimate off |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const { id, model } of models) {
  const batch = batchOf(model.cost.macs);
  const saved = measured.get(id)?.activationsBytes ?? NaN;
  const old = activationBytes(model, batch) - model.input[0] * model.input[1] * model.input[2] * batch * 4;
  const ours = activationsForBatch(model, batch);
  console.log(`| ${id} | ${batch} | ${formatExact(old)} | ${formatExact(ours)} | ${formatExact(saved)} | ${((100 * (ours - saved)) / saved).toFixed(2)}% |`);
}
