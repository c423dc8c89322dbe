// One uPlot chart that follows a ChartModel: rebuilt when its series or look change (runs picked,
// theme, log axis), otherwise only given new data, which is what keeps a live run cheap. uPlot
// gets the points the plot's width can show (decimated), redone for the range zoomed into.
import uPlot from 'uplot';
import type { ChartModel, SeriesRole, SeriesSpec } from './chartData';
import { alignedLength } from './align';
import { decimateTables, paddedEnd } from './decimate';
import { CHART_HEIGHT, fitToWidth, themedAxis, valueAxis, WHOLE_INCREMENTS, yScale } from './chartLook';
import { formatValue } from './format';
import { runColor, withAlpha, type Theme } from './theme';
import { SeriesLayer, type LineStyle } from './seriesLayer';

export class LineChart {
  private plot?: uPlot | undefined;
  private structure = '';
  private current?: ChartModel | undefined;
  /** Set by a drag-zoom, cleared by a double click: new data must not undo the person's zoom. */
  private zoomed = false;
  /** What the last draw put on the canvas: the length of each column, x first (what tests read). */
  private drawnLengths: readonly number[] = [];

  /** The chart's lines, drawn by the page on a canvas of their own (seriesLayer.ts), and each series' look there. */
  private readonly layer = new SeriesLayer();
  private lineStyles: readonly (LineStyle | undefined)[] = [];

  /** The view (zoom, width) last told to `onViewChange`. */
  private lastView = '';

  /** `onViewChange`: the zoom or the plot's width changed (the page asks the extension for the new range's points). */
  constructor(
    private readonly container: HTMLElement,
    private readonly onViewChange: () => void = () => undefined,
  ) {
    new ResizeObserver(() => this.fitWidth()).observe(container);
    // uPlot's double click resets the zoom; the whole range is then decimated afresh.
    container.addEventListener('dblclick', () => {
      this.zoomed = false;
      if (this.plot) this.plot.setData(this.visibleData(), true);
      this.viewChanged();
    });
  }

  /** The plot's width in CSS pixels: the pixel columns the points are decimated for. */
  get pixelColumns(): number {
    return this.plot?.bbox ? this.plot.bbox.width / devicePixelRatio : this.container.clientWidth || 600;
  }

  /** The x range zoomed into, if the person zoomed. */
  get zoomRange(): [number, number] | undefined {
    const x = this.plot?.scales.x;
    return this.zoomed && x?.min !== undefined && x.max !== undefined ? [x.min, x.max] : undefined;
  }

  private viewChanged(): void {
    const view = JSON.stringify([this.zoomRange, this.pixelColumns]);
    if (view === this.lastView) return;
    this.lastView = view;
    this.onViewChange();
  }

  get model(): ChartModel | undefined {
    return this.current;
  }

  /** The canvas with the axes and curves (for the PNG export). */
  get canvas(): HTMLCanvasElement | undefined {
    return this.plot?.ctx.canvas;
  }

  /** For tests and the benchmark: the chart's uPlot. */
  get uplot(): uPlot | undefined {
    return this.plot;
  }

  /** For tests and the benchmark: how the lines were drawn, counted by kind (seriesLayer.ts). */
  get lineDraws(): SeriesLayer['draws'] {
    return this.layer.draws;
  }

  /** For tests: the length of each column (x first) at the last time the canvas was drawn. */
  get drawn(): readonly number[] {
    return this.drawnLengths;
  }

  /** Takes the model and redraws what changed; whether the canvas is redrawn. */
  update(model: ChartModel, yLog: boolean, theme: Theme): boolean {
    this.current = model;
    let redrawn = true;
    const structure = JSON.stringify([model.series, model.xLabel, model.yLabel, yLog, theme.key]);
    if (!this.plot || structure !== this.structure) {
      this.plot?.destroy();
      this.plot = undefined;
      this.structure = structure;
      this.zoomed = false;
      this.plot = new uPlot(this.options(model, yLog, theme), this.visibleData(), this.container);
      // The first data was decimated for the container's width: until uPlot laid the plot out
      // its width (the container's less the axes) was unknown. Now each bucket is a pixel column.
      this.plot.setData(this.visibleData(), true);
    } else {
      const data = this.visibleData();
      // A chart whose points did not change (the epoch chart between epochs) is not redrawn: with
      // software rendering, repainting a canvas costs more than comparing a few thousand numbers.
      if (!sameData(data, this.plot.data)) this.plot.setData(data, !this.zoomed);
      else redrawn = false;
    }
    const points = alignedLength(model.tables);
    this.container.dataset.points = String(points);
    this.container.dataset.series = String(model.series.length);
    this.container.classList.toggle('empty', points === 0);
    return redrawn;
  }

  /**
   * What uPlot draws: the model's points in the zoomed range (or all), a few per pixel column. Never
   * the run's own columns (decimate copies): they grow in place, so the next frame's data would
   * compare equal to what was drawn, and a live run would never be redrawn.
   */
  private visibleData(): uPlot.AlignedData {
    const model = this.current as ChartModel;
    const shown = decimateTables(model.tables, this.pixelColumns, ...(this.zoomRange ?? []));
    return [shown.x, ...shown.ys] as uPlot.AlignedData;
  }

  private fitWidth(): void {
    fitToWidth(this.plot, this.container);
  }

  private options(model: ChartModel, yLog: boolean, theme: Theme): uPlot.Options {
    const series = model.series.map((s) => seriesOptions(s, theme));
    this.lineStyles = [undefined, ...series.map((s) => s.line)];
    return {
      width: this.container.clientWidth || 600,
      height: CHART_HEIGHT,
      scales: { x: { time: false, range: xRange }, y: yScale(yLog) },
      axes: [{ ...themedAxis(model.xLabel, theme), ...(model.xKind === 'step' ? { incrs: WHOLE_INCREMENTS } : {}) }, valueAxis(model.yLabel, theme)],
      series: [{ label: model.xLabel, value: (_u, v) => formatValue(v) }, ...series.map((s) => s.options)],
      cursor: { drag: { x: true, y: false }, sync: { key: 'resnet-dashboard' } },
      legend: { live: true },
      hooks: {
        // The lines, above the grid and under uPlot's points.
        drawAxes: [(u) => this.layer.draw(u, this.lineStyles)],
        draw: [
          (u) => {
            this.drawnLengths = u.data.map((column) => column.length);
          },
        ],
        setSelect: [
          (u) => {
            if (u.select.width > 0) this.zoomed = true;
          },
        ],
        // A new width (the panel resized): the buckets follow the new pixel columns.
        setSize: [
          (u) => {
            queueMicrotask(() => {
              if (this.plot === u) u.setData(this.visibleData(), !this.zoomed);
              this.viewChanged();
            });
          },
        ],
        // A drag-zoom: the finer points of the new range replace the coarse ones, once uPlot is done.
        setScale: [
          (u, key) => {
            if (key !== 'x' || !this.zoomed) return;
            queueMicrotask(() => {
              if (this.zoomed && this.plot === u) u.setData(this.visibleData(), false);
              this.viewChanged();
            });
          },
        ],
      },
    };
  }
}

/**
 * The x scale's range. Fitted to the data (uPlot asks with the data's own first and last x), it
 * ends where the decimation's pixel grid does, a little past the last point (`paddedEnd`), so each
 * bucket is one pixel column and a growing run's redraw keeps the buckets it had; a zoom is kept
 * as asked.
 */
function xRange(u: uPlot, min: number, max: number): uPlot.Range.MinMax {
  const x = u.data[0];
  const fitted = x !== undefined && x.length > 0 && min === x[0] && max === x[x.length - 1];
  return [min, fitted ? paddedEnd(min, max) : max];
}

function sameData(a: uPlot.AlignedData, b: uPlot.AlignedData | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  return a.every((p, k) => {
    const q = b[k];
    if (p === q) return true;
    if (q === undefined || p.length !== q.length) return false;
    for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) return false;
    return true;
  });
}

const STYLE: Record<SeriesRole, { width: number; dash?: number[]; alpha?: number }> = {
  raw: { width: 1, alpha: 0.35 },
  smoothed: { width: 2 },
  line: { width: 1.5 },
  // The paper's convention (Fig. 6): dashed training error, bold validation/test error.
  train: { width: 1.5, dash: [6, 4] },
  validation: { width: 2.5 },
  best: { width: 0 },
};

/** A series' uPlot options (its legend, read-out, points) and, for a line, how the series layer draws it (uPlot draws no line). */
function seriesOptions(spec: SeriesSpec, theme: Theme): { options: uPlot.Series; line?: LineStyle } {
  const color = runColor(theme, spec.color);
  const style = STYLE[spec.role];
  const base: uPlot.Series = {
    label: spec.label,
    stroke: style.alpha === undefined ? color : withAlpha(color, style.alpha),
    width: style.width,
    spanGaps: true,
    value: (_u, v) => formatValue(v),
    class: `series-${spec.role}`,
  };
  if (style.dash) base.dash = style.dash;
  // A plain net of an experiment is dashed (Fig. 6): short dashes, and dash-dot where training error is dashed already.
  if (spec.plain && spec.role !== 'best') {
    base.dash = style.dash ? [6, 3, 1.5, 3] : [3, 3];
    base.class = `series-${spec.role}-plain`;
  }
  if (spec.role === 'raw' || spec.role === 'smoothed') base.points = { show: false };
  // uPlot draws no line: the series layer does (seriesLayer.ts), repainting only what changed.
  base.paths = () => null;
  if (spec.role === 'best') {
    // A ring on the best point, no line.
    base.points = { show: true, size: 11, width: 2, stroke: color, fill: theme.background };
    return { options: base };
  }
  return { options: base, line: { width: style.width, dash: base.dash } };
}
