// The messages of the architecture view: between the extension and its webview (checked with
// valibot schemas on both sides: a webview is a web page, so what it sends is input), and the
// results of the language server's architecture requests, which the extension passes on.
import * as v from 'valibot';
import type { ArchitectureDiff } from '../core/diff/architectureDiff';
import { CONVENTIONS } from '../core/report/conventions';
import { ProfileDocumentSchema } from './profile';
import { GRAPH_SHORTCUT_KINDS, type ArchitectureGraph, type GraphItem } from '../core/report/architectureGraph';

/** The webview panel's type: command, serializer and `onWebviewPanel:` activation use it. */
export const ARCHITECTURE_VIEW_TYPE = 'resnetArchitecture';

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
/** A delta may be negative; figures are whole numbers. */
const signedCount = v.pipe(v.number(), v.integer());
const ShapeSchema = v.tuple([count, count, count]);
const CostSchema = v.object({ params: count, macs: count, activationBytes: count });
const StatusSchema = v.picklist(['added', 'removed', 'changed']);

const nodeFields = {
  id: v.string(),
  label: v.string(),
  input: ShapeSchema,
  output: ShapeSchema,
  cost: CostSchema,
  line: count,
  column: count,
  error: v.optional(v.string()),
  status: v.optional(StatusSchema),
  change: v.optional(v.string()),
};

// Recursive (a block holds items), so the type comes from the core and the schema is checked
// against it; every other schema here gives its own type.
const GraphItemSchema: v.GenericSchema<GraphItem> = v.variant('kind', [
  v.object({ kind: v.literal('layer'), ...nodeFields, op: v.string() }),
  v.object({
    kind: v.literal('block'),
    ...nodeFields,
    // The core's list: a kind added there (a gate's) is accepted here too.
    shortcut: v.picklist(GRAPH_SHORTCUT_KINDS),
    shortcutLabel: v.string(),
    branch: v.array(v.lazy(() => GraphItemSchema)),
    shortcutLayers: v.array(v.lazy(() => GraphItemSchema)),
    after: v.array(v.lazy(() => GraphItemSchema)),
  }),
  v.object({
    kind: v.literal('split'),
    ...nodeFields,
    groups: v.pipe(count, v.minValue(1)),
    cascade: v.boolean(),
    keep: v.boolean(),
    columns: v.array(v.array(v.lazy(() => GraphItemSchema))),
  }),
]);

const GraphStageSchema = v.object({
  id: v.string(),
  name: v.string(),
  input: ShapeSchema,
  output: ShapeSchema,
  cost: CostSchema,
  line: count,
  column: count,
  endLine: count,
  items: v.array(GraphItemSchema),
  error: v.optional(v.string()),
  status: v.optional(StatusSchema),
  change: v.optional(v.string()),
});

export const ArchitectureGraphSchema = v.object({
  model: v.string(),
  input: ShapeSchema,
  output: ShapeSchema,
  totals: CostSchema,
  batchSize: v.pipe(count, v.minValue(1)),
  line: count,
  endLine: count,
  stages: v.array(GraphStageSchema),
  errors: v.array(v.object({ line: count, message: v.string() })),
});

const DeltaSchema = v.object({ params: signedCount, macs: signedCount, activationBytes: signedCount });
const MemorySchema = v.object({ weightsBytes: count, gradientsBytes: count, optimizerBytes: count, activationsBytes: count, inputBytes: count, totalBytes: count });
const TotalsSchema = v.object({
  params: count,
  nonTrainable: count,
  macs: count,
  activationBytes: count,
  compute: v.object({ convention: v.picklist(CONVENTIONS), value: v.number() }),
  memory: MemorySchema,
  tfjsMemory: MemorySchema,
});
const FiguresSchema = v.object({ part: v.picklist(['block', 'layer']), kind: v.string(), outputShape: ShapeSchema, params: count, macs: count, line: count });

export const ArchitectureDiffSchema = v.object({
  old: v.object({ name: v.string(), totals: TotalsSchema }),
  new: v.object({ name: v.string(), totals: TotalsSchema }),
  delta: DeltaSchema,
  stages: v.array(v.object({ name: v.string(), delta: DeltaSchema })),
  changes: v.array(v.object({ path: v.string(), change: StatusSchema, old: v.optional(FiguresSchema), new: v.optional(FiguresSchema) })),
});

// Messages carry the core's (read-only) types; the checks at the end of this file prove the
// schemas describe exactly those types, so the casts below hide only `readonly`.
const GraphField = ArchitectureGraphSchema as unknown as v.GenericSchema<ArchitectureGraph>;
const DiffField = ArchitectureDiffSchema as unknown as v.GenericSchema<ArchitectureDiff>;

/** Extension → architecture view. */
export const ToArchitectureSchema = v.variant('type', [
  /** The model under the cursor, drawn live. `models` lists the file's models for the picker. */
  v.object({ type: v.literal('graph'), uri: v.string(), fileName: v.string(), graph: GraphField, models: v.array(v.string()) }),
  /** Diff mode: the new model's graph with the old one's removed parts put back, every node marked. */
  v.object({ type: v.literal('diff'), uri: v.string(), fileName: v.string(), graph: GraphField, diff: DiffField, oldLabel: v.string(), newLabel: v.string() }),
  /** Nothing to draw, and why. */
  v.object({ type: v.literal('missing'), message: v.string() }),
  /** The editor's cursor moved: its 1-based line and column. */
  v.object({ type: v.literal('cursor'), line: count, column: count }),
  /** Measured time per layer (a `resnet-studio profile --json` document) to colour the model it names by. */
  v.object({ type: v.literal('timings'), timings: ProfileDocumentSchema }),
  /** A run's layer statistics (issue 24): colour the layers by response std or gradient norm. */
  v.object({
    type: v.literal('layerStats'),
    model: v.string(),
    run: v.pipe(v.string(), v.maxLength(500)),
    step: count,
    layers: v.array(v.object({ path: v.string(), responseStd: v.optional(v.nullable(v.number())), gradNorm: v.optional(v.nullable(v.number())) })),
    /** A layer to select in the graph and reveal in the editor (the one clicked in the dashboard). */
    select: v.optional(v.string()),
  }),
]);
export type ToArchitecture = v.InferOutput<typeof ToArchitectureSchema>;

/** Architecture view → extension. */
export const FromArchitectureSchema = v.variant('type', [
  /** The page has loaded (first time or after a reload) and wants the graph. */
  v.object({ type: v.literal('ready') }),
  /** A node was clicked or chosen: put the cursor on its text (1-based line and column). */
  v.object({ type: v.literal('reveal'), line: v.pipe(count, v.minValue(1)), column: v.pipe(count, v.minValue(1)) }),
  v.object({ type: v.literal('exportSvg'), fileName: v.pipe(v.string(), v.maxLength(200)), svg: v.pipe(v.string(), v.startsWith('<svg')) }),
  /** `dataUrl` is a `data:image/png;base64,…` URL; the extension asks where to save it. */
  v.object({ type: v.literal('exportPng'), fileName: v.pipe(v.string(), v.maxLength(200)), dataUrl: v.pipe(v.string(), v.startsWith('data:image/png;base64,')) }),
  /** Leave diff mode and follow the model under the cursor again. */
  v.object({ type: v.literal('followCursor') }),
  v.object({ type: v.literal('log'), level: v.picklist(['info', 'warn']), message: v.pipe(v.string(), v.maxLength(2000)) }),
]);
export type FromArchitecture = v.InferOutput<typeof FromArchitectureSchema>;

/** What the page keeps over a reload, and the extension reads back to know which file it followed. */
export const ArchitectureStateSchema = v.object({
  uri: v.optional(v.string()),
  metric: v.optional(v.picklist(['macs', 'params', 'activationBytes', 'time', 'responseStd', 'gradNorm'])),
  /** Stages folded, per model name. */
  folded: v.optional(v.record(v.string(), v.array(v.string()))),
  view: v.optional(v.object({ x: v.number(), y: v.number(), scale: v.number() })),
});
export type ArchitectureState = v.InferOutput<typeof ArchitectureStateSchema>;
export type SizeMetric = NonNullable<ArchitectureState['metric']>;

export function parseToArchitecture(value: unknown): ToArchitecture | undefined {
  const result = v.safeParse(ToArchitectureSchema, value);
  return result.success ? result.output : undefined;
}

export function parseFromArchitecture(value: unknown): FromArchitecture | undefined {
  const result = v.safeParse(FromArchitectureSchema, value);
  return result.success ? result.output : undefined;
}

export function parseArchitectureState(value: unknown): ArchitectureState | undefined {
  const result = v.safeParse(ArchitectureStateSchema, value);
  return result.success ? result.output : undefined;
}

// The schemas and the core's types must describe the same data: these fail to compile otherwise.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const graphMatches: Same<DeepMutable<v.InferOutput<typeof ArchitectureGraphSchema>>, DeepMutable<ArchitectureGraph>> = true;
const diffMatches: Same<DeepMutable<v.InferOutput<typeof ArchitectureDiffSchema>>, DeepMutable<ArchitectureDiff>> = true;
void graphMatches;
void diffMatches;
type DeepMutable<T> = T extends readonly (infer U)[] ? DeepMutable<U>[] : T extends object ? { -readonly [K in keyof T]: DeepMutable<T[K]> } : T;

// ---- Language server requests (their ids and params live in languageServer.ts) ----

export const ArchitectureGraphParamsSchema = v.object({
  uri: v.string(),
  /** The model to draw; when absent, the model at `position`, else the first model. */
  model: v.optional(v.string()),
  position: v.optional(v.object({ line: count, character: count })),
});
export type ArchitectureGraphParams = v.InferOutput<typeof ArchitectureGraphParamsSchema>;

export type ArchitectureGraphResult = { readonly kind: 'graph'; readonly graph: ArchitectureGraph; readonly models: readonly string[] } | { readonly kind: 'missing'; readonly message: string };

export const ArchitectureCompareParamsSchema = v.object({
  ...ArchitectureGraphParamsSchema.entries,
  /** The other version: its text (a file, the file at git HEAD, or this same file). */
  against: v.object({ text: v.string(), label: v.string(), model: v.optional(v.string()) }),
});
export type ArchitectureCompareParams = v.InferOutput<typeof ArchitectureCompareParamsSchema>;

export type ArchitectureCompareResult =
  | { readonly kind: 'diff'; readonly graph: ArchitectureGraph; readonly diff: ArchitectureDiff; readonly oldLabel: string; readonly newLabel: string }
  | { readonly kind: 'missing'; readonly message: string };
