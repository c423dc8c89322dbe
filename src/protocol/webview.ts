// The messages between the extension and the training dashboard (a webview), one valibot schema
// each with its type inferred. Both sides import this module and check whatever arrives with
// `checkToDashboard` / `checkFromDashboard`: a webview is a web page, so what it sends is input,
// and a message that does not fit is dropped and logged with the field that was wrong.
import * as v from 'valibot';
import { at } from '../core/indexed';
import { checkLevels, consecutiveSteps, envelopeLevels } from '../core/metrics/minMaxEnvelope';
import { DebiasedEma } from '../core/metrics/smoothing';
import type { StepStore } from '../core/metrics/stepStore';
import { anyNumber, checkTagged, oneOf, readonlyArray, wholeNumber, type Checked } from './check';
import { LayerStatSchema, TrainingMessageSchema, type BatchMessage, type TrainingMessage } from './training';
import { ExperimentResultSchema } from './experiment';

/** The webview panel's type: command, serializer and `onWebviewPanel:` activation use it. */
export const DASHBOARD_VIEW_TYPE = 'resnetDashboard';

/** Where a run stands, as far as its folder tells. */
export const RunStatusSchema = oneOf(['running', 'finished', 'stopped', 'failed', 'incomplete']);
export type RunStatus = v.InferOutput<typeof RunStatusSchema>;

const BATCH_FIELDS = ['step', 'epoch', 'loss', 'accuracy', 'lr', 'imagesPerSec'] as const;
/** By its tag, not `instanceof`: a message may come from another realm (VS Code's host frame). */
const float64Array = v.custom<Float64Array>(
  (x) => Object.prototype.toString.call(x) === '[object Float64Array]',
  (issue) => `Invalid type: Expected Float64Array but received ${issue.received}`,
);

const int32Array = v.custom<Int32Array>(
  (x) => Object.prototype.toString.call(x) === '[object Int32Array]',
  (issue) => `Invalid type: Expected Int32Array but received ${issue.received}`,
);

/** A column's min/max summary as the extension sends it (src/core/metrics/minMaxEnvelope.ts). */
const EnvelopeLevelsSchema = v.object({ lows: readonlyArray(int32Array), highs: readonlyArray(int32Array) });

/**
 * What the extension worked out of a run's history so that the page need not walk its steps on
 * the first render: the loss and learning-rate columns' min/max summaries, and whether the steps
 * are consecutive (each one more than the one before, from at least 1).
 */
export const HistorySummariesSchema = v.object({
  loss: EnvelopeLevelsSchema,
  lr: EnvelopeLevelsSchema,
  consecutiveSteps: v.boolean(),
  /**
   * The loss smoothed at the weight the page asked with (loadRuns' `smoothing`), as the page would
   * (src/core/metrics/smoothing.ts), with the fold's state after it and its min/max summary.
   */
  smoothed: v.optional(v.object({ weight: anyNumber, values: float64Array, last: anyNumber, startShare: anyNumber, levels: EnvelopeLevelsSchema })),
});
export type HistorySummaries = v.InferOutput<typeof HistorySummariesSchema>;

/** One run folder, as the dashboard's list of runs shows it. */
export const RunSummarySchema = v.object({
  /** The run folder's absolute path: the run's identity on both sides. */
  runDir: v.string(),
  /** The folder's own name, `<time>-<model>`. */
  name: v.string(),
  model: v.string(),
  dataset: v.string(),
  status: RunStatusSchema,
  /** The last optimizer step the metrics record. */
  step: anyNumber,
  testAccuracy: v.optional(anyNumber),
  /** It has a checkpoint, so it can continue. */
  resumable: v.boolean(),
});
export type RunSummary = v.InferOutput<typeof RunSummarySchema>;

/**
 * A run's batch messages column by column, as Float64Arrays. A long run has tens of thousands of
 * steps: VS Code hands typed arrays to a webview as binary data (since 1.57), where the same
 * numbers as objects would be written out and parsed back as JSON.
 */
export const BatchColumnsSchema = v.pipe(
  v.object({ step: float64Array, epoch: float64Array, loss: float64Array, accuracy: float64Array, lr: float64Array, imagesPerSec: float64Array }),
  v.check((c) => BATCH_FIELDS.every((f) => c[f].length === c.step.length), 'Invalid length: every column must have as many values as `step`'),
);
export type BatchColumns = v.InferOutput<typeof BatchColumnsSchema>;

/** Splits a run's record into its batches, as columns, and every other message, in order. */
export function toHistory(messages: readonly TrainingMessage[]): { batches: BatchColumns; messages: TrainingMessage[] } {
  const batches = messages.filter((m): m is BatchMessage => m.type === 'batch');
  const column = (field: (typeof BATCH_FIELDS)[number]) => Float64Array.from(batches, (b) => b[field]);
  return {
    batches: { step: column('step'), epoch: column('epoch'), loss: column('loss'), accuracy: column('accuracy'), lr: column('lr'), imagesPerSec: column('imagesPerSec') },
    messages: messages.filter((m) => m.type !== 'batch'),
  };
}

/** What the extension works out of a history's columns for the page (see HistorySummariesSchema): one pass over each; the smoothed loss too at a `smoothing` weight above 0. */
export function summariesOf(batches: BatchColumns, smoothing = 0): HistorySummaries {
  const summaries = { loss: envelopeLevels(batches.loss), lr: envelopeLevels(batches.lr), consecutiveSteps: consecutiveSteps(batches.step) };
  if (!(smoothing > 0)) return summaries;
  const ema = new DebiasedEma(smoothing);
  const values = ema.extend(batches.loss);
  return { ...summaries, smoothed: { weight: smoothing, values, ...ema.state, levels: envelopeLevels(values) } };
}

/**
 * The history message of a run whose steps the extension keeps (issue 21): the run's steps go into
 * `store` (the history's own columns, no copy) and the page gets only the last one, where the run
 * stands, and where its steps are; it asks for what it draws (`stepsAnswer`).
 */
export function heldHistory(store: StepStore, runDir: string, key: string, batches: BatchColumns, messages: readonly TrainingMessage[]): ToDashboard {
  const held = store.load(key, batches.step, batches.loss, batches.lr);
  const last = sliceColumns(batches, Math.max(0, batches.step.length - 1));
  return { type: 'runHistory', runDir, batches: last, messages, stepsOnHost: { count: held.length, first: held.firstStep, last: held.lastStep } };
}

/**
 * The answer to a step chart's request, from the held steps: per run the exact min/max picks of
 * each pixel column of the page's grid, or every step where there are few (an empty run where
 * none are held). `keyOf`: the store's key of a run folder the page names.
 */
export function stepsAnswer(store: StepStore, request: StepsRequest, keyOf: (runDir: string) => string = (d) => d): Extract<ToDashboard, { type: 'steps' }> {
  const grid = { x0: request.x0, width: request.width, columns: request.columns };
  const runs = request.runs.map(({ runDir, perX }): PickedRunSteps => {
    const held = store.run(keyOf(runDir));
    if (!held) return { runDir, step: new Float64Array(0), values: request.series.map(() => new Float64Array(0)), end: 0 };
    return { runDir, ...held.pick({ grid, from: request.from, to: request.to, perX, series: request.series, smoothing: request.smoothing, positive: request.positive }) };
  });
  return { type: 'steps', id: request.id, chart: request.chart, series: request.series, runs };
}

/** The columns from row `from` on, as new arrays (a message's typed arrays may be handed over to the page). */
export function sliceColumns(columns: BatchColumns, from = 0): BatchColumns {
  return {
    step: columns.step.slice(from),
    epoch: columns.epoch.slice(from),
    loss: columns.loss.slice(from),
    accuracy: columns.accuracy.slice(from),
    lr: columns.lr.slice(from),
    imagesPerSec: columns.imagesPerSec.slice(from),
  };
}

/** The batch messages back from their columns. */
export function batchesOf(columns: BatchColumns): BatchMessage[] {
  return Array.from(columns.step, (_, i) => batchAt(columns, i));
}

/** Batch `i` of the columns; BatchColumnsSchema checked that every column is as long as `step`. */
export function batchAt(columns: BatchColumns, i: number): BatchMessage {
  return {
    type: 'batch',
    step: at(columns.step, i, 'step column'),
    epoch: at(columns.epoch, i, 'epoch column'),
    loss: at(columns.loss, i, 'loss column'),
    accuracy: at(columns.accuracy, i, 'accuracy column'),
    lr: at(columns.lr, i, 'lr column'),
    imagesPerSec: at(columns.imagesPerSec, i, 'imagesPerSec column'),
  };
}

export const SessionStateSchema = oneOf(['idle', 'running', 'stopping']);
export type SessionState = v.InferOutput<typeof SessionStateSchema>;

const trainingMessages = readonlyArray(TrainingMessageSchema);

/**
 * Where a run's steps are when the extension keeps them (issue 21): how many, the first and the
 * last. The page then gets none of them with the history; it asks for what it draws (`stepsRequest`).
 */
export const StepsOnHostSchema = v.object({ count: wholeNumber(0), first: anyNumber, last: anyNumber });
export type StepsOnHost = v.InferOutput<typeof StepsOnHostSchema>;

/** The per-step series a chart asks for (src/core/metrics/stepStore.ts). */
const StepSeriesSchema = oneOf(['loss', 'smoothed', 'lr']);
/** The step charts that ask the extension for their points. */
export const StepChartSchema = oneOf(['loss', 'lr']);
export type StepChart = v.InferOutput<typeof StepChartSchema>;
const positive = v.pipe(v.number(), v.finite(), v.gtValue(0));

/**
 * What a step chart draws, asked of the extension: the runs (each with its steps per x unit: 1 on
 * the step axis, its steps per epoch on the epoch axis), the zoomed x range if zoomed, the pixel
 * grid (`columns` columns of `width` x from `x0`, as decimate.ts's grid) and the smoothing weight.
 * `runs` is every run the page shows: the extension drops the others.
 */
export const StepsRequestSchema = v.object({
  type: v.literal('stepsRequest'),
  id: wholeNumber(0),
  chart: StepChartSchema,
  runs: readonlyArray(v.object({ runDir: v.string(), perX: positive })),
  series: readonlyArray(StepSeriesSchema),
  smoothing: v.pipe(v.number(), v.minValue(0), v.maxValue(0.999)),
  x0: v.pipe(v.number(), v.finite()),
  width: positive,
  columns: v.pipe(positive, v.maxValue(100_000)),
  from: v.optional(v.pipe(v.number(), v.finite())),
  to: v.optional(v.pipe(v.number(), v.finite())),
  /** The chart's y axis is logarithmic: each column keeps its lowest positive value too. */
  positive: v.optional(v.boolean()),
});
export type StepsRequest = v.InferOutput<typeof StepsRequestSchema>;

/** One run's answer: the picked steps, each asked series' values at them (request order), the last step held, the smoothing's fold after it. */
const PickedStepsSchema = v.object({
  runDir: v.string(),
  step: float64Array,
  values: readonlyArray(float64Array),
  end: anyNumber,
  smoothingState: v.optional(v.object({ last: anyNumber, startShare: anyNumber })),
});
export type PickedRunSteps = v.InferOutput<typeof PickedStepsSchema>;

/** Extension → dashboard. */
export const ToDashboardSchema = v.variant('type', [
  /** Every run in the runs folder, newest first. */
  v.object({ type: v.literal('runs'), runsFolder: v.string(), runs: readonlyArray(RunSummarySchema) }),
  /**
   * A run's whole record so far (from its metrics.jsonl), replacing what the page had: its batches
   * as columns and its other messages in order (the file never has a batch past a later resume).
   */
  v.pipe(
    v.object({
      type: v.literal('runHistory'),
      runDir: v.string(),
      batches: BatchColumnsSchema,
      messages: trainingMessages,
      summaries: v.optional(HistorySummariesSchema),
      /** The steps stay on the extension: `batches` holds only the last one (where the run stands). */
      stepsOnHost: v.optional(StepsOnHostSchema),
    }),
    // The summaries' shape against the columns' length (their levels, not every step).
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed || !dataset.value.summaries) return;
      const n = dataset.value.batches.step.length;
      const { smoothed } = dataset.value.summaries;
      if (smoothed && smoothed.values.length !== n) addIssue({ message: `Invalid summary: ${smoothed.values.length} smoothed values for ${n} steps` });
      const levels = { loss: dataset.value.summaries.loss, lr: dataset.value.summaries.lr, ...(smoothed ? { smoothed: smoothed.levels } : {}) };
      for (const [column, of] of Object.entries(levels)) {
        const wrong = checkLevels(of, column === 'smoothed' && smoothed ? smoothed.values.length : n);
        if (wrong) addIssue({ message: `Invalid summary: ${wrong}`, path: [{ type: 'object', origin: 'value', input: dataset.value, key: 'summaries', value: dataset.value.summaries }] });
      }
    }),
  ),
  /**
   * The answer to a `stepsRequest` (its id and chart): per run the points to draw. Each series as
   * long as the steps, as many series as asked (the request's `series`).
   */
  v.pipe(
    v.object({ type: v.literal('steps'), id: wholeNumber(0), chart: StepChartSchema, series: readonlyArray(StepSeriesSchema), runs: readonlyArray(PickedStepsSchema) }),
    v.check(
      (m) => m.runs.every((r) => r.values.length === m.series.length && r.values.every((y) => y.length === r.step.length)),
      'Invalid length: every run needs one column per series, each as long as its steps',
    ),
  ),
  /** New messages of the run that is training now, to append. */
  v.object({ type: v.literal('runProgress'), runDir: v.string(), messages: trainingMessages, etaSeconds: v.optional(anyNumber) }),
  /** Whether a worker is training, and which run. */
  v.object({ type: v.literal('session'), state: SessionStateSchema, runDir: v.optional(v.string()) }),
  /** A run the page asked for could not be read. */
  v.object({ type: v.literal('runError'), runDir: v.string(), message: v.string() }),
  /**
   * The runs folder is an experiment's (it holds experiment.json): its runs as results, in queue
   * order. The page overlays them all, coloured by variant, plain nets dashed, under a results table.
   */
  v.object({ type: v.literal('experiment'), experiment: v.string(), results: readonlyArray(ExperimentResultSchema) }),
]);
export type ToDashboard = v.InferOutput<typeof ToDashboardSchema>;
const TO_DASHBOARD_TYPES: readonly ToDashboard['type'][] = ['runs', 'runHistory', 'steps', 'runProgress', 'session', 'runError', 'experiment'];

/** A PNG as a data URL; nothing else is written as an image. */
const pngDataUrl = v.pipe(v.string(), v.startsWith('data:image/png;base64,', 'Invalid format: Expected a data:image/png;base64 URL'));

/** Dashboard → extension. */
/**
 * A run's layer, and the measurement it was clicked in (issue 24): what the dashboard sends and the
 * extension's internal command `REVEAL_LAYER_COMMAND` takes.
 */
const RevealLayerFields = {
  runDir: v.string(),
  /** The run as the page labels it (the architecture view's legend names it so). */
  label: v.pipe(v.string(), v.maxLength(500)),
  path: v.string(),
  step: anyNumber,
  layers: readonlyArray(LayerStatSchema),
};
export const RevealLayerArgsSchema = v.object(RevealLayerFields);
export type RevealLayerArgs = v.InferOutput<typeof RevealLayerArgsSchema>;
/** Not in the palette: the dashboard's layer charts run it. */
export const REVEAL_LAYER_COMMAND = 'resnet.revealLayerOfRun';

export const FromDashboardSchema = v.variant('type', [
  /** The page has loaded (first time or after a reload) and wants the runs and the session. */
  v.object({ type: v.literal('ready') }),
  v.object({ type: v.literal('refreshRuns') }),
  /**
   * `smoothing`: the page's loss smoothing weight, for a history sent with its steps and summaries
   * (`summariesOf`). The panel keeps the steps instead and smooths at each `stepsRequest`'s weight.
   */
  v.object({ type: v.literal('loadRuns'), runDirs: readonlyArray(v.string()), smoothing: v.optional(anyNumber) }),
  StepsRequestSchema,
  v.object({ type: v.literal('stop') }),
  v.object({ type: v.literal('resume'), runDir: v.string() }),
  v.object({ type: v.literal('revealRun'), runDir: v.string() }),
  /** `dataUrl` is a `data:image/png;base64,…` URL; the extension asks where to save it. */
  v.object({ type: v.literal('exportPng'), fileName: v.string(), dataUrl: pngDataUrl }),
  v.object({ type: v.literal('exportCsv'), fileName: v.string(), csv: v.string() }),
  /**
   * Every step of these runs as CSV: the extension asks where, then writes it streamed from the
   * runs' metrics.jsonl (a million steps a run never pass through the page or its memory).
   */
  v.object({ type: v.literal('exportStepsCsv'), fileName: v.string(), runDirs: readonlyArray(v.string()) }),
  /** An experiment's results table as Markdown. */
  v.object({ type: v.literal('exportMarkdown'), fileName: v.string(), markdown: v.string() }),
  /** Something the page wants in the extension's log (what it dropped, and why). */
  v.object({ type: v.literal('log'), level: oneOf(['info', 'warn']), message: v.string() }),
  /** A layer clicked in Layer responses or Gradient flow: show it in the source and the architecture view, coloured by `layers`. */
  v.object({ type: v.literal('revealLayer'), ...RevealLayerFields }),
]);
export type FromDashboard = v.InferOutput<typeof FromDashboardSchema>;
const FROM_DASHBOARD_TYPES: readonly FromDashboard['type'][] = [
  'ready',
  'refreshRuns',
  'loadRuns',
  'stepsRequest',
  'stop',
  'resume',
  'revealRun',
  'exportPng',
  'exportCsv',
  'exportStepsCsv',
  'exportMarkdown',
  'log',
  'revealLayer',
];

/** The message, if `value` is a well-formed extension → dashboard message; otherwise why not. */
export function checkToDashboard(value: unknown): Checked<ToDashboard> {
  return checkTagged(ToDashboardSchema, value, TO_DASHBOARD_TYPES);
}

/** The message, if `value` is a well-formed dashboard → extension message; otherwise why not. */
export function checkFromDashboard(value: unknown): Checked<FromDashboard> {
  return checkTagged(FromDashboardSchema, value, FROM_DASHBOARD_TYPES);
}

/** The message, if `value` is a well-formed extension → dashboard message; undefined otherwise. */
export function parseToDashboard(value: unknown): ToDashboard | undefined {
  const checked = checkToDashboard(value);
  return checked.ok ? checked.value : undefined;
}

/** The message, if `value` is a well-formed dashboard → extension message; undefined otherwise. */
export function parseFromDashboard(value: unknown): FromDashboard | undefined {
  const checked = checkFromDashboard(value);
  return checked.ok ? checked.value : undefined;
}

/** A short, single-line account of a dropped message for the log (never the whole payload). */
export function describeDropped(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : text;
}
