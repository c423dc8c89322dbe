// The contract between the ResNet Studio extension and its language server: custom requests,
// command ids and arguments, settings and initialization options. Both sides import this module
// and nothing else of each other. The params and results of each custom request are valibot
// schemas with their types inferred: the server checks the params it is sent, the extension the
// results (and the arguments a code lens passes), each refusal naming the field.
import * as v from 'valibot';
import { RequestType, RequestType0 } from 'vscode-jsonrpc';
import { DATASET_NAMES } from '../core/datasets';
import type { LanguageChoice } from '../core/l10n/locale';
import { check, oneOf, readonlyArray, type Checked } from './check';
import { ExperimentPlanSchema } from './experiment';
import { ProfileDocumentSchema } from './profile';
import type { ArchitectureCompareParams, ArchitectureCompareResult, ArchitectureGraphParams, ArchitectureGraphResult } from './architecture';

/** A position in a document, 0-based, as LSP counts (UTF-16 code units). */
export const DocumentPositionSchema = v.object({ line: v.number(), character: v.number() });
export type DocumentPosition = v.InferOutput<typeof DocumentPositionSchema>;

export const ModelSummaryParamsSchema = v.object({
  uri: v.string(),
  /** The model to summarize; when absent, the model at `position`, else the first model. */
  model: v.optional(v.string()),
  position: v.optional(DocumentPositionSchema),
  /** Measured times the editor holds for this file (a `profile --json` document): the rows they are for are coloured. */
  timings: v.optional(ProfileDocumentSchema),
});
export type ModelSummaryParams = v.InferOutput<typeof ModelSummaryParamsSchema>;

export const ModelSummaryResultSchema = v.variant('kind', [
  v.object({
    kind: v.literal('summary'),
    model: v.string(),
    text: v.string(),
    /** With `timings` for this model: each layer's and stage's row (0-based line) with its measured ms, share and heat (0–1). */
    times: v.optional(readonlyArray(v.object({ line: v.number(), path: v.string(), ms: v.number(), share: v.number(), heat: v.number() }))),
  }),
  /** Nothing to summarize: `message` says why (no such model, the file has errors, …). */
  v.object({ kind: v.literal('missing'), message: v.string() }),
]);
export type ModelSummaryResult = v.InferOutput<typeof ModelSummaryResultSchema>;

/** The torchinfo-style summary table of one model, as plain text. */
export const ModelSummaryRequest = new RequestType<ModelSummaryParams, ModelSummaryResult, void>('resnet/modelSummary');

export const ModelTotalsParamsSchema = v.object({
  uri: v.string(),
  /** The cursor; the model around it is chosen, else the first model. */
  position: v.optional(DocumentPositionSchema),
});
export type ModelTotalsParams = v.InferOutput<typeof ModelTotalsParamsSchema>;

export const ModelTotalsSchema = v.object({
  model: v.string(),
  params: v.number(),
  macs: v.number(),
  /** Short text for the status bar, e.g. "25.56M params · 4.09G MACs". */
  label: v.string(),
  /** Longer text for its tooltip. */
  tooltip: v.string(),
});
export type ModelTotals = v.InferOutput<typeof ModelTotalsSchema>;

/** Totals of the model under the cursor, for the status bar; null when the document has none. */
export const ModelTotalsRequest = new RequestType<ModelTotalsParams, ModelTotals | null, void>('resnet/modelTotals');

export const TrainableModelsParamsSchema = v.object({
  uri: v.string(),
  /**
   * The text the extension is about to train (it saves it in the run): analysed as given, so the
   * answer is about exactly that text even when the editor's last change has not reached the server.
   */
  text: v.string(),
  /** The cursor, when the command came from the palette: the model declared around it is named. */
  position: v.optional(DocumentPositionSchema),
});
export type TrainableModelsParams = v.InferOutput<typeof TrainableModelsParamsSchema>;

/** What "Train Model" shows about a model before it starts: its size, its data, its recipe. */
const RunPlanSchema = v.object({
  steps: v.number(),
  heldOut: v.number(),
  /** The hold-out takes every image: the worker would refuse the run. */
  refused: v.boolean(),
  recipe: readonlyArray(v.string()),
});

export const TrainableModelSchema = v.object({
  name: v.string(),
  depth: v.number(),
  params: v.number(),
  plain: v.boolean(),
  /** Input [H, W, C]. */
  input: v.tuple([v.number(), v.number(), v.number()]),
  classes: v.number(),
  /** The recipe's `dataset`, when it names one. */
  dataset: v.optional(oneOf(DATASET_NAMES)),
  /** The recipe in words, one line per part ("Batch: 128 (paper)", …). */
  recipe: readonlyArray(v.string()),
  /** The recipe's `engine`, when it names one (the resnet.training.engine setting may override it). */
  engine: v.optional(oneOf(['tfjs', 'pytorch'])),
  /**
   * Set per engine when a training step at the recipe's batch needs more memory on it than
   * resnet.costs.memoryBudgetMiB: what, and which batch fits. The extension shows the one of the
   * engine the run will use (the recipe's, or the resnet.training.engine setting's).
   */
  memoryWarnings: v.optional(v.object({ tfjs: v.optional(v.string()), pytorch: v.optional(v.string()) })),
  /** Multiply-adds of one image's forward pass, and the recipe's batch: with a measured speed, how long a run takes. */
  macs: v.number(),
  batchSize: v.number(),
  /** What the recipe's run does on each data set (src/core/report/runPlan.ts): its steps, its hold-out, the recipe in words for it. */
  plans: v.object({ mnist: RunPlanSchema, cifar10: RunPlanSchema, synthetic: RunPlanSchema }),
});
export type TrainableModel = v.InferOutput<typeof TrainableModelSchema>;

export const TrainableModelsResultSchema = v.variant('kind', [
  /** `atCursor`: the model declared around `position`, if any. */
  v.object({ kind: v.literal('models'), models: readonlyArray(TrainableModelSchema), atCursor: v.optional(v.string()) }),
  /** The text has errors: nothing can be trained until they are fixed. */
  v.object({ kind: v.literal('errors'), errors: v.number() }),
]);
export type TrainableModelsResult = v.InferOutput<typeof TrainableModelsResultSchema>;

/** The models of a file as "Train Model" needs them, so the extension does not analyse the file itself. */
export const TrainableModelsRequest = new RequestType<TrainableModelsParams, TrainableModelsResult, void>('resnet/trainableModels');

export const PaperTemplateSchema = v.object({
  /** The model's name in the paper, e.g. "ResNet-50". */
  label: v.string(),
  description: v.string(),
  /** A complete `.resnet` file. */
  text: v.string(),
});
export type PaperTemplate = v.InferOutput<typeof PaperTemplateSchema>;

/** The paper's models as ready-to-edit `.resnet` sources (New File from Template). */
export const PaperTemplatesRequest = new RequestType0<readonly PaperTemplate[], void>('resnet/paperTemplates');

/** A request's params, checked; the refusal names the request and the field. */
export function checkRequestParams<S extends v.GenericSchema>(method: string, schema: S, params: unknown): Checked<v.InferOutput<S>> {
  const checked = check(schema, params);
  return checked.ok ? checked : { ok: false, error: `${method}: ${checked.error}` };
}

/** A request's result, checked on the extension's side. */
export function checkResult<S extends v.GenericSchema>(method: string, schema: S, result: unknown): Checked<v.InferOutput<S>> {
  const checked = check(schema, result);
  return checked.ok ? checked : { ok: false, error: `the language server answered ${method} with a malformed result (${checked.error})` };
}
/** The architecture view's graph of one model: stages, blocks, layers, shapes, costs, errors on their nodes. */
export const ArchitectureGraphRequest = new RequestType<ArchitectureGraphParams, ArchitectureGraphResult, void>('resnet/architectureGraph');

/** The architecture view's diff mode: this model against another version's text, every node marked. */
export const ArchitectureCompareRequest = new RequestType<ArchitectureCompareParams, ArchitectureCompareResult, void>('resnet/architectureCompare');

/** Command ids the server puts in code lenses and the extension registers. */
export const Commands = {
  showModelSummary: 'resnet.showModelSummary',
  trainModel: 'resnet.trainModel',
  stopTraining: 'resnet.stopTraining',
  openTrainingDashboard: 'resnet.openTrainingDashboard',
  newFileFromTemplate: 'resnet.newFileFromTemplate',
  showArchitecture: 'resnet.showArchitecture',
  compareArchitecture: 'resnet.compareArchitecture',
  colourArchitectureByTime: 'resnet.colourArchitectureByTime',
  runExperiment: 'resnet.runExperiment',
} as const;

/** The argument of `resnet.runExperiment` when the code lens runs it. */
export const ExperimentCommandArgsSchema = v.object({ uri: v.string(), experiment: v.string() });
export type ExperimentCommandArgs = v.InferOutput<typeof ExperimentCommandArgsSchema>;

export const ExperimentPlanParamsSchema = v.object({
  uri: v.string(),
  /** The text to queue (saved in the experiment's state), analysed as given. */
  text: v.string(),
  /** The experiment; absent: the one around `position`, else the first. */
  experiment: v.optional(v.string()),
  position: v.optional(DocumentPositionSchema),
});
export type ExperimentPlanParams = v.InferOutput<typeof ExperimentPlanParamsSchema>;

export const ExperimentPlanResultSchema = v.variant('kind', [
  v.object({ kind: v.literal('plan'), plan: ExperimentPlanSchema }),
  /** Nothing to run: `message` says why (no experiment, errors in the file or a variant). */
  v.object({ kind: v.literal('missing'), message: v.string() }),
]);
export type ExperimentPlanResult = v.InferOutput<typeof ExperimentPlanResultSchema>;

/** The runs of an experiment, for Run Experiment: the extension never analyses the file itself. */
export const ExperimentPlanRequest = new RequestType<ExperimentPlanParams, ExperimentPlanResult, void>('resnet/experimentPlan');

/** The one argument of `resnet.trainModel` and `resnet.showModelSummary` when a code lens runs them. */
export const ModelCommandArgsSchema = v.object({ uri: v.string(), model: v.string() });
export type ModelCommandArgs = v.InferOutput<typeof ModelCommandArgsSchema>;

export function isModelCommandArgs(value: unknown): value is ModelCommandArgs {
  return check(ModelCommandArgsSchema, value).ok;
}

/** The `resnet.*` settings the server reads. */
export interface ResnetSettings {
  readonly inlayHints: { readonly enabled: boolean };
  readonly codeLens: { readonly enabled: boolean };
  /** The batch size for activation memory in hovers and the summary. */
  readonly summary: { readonly batchSize: number };
  /** How compute is counted (`macs`, `flops`, `ptflops`, `fvcore`, `thop`) and the memory a training step may use, in MiB (0: unknown). */
  readonly costs: { readonly convention: string; readonly memoryBudgetMiB: number };
  /** The language of diagnostics, hovers, lenses and quick fixes: "auto" follows `initialize`'s `locale`. */
  readonly language: LanguageChoice;
}

export const SETTINGS_SECTION = 'resnet';

export const defaultSettings: ResnetSettings = {
  inlayHints: { enabled: true },
  codeLens: { enabled: true },
  summary: { batchSize: 128 },
  costs: { convention: 'macs', memoryBudgetMiB: 8192 },
  language: 'auto',
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
  /**
   * Settings for clients that cannot answer `workspace/configuration`; the extension sends
   * `{ language }` here so the first diagnostics are already in the `resnet.language` setting's language.
   */
  readonly settings?: unknown;
}
