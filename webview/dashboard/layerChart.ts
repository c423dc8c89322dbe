// One uPlot chart over a network's layers (x: layer index), for "Layer responses" and "Gradient
// flow": one line per run, plain nets dashed as in the paper's Fig. 7. The hovered point names its
// layer (the legend's first cell and the canvas title); a click on the plot reveals that layer.
import uPlot from 'uplot';
import { CHART_HEIGHT, fitToWidth, themedAxis, valueAxis, WHOLE_INCREMENTS, yScale } from './chartLook';
import { formatValue } from './format';
import { chartColumns, type LayerChartModel, type LayerLine } from './layerStatsData';
import { runColor, type Theme } from './theme';

export class LayerChart {
  private plot?: uPlot | undefined;
  private structure = '';
  private current?: LayerChartModel | undefined;
  /** The line and point under the cursor, if any. */
  private hovered?: { line: number; index: number } | undefined;
  private drawnKey = '';

  constructor(
    private readonly container: HTMLElement,
    private readonly words: { readonly layer: string; readonly y: string },
    /** Called with a line and its layer's path when that point is clicked. */
    private readonly reveal: (line: LayerLine, path: string) => void,
  ) {
    new ResizeObserver(() => fitToWidth(this.plot, this.container)).observe(container);
    container.addEventListener('click', () => {
      const h = this.hovered;
      const line = h ? this.current?.lines[h.line] : undefined;
      const path = this.hoveredPath();
      if (line && path) this.reveal(line, path);
    });
  }

  get model(): LayerChartModel | undefined {
    return this.current;
  }

  /** For tests: the chart's uPlot. */
  get uplot(): uPlot | undefined {
    return this.plot;
  }

  /** The layer under the cursor (its line's point nearest the cursor's x). */
  hoveredPath(): string | undefined {
    const h = this.hovered;
    if (!h || !this.current) return undefined;
    return this.current.lines[h.line]?.paths[h.index];
  }

  /** Draws `model`; nothing is redrawn when `key` (layerChartKey) is the last one drawn. */
  update(model: LayerChartModel, yLog: boolean, theme: Theme, key: string): void {
    if (this.plot && key === this.drawnKey) return;
    this.drawnKey = key;
    this.current = model;
    const structure = JSON.stringify([model.lines.map((l) => [l.label, l.color, l.plain]), model.measure, yLog, theme.key]);
    const data = chartColumns(model) as uPlot.AlignedData;
    if (!this.plot || structure !== this.structure) {
      this.plot?.destroy();
      this.structure = structure;
      this.plot = new uPlot(this.options(model, yLog, theme), data, this.container);
    } else {
      this.plot.setData(data);
    }
    this.container.dataset.lines = String(model.lines.length);
    this.container.dataset.layers = String(model.x.length);
    this.container.classList.toggle('empty', model.lines.length === 0);
  }

  private options(model: LayerChartModel, yLog: boolean, theme: Theme): uPlot.Options {
    return {
      width: this.container.clientWidth || 600,
      height: CHART_HEIGHT,
      scales: { x: { time: false }, y: yScale(yLog) },
      axes: [{ ...themedAxis(this.words.layer, theme), incrs: WHOLE_INCREMENTS }, valueAxis(this.words.y, theme)],
      series: [
        // The x cell of the legend names the hovered layer, not only its index.
        { label: this.words.layer, value: (_u, v) => (v == null ? '—' : `${v} ${this.hoveredPath() ?? ''}`.trim()) },
        ...model.lines.map((line) => {
          const color = runColor(theme, line.color);
          const series: uPlot.Series = { label: line.label, stroke: color, width: 1.5, spanGaps: false, points: { show: true, size: 4, fill: color }, value: (_u, v) => formatValue(v) };
          if (line.plain) series.dash = [3, 3];
          return series;
        }),
      ],
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      hooks: {
        setCursor: [
          (u) => {
            const index = u.cursor.idx;
            if (index == null) {
              this.hovered = undefined;
              this.container.title = '';
              return;
            }
            // The line whose point at this layer is nearest the cursor's height.
            const lines = this.current?.lines ?? [];
            const top = u.cursor.top ?? 0;
            let line = -1;
            let distance = Number.POSITIVE_INFINITY;
            lines.forEach((l, k) => {
              const y = l.ys[index];
              if (y === undefined) return;
              const d = Math.abs(u.valToPos(y, 'y') - top);
              if (d < distance) [line, distance] = [k, d];
            });
            this.hovered = line >= 0 ? { line, index } : undefined;
            this.container.title = this.hoveredPath() ?? '';
          },
        ],
      },
    };
  }
}
