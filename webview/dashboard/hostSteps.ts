// The step charts' points for runs whose steps stay on the extension (issue 21). The page asks for
// what a chart draws (its runs, x range, pixel grid and smoothing weight) and keeps the latest
// answer per chart; an answer to an older request is dropped. Each run's answer is merged with
// the live steps that arrived after it (a pixel column's picks plus new points keep its first,
// last, lowest and highest exact), so a live run costs no round trip per frame: the page asks
// again only when the grid changes (zoom, resize, the run passing the padded end, the weight).
import { GrowableColumn } from '../../src/core/metrics/column';
import { DebiasedEma } from '../../src/core/metrics/smoothing';
import type { StepSeries } from '../../src/core/metrics/stepStore';
import type { PickedRunSteps, StepChart, StepsRequest, ToDashboard } from '../../src/protocol/webview';
import type { Xs, Ys } from './align';
import type { RunSeries } from './runSeries';

type StepsAnswer = Extract<ToDashboard, { type: 'steps' }>;

/** A request without its type and id: what the page wants drawn. */
export type StepsWanted = Omit<StepsRequest, 'type' | 'id'>;

/** One run's answer, grown with the live steps past it. */
class MergedRun {
  readonly x: GrowableColumn;
  private readonly columns = new Map<StepSeries, GrowableColumn>();
  private readonly ema?: DebiasedEma | undefined;
  /** How many of the run's own steps (RunSeries columns: the live ones) were looked at. */
  private consumed = 0;
  private rewrites: number;
  /** The smoothed loss was asked for (at the weight of the request). */
  private readonly smoothedAsked: boolean;
  /** The last step merged: the extension's last when it answered, then the live steps'. */
  private lastStep: number;

  constructor(
    answer: PickedRunSteps,
    series: readonly StepSeries[],
    readonly perX: number,
    weight: number,
    run: RunSeries,
  ) {
    this.x = new GrowableColumn(perX === 1 ? answer.step : answer.step.map((s) => s / perX));
    series.forEach((name, k) => {
      const values = answer.values[k] as Float64Array;
      if (name !== 'smoothed') this.columns.set(name, new GrowableColumn(values));
    });
    const smoothedAt = series.indexOf('smoothed');
    // The smoothing goes on from the extension's fold after its last step, over the live steps.
    if (smoothedAt >= 0 && answer.smoothingState && this.columns.has('loss')) this.ema = DebiasedEma.adopt(weight, answer.values[smoothedAt] as Float64Array, answer.smoothingState);
    this.smoothedAsked = smoothedAt >= 0;
    this.lastStep = answer.end;
    this.rewrites = run.rewrites;
  }

  /** The run's live steps past the answer, appended (only those not appended yet). */
  extend(run: RunSeries): void {
    const steps = run.step;
    // The run's columns were replaced (a history): looked through again, from their start.
    if (this.rewrites !== run.rewrites) {
      this.rewrites = run.rewrites;
      this.consumed = 0;
    }
    let i = this.consumed;
    // Steps ascend: those held already (the answer's, or merged) are a prefix of what is new.
    while (i < steps.length && (steps[i] as number) <= this.lastStep) i++;
    const loss = this.columns.get('loss');
    const lr = this.columns.get('lr');
    for (; i < steps.length; i++) {
      const step = steps[i] as number;
      this.x.push(this.perX === 1 ? step : step / this.perX);
      loss?.push(run.loss[i] as number);
      lr?.push(run.lr[i] as number);
      this.lastStep = step;
    }
    this.consumed = steps.length;
    if (this.ema && loss) this.ema.extend(loss.values);
  }

  /** A series' column, as long as x (the smoothed loss: only when it was asked for). */
  values(name: StepSeries): Ys | undefined {
    if (name === 'smoothed') return this.smoothedAsked ? this.ema?.values : undefined;
    return this.columns.get(name)?.values;
  }
}

/** How long an unanswered request holds the next one back. */
const ANSWER_WAIT_MS = 2000;

export class HostSteps {
  private nextId = 1;
  private readonly asked = new Map<StepChart, { readonly id: number; readonly key: string; readonly wanted: StepsWanted }>();
  private readonly answers = new Map<StepChart, { readonly wanted: StepsWanted; readonly runs: Map<string, MergedRun> }>();
  /**
   * Per chart, the request not answered yet and when it was sent. One at a time: dragging the
   * smoothing slider asks sixty times a second, and at six runs of a million steps each answer
   * smooths them all again on the extension's side (100–230 ms in Node), so the extension would
   * fall behind; the page asks for the latest view when the answer comes (it redraws then).
   */
  private readonly inFlight = new Map<StepChart, { readonly id: number; readonly since: number }>();

  /** `now`: a clock in milliseconds (the page's `performance.now`). */
  constructor(
    private readonly post: (request: StepsRequest) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Asks for what a chart draws, unless its latest request asked the same or one is still unanswered. */
  ask(wanted: StepsWanted): void {
    const key = JSON.stringify(wanted);
    if (this.asked.get(wanted.chart)?.key === key) return;
    const waiting = this.inFlight.get(wanted.chart);
    // An answer lost (the extension failed on it) does not stop the chart for good.
    if (waiting && this.now() - waiting.since < ANSWER_WAIT_MS) return;
    const id = this.nextId++;
    this.asked.set(wanted.chart, { id, key, wanted });
    this.inFlight.set(wanted.chart, { id, since: this.now() });
    this.post({ type: 'stepsRequest', id, ...wanted });
  }

  /** Asks again at the next `ask` (a run's history was replaced: the answers may miss steps). */
  forget(): void {
    this.asked.clear();
  }

  /** Takes an answer to a chart's latest request; false for an older one (dropped). */
  receive(answer: StepsAnswer, runOf: (runDir: string) => RunSeries | undefined): boolean {
    if (this.inFlight.get(answer.chart)?.id === answer.id) this.inFlight.delete(answer.chart);
    const asked = this.asked.get(answer.chart);
    if (!asked || asked.id !== answer.id) return false;
    const runs = new Map<string, MergedRun>();
    for (const picked of answer.runs) {
      const run = runOf(picked.runDir);
      const perX = asked.wanted.runs.find((r) => r.runDir === picked.runDir)?.perX ?? 1;
      if (run && picked.step.length > 0) runs.set(picked.runDir, new MergedRun(picked, answer.series, perX, asked.wanted.smoothing, run));
    }
    this.answers.set(answer.chart, { wanted: asked.wanted, runs });
    return true;
  }

  /**
   * What the chart draws of a run: the latest answer with the run's live steps past it, when the
   * answer has the run on this x axis (`perX`); undefined otherwise (the page's own steps are drawn meanwhile).
   */
  table(chart: StepChart, run: RunSeries, perX: number): { readonly x: Xs; values(name: StepSeries): Ys | undefined } | undefined {
    const merged = this.answers.get(chart)?.runs.get(run.runDir);
    if (!merged || merged.perX !== perX) return undefined;
    merged.extend(run);
    return { x: merged.x.values, values: (name) => merged.values(name) };
  }
}
