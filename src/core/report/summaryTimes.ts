// The model summary coloured by measured time: each layer's and stage's row with its forward +
// backward milliseconds from a `resnet-studio profile --json` document, its share of the model's
// measured time, and a heat (0–1, against the slowest row of its kind) for the editor to colour by.
// Without times for the model, the summary says how to measure them.
import { allLayers, type ModelNode } from '../analysis/network';
import { format, msg } from '../l10n/format';
import { formatShare } from './numbers';
import { summaryTable, type SummaryOptions } from './summary';

/** What a profile document says of one model (the fields this needs). */
export interface MeasuredTimes {
  readonly model: string;
  readonly engine?: 'pytorch' | 'tfjs' | undefined;
  readonly device: string;
  readonly batch: number;
  readonly layers: readonly { readonly path: string; readonly forwardMs: number; readonly backwardMs: number }[];
}

/** A row's measured time; `line` is 0-based in the summary's text. */
export interface RowTime {
  readonly line: number;
  readonly path: string;
  readonly ms: number;
  /** Of the whole model's measured time, 0–1. */
  readonly share: number;
  /** Against the slowest layer (for a layer's row) or stage (for a stage total), 0–1. */
  readonly heat: number;
}

export interface TimedSummary {
  readonly text: string;
  /** Empty when there are no times for this model. */
  readonly times: readonly RowTime[];
}

/** The command that measures a model's times (the architecture view's legend names it too). */
export function profileCommand(model: string): string {
  return `resnet-studio profile FILE --model ${model} --json > times.json`;
}

/** The summary with its rows' measured times, when `measured` is for this model. */
export function timedSummary(model: ModelNode, options: SummaryOptions, measured: MeasuredTimes | undefined): TimedSummary {
  const locale = options.locale ?? 'en';
  const table = summaryTable(model, options);
  if (!measured || measured.model !== model.name) {
    const how = msg('term.howToMeasure', { command: profileCommand(model.name) });
    const note = measured ? format(locale, 'summaryTimes.noneOther', { model: model.name, other: measured.model, how }) : format(locale, 'summaryTimes.none', { model: model.name, how });
    return { text: `${table.text}\n\n${note}`, times: [] };
  }
  const byPath = new Map(measured.layers.map((l) => [l.path, l.forwardMs + l.backwardMs]));
  const stageMs = new Map(model.stages.map((s) => [s.name, [...allLayers(s.nodes)].reduce((sum, l) => sum + (byPath.get(l.path) ?? 0), 0)]));
  const total = [...stageMs.values()].reduce((a, b) => a + b, 0);
  const msOf = (row: { path: string; stage: boolean }) => (row.stage ? stageMs.get(row.path) : byPath.get(row.path)) ?? 0;
  const slowest = { layer: 0, stage: 0 };
  for (const row of table.rows) {
    const kind = row.stage ? 'stage' : 'layer';
    slowest[kind] = Math.max(slowest[kind], msOf(row));
  }
  const times: RowTime[] = [];
  let slowestLayer: RowTime | undefined;
  for (const row of table.rows) {
    const ms = msOf(row);
    const max = slowest[row.stage ? 'stage' : 'layer'];
    const time = { line: row.line, path: row.path, ms, share: total > 0 ? ms / total : 0, heat: max > 0 ? ms / max : 0 };
    times.push(time);
    if (!row.stage && ms > (slowestLayer?.ms ?? 0)) slowestLayer = time;
  }
  const missing = table.rows.filter((r) => !r.stage && !byPath.has(r.path)).length;
  const engine = measured.engine === 'pytorch' ? 'PyTorch' : measured.engine === 'tfjs' ? 'TF.js' : undefined;
  const run = { device: measured.device, batch: measured.batch, total: total.toFixed(3) };
  const notes = [
    engine ? format(locale, 'summaryTimes.measured', { ...run, engine }) : format(locale, 'summaryTimes.measuredNoEngine', run),
    ...(missing > 0 ? [format(locale, 'summaryTimes.missing', { missing, model: model.name })] : []),
  ];
  if (slowestLayer) notes.push(format(locale, 'summaryTimes.slowest', { path: slowestLayer.path, ms: slowestLayer.ms.toFixed(3), share: formatShare(slowestLayer.ms, total) }));
  return { text: `${table.text}\n\n${notes.join('\n')}`, times };
}
