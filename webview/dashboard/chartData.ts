// What each chart shows, as series descriptions and aligned columns, from the overlaid runs and
// the view options. Columns that only grow (x by epoch, the smoothed loss) are kept per run and
// extended, so a live run costs per frame only its new points.
import { alignTables, type Aligned, type Table, type Xs, type Ys } from './align';
import { columnKey } from '../../src/core/metrics/column';
import type { RunSeries } from './runSeries';
import type { EpochMessage } from '../../src/protocol/training';
import { DebiasedEma } from '../../src/core/metrics/smoothing';
import { adoptEnvelope } from './envelope';
import type { ViewOptions } from './viewOptions';
import { at } from '../../src/core/indexed';
import type { PageText } from '../pageText';
import type { HostSteps } from './hostSteps';

/** How a series is drawn; the chart turns a role into widths, dashes and markers. */
export type SeriesRole = 'raw' | 'smoothed' | 'line' | 'train' | 'validation' | 'best';

export interface SeriesSpec {
  readonly label: string;
  /** Index into the theme's palette: the run's colour. */
  readonly color: number;
  readonly role: SeriesRole;
  /** A plain network's (an experiment's variant without shortcuts): drawn dashed, as Fig. 6. */
  readonly plain?: boolean | undefined;
}

export interface ChartModel {
  /** What x counts: whole steps get whole-number ticks. */
  readonly xKind: ViewOptions['xAxis'];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly SeriesSpec[];
  /** Each run's own columns, its series in the order of `series`: what the chart decimates. */
  readonly tables: readonly Table[];
  /** The runs aligned on the union of their x values (for the CSV export): built when first read. */
  readonly x: Xs;
  readonly ys: readonly Ys[];
}

/**
 * A chart model whose aligned columns are built only when read: overlaid runs on other steps (or
 * a shorter run padded with nulls) cost a copy of every run, which a live redraw must not pay.
 */
function chartModel(options: ViewOptions, words: ChartWords, yLabel: string, series: readonly SeriesSpec[], tables: readonly Table[]): ChartModel {
  let aligned: Aligned | undefined;
  const align = () => (aligned ??= alignTables(tables));
  return {
    xKind: options.xAxis,
    xLabel: options.xAxis === 'step' ? words.axisStep : words.axisEpoch,
    yLabel,
    series,
    tables,
    get x() {
      return align().x;
    },
    get ys() {
      return align().ys;
    },
  };
}

export interface ShownRun {
  readonly run: RunSeries;
  readonly label: string;
  readonly color: number;
  readonly plain?: boolean;
}

export type ChartName = 'loss' | 'metric' | 'lr';

/** Derived columns of one run, valid while the run was only appended to. */
class DerivedColumns {
  rewrites = -1;
  epochX: number[] = [];
  ema?: DebiasedEma | undefined;

  constructor(private readonly run: RunSeries) {}

  private check(): void {
    if (this.rewrites === this.run.rewrites) return;
    this.rewrites = this.run.rewrites;
    this.epochX = [];
    this.ema = undefined;
  }

  /** x of every step: the step itself, or the fractional epoch. */
  stepX(axis: ViewOptions['xAxis']): Xs {
    const spe = this.run.started?.stepsPerEpoch;
    if (axis === 'step' || !spe) return this.run.step;
    this.check();
    const steps = this.run.step;
    for (let i = this.epochX.length; i < steps.length; i++) this.epochX.push(at(steps, i, 'steps') / spe);
    return this.epochX;
  }

  smoothed(weight: number): Xs {
    this.check();
    if (!this.ema || this.ema.weight !== weight) {
      // The extension's smoothing of the history, at this weight, with its min/max summary: the
      // first render walks none of its steps. At another weight (the slider moved) the page smooths.
      const fromHost = this.run.takeSmoothed(weight);
      if (fromHost) {
        this.ema = DebiasedEma.adopt(weight, fromHost.values, fromHost);
        adoptEnvelope(this.ema.values, fromHost.levels);
      } else this.ema = new DebiasedEma(weight);
    }
    return this.ema.extend(this.run.loss);
  }
}

const derived = new WeakMap<RunSeries, DerivedColumns>();
function columnsOf(run: RunSeries): DerivedColumns {
  let columns = derived.get(run);
  if (!columns) derived.set(run, (columns = new DerivedColumns(run)));
  return columns;
}

/** Each growing column's log-axis copy (by `columnKey`), extended as the column grows (a live run's redraw copies only its new points). */
const logCopies = new WeakMap<object, (number | null)[]>();

/** A log axis cannot show zero or less: those points become gaps. */
function forScale(values: Ys, options: ViewOptions): Ys {
  if (options.yScale === 'linear') return values;
  const key = columnKey(values);
  let copy = logCopies.get(key);
  // Columns only grow in place; a shorter one than its copy was replaced after all.
  if (!copy || copy.length > values.length) logCopies.set(key, (copy = []));
  for (let i = copy.length; i < values.length; i++) {
    const v = values[i];
    copy.push(v != null && v > 0 ? v : null);
  }
  return copy;
}

/** The words the charts are labelled with, in the page's language (the catalogue's `webview.dashboard.chart.*`). */
export interface ChartWords {
  readonly titleLoss: string;
  readonly titleError: string;
  readonly titleAccuracy: string;
  readonly titleLr: string;
  readonly axisStep: string;
  readonly axisEpoch: string;
  readonly axisLoss: string;
  readonly axisError: string;
  readonly axisAccuracy: string;
  readonly axisLr: string;
  readonly series: (role: 'loss' | 'smoothed' | 'train' | 'validation' | 'bestVal' | 'bestTrain' | 'lr', run: string) => string;
}

export function chartWords(text: PageText): ChartWords {
  return {
    titleLoss: text('webview.dashboard.chart.titleLoss'),
    titleError: text('webview.dashboard.chart.titleError'),
    titleAccuracy: text('webview.dashboard.chart.titleAccuracy'),
    titleLr: text('webview.dashboard.chart.titleLr'),
    axisStep: text('webview.dashboard.chart.axisStep'),
    axisEpoch: text('webview.dashboard.chart.axisEpoch'),
    axisLoss: text('webview.dashboard.chart.axisLoss'),
    axisError: text('webview.dashboard.chart.axisError'),
    axisAccuracy: text('webview.dashboard.chart.axisAccuracy'),
    axisLr: text('webview.dashboard.chart.axisLr'),
    series: (role, run) => {
      switch (role) {
        case 'loss':
          return text('webview.dashboard.chart.seriesLoss', { run });
        case 'smoothed':
          return text('webview.dashboard.chart.seriesSmoothed', { run });
        case 'train':
          return text('webview.dashboard.chart.seriesTrain', { run });
        case 'validation':
          return text('webview.dashboard.chart.seriesValidation', { run });
        case 'bestVal':
          return text('webview.dashboard.chart.seriesBestVal', { run });
        case 'bestTrain':
          return text('webview.dashboard.chart.seriesBestTrain', { run });
        case 'lr':
          return text('webview.dashboard.chart.seriesLr', { run });
      }
    },
  };
}

/** x is step / stepsPerX(run): the steps per epoch on the epoch axis (when the run says), else 1. */
export function stepsPerX(run: RunSeries, axis: ViewOptions['xAxis']): number {
  const spe = run.started?.stepsPerEpoch;
  return axis === 'epoch' && spe ? spe : 1;
}

/**
 * A step chart's columns of a run: what the extension sent for the chart (its steps stay there,
 * issue 21) with the live steps after it, or the run's own columns when the page holds them.
 */
function stepTable(chart: 'loss' | 'lr', run: RunSeries, options: ViewOptions, steps: HostSteps | undefined): { x: Xs; loss: Ys; smoothed: () => Ys; lr: Ys } {
  const held = run.stepsOnHost && steps?.table(chart, run, stepsPerX(run, options.xAxis));
  if (held) return { x: held.x, loss: held.values('loss') ?? [], smoothed: () => held.values('smoothed') ?? [], lr: held.values('lr') ?? [] };
  const columns = columnsOf(run);
  return { x: columns.stepX(options.xAxis), loss: run.loss, smoothed: () => columns.smoothed(options.smoothing), lr: run.lr };
}

export function lossChart(runs: readonly ShownRun[], options: ViewOptions, words: ChartWords, steps?: HostSteps): ChartModel {
  const series: SeriesSpec[] = [];
  const tables: Table[] = runs.map(({ run, label, color, plain }) => {
    const table = stepTable('loss', run, options, steps);
    const ys = [forScale(table.loss, options)];
    if (options.smoothing > 0) {
      series.push({ label: words.series('loss', label), color, role: 'raw', plain }, { label: words.series('smoothed', label), color, role: 'smoothed', plain });
      ys.push(forScale(table.smoothed(), options));
    } else {
      series.push({ label: words.series('loss', label), color, role: 'line', plain });
    }
    return { x: table.x, ys };
  });
  return chartModel(options, words, words.axisLoss, series, tables);
}

/**
 * A run's per-epoch columns on the metric chart (x, training and validation figures), extended as
 * epochs are appended: at six runs of thousands of epochs, rebuilding them at every epoch's end
 * was the heaviest part of a live redraw. Rebuilt when an epoch was replaced or the view changed.
 */
class EpochColumns {
  readonly x: number[] = [];
  readonly train: (number | null)[] = [];
  readonly validation: (number | null)[] = [];
  hasValidation = false;
  /** The best epoch's marker column, and for which best epoch and length it was made. */
  private marker: (number | null)[] = [];
  private markerOf?: EpochMessage | undefined;

  constructor(
    readonly view: string,
    readonly rewrites: number,
  ) {}

  extend(run: RunSeries, options: ViewOptions): void {
    const percent = (accuracy: number) => shownPercent(accuracy, options);
    const epochs = run.epochs;
    for (let i = this.x.length; i < epochs.length; i++) {
      const e = epochs[i] as EpochMessage;
      this.x.push(options.xAxis === 'step' ? e.step : e.epoch + 1);
      this.train.push(percent(e.trainAccuracy));
      this.validation.push(e.valAccuracy === undefined ? null : percent(e.valAccuracy));
      if (e.valAccuracy !== undefined) this.hasValidation = true;
    }
  }

  /** The best epoch's ring: its figure there, null elsewhere (a new column when the best epoch changes, else grown). */
  bestMarker(run: RunSeries, best: NonNullable<RunSeries['best']>, options: ViewOptions): (number | null)[] {
    const epochs = run.epochs;
    if (this.markerOf !== best.epoch || this.marker.length > epochs.length) {
      this.markerOf = best.epoch;
      this.marker = [];
    }
    for (let i = this.marker.length; i < epochs.length; i++) {
      const e = epochs[i] as EpochMessage;
      this.marker.push(e === best.epoch ? shownPercent(best.on === 'validation' ? (e.valAccuracy as number) : e.trainAccuracy, options) : null);
    }
    return this.marker;
  }
}

/** An accuracy as the metric chart shows it: a percentage of error or of accuracy. */
function shownPercent(accuracy: number, options: ViewOptions): number {
  return 100 * (options.metric === 'error' ? 1 - accuracy : accuracy);
}

const epochColumns = new WeakMap<RunSeries, EpochColumns>();

function epochColumnsOf(run: RunSeries, options: ViewOptions): EpochColumns {
  const view = `${options.xAxis} ${options.metric}`;
  let columns = epochColumns.get(run);
  if (!columns || columns.view !== view || columns.rewrites !== run.epochRewrites || columns.x.length > run.epochs.length) {
    columns = new EpochColumns(view, run.epochRewrites);
    epochColumns.set(run, columns);
  }
  columns.extend(run, options);
  return columns;
}

export function metricChart(runs: readonly ShownRun[], options: ViewOptions, words: ChartWords): ChartModel {
  const series: SeriesSpec[] = [];
  const tables: Table[] = runs.map(({ run, label, color, plain }) => {
    const columns = epochColumnsOf(run, options);
    const ys: Ys[] = [forScale(columns.train, options)];
    series.push({ label: words.series('train', label), color, role: 'train', plain });
    if (columns.hasValidation) {
      ys.push(forScale(columns.validation, options));
      series.push({ label: words.series('validation', label), color, role: 'validation', plain });
    }
    const best = run.best;
    if (best) {
      ys.push(forScale(columns.bestMarker(run, best, options), options));
      series.push({ label: words.series(best.on === 'validation' ? 'bestVal' : 'bestTrain', label), color, role: 'best' });
    }
    return { x: columns.x, ys };
  });
  return chartModel(options, words, options.metric === 'error' ? words.axisError : words.axisAccuracy, series, tables);
}

export function learningRateChart(runs: readonly ShownRun[], options: ViewOptions, words: ChartWords, steps?: HostSteps): ChartModel {
  const series: SeriesSpec[] = runs.map(({ label, color, plain }) => ({ label: words.series('lr', label), color, role: 'line', plain }));
  const tables: Table[] = runs.map(({ run }) => {
    const table = stepTable('lr', run, options, steps);
    return { x: table.x, ys: [forScale(table.lr, options)] };
  });
  return chartModel(options, words, words.axisLr, series, tables);
}

/** A chart's title for the view options. */
export function chartTitle(name: ChartName, options: ViewOptions, words: ChartWords): string {
  if (name === 'loss') return words.titleLoss;
  if (name === 'lr') return words.titleLr;
  return options.metric === 'error' ? words.titleError : words.titleAccuracy;
}
