// The model summary table (in the manner of torchinfo): one row per layer, a subtotal per stage,
// then the totals. The CLI prints it; the editor shows it in "ResNet: Show Model Summary".
import { maxOf } from '../bounded';
import { allLayers, type ModelNode } from '../analysis/network';
import { formatShape } from '../analysis/shape';
import { computeLines, memoryLines, type CostSettings } from './costLines';
import { describeLayer } from './layerKind';
import { activationsForBatch } from './trainingMemory';
import { formatBytes, formatExact, formatPaperUnits, formatShort } from './numbers';

export interface SummaryOptions {
  readonly batchSize: number;
  /** The compute convention and memory budget: adds the compute, memory and "will it fit" lines. */
  readonly costs?: CostSettings | undefined;
}

export function modelHeadline(model: ModelNode): string {
  const classes = model.classes === undefined ? '' : `, ${model.classes} classes`;
  const shortcut = model.plain ? 'plain (no shortcuts)' : `shortcut ${model.shortcut}`;
  return `${model.name}: input ${formatShape(model.input)}${classes}, ${shortcut}, ${model.depth} layers`;
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
  const rows: string[][] = [['Layer', 'Kind', 'Output shape', 'Params', 'MACs']];
  const sources: (Omit<SummaryRow, 'line'> | undefined)[] = [undefined];
  const rules: number[] = [];
  for (const stage of model.stages) {
    for (const layer of allLayers(stage.nodes)) {
      rows.push([layer.path, describeLayer(layer.spec), formatShape(layer.output), formatExact(layer.cost.params), formatExact(layer.cost.macs)]);
      sources.push({ path: layer.path, stage: false });
    }
    rows.push([`${stage.name} (stage total)`, '', formatShape(stage.output), formatExact(stage.cost.params), formatExact(stage.cost.macs)]);
    sources.push({ path: stage.name, stage: true });
    rules.push(rows.length);
  }
  const [header = [], ...body] = rows;
  const widths = header.map((_, col) =>
    maxOf(
      rows.map((r) => r[col]?.length ?? 0),
      0,
    ),
  );
  const render = (r: string[]) =>
    r
      .map((cell, col) => (col >= 3 ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0)))
      .join('  ')
      .trimEnd();
  const totalWidth = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  const lines = [modelHeadline(model), '='.repeat(totalWidth), render(header), '-'.repeat(totalWidth)];
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
    `Trainable params:        ${formatExact(params)} (${formatShort(params)})`,
    `Non-trainable (BN mean and variance): ${formatExact(nonTrainable)}`,
    `MACs (multiply-adds):    ${formatExact(macs)} (${formatPaperUnits(macs)}; FLOPs = 2 × MACs = ${formatShort(2 * macs)})`,
    `Params size (float32):   ${formatBytes((params + nonTrainable) * 4)}`,
    `Activations for training, batch ${options.batchSize} (float32, what autograd keeps): ${formatBytes(activationsForBatch(model, options.batchSize))}`,
  );
  if (options.costs) lines.push(...computeLines(model, options.costs.convention), ...memoryLines(model, options.batchSize, options.costs.memoryBudgetMiB));
  return { text: lines.join('\n'), rows: placed };
}
