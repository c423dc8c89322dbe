// The dashboard page: holds the runs it was sent, the person's choices, and draws them. Messages
// are checked on arrival; drawing waits for the next animation frame, so a burst of messages
// costs one redraw.
import { pageText, type PageText } from '../pageText';
import { checkToDashboard, describeDropped, type RunSummary, type SessionState, type ToDashboard } from '../../src/protocol/webview';
import type { ExperimentResult } from '../../src/protocol/experiment';
import { resultRows, resultsCsv, resultsMarkdown } from '../../src/core/report/experimentResults';
import { renderExperimentTable, resultHeader } from './experimentView';
import { chartTitle, chartWords, learningRateChart, lossChart, metricChart, stepsPerX, type ChartModel, type ChartName, type ChartWords, type ShownRun } from './chartData';
import { HostSteps } from './hostSteps';
import { gridRange } from '../../src/core/metrics/pixelColumns';
import { chartCsv, chartPng } from './exportChart';
import { runLabel } from './format';
import { canResume, renderHeader, type FocusedRun } from './header';
import { dashboardLayout } from './layout';
import { LayerChart } from './layerChart';
import { layerChart, layerChartKey, measuredSteps, type LayerLine, type LayerStatsRun } from './layerStatsData';
import { LineChart } from './lineChart';
import { renderRunList } from './runList';
import { RunSeries } from './runSeries';
import { readTheme, runColor, watchTheme, type Theme } from './theme';
import { clampSmoothing, restoreState, withRun, type DashboardState } from './viewOptions';
import type { DashboardHost } from './vscodeHost';

const CHART_NAMES: readonly ChartName[] = ['loss', 'metric', 'lr'];
const BUILDERS: Record<ChartName, (runs: readonly ShownRun[], options: DashboardState, words: ChartWords, steps: HostSteps) => ChartModel> = {
  loss: lossChart,
  metric: metricChart,
  lr: learningRateChart,
};

type Select = HTMLElement & { value: string };

export class Dashboard {
  private readonly runs = new Map<string, RunSeries>();
  private summaries: readonly RunSummary[] = [];
  private session: { state: SessionState; runDir?: string | undefined } = { state: 'idle' };
  private etaSeconds?: number | undefined;
  private state: DashboardState;
  private theme: Theme;
  private readonly charts: Record<ChartName, LineChart>;
  /** The paper's analyses (issue 24): Layer responses and Gradient flow. */
  private readonly layerCharts: { readonly responses: LayerChart; readonly gradients: LayerChart };
  /** The gradient-flow slider's step; undefined: the latest measurement, following a live run. */
  private gradientStep: number | undefined;
  /** Runs whose history arrived (a live run's progress alone is only its latest steps). */
  private readonly loaded = new Set<string>();
  /** Runs asked of the extension and not yet received, so they are asked once. */
  private readonly requested = new Set<string>();
  private frame = 0;
  private listStale = true;
  /** Line charts whose redraw waits for the next frame (see `render`). */
  private chartsBehind: ChartName[] = [];
  /** When the charts were last redrawn, and whether something other than live steps wants them redrawn now (see `render`). */
  private chartsDrawnAt = -Infinity;
  private chartsDue = true;
  private liveTimer?: ReturnType<typeof setTimeout> | undefined;
  /** What the epoch chart was last built from (see `render`). */
  private metricKey = '';
  /** The step charts' points for runs whose steps the extension keeps (issue 21): asked for per chart, the latest answer kept. */
  private readonly hostSteps: HostSteps;
  /** The page's words, in the editor's display language. */
  private readonly text: PageText;
  private readonly words: ChartWords;
  /** The experiment whose folder this is, with its variants in queue order (their colours). */
  private experiment?: { readonly name: string; readonly folder: string; readonly results: readonly ExperimentResult[]; readonly variants: readonly string[] } | undefined;
  /** The folder whose runs the list shows (the extension's last `runs` message). */
  private runsFolder = '';

  constructor(
    private readonly root: HTMLElement,
    private readonly host: DashboardHost,
  ) {
    this.state = restoreState(host.loadState());
    this.text = pageText(root);
    this.words = chartWords(this.text);
    root.innerHTML = dashboardLayout(this.state, this.text);
    this.theme = readTheme();
    this.hostSteps = new HostSteps((request) => host.post(request));
    // A zoom or a new width redraws, which asks the extension for the new grid's points.
    const viewChanged = () => {
      this.chartsDue = true;
      this.schedule();
    };
    this.charts = {
      loss: new LineChart(this.element('chart-loss'), viewChanged),
      metric: new LineChart(this.element('chart-metric')),
      lr: new LineChart(this.element('chart-lr'), viewChanged),
    };
    const reveal = (line: LayerLine, path: string) => this.revealLayer(line, path);
    this.layerCharts = {
      responses: new LayerChart(this.element('chart-responses'), { layer: this.text('webview.dashboard.axisLayer'), y: this.text('webview.dashboard.axisResponseStd') }, reveal),
      gradients: new LayerChart(this.element('chart-gradients'), { layer: this.text('webview.dashboard.axisLayer'), y: this.text('webview.dashboard.axisGradNorm') }, reveal),
    };
    this.bindControls();
    watchTheme(() => {
      this.chartsDue = true;
      this.schedule();
    });
    window.addEventListener('message', (event: MessageEvent) => this.receive(event.data));
    host.post({ type: 'ready' });
    this.schedule();
  }

  /** For tests: the Layer responses and Gradient flow charts. */
  layerChart(name: 'responses' | 'gradients'): LayerChart {
    return this.layerCharts[name];
  }

  /** For tests and the benchmark: the uPlot behind a chart. */
  chart(name: ChartName): LineChart {
    return this.charts[name];
  }

  receive(raw: unknown): void {
    const checked = checkToDashboard(raw);
    if (!checked.ok) {
      const text = `dashboard: dropped a malformed message (${checked.error}): ${describeDropped(raw)}`;
      console.warn(text);
      this.host.post({ type: 'log', level: 'warn', message: text });
      return;
    }
    const message = checked.value;
    if (message.type !== 'runProgress') this.chartsDue = true;
    this.handle(message);
    // The last history asked for is drawn at once rather than at the next frame: that is what
    // opening long runs waits for. Everything else waits for the frame, so a burst costs one redraw.
    // An answer for a step chart is drawn at once too: it is what the person zoomed or opened for.
    if ((message.type === 'runHistory' && this.requested.size === 0) || message.type === 'steps') this.render();
    else this.schedule();
  }

  private handle(message: ToDashboard): void {
    switch (message.type) {
      case 'runs': {
        this.summaries = message.runs;
        this.runsFolder = message.runsFolder;
        this.element('runs-folder').textContent = message.runsFolder;
        // Another folder (a run of no experiment trains): the experiment's table is not about its runs.
        // An experiment's folder is followed by its `experiment` message.
        if (this.experiment && this.experiment.folder !== message.runsFolder) this.experiment = undefined;
        const known = new Set(message.runs.map((r) => r.runDir));
        // Folders deleted since are forgotten; the live run may not be listed yet.
        const gone = this.state.selected.filter((d) => !known.has(d) && d !== this.session.runDir && !this.runs.has(d));
        if (gone.length > 0) this.replaceState(gone.reduce((state, d) => withRun(state, d, false), this.state));
        this.requestMissing();
        this.listStale = true;
        break;
      }
      case 'runHistory': {
        this.seriesOf(message.runDir).replaceHistory(message.messages, message.batches, message.summaries, message.stepsOnHost);
        this.loaded.add(message.runDir);
        this.requested.delete(message.runDir);
        // The extension holds this run's steps afresh: the step charts ask again.
        this.hostSteps.forget();
        break;
      }
      case 'steps':
        this.hostSteps.receive(message, (runDir) => this.runs.get(runDir));
        break;
      case 'runProgress': {
        const series = this.seriesOf(message.runDir);
        for (const m of message.messages) series.add(m);
        if (message.runDir === this.session.runDir) this.etaSeconds = message.etaSeconds;
        break;
      }
      case 'session': {
        const newRun = message.runDir !== undefined && message.runDir !== this.session.runDir;
        this.session = { state: message.state, runDir: message.runDir };
        if (message.state === 'idle') this.etaSeconds = undefined;
        // A run that starts is what the person wants to watch.
        if (newRun && message.runDir) {
          this.replaceState(withRun(this.state, message.runDir, true));
          this.requestMissing();
        }
        this.listStale = true;
        break;
      }
      case 'experiment': {
        const before = new Map(this.experiment?.results.map((r) => [r.runDir, r.status]));
        const variants = [...new Set(message.results.map((r) => r.variant))];
        this.experiment = { name: message.experiment, folder: this.runsFolder, results: message.results, variants };
        const runDirs = message.results.flatMap((r) => (r.runDir ? [r.runDir] : []));
        // A run that moved on since (started, finished) is read again: its folder has more now.
        // A running one is read again at each update (the extension sends one per epoch of a queued run).
        for (const r of message.results) if (r.runDir && (before.get(r.runDir) !== r.status || r.status === 'running')) this.loaded.delete(r.runDir);
        const selected = [...new Set([...this.state.selected, ...runDirs])];
        if (selected.length !== this.state.selected.length) this.update({ selected });
        this.requestMissing();
        this.listStale = true;
        break;
      }
      case 'runError':
        this.requested.delete(message.runDir);
        this.select(message.runDir, false);
        this.notify(message.message);
        break;
    }
  }

  private seriesOf(runDir: string): RunSeries {
    let series = this.runs.get(runDir);
    if (!series) this.runs.set(runDir, (series = new RunSeries(runDir)));
    return series;
  }

  private requestMissing(): void {
    const missing = this.state.selected.filter((d) => !this.loaded.has(d) && !this.requested.has(d));
    if (missing.length === 0) return;
    for (const d of missing) this.requested.add(d);
    // With the smoothing weight: the extension sends each history's loss smoothed at it.
    this.host.post({ type: 'loadRuns', runDirs: missing, smoothing: this.state.smoothing });
  }

  private select(runDir: string, on: boolean): void {
    this.replaceState(withRun(this.state, runDir, on));
    // The extension drops the steps of a run no longer shown: ticked again, its history is read again.
    if (!on) this.loaded.delete(runDir);
    if (on) this.requestMissing();
    this.listStale = true;
    this.schedule();
  }

  private update(change: Partial<DashboardState>): void {
    this.replaceState({ ...this.state, ...change });
  }

  private replaceState(state: DashboardState): void {
    this.state = state;
    this.chartsDue = true;
    this.host.saveState(state);
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.render());
  }

  private get focused(): FocusedRun | undefined {
    const runDir = this.state.focused ?? this.session.runDir ?? this.state.selected[this.state.selected.length - 1];
    if (!runDir) return undefined;
    return {
      runDir,
      series: this.runs.get(runDir),
      summary: this.summaries.find((r) => r.runDir === runDir),
      live: runDir === this.session.runDir && this.session.state !== 'idle',
      session: this.session.state,
      etaSeconds: this.etaSeconds,
    };
  }

  private shownRuns(): ShownRun[] {
    return this.state.selected.flatMap((runDir) => {
      const run = this.runs.get(runDir);
      if (!run) return [];
      const result = this.experiment?.results.find((r) => r.runDir === runDir);
      // An experiment's runs: coloured by variant (its seeds alike), labelled by variant and seed.
      if (result && this.experiment) return [{ run, color: this.experiment.variants.indexOf(result.variant), label: variantLabel(result), plain: result.plain }];
      return [{ run, color: this.state.colors[runDir] ?? 0, label: runLabel(runDir, run.started?.model) }];
    });
  }

  /** The colour a run is drawn in: its variant's in an experiment, else its own. */
  private colorIndex(runDir: string): number | undefined {
    const result = this.experiment?.results.find((r) => r.runDir === runDir);
    if (result && this.experiment) return this.experiment.variants.indexOf(result.variant);
    return this.state.colors[runDir];
  }

  private renderExperiment(): void {
    const section = this.element('experiment');
    const experiment = this.experiment;
    section.hidden = experiment === undefined;
    if (!experiment) return;
    const rows = resultRows(experiment.results);
    const finished = experiment.results.filter((r) => r.status === 'finished').length;
    // The page's words carry named places that the page text fills (they hold no markup: textContent).
    this.element('experiment-title').textContent = this.text('webview.dashboard.experimentTitle', { name: experiment.name, finished, total: experiment.results.length });
    renderExperimentTable(this.element('experiment-table') as HTMLTableElement, rows, (variant) => runColor(this.theme, experiment.variants.indexOf(variant)), this.text);
  }

  private render(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const theme = readTheme();
    if (theme.key !== this.theme.key) {
      this.theme = theme;
      this.listStale = true;
    }
    renderHeader(this.focused, this.session.state, this.text);
    if (this.listStale) {
      this.listStale = false;
      this.renderExperiment();
      renderRunList(
        this.element('run-list'),
        {
          runs: this.summaries,
          emptyText: this.text('webview.dashboard.noRuns'),
          selected: this.state.selected,
          focused: this.focused?.runDir,
          liveRunDir: this.session.state === 'idle' ? undefined : this.session.runDir,
          labelOf: (runDir) => {
            const result = this.experiment?.results.find((r) => r.runDir === runDir);
            return result ? variantLabel(result) : undefined;
          },
          colorOf: (runDir) => {
            const index = this.colorIndex(runDir);
            return index === undefined ? undefined : runColor(this.theme, index);
          },
        },
        { toggle: (runDir, on) => this.select(runDir, on), focus: (runDir) => this.focus(runDir) },
        this.text,
      );
    }
    const shown = this.shownRuns();
    // Many steps shown: one line chart redrawn per frame, the others on the next frames (at six
    // runs of a million steps, the three charts' painting took more than a frame with software
    // rendering; docs/benchmarks.md). The charts left behind come first at the next frame.
    const spread = stepsShown(shown) >= SPREAD_CHARTS_AT;
    // There, live steps alone redraw the charts twice a second at most: a pixel column holds
    // hundreds of steps, so the line moves by about a pixel a second, and each redraw of the step
    // charts costs more than a frame. Anything else (an answer, a choice, a zoom) redraws at once.
    const now = performance.now();
    if (spread && !this.chartsDue && this.chartsBehind.length === 0 && now - this.chartsDrawnAt < LIVE_REDRAW_MS) {
      this.liveTimer ??= setTimeout(
        () => {
          this.liveTimer = undefined;
          this.schedule();
        },
        LIVE_REDRAW_MS - (now - this.chartsDrawnAt),
      );
      this.renderLayerCharts(shown);
      return;
    }
    this.chartsDue = false;
    if (this.chartsBehind.length === 0) this.chartsDrawnAt = now;
    const behind = this.chartsBehind;
    this.chartsBehind = [];
    const order = [...behind, ...CHART_NAMES.filter((n) => !behind.includes(n))];
    let redrawn = false;
    // The epoch chart changes only when an epoch ends (or the view does): unchanged, it is not rebuilt.
    const metricKey = JSON.stringify([
      this.state,
      this.theme.key,
      shown.map((s) => [s.run.runDir, s.label, s.color, s.plain, s.run.epochs.length, s.run.epochs[s.run.epochs.length - 1], s.run.rewrites]),
    ]);
    for (const name of order) {
      // What an empty chart says: no run ticked, or ticked runs without points yet (the error
      // chart's points come at each epoch's end, so a queued or young run has none).
      this.element(`chart-${name}`).dataset.empty = this.text(
        shown.length === 0 ? 'webview.dashboard.emptyNoRun' : name === 'metric' ? 'webview.dashboard.emptyNoEpoch' : 'webview.dashboard.emptyNoStep',
      );
      const card = this.element(`card-${name}`);
      const title = card.querySelector('.chart-title') as HTMLElement;
      title.textContent = chartTitle(name, this.state, this.words);
      if (name === 'metric' && metricKey === this.metricKey) continue;
      if (spread && redrawn) {
        this.chartsBehind.push(name);
        continue;
      }
      if (name === 'metric') this.metricKey = metricKey;
      redrawn = this.charts[name].update(BUILDERS[name](shown, this.state, this.words, this.hostSteps), this.state.yScale === 'log', this.theme) || redrawn;
    }
    if (this.chartsBehind.length > 0) this.schedule();
    this.askSteps(shown);
    this.renderLayerCharts(shown);
  }

  /**
   * Asks the extension for what each step chart draws of the runs whose steps it keeps: the x
   * range and pixel grid the chart decimates on (decimate.ts), so the answer, decimated again on
   * it, is exact. Asked again only when that changes (HostSteps keeps the last request).
   */
  private askSteps(shown: readonly ShownRun[]): void {
    // Histories still on their way would change the grid (and each brings a new answer): asked once they are all here.
    if (this.requested.size > 0 || !shown.some((s) => s.run.stepsOnHost)) return;
    const perX = shown.map((s) => stepsPerX(s.run, this.state.xAxis));
    // The runs' x range: the extension's steps and the live ones after them (the page's columns).
    let lo = Infinity;
    let hi = -Infinity;
    shown.forEach(({ run }, i) => {
      const held = run.stepsOnHost && run.stepsOnHost.count > 0 ? run.stepsOnHost : undefined;
      const own = run.step;
      const first = Math.min(held?.first ?? Infinity, own[0] ?? Infinity);
      const last = Math.max(held?.last ?? -Infinity, own[own.length - 1] ?? -Infinity);
      if (!(first <= last)) return;
      lo = Math.min(lo, first / (perX[i] as number));
      hi = Math.max(hi, last / (perX[i] as number));
    });
    if (!(lo <= hi)) return;
    for (const chart of ['loss', 'lr'] as const) {
      const view = this.charts[chart];
      const zoom = view.zoomRange;
      const [x0, end] = gridRange(lo, hi, zoom?.[0] ?? -Infinity, zoom?.[1] ?? Infinity);
      const columns = view.pixelColumns;
      const smoothing = chart === 'loss' ? this.state.smoothing : 0;
      this.hostSteps.ask({
        chart,
        runs: shown.map(({ run }, i) => ({ runDir: run.runDir, perX: perX[i] as number })),
        series: chart === 'lr' ? ['lr'] : smoothing > 0 ? ['loss', 'smoothed'] : ['loss'],
        smoothing,
        x0,
        width: (end - x0 || 1) / columns,
        columns,
        ...(zoom ? { from: zoom[0], to: zoom[1] } : {}),
        ...(this.state.yScale === 'log' ? { positive: true } : {}),
      });
    }
  }

  /** The two charts of the paper's analyses, from the ticked runs' layer statistics. */
  private renderLayerCharts(shown: readonly ShownRun[]): void {
    const runs = layerStatsRuns(shown);
    const sorted = this.state.sortedResponses === true;
    const empty = this.text(shown.length === 0 ? 'webview.dashboard.emptyNoRun' : 'webview.dashboard.emptyNoLayerStats');
    this.element('chart-responses').dataset.empty = empty;
    this.element('chart-gradients').dataset.empty = empty;
    this.layerCharts.responses.update(layerChart(runs, 'responseStd', sorted), false, this.theme, layerChartKey(runs, sorted, this.theme.key));
    const steps = measuredSteps(runs);
    const slider = this.element('gradients-step') as HTMLInputElement;
    const latest = steps[steps.length - 1];
    // A step no longer measured (a run unticked) falls back to the latest.
    if (this.gradientStep !== undefined && !steps.includes(this.gradientStep)) this.gradientStep = undefined;
    const step = this.gradientStep ?? latest;
    slider.max = String(Math.max(0, steps.length - 1));
    slider.value = String(step === undefined ? 0 : steps.indexOf(step));
    slider.disabled = steps.length < 2;
    this.element('gradients-step-value').textContent = step === undefined ? '—' : this.gradientStep === undefined ? this.text('webview.dashboard.latest', { step }) : String(step);
    this.layerCharts.gradients.update(layerChart(runs, 'gradNorm', false, step), true, this.theme, layerChartKey(runs, step, this.theme.key));
  }

  /** A clicked layer: the extension shows it in the model's text and in the architecture view, coloured by this measurement. */
  private revealLayer(line: LayerLine, path: string): void {
    const record = this.runs.get(line.id)?.layerStats.find((m) => m.step === line.step);
    if (!record) return;
    this.host.post({ type: 'revealLayer', runDir: line.id, label: line.label, path, step: record.step, layers: record.layers });
  }

  private focus(runDir: string): void {
    this.update({ focused: runDir });
    if (!this.state.selected.includes(runDir)) this.select(runDir, true);
    this.listStale = true;
    this.schedule();
  }

  private bindControls(): void {
    const onSelect = (id: string, apply: (value: string) => Partial<DashboardState>) => {
      const select = this.element(id) as Select;
      select.addEventListener('change', () => {
        this.update(apply(select.value));
        this.schedule();
      });
    };
    onSelect('x-axis', (v) => ({ xAxis: v === 'epoch' ? 'epoch' : 'step' }));
    onSelect('y-scale', (v) => ({ yScale: v === 'log' ? 'log' : 'linear' }));
    onSelect('metric', (v) => ({ metric: v === 'accuracy' ? 'accuracy' : 'error' }));

    const slider = this.element('smoothing') as HTMLInputElement;
    slider.addEventListener('input', () => {
      const smoothing = clampSmoothing(Number(slider.value));
      this.element('smoothing-value').textContent = smoothing.toFixed(2);
      this.update({ smoothing });
      this.schedule();
    });

    const sorted = this.element('responses-sorted') as HTMLInputElement;
    sorted.addEventListener('change', () => {
      this.update({ sortedResponses: sorted.checked });
      this.schedule();
    });
    const gradientSlider = this.element('gradients-step') as HTMLInputElement;
    gradientSlider.addEventListener('input', () => {
      const steps = measuredSteps(layerStatsRuns(this.shownRuns()));
      const index = Number(gradientSlider.value);
      // The last stop follows the latest measurement, as a live run goes on.
      this.gradientStep = index >= steps.length - 1 ? undefined : steps[index];
      this.schedule();
    });

    this.element('stop').addEventListener('click', () => {
      if (this.session.state === 'running') this.host.post({ type: 'stop' });
    });
    this.element('resume').addEventListener('click', () => {
      const focus = this.focused;
      if (focus && canResume(focus, this.session.state)) this.host.post({ type: 'resume', runDir: focus.runDir });
    });
    this.element('reveal').addEventListener('click', (event) => {
      event.preventDefault();
      const focus = this.focused;
      if (focus) this.host.post({ type: 'revealRun', runDir: focus.runDir });
    });
    this.element('refresh').addEventListener('click', () => this.host.post({ type: 'refreshRuns' }));
    this.element('experiment-csv').addEventListener('click', () => {
      if (this.experiment) this.host.post({ type: 'exportCsv', fileName: `${this.experiment.name}-results.csv`, csv: resultsCsv(resultRows(this.experiment.results)) });
    });
    this.element('experiment-md').addEventListener('click', () => {
      if (this.experiment)
        this.host.post({ type: 'exportMarkdown', fileName: `${this.experiment.name}-results.md`, markdown: resultsMarkdown(resultRows(this.experiment.results), resultHeader(this.text)) });
    });
    for (const button of this.root.querySelectorAll<HTMLElement>('[data-export]')) {
      button.addEventListener('click', () => this.export(button.dataset.chart as ChartName, button.dataset.export === 'png' ? 'png' : 'csv'));
    }
  }

  private export(name: ChartName, format: 'png' | 'csv'): void {
    const chart = this.charts[name];
    const model = chart.model;
    if (!model || model.x.length === 0) {
      this.notify(this.text('webview.dashboard.nothingToExport'));
      return;
    }
    const focus = this.focused;
    const base = `${name}-${focus ? runLabel(focus.runDir, focus.series?.started?.model).replace(/[^\w.-]+/g, '-') : 'runs'}`;
    if (format === 'csv') {
      // The step charts' CSV is every raw step of their runs, which the page may not hold (a
      // million a run): the extension writes it from the run folders. The epoch chart's few points are here.
      if (name === 'metric') this.host.post({ type: 'exportCsv', fileName: `${base}.csv`, csv: chartCsv(model) });
      else this.host.post({ type: 'exportStepsCsv', fileName: `${base}.csv`, runDirs: this.shownRuns().map((r) => r.run.runDir) });
      return;
    }
    const canvas = chart.canvas;
    if (!canvas) return;
    this.host.post({ type: 'exportPng', fileName: `${base}.png`, dataUrl: chartPng(canvas, model, chartTitle(name, this.state, this.words), this.theme) });
  }

  private notify(text: string): void {
    const notice = this.element('notice');
    notice.textContent = text;
    notice.hidden = false;
    window.setTimeout(() => {
      if (notice.textContent === text) notice.hidden = true;
    }, 6000);
  }

  private element(id: string): HTMLElement {
    const element = this.root.querySelector<HTMLElement>(`#${id}`);
    if (!element) throw new Error(`dashboard layout has no #${id}`);
    return element;
  }
}

/** From this many steps shown (all runs together), the line charts are redrawn one per frame. */
const SPREAD_CHARTS_AT = 500_000;
/** There, live steps redraw the charts this often at most. */
const LIVE_REDRAW_MS = 500;

/** How many steps the shown runs have, on the extension's side and the page's. */
function stepsShown(shown: readonly ShownRun[]): number {
  let steps = 0;
  for (const { run } of shown) steps += (run.stepsOnHost?.count ?? 0) + run.step.length;
  return steps;
}

/** An experiment's run as the list and the legends name it: its variant and seed, `plain(n = 3) seed 1`. */
function variantLabel(result: ExperimentResult): string {
  return `${result.label}${result.seed === undefined ? '' : ` seed ${result.seed}`}`;
}

/** The ticked runs as the layer charts take them: each with its layer statistics. */
function layerStatsRuns(shown: readonly ShownRun[]): LayerStatsRun[] {
  return shown.map((s) => ({ id: s.run.runDir, label: s.label, color: s.color, plain: s.plain, records: s.run.layerStats }));
}
