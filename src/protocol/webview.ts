// The messages between the extension and the training dashboard (a webview). Both sides import
// this module and check whatever arrives with `parseToDashboard` / `parseFromDashboard`: a webview
// is a web page, so what it sends is input, and a message that does not fit is dropped and logged.
import { parseTrainingMessage, type BatchMessage, type TrainingMessage } from './training';

/** The webview panel's type: command, serializer and `onWebviewPanel:` activation use it. */
export const DASHBOARD_VIEW_TYPE = 'resnetDashboard';

/** Where a run stands, as far as its folder tells. */
export type RunStatus = 'running' | 'finished' | 'stopped' | 'failed' | 'incomplete';
const RUN_STATUSES: readonly RunStatus[] = ['running', 'finished', 'stopped', 'failed', 'incomplete'];

/** One run folder, as the dashboard's list of runs shows it. */
export interface RunSummary {
  /** The run folder's absolute path: the run's identity on both sides. */
  readonly runDir: string;
  /** The folder's own name, `<time>-<model>`. */
  readonly name: string;
  readonly model: string;
  readonly dataset: string;
  readonly status: RunStatus;
  /** The last optimizer step the metrics record. */
  readonly step: number;
  readonly testAccuracy?: number;
  /** It has a checkpoint, so it can continue. */
  readonly resumable: boolean;
}

/**
 * A run's batch messages column by column, as Float64Arrays. A long run has tens of thousands of
 * steps: VS Code hands typed arrays to a webview as binary data (since 1.57), where the same
 * numbers as objects would be written out and parsed back as JSON.
 */
export interface BatchColumns {
  readonly step: Float64Array;
  readonly epoch: Float64Array;
  readonly loss: Float64Array;
  readonly accuracy: Float64Array;
  readonly lr: Float64Array;
  readonly imagesPerSec: Float64Array;
}
const BATCH_FIELDS = ['step', 'epoch', 'loss', 'accuracy', 'lr', 'imagesPerSec'] as const;

/** Splits a run's record into its batches, as columns, and every other message, in order. */
export function toHistory(messages: readonly TrainingMessage[]): { batches: BatchColumns; messages: TrainingMessage[] } {
  const batches = messages.filter((m): m is BatchMessage => m.type === 'batch');
  const column = (field: (typeof BATCH_FIELDS)[number]) => Float64Array.from(batches, (b) => b[field]);
  return {
    batches: { step: column('step'), epoch: column('epoch'), loss: column('loss'), accuracy: column('accuracy'), lr: column('lr'), imagesPerSec: column('imagesPerSec') },
    messages: messages.filter((m) => m.type !== 'batch'),
  };
}

/** The batch messages back from their columns. */
export function batchesOf(columns: BatchColumns): BatchMessage[] {
  return Array.from(columns.step, (step, i) => ({ type: 'batch', step, epoch: columns.epoch[i], loss: columns.loss[i], accuracy: columns.accuracy[i], lr: columns.lr[i], imagesPerSec: columns.imagesPerSec[i] }));
}

export type SessionState = 'idle' | 'running' | 'stopping';
const SESSION_STATES: readonly SessionState[] = ['idle', 'running', 'stopping'];

/** Extension → dashboard. */
export type ToDashboard =
  /** Every run in the runs folder, newest first. */
  | { readonly type: 'runs'; readonly runsFolder: string; readonly runs: readonly RunSummary[] }
  /**
   * A run's whole record so far (from its metrics.jsonl), replacing what the page had: its batches
   * as columns and its other messages in order (the file never has a batch past a later resume).
   */
  | { readonly type: 'runHistory'; readonly runDir: string; readonly batches: BatchColumns; readonly messages: readonly TrainingMessage[] }
  /** New messages of the run that is training now, to append. */
  | { readonly type: 'runProgress'; readonly runDir: string; readonly messages: readonly TrainingMessage[]; readonly etaSeconds?: number }
  /** Whether a worker is training, and which run. */
  | { readonly type: 'session'; readonly state: SessionState; readonly runDir?: string }
  /** A run the page asked for could not be read. */
  | { readonly type: 'runError'; readonly runDir: string; readonly message: string };

/** Dashboard → extension. */
export type FromDashboard =
  /** The page has loaded (first time or after a reload) and wants the runs and the session. */
  | { readonly type: 'ready' }
  | { readonly type: 'refreshRuns' }
  | { readonly type: 'loadRuns'; readonly runDirs: readonly string[] }
  | { readonly type: 'stop' }
  | { readonly type: 'resume'; readonly runDir: string }
  | { readonly type: 'revealRun'; readonly runDir: string }
  /** `dataUrl` is a `data:image/png;base64,…` URL; the extension asks where to save it. */
  | { readonly type: 'exportPng'; readonly fileName: string; readonly dataUrl: string }
  | { readonly type: 'exportCsv'; readonly fileName: string; readonly csv: string }
  /** Something the page wants in the extension's log (what it dropped, and why). */
  | { readonly type: 'log'; readonly level: 'info' | 'warn'; readonly message: string };

type Check = (value: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isNumber: Check = (v) => typeof v === 'number';
const isBoolean: Check = (v) => typeof v === 'boolean';
const optional = (check: Check): Check => (v) => v === undefined || check(v);
const oneOf = (values: readonly string[]): Check => (v) => typeof v === 'string' && values.includes(v);
const arrayOf = (check: Check): Check => (v) => Array.isArray(v) && v.every(check);
const isTrainingMessage: Check = (v) => parseTrainingMessage(v) !== undefined;
/** By its tag, not `instanceof`: a message may come from another realm (VS Code's host frame). */
const isFloat64Array: Check = (v) => Object.prototype.toString.call(v) === '[object Float64Array]';
const isBatchColumns: Check = (v) => {
  if (!fits(v, Object.fromEntries(BATCH_FIELDS.map((f) => [f, isFloat64Array])))) return false;
  const columns = v as BatchColumns;
  return BATCH_FIELDS.every((f) => columns[f].length === columns.step.length);
};
const isRunSummary: Check = (v) =>
  fits(v, {
    runDir: isString,
    name: isString,
    model: isString,
    dataset: isString,
    status: oneOf(RUN_STATUSES),
    step: isNumber,
    testAccuracy: optional(isNumber),
    resumable: isBoolean,
  });
/** A PNG as a data URL; nothing else is written as an image. */
const isPngDataUrl: Check = (v) => typeof v === 'string' && v.startsWith('data:image/png;base64,');

function fits(value: unknown, fields: Record<string, Check>): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return Object.entries(fields).every(([name, check]) => check(record[name]));
}

const toDashboardFields: Record<ToDashboard['type'], Record<string, Check>> = {
  runs: { runsFolder: isString, runs: arrayOf(isRunSummary) },
  runHistory: { runDir: isString, batches: isBatchColumns, messages: arrayOf(isTrainingMessage) },
  runProgress: { runDir: isString, messages: arrayOf(isTrainingMessage), etaSeconds: optional(isNumber) },
  session: { state: oneOf(SESSION_STATES), runDir: optional(isString) },
  runError: { runDir: isString, message: isString },
};

const fromDashboardFields: Record<FromDashboard['type'], Record<string, Check>> = {
  ready: {},
  refreshRuns: {},
  loadRuns: { runDirs: arrayOf(isString) },
  stop: {},
  resume: { runDir: isString },
  revealRun: { runDir: isString },
  exportPng: { fileName: isString, dataUrl: isPngDataUrl },
  exportCsv: { fileName: isString, csv: isString },
  log: { level: oneOf(['info', 'warn']), message: isString },
};

function parseWith<T>(value: unknown, table: Record<string, Record<string, Check>>): T | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(table, type)) return undefined;
  return fits(value, table[type]) ? (value as T) : undefined;
}

/** The message, if `value` is a well-formed extension → dashboard message; undefined otherwise. */
export function parseToDashboard(value: unknown): ToDashboard | undefined {
  return parseWith<ToDashboard>(value, toDashboardFields);
}

/** The message, if `value` is a well-formed dashboard → extension message; undefined otherwise. */
export function parseFromDashboard(value: unknown): FromDashboard | undefined {
  return parseWith<FromDashboard>(value, fromDashboardFields);
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
