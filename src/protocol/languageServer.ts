// The contract between the ResNet Studio extension and its language server: custom requests,
// command ids and arguments, settings and initialization options. Both sides import this module
// and nothing else of each other.
import { RequestType, RequestType0 } from 'vscode-jsonrpc';

/** A position in a document, 0-based, as LSP counts (UTF-16 code units). */
export interface DocumentPosition {
  readonly line: number;
  readonly character: number;
}

export interface ModelSummaryParams {
  readonly uri: string;
  /** The model to summarize; when absent, the model at `position`, else the first model. */
  readonly model?: string;
  readonly position?: DocumentPosition;
}

export type ModelSummaryResult =
  | { readonly kind: 'summary'; readonly model: string; readonly text: string }
  /** Nothing to summarize: `message` says why (no such model, the file has errors, …). */
  | { readonly kind: 'missing'; readonly message: string };

/** The torchinfo-style summary table of one model, as plain text. */
export const ModelSummaryRequest = new RequestType<ModelSummaryParams, ModelSummaryResult, void>('resnet/modelSummary');

export interface ModelTotalsParams {
  readonly uri: string;
  /** The cursor; the model around it is chosen, else the first model. */
  readonly position?: DocumentPosition;
}

export interface ModelTotals {
  readonly model: string;
  readonly params: number;
  readonly macs: number;
  /** Short text for the status bar, e.g. "25.56M params · 4.09G MACs". */
  readonly label: string;
  /** Longer text for its tooltip. */
  readonly tooltip: string;
}

/** Totals of the model under the cursor, for the status bar; null when the document has none. */
export const ModelTotalsRequest = new RequestType<ModelTotalsParams, ModelTotals | null, void>('resnet/modelTotals');

export interface PaperTemplate {
  /** The model's name in the paper, e.g. "ResNet-50". */
  readonly label: string;
  readonly description: string;
  /** A complete `.resnet` file. */
  readonly text: string;
}

/** The paper's models as ready-to-edit `.resnet` sources (New File from Template). */
export const PaperTemplatesRequest = new RequestType0<readonly PaperTemplate[], void>('resnet/paperTemplates');

/** Command ids the server puts in code lenses and the extension registers. */
export const Commands = {
  showModelSummary: 'resnet.showModelSummary',
  trainModel: 'resnet.trainModel',
  stopTraining: 'resnet.stopTraining',
  openTrainingDashboard: 'resnet.openTrainingDashboard',
  newFileFromTemplate: 'resnet.newFileFromTemplate',
} as const;

/** The one argument of `resnet.trainModel` and `resnet.showModelSummary` when a code lens runs them. */
export interface ModelCommandArgs {
  readonly uri: string;
  readonly model: string;
}

export function isModelCommandArgs(value: unknown): value is ModelCommandArgs {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.uri === 'string' && typeof v.model === 'string';
}

/** The `resnet.*` settings the server reads. */
export interface ResnetSettings {
  readonly inlayHints: { readonly enabled: boolean };
  readonly codeLens: { readonly enabled: boolean };
  /** The batch size for activation memory in hovers and the summary. */
  readonly summary: { readonly batchSize: number };
  /** How compute is counted (`macs`, `flops`, `ptflops`, `fvcore`, `thop`) and the memory a training step may use, in MiB (0: unknown). */
  readonly costs: { readonly convention: string; readonly memoryBudgetMiB: number };
}

export const SETTINGS_SECTION = 'resnet';

export const defaultSettings: ResnetSettings = {
  inlayHints: { enabled: true },
  codeLens: { enabled: true },
  summary: { batchSize: 128 },
  costs: { convention: 'macs', memoryBudgetMiB: 8192 },
};

/**
 * Node flags for the server process. Parsing and analysis allocate many short-lived objects; a
 * larger young generation cuts garbage collection enough to halve the time per edit on a
 * 1,000-line file (test/bench/diagnostics.bench.ts), for about 60 MB more memory.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

export interface InitializationOptions {
  /**
   * Quiet time after an edit before diagnostics are recomputed (default 150 ms). Benchmarks set 0
   * to measure the server's own work; opening a document is never delayed.
   */
  readonly diagnosticsDelayMs?: number;
  /** Settings for clients that cannot answer `workspace/configuration`. */
  readonly settings?: unknown;
}
