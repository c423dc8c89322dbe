// The steps of the runs the training dashboard shows, kept on the extension host (issue 21): per
// run its raw step, loss and learning-rate columns, their min/max summaries, and the loss smoothed
// at the page's weight with its summary, all extended as steps arrive (a history once, then live
// steps). The page holds none of this: it asks for the range and pixel grid it draws, and gets
// back the exact min/max picks per pixel column (pixelColumns.ts), or every step when there are
// few. Host-free, so the page tests and the benchmark run the same code the extension does.
import { GrowableColumn } from './column';
import { consecutiveSteps, Envelope } from './minMaxEnvelope';
import { drawnWhole, gather, pickColumns, visibleRange } from './pixelColumns';
import { DebiasedEma, type SmoothingState } from './smoothing';

/** The per-step series a chart can ask for. */
export type StepSeries = 'loss' | 'smoothed' | 'lr';

/** A chart's pixel grid: `columns` columns of `width` x each from `x0` (decimate.ts's grid, as uPlot's x scale maps it). */
export interface PixelGrid {
  readonly x0: number;
  readonly width: number;
  /** The plot's width in CSS pixels (not always whole). */
  readonly columns: number;
}

export interface StepsQuery {
  readonly grid: PixelGrid;
  /** The zoomed x range; absent: the whole run. */
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  /** x is step / perX: 1 on the step axis, the steps per epoch on the epoch axis. */
  readonly perX: number;
  readonly series: readonly StepSeries[];
  /** The smoothing weight, for 'smoothed'. */
  readonly smoothing: number;
  /** For a log axis: each column keeps its lowest positive value too (values of zero or less are not drawn there). */
  readonly positive?: boolean | undefined;
}

/** The steps a chart draws of one run: the picked steps and each asked series' value at them. */
export interface PickedSteps {
  readonly step: Float64Array;
  /** In the order of the query's `series`. */
  readonly values: Float64Array[];
  /** The last step the run had when answered (0: none): live steps past it are the page's to add. */
  readonly end: number;
  /** The smoothing's fold after `end`, so the page smooths live steps on from it. */
  readonly smoothingState?: SmoothingState | undefined;
}

/** One run's columns and summaries, grown at their end only. */
export class RunColumns {
  private steps = new GrowableColumn();
  private losses = new GrowableColumn();
  private lrs = new GrowableColumn();
  private lossSummary = new Envelope();
  private lrSummary = new Envelope();
  private ema?: DebiasedEma | undefined;
  private smoothedSummary?: Envelope | undefined;

  get length(): number {
    return this.steps.length;
  }

  get lastStep(): number {
    return this.steps.last(0);
  }

  get firstStep(): number {
    return this.steps.length > 0 ? (this.steps.values[0] as number) : 0;
  }

  /**
   * Appends the steps past the last one held (a step held already, read from the file and then
   * received live, counts once). Columns of a whole history are taken as they are when the run is
   * empty and they ascend (no copy).
   */
  appendColumns(step: Float64Array, loss: Float64Array, lr: Float64Array): void {
    if (this.steps.length === 0 && ascending(step)) {
      this.steps = new GrowableColumn(step, consecutiveSteps(step));
      this.losses = new GrowableColumn(loss);
      this.lrs = new GrowableColumn(lr);
    } else {
      let last = this.steps.last(0);
      for (let i = 0; i < step.length; i++) {
        const s = step[i] as number;
        if (s <= last) continue;
        last = s;
        this.steps.push(s);
        this.losses.push(loss[i] as number);
        this.lrs.push(lr[i] as number);
      }
    }
    this.summarise();
  }

  /** One live step; false when it was held already. */
  append(step: number, loss: number, lr: number): boolean {
    if (step <= this.steps.last(0)) return false;
    this.steps.push(step);
    this.losses.push(loss);
    this.lrs.push(lr);
    this.summarise();
    return true;
  }

  /** Forgets the steps past `step` (a run resumed from an earlier checkpoint replays them). */
  dropAfter(step: number): void {
    const steps = this.steps.values;
    let keep = steps.length;
    while (keep > 0 && (steps[keep - 1] as number) > step) keep--;
    if (keep === steps.length) return;
    // A column only grows: a shorter one is another column, with summaries built afresh.
    this.steps = this.steps.prefix(keep);
    this.losses = this.losses.prefix(keep);
    this.lrs = this.lrs.prefix(keep);
    this.lossSummary = new Envelope();
    this.lrSummary = new Envelope();
    this.ema = undefined;
    this.smoothedSummary = undefined;
    this.summarise();
  }

  /** The summaries brought up to the columns: only the buckets the new steps complete. */
  private summarise(): void {
    this.lossSummary.extend(this.losses.values);
    this.lrSummary.extend(this.lrs.values);
    if (this.ema && this.smoothedSummary) this.smoothedSummary.extend(this.ema.extend(this.losses.values));
  }

  /** The smoothed loss at `weight`: kept up as steps arrive, smoothed afresh when the page's weight changes. */
  private smoothedAt(weight: number): { values: Float64Array; summary: Envelope; state: SmoothingState } {
    if (!this.ema || !this.smoothedSummary || this.ema.weight !== weight) {
      this.ema = new DebiasedEma(weight);
      this.smoothedSummary = new Envelope();
    }
    const values = this.ema.extend(this.losses.values);
    this.smoothedSummary.extend(values);
    return { values, summary: this.smoothedSummary, state: this.ema.state };
  }

  /** What a chart draws of this run on the query's grid (see PickedSteps). */
  pick(query: StepsQuery): PickedSteps {
    const x = this.steps.values;
    const end = this.lastStep;
    const smoothed = query.series.includes('smoothed') ? this.smoothedAt(query.smoothing) : undefined;
    const ys = query.series.map((s) => (s === 'loss' ? this.losses.values : s === 'lr' ? this.lrs.values : (smoothed as NonNullable<typeof smoothed>).values));
    const envelopes = query.series.map((s) => (s === 'loss' ? this.lossSummary : s === 'lr' ? this.lrSummary : (smoothed as NonNullable<typeof smoothed>).summary));
    const { grid, perX } = query;
    const [start, stop] = visibleRange(x, query.from ?? -Infinity, query.to ?? Infinity, perX);
    const keep: number[] = [];
    if (drawnWhole(stop - start, grid.columns)) for (let i = start; i < stop; i++) keep.push(i);
    else pickColumns(x, perX, ys, envelopes, start, stop, grid.x0, grid.width, keep, undefined, query.positive === true);
    return {
      step: gather(x, keep),
      values: ys.map((y) => gather(y, keep)),
      end,
      ...(smoothed ? { smoothingState: smoothed.state } : {}),
    };
  }

  /** The bytes its columns and summaries hold (capacity included). */
  get bytes(): number {
    // Columns: 8 bytes a value with up to a sixteenth spare (column.ts); the step column of 1…n shares one array among all runs.
    const columns = (this.steps.consecutive && this.firstStep === 1 ? 0 : 1) + 2 + (this.ema ? 1 : 0);
    // Summaries: two Int32 indices per bucket, n/16 + n/32 + … buckets: about one byte a value each.
    const summaries = 2 + (this.smoothedSummary ? 1 : 0);
    return Math.ceil(this.length * (columns * 8 * 1.0625 + summaries * 1.0625));
  }
}

/**
 * How many bytes of runs no longer shown are kept aside (about four runs of a million steps), so
 * ticking one again does not read its metrics.jsonl again (1.8 s a million lines); the longest
 * unshown go first.
 */
export const SHELF_BYTES = 128 * 2 ** 20;

/** The runs the page shows, by run folder; the others are put aside while they fit, then dropped. */
export class StepStore {
  private readonly runs = new Map<string, RunColumns>();
  /** Runs no longer shown, kept aside up to `shelfBytes`, least recently shown first. */
  private readonly shelf = new Map<string, RunColumns>();

  constructor(private readonly shelfBytes = SHELF_BYTES) {}

  run(runDir: string): RunColumns | undefined {
    return this.runs.get(runDir);
  }

  /** The run's columns, empty if new (a history or the first live step fills them). */
  open(runDir: string): RunColumns {
    let run = this.runs.get(runDir);
    if (!run) this.runs.set(runDir, (run = new RunColumns()));
    return run;
  }

  /** A run's whole history replaces what was held of it (the file has every step so far). */
  load(runDir: string, step: Float64Array, loss: Float64Array, lr: Float64Array): RunColumns {
    const run = new RunColumns();
    run.appendColumns(step, loss, lr);
    this.runs.set(runDir, run);
    this.shelf.delete(runDir);
    return run;
  }

  /** Keeps only these runs (what the page shows, and what is being read for it); the others are put aside while they fit the shelf. */
  retain(runDirs: Iterable<string>): void {
    const keep = new Set(runDirs);
    for (const [runDir, run] of [...this.runs]) {
      if (keep.has(runDir)) continue;
      this.runs.delete(runDir);
      this.shelf.delete(runDir);
      this.shelf.set(runDir, run);
    }
    let bytes = 0;
    for (const run of this.shelf.values()) bytes += run.bytes;
    for (const [runDir, run] of this.shelf) {
      if (bytes <= this.shelfBytes) break;
      this.shelf.delete(runDir);
      bytes -= run.bytes;
    }
  }

  /** A run put aside, shown again: back among the held runs, as it was; undefined if it was not kept. */
  restore(runDir: string): RunColumns | undefined {
    const run = this.shelf.get(runDir);
    if (!run) return undefined;
    this.shelf.delete(runDir);
    this.runs.set(runDir, run);
    return run;
  }

  /** Whether a run put aside is still kept. */
  shelved(runDir: string): boolean {
    return this.shelf.has(runDir);
  }

  get runDirs(): string[] {
    return [...this.runs.keys()];
  }

  /** The bytes all runs hold, shown or put aside (see RunColumns.bytes). */
  get bytes(): number {
    let total = 0;
    for (const run of [...this.runs.values(), ...this.shelf.values()]) total += run.bytes;
    return total;
  }
}

/** values at the kept indices, as a new Float64Array (what goes to the page, transferable). */
function ascending(values: Float64Array): boolean {
  for (let i = 1; i < values.length; i++) if (!((values[i] as number) > (values[i - 1] as number))) return false;
  return true;
}
