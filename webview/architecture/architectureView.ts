// The architecture view's page: the model under the editor's cursor as a graph that follows the
// text, with a toolbar (size metric, fold, fit, export), a legend, hover figures, two-way
// selection with the editor, keyboard navigation, and in diff mode a table of the changes.
// Messages in and out are checked against the protocol's schemas; its state survives a reload.
import { profileCommand } from '../../src/core/report/summaryTimes';
import { pageText, type PageKey, type PageText } from '../pageText';
import { formatShape } from '../../src/core/analysis/shape';
import type { ArchitectureDiff } from '../../src/core/diff/architectureDiff';
import { formatSigned, formatSignedBytes } from '../../src/core/diff/formatDiff';
import type { ArchitectureGraph } from '../../src/core/report/architectureGraph';
import { formatBytes, formatExact, formatShare } from '../../src/core/report/numbers';
import { describeDropped } from '../../src/protocol/webview';
import type { ProfileDocument } from '../../src/protocol/profile';
import type { GraphCost } from '../../src/core/report/architectureGraph';
import { parseArchitectureState, parseToArchitecture, type ArchitectureState, type FromArchitecture, type SizeMetric, type ToArchitecture } from '../../src/protocol/architecture';
import { heatFill, mix, readPalette, type Palette } from './colors';
import { graphSize, layoutGraph, type LaidGroup, type LaidNode, type Layout, type LayoutText } from './layout';
import { GraphRenderer, textMeasure, type NodeLook, type View } from './render';
import { svgToPng } from './exportImage';

export interface ArchitectureHost {
  post(message: FromArchitecture): void;
  loadState(): unknown;
  saveState(state: unknown): void;
}

/** Above this many layers a model opens folded to its stages (ResNet-1202 has about 3,600). */
export const FOLD_ABOVE_LAYERS = 400;
/** Zoomed in no further: an 11 px label is 44 px high. Zoomed out no further than the whole graph on screen. */
const MAX_SCALE = 4;
/** Room around the graph when it is fitted to the canvas. */
const FIT_MARGIN = 12;
/** One wheel notch (or one event of a pinch) zooms by at most this factor, as + and - do. */
const NOTCH = 1.25;

type MetricLabel = Extract<
  PageKey,
  | 'webview.architecture.macs'
  | 'webview.architecture.params'
  | 'webview.architecture.activationMemory'
  | 'webview.architecture.time'
  | 'webview.architecture.responseStd'
  | 'webview.architecture.gradNorm'
>;
const METRICS: readonly { readonly value: SizeMetric; readonly label: MetricLabel }[] = [
  { value: 'macs', label: 'webview.architecture.macs' },
  { value: 'params', label: 'webview.architecture.params' },
  { value: 'activationBytes', label: 'webview.architecture.activationMemory' },
  { value: 'time', label: 'webview.architecture.time' },
  { value: 'responseStd', label: 'webview.architecture.responseStd' },
  { value: 'gradNorm', label: 'webview.architecture.gradNorm' },
];

/** Metrics measured per layer during a run (issue 24): not sums, so a stage shows its largest layer's. */
type StatMetric = Extract<SizeMetric, 'responseStd' | 'gradNorm'>;
function isStat(metric: SizeMetric): metric is StatMetric {
  return metric === 'responseStd' || metric === 'gradNorm';
}

type Mode = { kind: 'live' } | { kind: 'diff'; diff: ArchitectureDiff; oldLabel: string; newLabel: string };

export class ArchitectureView {
  private graph: ArchitectureGraph | undefined;
  private mode: Mode = { kind: 'live' };
  private uri: string | undefined;
  private fileName = '';
  /** The page's words, in the editor's display language. */
  private readonly text: PageText;
  private layout: Layout | undefined;
  private metric: SizeMetric = 'macs';
  /** Measured forward + backward ms per layer path, from a `profile --json` document, and the model it is for. */
  private timings: { readonly model: string; readonly engine: string; readonly device: string; readonly batch: number; readonly byPath: ReadonlyMap<string, number> } | undefined;
  /** A run's layer statistics at one step, and the model they are for. */
  private layerStats:
    | { readonly model: string; readonly run: string; readonly step: number; readonly byPath: ReadonlyMap<string, { readonly responseStd?: number; readonly gradNorm?: number }> }
    | undefined;
  /** A layer to select and reveal once its model's graph is drawn (a click in the dashboard's layer charts). */
  private pendingSelect: { readonly model: string; readonly id: string } | undefined;
  private folded = new Map<string, Set<string>>();
  private view: View = { x: 0, y: 0, scale: 1 };
  private selected: string | undefined;
  private palette: Palette;
  /** How the layout measures and words its text: in the theme's font, in the page's language. */
  private layoutText: LayoutText;
  private readonly renderer: GraphRenderer;
  private readonly svg: SVGSVGElement;
  private readonly el: Record<'title' | 'totals' | 'legend' | 'message' | 'tooltip' | 'status' | 'table' | 'canvas', HTMLElement>;
  private readonly metricSelect: HTMLSelectElement;
  private readonly liveButton: HTMLButtonElement;
  private frameRequested = false;
  /** The last redraw's time in ms (layout and DOM), and the last message's check, for the benchmark. */
  lastRedrawMs = 0;
  lastCheckMs = 0;

  constructor(
    root: HTMLElement,
    private readonly host: ArchitectureHost,
  ) {
    const text = pageText(root);
    this.text = text;
    root.innerHTML = `
      <header class="arch-header">
        <div class="title-row"><h1 id="arch-title">${text('webview.architecture.title')}</h1><span id="arch-totals" class="hint"></span></div>
        <div class="toolbar" role="toolbar" aria-label="${text('webview.architecture.toolbar')}">
          <label>${text('webview.architecture.colourBy')} <select id="arch-metric"></select></label>
          <button id="arch-fold" type="button">${text('webview.architecture.foldAll')}</button>
          <button id="arch-unfold" type="button">${text('webview.architecture.unfoldAll')}</button>
          <button id="arch-fit" type="button">${text('webview.architecture.fit')}</button>
          <button id="arch-export-svg" type="button">${text('webview.architecture.exportSvg')}</button>
          <button id="arch-export-png" type="button">${text('webview.architecture.exportPng')}</button>
          <button id="arch-live" type="button" hidden>${text('webview.architecture.backToLive')}</button>
        </div>
        <div id="arch-legend" class="legend"></div>
        <div id="arch-message" class="message" hidden></div>
      </header>
      <div id="arch-canvas" class="canvas" tabindex="0" role="application" aria-label="${text('webview.architecture.canvas')}">
        <svg id="arch-svg" xmlns="http://www.w3.org/2000/svg"></svg>
        <div id="arch-tooltip" class="tooltip" role="tooltip" hidden></div>
      </div>
      <div id="arch-status" class="sr-status" aria-live="polite"></div>
      <div id="arch-table" class="changes" hidden></div>`;
    const byId = (id: string) => root.querySelector(`#${id}`) as HTMLElement;
    this.el = {
      title: byId('arch-title'),
      totals: byId('arch-totals'),
      legend: byId('arch-legend'),
      message: byId('arch-message'),
      tooltip: byId('arch-tooltip'),
      status: byId('arch-status'),
      table: byId('arch-table'),
      canvas: byId('arch-canvas'),
    };
    this.svg = root.querySelector('#arch-svg') as SVGSVGElement;
    this.metricSelect = byId('arch-metric') as HTMLSelectElement;
    for (const m of METRICS) this.metricSelect.append(new Option(this.text(m.label), m.value));
    this.liveButton = byId('arch-live') as HTMLButtonElement;
    this.palette = readPalette();
    this.layoutText = this.textFor(this.palette);
    this.renderer = new GraphRenderer(this.svg, this.palette, (n) => this.lookOf(n), this.layoutText.measure);

    const saved = parseArchitectureState(host.loadState());
    if (saved) this.restore(saved);
    this.metricSelect.value = this.metric;

    this.metricSelect.addEventListener('change', () => {
      this.metric = this.metricSelect.value as SizeMetric;
      this.redraw();
    });
    byId('arch-fold').addEventListener('click', () => this.foldAll(true));
    byId('arch-unfold').addEventListener('click', () => this.foldAll(false));
    byId('arch-fit').addEventListener('click', () => this.fit());
    byId('arch-export-svg').addEventListener('click', () => this.exportSvg());
    byId('arch-export-png').addEventListener('click', () => void this.exportPng());
    this.liveButton.addEventListener('click', () => host.post({ type: 'followCursor' }));
    this.attachPointer();
    this.attachKeyboard();
    window.addEventListener('message', (event: MessageEvent) => this.receive(event.data));
    new ResizeObserver(() => {
      this.size = undefined;
      this.requestFrame();
    }).observe(this.el.canvas);
    new MutationObserver(() => this.onThemeChange()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    new MutationObserver(() => this.onThemeChange()).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
    host.post({ type: 'ready' });
  }

  // ---- messages ----

  private receive(raw: unknown): void {
    const started = performance.now();
    const message = parseToArchitecture(raw);
    this.lastCheckMs = performance.now() - started;
    if (!message) {
      this.host.post({ type: 'log', level: 'warn', message: `architecture view: dropped a malformed message: ${describeDropped(raw)}` });
      return;
    }
    this.handle(message);
  }

  private handle(message: ToArchitecture): void {
    switch (message.type) {
      case 'graph':
        this.show(message.graph, message.uri, message.fileName, { kind: 'live' });
        return;
      case 'diff':
        this.show(message.graph, message.uri, message.fileName, { kind: 'diff', diff: message.diff, oldLabel: message.oldLabel, newLabel: message.newLabel });
        return;
      case 'missing':
        this.showMessage(message.message);
        return;
      case 'cursor':
        this.selectAt(message.line, message.column);
        return;
      case 'timings':
        this.setTimings(message.timings);
        return;
      case 'layerStats':
        this.setLayerStats(message);
        return;
    }
  }

  /** A run's layer statistics arrive: colour by response std now (or keep the statistic chosen). */
  private setLayerStats(message: Extract<ToArchitecture, { type: 'layerStats' }>): void {
    const byPath = new Map<string, { responseStd?: number; gradNorm?: number }>();
    for (const l of message.layers) {
      const entry: { responseStd?: number; gradNorm?: number } = {};
      if (typeof l.responseStd === 'number' && Number.isFinite(l.responseStd)) entry.responseStd = l.responseStd;
      if (typeof l.gradNorm === 'number' && Number.isFinite(l.gradNorm)) entry.gradNorm = l.gradNorm;
      byPath.set(l.path, entry);
    }
    this.layerStats = { model: message.model, run: message.run, step: message.step, byPath };
    if (!isStat(this.metric)) this.metric = 'responseStd';
    this.metricSelect.value = this.metric;
    this.maxCache.clear();
    this.pendingSelect = message.select === undefined ? undefined : { model: message.model, id: message.select };
    this.redraw();
    this.selectPending();
  }

  /** Selects the layer asked for when its model is the one drawn, unfolding its stage, and reveals it in the editor. */
  private selectPending(): void {
    const pending = this.pendingSelect;
    if (!pending || !this.graph || this.graph.model !== pending.model || this.mode.kind !== 'live') return;
    this.pendingSelect = undefined;
    const stage = this.graph.stages.find((st) => pending.id.startsWith(`${st.id}.`));
    if (stage && this.foldedStages().has(stage.id)) this.toggleStage(stage.id);
    this.select(pending.id, { reveal: true });
  }

  /** The statistics for the model drawn, when the loaded ones are for it. */
  private statsOfModel(): NonNullable<ArchitectureView['layerStats']>['byPath'] | undefined {
    return this.layerStats && this.graph && this.layerStats.model === this.graph.model ? this.layerStats.byPath : undefined;
  }

  /** A layer's statistic, or a stage's largest layer's; 0 where none was measured. */
  private statOf(id: string, stage: boolean, metric: StatMetric): number {
    const stats = this.statsOfModel();
    if (!stats) return 0;
    if (!stage) return stats.get(id)?.[metric] ?? 0;
    let max = 0;
    for (const [path, values] of stats) if (path.startsWith(`${id}.`)) max = Math.max(max, values[metric] ?? 0);
    return max;
  }

  /** Measured times arrive: colour by them now. */
  private setTimings(doc: ProfileDocument): void {
    this.timings = {
      model: doc.model,
      engine: doc.engine === 'tfjs' ? 'TF.js' : 'PyTorch',
      device: doc.device,
      batch: doc.batch,
      byPath: new Map(doc.layers.map((l) => [l.path, l.forwardMs + l.backwardMs])),
    };
    this.metric = 'time';
    this.metricSelect.value = 'time';
    this.maxCache.clear();
    this.redraw();
  }

  /** The times for the model drawn, when the loaded ones are for it. */
  private timesOfModel(): ReadonlyMap<string, number> | undefined {
    return this.timings && this.graph && this.timings.model === this.graph.model ? this.timings.byPath : undefined;
  }

  /** A node's figure under the metric: its cost, or its measured ms (a stage's: its layers' sum). */
  private valueOf(source: { readonly id: string; readonly cost?: GraphCost | undefined }, stage: boolean): number {
    if (isStat(this.metric)) return this.statOf(source.id, stage, this.metric);
    if (this.metric !== 'time') return source.cost ? source.cost[this.metric] : 0;
    return this.timeOf(source.id, stage);
  }

  /** Measured ms of a layer, or of a stage's layers together; 0 without times for this model. */
  private timeOf(id: string, stage: boolean): number {
    const times = this.timesOfModel();
    if (!times) return 0;
    if (!stage) return times.get(id) ?? 0;
    let sum = 0;
    for (const [path, ms] of times) if (path.startsWith(`${id}.`)) sum += ms;
    return sum;
  }

  private totalOf(graph: ArchitectureGraph): number {
    // A statistic has no total: shares of it are not shown.
    if (isStat(this.metric)) return 0;
    if (this.metric !== 'time') return graph.totals[this.metric];
    let sum = 0;
    for (const ms of this.timesOfModel()?.values() ?? []) sum += ms;
    return sum;
  }

  private formatValue(value: number): string {
    if (isStat(this.metric)) return value.toPrecision(4);
    return this.metric === 'activationBytes' ? formatBytes(value) : this.metric === 'time' ? `${value.toFixed(3)} ms` : formatExact(value);
  }

  private show(graph: ArchitectureGraph, uri: string, fileName: string, mode: Mode): void {
    const started = performance.now();
    const modelChanged = this.graph?.model !== graph.model || this.uri !== uri;
    this.graph = graph;
    this.uri = uri;
    this.fileName = fileName;
    this.mode = mode;
    if (!this.folded.has(graph.model)) {
      this.folded.set(graph.model, new Set(graphSize(graph) > FOLD_ABOVE_LAYERS ? graph.stages.map((s) => s.id) : []));
    }
    const errors = graph.errors.map((e) => `line ${e.line}: ${e.message}`);
    this.showMessage(errors.length > 0 ? errors.join('\n') : undefined);
    this.el.title.textContent = mode.kind === 'diff' ? `${mode.oldLabel} → ${mode.newLabel}` : `${graph.model}`;
    this.el.totals.textContent = this.totalsText(graph, mode);
    this.liveButton.hidden = mode.kind !== 'diff';
    this.renderTable();
    // The header and the table may have changed the canvas's size.
    this.size = undefined;
    this.relayout();
    // A new model opens at its top, fitted to the width (readable, where Fit would show all of a
    // deep one small); after a reload the saved view is kept instead.
    if (modelChanged) {
      if (this.restoredView) this.restoredView = false;
      else this.fitWidth();
    }
    this.lastRedrawMs = performance.now() - started;
    this.save();
    this.selectPending();
  }

  private totalsText(graph: ArchitectureGraph, mode: Mode): string {
    const t = graph.totals;
    const base = this.text('webview.architecture.header', {
      file: this.fileName,
      input: formatShape(graph.input),
      output: formatShape(graph.output),
      params: formatExact(t.params),
      macs: formatExact(t.macs),
      bytes: formatBytes(t.activationBytes),
      batch: graph.batchSize,
    });
    if (mode.kind !== 'diff') return base;
    const d = mode.diff.delta;
    return base + this.text('webview.architecture.headerDiff', { params: formatSigned(d.params), macs: formatSigned(d.macs), bytes: formatSignedBytes(d.activationBytes) });
  }

  private showMessage(text: string | undefined): void {
    this.el.message.hidden = text === undefined;
    this.el.message.textContent = text ?? '';
    this.size = undefined;
  }

  // ---- drawing ----

  private foldedStages(): Set<string> {
    return this.folded.get(this.graph?.model ?? '') ?? new Set();
  }

  private textFor(palette: Palette): LayoutText {
    return {
      measure: textMeasure(palette.font),
      words: {
        blocks: (count) => this.text(count === 1 ? 'webview.architecture.stage.blocks.one' : 'webview.architecture.stage.blocks.other', { count }),
        layers: (count) => this.text(count === 1 ? 'webview.architecture.stage.layers.one' : 'webview.architecture.stage.layers.other', { count }),
        cannotAdd: this.text('webview.architecture.cannotAdd'),
      },
    };
  }

  private relayout(): void {
    if (!this.graph) return;
    this.layout = layoutGraph(this.graph, this.foldedStages(), this.layoutText);
    this.svg.setAttribute('aria-label', `${this.graph.model}: ${this.layout.nodes.length} nodes`);
    this.renderer.setLayout(this.layout, this.palette, (n) => this.lookOf(n), this.layoutText.measure);
    this.renderer.select(this.selected);
    this.renderLegend();
    this.applyView();
  }

  /** Colours changed (metric, theme) but not positions. */
  private redraw(): void {
    this.relayout();
    this.save();
  }

  private onThemeChange(): void {
    const palette = readPalette();
    if (palette.key === this.palette.key) return;
    // Another font measures otherwise.
    if (palette.font !== this.palette.font) this.layoutText = this.textFor(palette);
    this.palette = palette;
    this.redraw();
  }

  private lookOf(n: LaidNode | LaidGroup): NodeLook {
    const p = this.palette;
    const status = n.source.status;
    if (this.mode.kind === 'diff') {
      const color = status === 'added' ? p.added : status === 'removed' ? p.removed : status === 'changed' ? p.changed : undefined;
      if (!color) return { fill: p.nodeFill, stroke: p.nodeBorder, strokeWidth: 1 };
      return { fill: p.highContrast ? p.background : mix(p.nodeFill, color, 0.6), stroke: color, strokeWidth: 2 };
    }
    if ('kind' in n && (n.kind === 'layer' || n.kind === 'stage') && n.source.cost) {
      const max = n.kind === 'stage' ? this.maxOf('stage') : this.maxOf('layer');
      return { fill: heatFill(p, max > 0 ? this.valueOf(n.source, n.kind === 'stage') / max : 0), stroke: p.nodeBorder, strokeWidth: 1 };
    }
    return { fill: p.nodeFill, stroke: p.nodeBorder, strokeWidth: 1 };
  }

  private maxCache = new Map<string, number>();
  private maxOf(kind: 'layer' | 'stage'): number {
    const key = `${kind}|${this.metric}`;
    const cached = this.maxCache.get(key);
    if (cached !== undefined && this.maxCacheFor === this.layout) return cached;
    if (this.maxCacheFor !== this.layout) this.maxCache.clear();
    this.maxCacheFor = this.layout;
    let max = 0;
    for (const node of this.layout?.nodes ?? []) if (node.kind === kind && node.source.cost) max = Math.max(max, this.valueOf(node.source, kind === 'stage'));
    this.maxCache.set(key, max);
    return max;
  }
  private maxCacheFor: Layout | undefined;

  private renderLegend(): void {
    const legend = this.el.legend;
    legend.replaceChildren();
    if (this.mode.kind === 'diff') {
      for (const [label, color] of [
        ['added', this.palette.added],
        ['removed', this.palette.removed],
        ['changed', this.palette.changed],
      ] as const) {
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = color;
        legend.append(swatch, document.createTextNode(` ${label}  `));
      }
      return;
    }
    const graph = this.graph;
    if (!graph) return;
    // Folded to stages there are no layers drawn: the scale is then the stages'.
    const per = this.maxOf('layer') > 0 ? 'layer' : 'stage';
    const max = this.maxOf(per);
    const bar = document.createElement('span');
    bar.className = 'gradient';
    bar.style.background = `linear-gradient(to right, ${[0, 0.1, 0.3, 0.6, 1].map((t) => heatFill(this.palette, t)).join(', ')})`;
    const label = this.text(METRICS.find((m) => m.value === this.metric)!.label);
    if (this.metric === 'time' && !this.timesOfModel()) {
      legend.append(document.createTextNode(this.text('webview.architecture.legend.noTimes', { model: graph.model, command: profileCommand(graph.model) })));
      return;
    }
    if (isStat(this.metric)) {
      const stats = this.statsOfModel();
      if (!stats || !this.layerStats) {
        legend.append(document.createTextNode(this.text('webview.architecture.legend.noStats', { model: graph.model })));
        return;
      }
      legend.append(
        document.createTextNode(this.text('webview.architecture.legend.stats', { run: this.layerStats.run, step: this.layerStats.step })),
        document.createTextNode(this.text(per === 'layer' ? 'webview.architecture.legend.perLayer' : 'webview.architecture.legend.perStage', { metric: label })),
        bar,
        document.createTextNode(this.text('webview.architecture.legend.statMax', { max: this.formatValue(max) })),
      );
      return;
    }
    const total = this.totalOf(graph);
    const maxText = this.formatValue(max);
    if (this.metric === 'time' && this.timings)
      legend.append(document.createTextNode(this.text('webview.architecture.legend.timings', { engine: this.timings.engine, device: this.timings.device, batch: this.timings.batch })));
    legend.append(
      document.createTextNode(this.text(per === 'layer' ? 'webview.architecture.legend.perLayer' : 'webview.architecture.legend.perStage', { metric: label })),
      bar,
      document.createTextNode(this.text('webview.architecture.legend.max', { max: maxText, share: formatShare(max, total) })),
    );
  }

  // ---- view: pan, zoom, fit ----

  private applyView(): void {
    this.renderer.setView(this.view, this.canvasSize());
  }

  private requestFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.applyView();
    });
  }

  /**
   * The canvas's size, read once and kept until something changes it (a resize, the header or the
   * table of changes): reading it makes the browser lay the page out, which a pan should not do
   * at every step.
   */
  private size: { width: number; height: number } | undefined;
  private canvasSize(): { width: number; height: number } {
    this.size ??= { width: this.el.canvas.clientWidth || 800, height: this.el.canvas.clientHeight || 600 };
    return this.size;
  }

  /** The scale at which the whole graph fits the canvas. */
  private wholeScale(): number {
    if (!this.layout) return 1;
    const { width, height } = this.canvasSize();
    return Math.max(1e-4, Math.min((width - 2 * FIT_MARGIN) / this.layout.width, (height - 2 * FIT_MARGIN) / this.layout.height));
  }

  /** Zoomed out no further than the whole graph on screen (nor below full size when it fits there); in, up to MAX_SCALE. */
  private clampScale(scale: number): number {
    return Math.min(MAX_SCALE, Math.max(Math.min(1, this.wholeScale()), scale));
  }

  /** Moves and zooms the picture (for tests and the benchmark too). A tooltip shown before is stale after it. */
  setView(view: View): void {
    const next = { x: view.x, y: view.y, scale: this.clampScale(view.scale) };
    if (next.x === this.view.x && next.y === this.view.y && next.scale === this.view.scale) return;
    this.view = next;
    this.hideTooltip();
    this.requestFrame();
    this.saveSoon();
  }

  /** Fit: the whole graph, its width and its height, in the middle of the canvas (never above full size). */
  fit(): void {
    if (!this.layout) return;
    const { width, height } = this.canvasSize();
    const scale = this.clampScale(Math.min(1, this.wholeScale()));
    this.setView({ x: Math.max(FIT_MARGIN, (width - this.layout.width * scale) / 2), y: Math.max(FIT_MARGIN, (height - this.layout.height * scale) / 2), scale });
  }

  /** The graph's width in the canvas, from its top: how a model opens, and after Fold all or Unfold all. */
  private fitWidth(): void {
    if (!this.layout) return;
    const { width } = this.canvasSize();
    const scale = this.clampScale(Math.min(1, (width - 2 * FIT_MARGIN) / this.layout.width));
    this.setView({ x: Math.max(FIT_MARGIN, (width - this.layout.width * scale) / 2), y: FIT_MARGIN, scale });
  }

  /**
   * After a stage folds or unfolds, the graph's new width stays on screen: moved left when it
   * reaches past the right edge, made smaller when wider than the canvas; the stage's box keeps
   * its place on screen.
   */
  private keepWidthInView(anchor: string): void {
    const layout = this.layout;
    const laid = layout?.byId.get(anchor);
    if (!layout || !laid) return;
    const { width } = this.canvasSize();
    let { x, scale } = this.view;
    const screenY = this.view.y + laid.y * scale;
    if (layout.width * scale > width - 2 * FIT_MARGIN) {
      scale = this.clampScale((width - 2 * FIT_MARGIN) / layout.width);
      x = FIT_MARGIN;
    } else x = Math.min(Math.max(x, FIT_MARGIN), width - FIT_MARGIN - layout.width * scale);
    this.setView({ x, y: screenY - laid.y * scale, scale });
  }

  private zoom(factor: number, atX?: number, atY?: number): void {
    const cx = atX ?? this.canvasSize().width / 2;
    const cy = atY ?? this.canvasSize().height / 2;
    const scale = this.clampScale(this.view.scale * factor);
    const k = scale / this.view.scale;
    this.setView({ x: cx - (cx - this.view.x) * k, y: cy - (cy - this.view.y) * k, scale });
  }

  private attachPointer(): void {
    const canvas = this.el.canvas;
    let drag: { x: number; y: number; vx: number; vy: number; moved: boolean } | undefined;
    canvas.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, vx: this.view.x, vy: this.view.y, moved: false };
    });
    canvas.addEventListener('pointermove', (e) => {
      if (drag && (e.buttons & 1) === 1) {
        const dx = e.clientX - drag.x;
        const dy = e.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) {
          if (!drag.moved) canvas.setPointerCapture(e.pointerId);
          drag.moved = true;
        }
        if (drag.moved) {
          this.setView({ ...this.view, x: drag.vx + dx, y: drag.vy + dy });
          this.hideTooltip();
          return;
        }
      }
      this.hover(e);
    });
    canvas.addEventListener('pointerup', (e) => {
      const wasDrag = drag?.moved ?? false;
      drag = undefined;
      if (!wasDrag) this.click(e);
    });
    canvas.addEventListener('pointerleave', () => this.hideTooltip());
    canvas.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const rect = canvas.getBoundingClientRect();
        // Lines or pages (Firefox, some mice) as pixels.
        const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.canvasSize().height : 1;
        if (e.ctrlKey || e.metaKey) {
          const factor = Math.min(NOTCH, Math.max(1 / NOTCH, Math.exp((-e.deltaY * unit) / 300)));
          this.zoom(factor, e.clientX - rect.left, e.clientY - rect.top);
        } else this.setView({ ...this.view, x: this.view.x - e.deltaX * unit, y: this.view.y - e.deltaY * unit });
      },
      { passive: false },
    );
  }

  private targetOf(event: Event): { id?: string | undefined; toggle?: string | undefined } {
    const target = event.target as Element | null;
    const toggle = target?.closest('[data-toggle]')?.getAttribute('data-toggle') ?? undefined;
    const id = target?.closest('[data-id]')?.getAttribute('data-id') ?? undefined;
    return { id, toggle };
  }

  private click(event: PointerEvent): void {
    const { id, toggle } = this.targetOf(event);
    if (toggle !== undefined) {
      this.toggleStage(toggle);
      return;
    }
    if (id === undefined) return;
    this.select(id, { reveal: true });
    this.el.canvas.focus({ preventScroll: true });
  }

  private hover(event: PointerEvent): void {
    const { id } = this.targetOf(event);
    const laid = id === undefined ? undefined : this.layout?.byId.get(id);
    if (!laid) return this.hideTooltip();
    const tip = this.el.tooltip;
    tip.textContent = this.describe(laid, true);
    tip.hidden = false;
    const rect = this.el.canvas.getBoundingClientRect();
    const x = Math.min(event.clientX - rect.left + 14, Math.max(0, rect.width - tip.offsetWidth - 4));
    const y = Math.min(event.clientY - rect.top + 14, Math.max(0, rect.height - tip.offsetHeight - 4));
    tip.style.transform = `translate(${x}px, ${y}px)`;
  }

  private hideTooltip(): void {
    if (!this.el.tooltip.hidden) this.el.tooltip.hidden = true;
  }

  /** The figures the text hover shows: shapes, params, MACs and their shares, activation memory. */
  describe(laid: LaidNode | LaidGroup, long: boolean): string {
    const s = laid.source;
    const graph = this.graph!;
    const lines: string[] = [];
    const kind = 'kind' in laid ? laid.kind : 'group';
    const name =
      kind === 'stage' || (laid as LaidGroup).kind === 'stage' ? `stage ${s.label}` : s.op === 'block' ? `${s.label} block · ${s.id}` : s.id.includes('.') ? `${s.label} · ${s.id}` : s.label;
    lines.push(name);
    if (s.op === 'add' && s.block) lines.push(s.block.shortcut === 'gate' ? s.block.shortcutLabel : `add · shortcut: ${s.block.shortcutLabel}`);
    lines.push(`${formatShape(s.input)} → ${formatShape(s.output)}`);
    if (s.cost && long) {
      lines.push(this.text('webview.architecture.tip.params', { exact: formatExact(s.cost.params), share: formatShare(s.cost.params, graph.totals.params), model: graph.model }));
      lines.push(this.text('webview.architecture.tip.macs', { exact: formatExact(s.cost.macs), share: formatShare(s.cost.macs, graph.totals.macs) }));
      lines.push(this.text('webview.architecture.tip.activations', { batch: graph.batchSize, bytes: formatBytes(s.cost.activationBytes) }));
      const measured = this.timeOf(s.id, kind === 'stage');
      if (measured > 0 && this.timings) lines.push(this.text('webview.architecture.tip.measured', { engine: this.timings.engine, batch: this.timings.batch, ms: measured.toFixed(3) }));
      const stat = kind === 'stage' ? undefined : this.statsOfModel()?.get(s.id);
      if (stat && this.layerStats && (stat.responseStd !== undefined || stat.gradNorm !== undefined))
        lines.push(
          this.text('webview.architecture.tip.stats', {
            run: this.layerStats.run,
            step: this.layerStats.step,
            std: stat.responseStd?.toPrecision(4) ?? '—',
            norm: stat.gradNorm?.toPrecision(4) ?? '—',
          }),
        );
    } else if (s.cost && isStat(this.metric)) {
      const metric = this.text(METRICS.find((m) => m.value === this.metric)!.label);
      const value = this.valueOf(s, kind === 'stage');
      if (value > 0) lines.push(this.text('webview.architecture.tip.stat', { metric, value: this.formatValue(value) }));
    } else if (s.cost) {
      const value = this.valueOf(s, kind === 'stage');
      const share = formatShare(value, this.totalOf(graph));
      const metric = this.text(METRICS.find((m) => m.value === this.metric)!.label);
      lines.push(
        this.metric === 'time' ? this.text('webview.architecture.tip.valueShare', { value: this.formatValue(value), share, metric }) : this.text('webview.architecture.tip.share', { share, metric }),
      );
    }
    if (s.change) lines.push(`${s.status}: ${s.change}`);
    else if (s.status) lines.push(s.status);
    if (s.error) lines.push(this.text('webview.architecture.tip.error', { error: s.error }));
    if (long && s.line !== undefined) lines.push(this.text('webview.architecture.tip.line', { line: s.line }));
    return lines.join('\n');
  }

  // ---- folding ----

  toggleStage(stageId: string): void {
    const folded = this.foldedStages();
    if (folded.has(stageId)) folded.delete(stageId);
    else folded.add(stageId);
    const moveSelection = this.selectionInside(stageId);
    this.relayout();
    this.keepWidthInView(stageId);
    if (moveSelection || this.selected === stageId) this.select(stageId, { scroll: false });
    this.save();
  }

  /** Whether the selected node is inside this stage (folding it selects the stage instead). */
  private selectionInside(stageId: string): boolean {
    const laid = this.selected === undefined ? undefined : this.layout?.byId.get(this.selected);
    return laid !== undefined && laid.source.stage === stageId && laid.id !== stageId;
  }

  private foldAll(fold: boolean): void {
    if (!this.graph) return;
    this.folded.set(this.graph.model, new Set(fold ? this.graph.stages.map((s) => s.id) : []));
    if (fold && this.selected) {
      const laid = this.layout?.byId.get(this.selected);
      if (laid?.source.stage) this.selected = laid.source.stage;
    }
    this.relayout();
    // The graph changed its size entirely: from its top again, as a model opens.
    this.fitWidth();
    this.save();
  }

  // ---- selection ----

  /** Selects a node; `reveal` also asks the editor to put the cursor on its text. */
  select(id: string, options: { reveal?: boolean; scroll?: boolean } = {}): void {
    const laid = this.layout?.byId.get(id);
    if (!laid) return;
    this.selected = id;
    this.renderer.select(id);
    this.el.status.textContent = this.describe(laid, false).replace(/\n/g, '; ');
    if (options.scroll !== false) this.scrollTo(laid);
    const { line, column } = laid.source;
    if (options.reveal && line !== undefined && column !== undefined && line > 0 && laid.source.status !== 'removed') {
      this.host.post({ type: 'reveal', line, column: Math.max(1, column) });
    }
  }

  get selectedId(): string | undefined {
    return this.selected;
  }

  /** The editor's cursor: the node whose text starts nearest before it on its line, else its stage. */
  selectAt(line: number, column: number): void {
    const layout = this.layout;
    const graph = this.graph;
    if (!layout || !graph) return;
    let best: LaidNode | LaidGroup | undefined;
    for (const candidate of [...layout.groups, ...layout.nodes]) {
      const s = candidate.source;
      if (s.line !== line || s.column === undefined || s.column > column || s.op === 'add' || s.status === 'removed') continue;
      if (!best || s.column! > best.source.column! || (s.column === best.source.column && candidate.y < best.y)) best = candidate;
    }
    if (!best) {
      const stage = graph.stages.find((s) => s.line <= line && line <= s.endLine && s.status !== 'removed');
      if (stage) best = layout.byId.get(stage.id);
    }
    if (best) this.select(best.id, { scroll: true });
  }

  /** Keeps the node on screen: moves the view only when it is outside. */
  private scrollTo(laid: LaidNode | LaidGroup): void {
    const { x, y, scale } = this.view;
    const { width, height } = this.canvasSize();
    const top = y + laid.y * scale;
    const bottom = y + (laid.y + Math.min(laid.height, height / scale / 2)) * scale;
    const left = x + laid.x * scale;
    if (top >= 0 && bottom <= height && left >= 0 && left <= width) return;
    this.setView({ scale, x: left < 0 || left > width ? width / 2 - (laid.x + Math.min(laid.width, 200) / 2) * scale : x, y: height / 5 - laid.y * scale });
  }

  private attachKeyboard(): void {
    this.el.canvas.addEventListener('keydown', (e) => {
      const order = this.layout?.nodes ?? [];
      const index = this.selected === undefined ? -1 : order.findIndex((n) => n.id === this.selected);
      const move = (to: number) => {
        const next = order[Math.max(0, Math.min(order.length - 1, to))];
        if (next) this.select(next.id);
      };
      const selectedStage = () => (this.selected === undefined ? undefined : this.layout?.byId.get(this.selected)?.source.stage);
      switch (e.key) {
        case 'ArrowDown':
        case 'j':
          move(index + 1);
          break;
        case 'ArrowUp':
        case 'k':
          move(index < 0 ? 0 : index - 1);
          break;
        case 'Home':
          move(0);
          break;
        case 'End':
          move(order.length - 1);
          break;
        case 'Enter':
        case ' ':
          if (this.selected) this.select(this.selected, { reveal: true });
          break;
        case 'ArrowLeft': {
          const stage = selectedStage();
          if (stage && !this.foldedStages().has(stage)) this.toggleStage(stage);
          break;
        }
        case 'ArrowRight': {
          const stage = selectedStage();
          if (stage && this.foldedStages().has(stage)) this.toggleStage(stage);
          break;
        }
        case '+':
        case '=':
          this.zoom(1.25);
          break;
        case '-':
          this.zoom(0.8);
          break;
        case '0':
          this.fit();
          break;
        default:
          return;
      }
      e.preventDefault();
    });
  }

  // ---- diff table ----

  private renderTable(): void {
    const table = this.el.table;
    table.replaceChildren();
    if (this.mode.kind !== 'diff') {
      table.hidden = true;
      return;
    }
    table.hidden = false;
    const { diff } = this.mode;
    const heading = document.createElement('h2');
    const count = (change: 'added' | 'removed' | 'changed') => diff.changes.filter((x) => x.change === change).length;
    heading.textContent =
      diff.changes.length === 0
        ? this.text('webview.architecture.diff.none')
        : this.text('webview.architecture.diff.changes', { added: count('added'), removed: count('removed'), changed: count('changed') });
    table.append(heading);
    const t = document.createElement('table');
    const head = t.createTHead().insertRow();
    const columns = ['path', 'old', 'new', 'params', 'macs'] as const;
    for (const h of ['', ...columns.map((c) => this.text(`webview.architecture.diff.${c}`))]) {
      const th = document.createElement('th');
      th.textContent = h;
      head.append(th);
    }
    const body = t.createTBody();
    for (const change of diff.changes) {
      const row = body.insertRow();
      row.dataset.change = change.change;
      row.dataset.path = change.path;
      row.tabIndex = 0;
      const describe = (f: typeof change.old) => (f ? `${f.kind} · ${formatShape(f.outputShape)}` : '—');
      const cells = [
        change.change === 'added' ? '+' : change.change === 'removed' ? '−' : '~',
        change.path,
        describe(change.old),
        describe(change.new),
        formatSigned((change.new?.params ?? 0) - (change.old?.params ?? 0)),
        formatSigned((change.new?.macs ?? 0) - (change.old?.macs ?? 0)),
      ];
      for (const c of cells) row.insertCell().textContent = c;
      const go = () => this.showChange(change.path);
      row.addEventListener('click', go);
      row.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') go();
      });
    }
    const stages = diff.stages.filter((s) => s.delta.params !== 0 || s.delta.macs !== 0 || s.delta.activationBytes !== 0);
    const foot = t.createTFoot();
    for (const s of stages) {
      const row = foot.insertRow();
      for (const c of [
        'Σ',
        `stage ${s.name}`,
        '',
        this.text('webview.architecture.diff.activations', { bytes: formatSignedBytes(s.delta.activationBytes) }),
        formatSigned(s.delta.params),
        formatSigned(s.delta.macs),
      ])
        row.insertCell().textContent = c;
    }
    table.append(t);
  }

  /** A row of the table: unfold its stage, select its node, and go to its text. */
  private showChange(path: string): void {
    const [stage = path] = path.split('.');
    if (this.foldedStages().has(stage)) this.toggleStage(stage);
    const laid = this.layout?.byId.get(path);
    if (laid) this.select(path, { reveal: true });
  }

  // ---- export ----

  private exportTitle(): string {
    const g = this.graph;
    if (!g) return '';
    if (this.mode.kind === 'diff') return `${this.mode.oldLabel} → ${this.mode.newLabel}`;
    return this.text('webview.architecture.exportTitle', { model: g.model, params: formatExact(g.totals.params), macs: formatExact(g.totals.macs) });
  }

  exportSvgText(): string {
    return this.renderer.exportSvg(this.exportTitle());
  }

  private exportSvg(): void {
    if (!this.graph) return;
    this.host.post({ type: 'exportSvg', fileName: `${this.graph.model}.svg`, svg: this.exportSvgText() });
  }

  async exportPng(): Promise<void> {
    if (!this.graph) return;
    try {
      const dataUrl = await svgToPng(this.exportSvgText());
      this.host.post({ type: 'exportPng', fileName: `${this.graph.model}.png`, dataUrl });
    } catch (error) {
      this.host.post({ type: 'log', level: 'warn', message: `architecture view: PNG export failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  // ---- state ----

  private restore(saved: ArchitectureState): void {
    if (saved.metric) this.metric = saved.metric;
    for (const [model, stages] of Object.entries(saved.folded ?? {})) this.folded.set(model, new Set(stages));
    if (saved.view) {
      this.view = saved.view;
      this.restoredView = true;
    }
  }
  private restoredView = false;

  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private saveSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.save(), 200);
  }

  private save(): void {
    const state: ArchitectureState = {
      ...(this.uri ? { uri: this.uri } : {}),
      metric: this.metric,
      folded: Object.fromEntries([...this.folded].map(([model, stages]) => [model, [...stages]])),
      view: this.view,
    };
    this.host.saveState(state);
  }

  /** Where a node or group is laid out, in layout units (tests and the benchmark). */
  boxOf(id: string): { x: number; y: number; width: number; height: number } | undefined {
    const laid = this.layout?.byId.get(id);
    return laid && { x: laid.x, y: laid.y, width: laid.width, height: laid.height };
  }

  /** Counts for tests and the benchmark. */
  get stats(): { nodes: number; drawn: number; folded: string[]; view: View } {
    return { nodes: this.layout?.nodes.length ?? 0, drawn: this.renderer.drawnCount, folded: [...this.foldedStages()], view: this.view };
  }
}
