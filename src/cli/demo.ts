// `resnet-studio demo`: the paper's models, analyzed from the bundled examples, with no download.
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../core/analysis/analyze';
import { maxOf } from '../core/bounded';
import { at } from '../core/indexed';
import type { ModelNode } from '../core/analysis/network';
import { formatShape } from '../core/analysis/shape';
import { formatExact, formatPaperUnits } from '../core/report/numbers';
import { formatSummary } from '../core/report/summary';
import type { Output } from './output';
import { packageRoot } from './packageRoot';
import { readSource } from './readSource';
import { runTrain } from './train';

export const demoHelp = `Usage: resnet-studio demo

Analyzes the paper's models from the bundled examples (a table of layers, parameters and MACs,
and the summaries of ResNet-50 and ResNet-20), then trains examples/mnist/resnet8.resnet on the
built-in MNIST digits for a few minutes on the fastest engine present (a CPU is enough): no
download, no GPU needed. The run folder goes to
the system's temporary folder. Exit status: 0 done, 1 an example has errors or training failed.`;

export async function runDemo(out: Output): Promise<number> {
  const examples = join(packageRoot(), 'examples');
  const header = ['file', 'model', 'input', 'layers', 'params', 'MACs', 'MACs (paper units)'];
  const rows: string[][] = [header];
  let resnet50: ModelNode | undefined;
  let resnet20: ModelNode | undefined;
  let problems = 0;
  for (const group of ['imagenet', 'torchvision', 'cifar']) {
    for (const file of readdirSync(join(examples, group))
      .filter((f) => f.endsWith('.resnet'))
      .sort(byDepth)) {
      const analysis = analyze(readSource(join(examples, group, file)));
      problems += analysis.diagnostics.filter((d) => d.severity === 'error').length;
      for (const m of analysis.models) {
        rows.push([`${group}/${file}`, m.name, formatShape(m.input), String(m.depth), formatExact(m.cost.params), formatExact(m.cost.macs), formatPaperUnits(m.cost.macs)]);
        if (group === 'imagenet' && m.name === 'resnet50') resnet50 = m;
        if (group === 'cifar' && m.name === 'resnet20') resnet20 = m;
      }
    }
  }
  const widths = header.map((_, c) =>
    maxOf(
      rows.map((r) => at(r, c, 'demo table cell').length),
      0,
    ),
  );
  out.print("The paper's models (He et al. 2015), analyzed from examples/:\n");
  for (const r of rows) out.print(r.map((cell, c) => (c >= 3 ? cell.padStart(at(widths, c)) : cell.padEnd(at(widths, c)))).join('  '));
  for (const m of [resnet50, resnet20]) if (m) out.print(`\n${formatSummary(m, { batchSize: 128 })}`);
  if (problems > 0) return 1;
  out.print('\nTraining examples/mnist/resnet8.resnet on the built-in MNIST digits (no download, no GPU needed):');
  return runTrain(join(examples, 'mnist', 'resnet8.resnet'), { out: join(tmpdir(), 'resnet-studio-demo-runs') }, out);
}

/** resnet20 before resnet110: sort by the number in the name. */
function byDepth(a: string, b: string): number {
  const n = (s: string) => Number(/\d+/.exec(s)?.[0] ?? 0);
  return a.replace(/\d+/, '').localeCompare(b.replace(/\d+/, '')) || n(a) - n(b) || a.localeCompare(b);
}
