// An experiment in the editor: the hover over its name (every variant with its params, MACs,
// steps and memory, and the queue's totals) and the plan Run Experiment queues, built from the
// server's analysis so the extension never analyses a file itself.
import { fileURLToPath } from 'node:url';
import { analyze } from '../core/analysis/analyze';
import type { ExperimentNode } from '../core/analysis/experiment';
import { experimentCost } from '../core/report/experimentCost';
import { experimentPlan } from '../core/report/experimentPlan';
import { formatBytes, formatExact, formatPaperUnits, formatShort } from '../core/report/numbers';
import { displayWidth } from '../core/report/textWidth';
import type { ExperimentPlanParams, ExperimentPlanResult } from '../protocol/languageServer';
import type { AnalyzedDocument } from './analyzedDocuments';

/** The experiment whose name is at `offset`, if any. */
export function experimentNamedAt(analyzed: AnalyzedDocument, offset: number): ExperimentNode | undefined {
  return analyzed.analysis.experiments.find((e) => e.nameRange.startOffset <= offset && offset <= e.nameRange.endOffset);
}

export function experimentHover(experiment: ExperimentNode): string {
  const cost = experimentCost(experiment);
  const seeds = experiment.seeds.length > 0 ? `seeds ${experiment.seeds.join(', ')}` : "each recipe's seed";
  const lines = [
    `**experiment ${experiment.name}** · ${experiment.variants.length} variants × ${Math.max(1, experiment.seeds.length)} (${seeds}) = ${cost.runs} runs`,
    '',
    `Training compute (MACs × steps × batch, all runs): ${formatPaperUnits(cost.trainingMacs)} · largest step: ${formatBytes(cost.largestMemoryBytes)}${cost.largestMemoryVariant ? ` (${cost.largestMemoryVariant})` : ''}`,
    '',
  ];
  // A fenced block with the columns padded: the editor's hover draws a Markdown table without
  // space between its cells, so `cifar_plain(n = 3)plain269,722` ran together.
  const rows: string[][] = [['variant', 'kind', 'params', 'MACs', 'steps × batch', 'memory']];
  const byVariant = new Map(cost.variants.map((c) => [c.variant, c]));
  for (const variant of experiment.variants) {
    const c = byVariant.get(variant);
    if (!c || !variant.model) rows.push([variant.label, 'has errors', '', '', '', '']);
    else
      rows.push([
        variant.label,
        `${variant.model.plain ? 'plain' : 'residual'}${variant.model.recipe.engine === 'pytorch' ? ' · PyTorch' : ''}`,
        formatExact(c.params),
        formatShort(c.macs),
        `${formatExact(c.steps)} × ${c.batchSize}`,
        formatBytes(c.memoryBytes),
      ]);
  }
  lines.push('```text', ...alignedColumns(rows), '```');
  return lines.join('\n');
}

/** Rows as text columns two spaces apart: names and kinds to the left, figures to the right. */
function alignedColumns(rows: readonly (readonly string[])[]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => displayWidth(r[i] ?? ''))));
  return rows.map((r) =>
    r
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(cell)));
        return i < 2 ? cell + pad : pad + cell;
      })
      .join('  ')
      .trimEnd(),
  );
}

/** The runs of an experiment in `params.text`, from the open document's analysis when it holds that text. */
export function experimentPlanFor(open: AnalyzedDocument | undefined, params: ExperimentPlanParams, sourcePath: string): ExperimentPlanResult {
  const current = open && open.document.getText() === params.text ? open : undefined;
  const analysis = current ? current.analysis : analyze(params.text);
  let name = params.experiment;
  if (name === undefined && params.position && current) {
    const offset = current.document.offsetAt(params.position);
    name = analysis.experiments.find((e) => e.range.startOffset <= offset && offset <= e.range.endOffset)?.name;
  }
  if (name === undefined && analysis.experiments.length > 1) name = analysis.experiments[0]?.name;
  const planned = experimentPlan(analysis, sourcePath, params.text, name);
  return planned.ok ? { kind: 'plan', plan: planned.plan } : { kind: 'missing', message: planned.message };
}

/** The file path of a `file:` document (the state file records it), else the URI as it is. */
export function sourcePathOf(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}
