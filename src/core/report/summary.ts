// The model summary table (in the manner of torchinfo): one row per layer, a subtotal per stage,
// then the totals. The CLI prints it; the editor shows it in "ResNet: Show Model Summary".
import { maxOf } from '../bounded';
import { allLayers, type ModelNode } from '../analysis/network';
import { formatShape } from '../analysis/shape';
import { format } from '../l10n/format';
import type { Locale } from '../l10n/locale';
import { computeLines, memoryLines, type CostSettings } from './costLines';
import { describeLayer } from './layerKind';
import { displayWidth } from './textWidth';
import { activationsForBatch } from './trainingMemory';
import { formatBytes, formatExact, formatPaperUnits, formatShort } from './numbers';

export interface SummaryOptions {
  readonly batchSize: number;
  /** The compute convention and memory budget: adds the compute, memory and "will it fit" lines. */
  readonly costs?: CostSettings | undefined;
  /** The language of the headings and totals (the rows are code, shapes and figures). */
  readonly locale?: Locale | undefined;
}

export function modelHeadline(model: ModelNode, locale: Locale = 'en'): string {
  const heading = {
    name: model.name,
    input: formatShape(model.input),
    shortcut: model.plain ? format(locale, 'term.plainNoShortcuts') : `shortcut ${model.shortcut}`,
    depth: model.depth,
  };
  return model.classes === undefined ? format(locale, 'summary.headline', heading) : format(locale, 'summary.headlineClasses', { ...heading, classes: model.classes });
}

/** A row of the table that stands for a layer, or for a stage's total: its line (0-based) and path. */
export interface SummaryRow {
  readonly line: number;
  /** The layer's path (`conv2_x.0.conv1`), or the stage's name for its total. */
  readonly path: string;
  readonly stage: boolean;
}

export function formatSummary(model: ModelNode, options: SummaryOptions): string {
  return summaryTable(model, options).text;
}

/** The summary's text and where each layer's and stage's row is in it (to colour rows by a figure). */
export function summaryTable(model: ModelNode, options: SummaryOptions): { readonly text: string; readonly rows: readonly SummaryRow[] } {
  const locale = options.locale ?? 'en';
  const column = (key: 'layer' | 'kind' | 'output' | 'params' | 'macs') => format(locale, `summary.column.${key}`);
  const rows: string[][] = [[column('layer'), column('kind'), column('output'), column('params'), column('macs')]];
  const sources: (Omit<SummaryRow, 'line'> | undefined)[] = [undefined];
  const rules: number[] = [];
  for (const stage of model.stages) {
    for (const layer of allLayers(stage.nodes)) {
      rows.push([layer.path, describeLayer(layer.spec), formatShape(layer.output), formatExact(layer.cost.params), formatExact(layer.cost.macs)]);
      sources.push({ path: layer.path, stage: false });
    }
    rows.push([format(locale, 'summary.stageTotal', { stage: stage.name }), '', formatShape(stage.output), formatExact(stage.cost.params), formatExact(stage.cost.macs)]);
    sources.push({ path: stage.name, stage: true });
    rules.push(rows.length);
  }
  const [header = [], ...body] = rows;
  const widths = header.map((_, col) =>
    maxOf(
      rows.map((r) => displayWidth(r[col] ?? '')),
      0,
    ),
  );
  const pad = (cell: string, col: number) => ' '.repeat(Math.max(0, (widths[col] ?? 0) - displayWidth(cell)));
  const render = (r: string[]) =>
    r
      .map((cell, col) => (col >= 3 ? pad(cell, col) + cell : cell + pad(cell, col)))
      .join('  ')
      .trimEnd();
  const totalWidth = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  const lines = [modelHeadline(model, locale), '='.repeat(totalWidth), render(header), '-'.repeat(totalWidth)];
  const placed: SummaryRow[] = [];
  for (const [k, row] of body.entries()) {
    const i = k + 1;
    const source = sources[i];
    if (source) placed.push({ line: lines.length, ...source });
    lines.push(render(row));
    if (rules.includes(i + 1) && i + 1 < rows.length) lines.push('-'.repeat(totalWidth));
  }
  const { params, nonTrainable, macs } = model.cost;
  lines.push(
    '='.repeat(totalWidth),
    format(locale, 'summary.trainable', { exact: formatExact(params), short: formatShort(params) }),
    format(locale, 'summary.nonTrainable', { exact: formatExact(nonTrainable) }),
    format(locale, 'summary.macs', { exact: formatExact(macs), units: formatPaperUnits(macs), flops: formatShort(2 * macs) }),
    format(locale, 'summary.paramsSize', { bytes: formatBytes((params + nonTrainable) * 4) }),
    format(locale, 'summary.activations', { batch: options.batchSize, bytes: formatBytes(activationsForBatch(model, options.batchSize)) }),
  );
  if (options.costs) lines.push(...computeLines(model, options.costs.convention, locale), ...memoryLines(model, options.batchSize, options.costs.memoryBudgetMiB, locale));
  return { text: lines.join('\n'), rows: placed };
}
