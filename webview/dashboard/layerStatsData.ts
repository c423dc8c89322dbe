// What the two charts of the paper's analyses show (issue 24): "Layer responses" (the paper's
// Fig. 7: each measured layer's response std, in the network's order or sorted, one line per run)
// and "Gradient flow" (each weight's gradient norm, on a log axis, at one measurement chosen on a
// slider). Pure: from the runs' recorded `layerStats` messages to columns a chart draws.

/** One layer of a `layerStats` message: what the run folder's metrics.jsonl holds. */
export interface LayerStat {
  readonly path: string;
  /** A convolution or a fully connected layer; absent in older runs. */
  readonly op?: 'conv' | 'fc' | undefined;
  /** Std of the layer's response on the held-out batch; absent for a layer whose response is not measured. */
  readonly responseStd?: number | null | undefined;
  /** L2 norm of the gradient of the layer's weights; absent for a layer without weights. */
  readonly gradNorm?: number | null | undefined;
}

export interface LayerStatsRecord {
  readonly step: number;
  readonly layers: readonly LayerStat[];
}

/** A run as these charts see it: its measurements in step order, how it is named and coloured. */
export interface LayerStatsRun {
  /** The run folder: what a click on one of its points reveals. */
  readonly id: string;
  readonly label: string;
  readonly color: number;
  /** A plain network's: dashed, as in the paper's figures. */
  readonly plain?: boolean | undefined;
  readonly records: readonly LayerStatsRecord[];
}

export type LayerMeasure = 'responseStd' | 'gradNorm';

/** One run's line: y by layer index (1-based x), and the layer each point is. */
export interface LayerLine {
  readonly id: string;
  readonly label: string;
  readonly color: number;
  readonly plain: boolean;
  /** The step of the measurement drawn. */
  readonly step: number;
  readonly ys: readonly number[];
  readonly paths: readonly string[];
}

export interface LayerChartModel {
  readonly measure: LayerMeasure;
  readonly sorted: boolean;
  /** 1 … the longest line's length. */
  readonly x: readonly number[];
  readonly lines: readonly LayerLine[];
}

/** What changes a chart: the runs' measurement counts and last steps, and the choices (a live run redraws only when one arrives). */
export function layerChartKey(runs: readonly LayerStatsRun[], ...choices: readonly unknown[]): string {
  return JSON.stringify([runs.map((r) => [r.id, r.label, r.color, r.plain ?? false, r.records.length, r.records[r.records.length - 1]?.step]), choices]);
}

/**
 * The measurement a run shows: the one at `step` or the last before it, else its first; the
 * latest when `step` is undefined. Undefined when the run has none.
 */
export function recordAt(records: readonly LayerStatsRecord[], step?: number): LayerStatsRecord | undefined {
  if (records.length === 0) return undefined;
  if (step === undefined) return records[records.length - 1];
  let chosen = records[0];
  for (const r of records) if (r.step <= step) chosen = r;
  return chosen;
}

/**
 * The layers of a record that carry `measure` (finite), in the network's order or sorted largest
 * first (the paper's lower panel of Fig. 7).
 */
export function layerLine(record: LayerStatsRecord, measure: LayerMeasure, sorted: boolean): { ys: number[]; paths: string[] } {
  const points: { y: number; path: string }[] = [];
  for (const layer of record.layers) {
    // Fig. 7 plots convolutions' responses; the logits' spread is another matter (their gradient flows all the same).
    if (measure === 'responseStd' && layer.op === 'fc') continue;
    const y = layer[measure];
    if (typeof y === 'number' && Number.isFinite(y)) points.push({ y, path: layer.path });
  }
  if (sorted) points.sort((a, b) => b.y - a.y);
  return { ys: points.map((p) => p.y), paths: points.map((p) => p.path) };
}

/** The chart of one measure over the runs, each at `step` (or its latest measurement). */
export function layerChart(runs: readonly LayerStatsRun[], measure: LayerMeasure, sorted: boolean, step?: number): LayerChartModel {
  const lines: LayerLine[] = [];
  for (const run of runs) {
    const record = recordAt(run.records, step);
    if (!record) continue;
    const { ys, paths } = layerLine(record, measure, sorted);
    if (ys.length === 0) continue;
    lines.push({ id: run.id, label: run.label, color: run.color, plain: run.plain ?? false, step: record.step, ys, paths });
  }
  const longest = lines.reduce((n, l) => Math.max(n, l.ys.length), 0);
  return { measure, sorted, x: Array.from({ length: longest }, (_, i) => i + 1), lines };
}

/** Every step with a measurement in any of the runs, ascending: the gradient-flow slider's stops. */
export function measuredSteps(runs: readonly LayerStatsRun[]): number[] {
  const steps = new Set<number>();
  for (const run of runs) for (const r of run.records) steps.add(r.step);
  return [...steps].sort((a, b) => a - b);
}

/** The chart's columns for uPlot: x, then one y column per line (null past a shorter line's end). */
export function chartColumns(model: LayerChartModel): (number | null)[][] {
  return [[...model.x], ...model.lines.map((line) => model.x.map((_, i) => line.ys[i] ?? null))];
}
