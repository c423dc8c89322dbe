// The architecture view's data: one analyzed model as a tree of stages, blocks (residual branch,
// shortcut, what follows the addition) and layers, each with its shapes, costs and source place,
// and the errors placed on the node they belong to. Plain data (JSON), so the language server can
// send it and the webview draw it; the diff marks nodes added, removed or changed on top of it.
import type { Diagnostic } from '../diagnostics';
import type { BlockNode, Cost, ModelNode, NetworkNode } from '../analysis/network';
import { activationsForBatch, activationsOfNodes } from './trainingMemory';
import { sameShape, type Shape } from '../analysis/shape';
import { describeLayer, describeSplit } from './layerKind';

export interface GraphCost {
  readonly params: number;
  readonly macs: number;
  /** Activations kept for the backward pass at the graph's batch size, float32. */
  readonly activationBytes: number;
}

/** How a block joins: an addition of its input's (`identity`, …), or `gate`: the input times the branch's output. */
export const GRAPH_SHORTCUT_KINDS = ['identity', 'zeropad', 'projection', 'branch', 'gate', 'none'] as const;
export type GraphShortcutKind = (typeof GRAPH_SHORTCUT_KINDS)[number];

/** Set only in a diff: how this node differs from the other model. */
export type GraphChangeStatus = 'added' | 'removed' | 'changed';

interface GraphNodeBase {
  /** The path, e.g. `conv3_x.2` or `conv3_x.2.conv1`: unique in a model, the same across edits. */
  readonly id: string;
  /** `conv 3×3/2, 128`, `bottleneck`. */
  readonly label: string;
  readonly input: Shape;
  readonly output: Shape;
  readonly cost: GraphCost;
  /** Where its text starts, 1-based. */
  readonly line: number;
  readonly column: number;
  readonly error?: string | undefined;
  readonly status?: GraphChangeStatus | undefined;
  /** In a diff, what changed, e.g. `conv 1×1/2, 128 → conv 1×1, 128; MACs +77,070,336`. */
  readonly change?: string | undefined;
}

export interface GraphLayer extends GraphNodeBase {
  readonly kind: 'layer';
  /** `conv`, `bn`, `relu`, … for the node's look. */
  readonly op: string;
}

export interface GraphBlock extends GraphNodeBase {
  readonly kind: 'block';
  readonly shortcut: GraphShortcutKind;
  /** `identity`, `zero-pad A (+64 channels)`, `projection 1×1`. */
  readonly shortcutLabel: string;
  readonly branch: readonly GraphItem[];
  /** The layers of a projection or a written shortcut branch; empty otherwise. */
  readonly shortcutLayers: readonly GraphItem[];
  readonly after: readonly GraphItem[];
}

/** `split N { … }`: the input's channels in groups, one column each, concatenated at the end. */
export interface GraphSplit extends GraphNodeBase {
  readonly kind: 'split';
  readonly groups: number;
  /** Each group's output is added into the next group's input (drawn as a staircase). */
  readonly cascade: boolean;
  /** The last column is the kept group: its own layers, or none when it passes as it is. */
  readonly keep: boolean;
  readonly columns: readonly (readonly GraphItem[])[];
}

export type GraphItem = GraphLayer | GraphBlock | GraphSplit;

export interface GraphStage {
  readonly id: string;
  readonly name: string;
  readonly input: Shape;
  readonly output: Shape;
  readonly cost: GraphCost;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly items: readonly GraphItem[];
  readonly error?: string | undefined;
  readonly status?: GraphChangeStatus | undefined;
  readonly change?: string | undefined;
}

export interface ArchitectureGraph {
  readonly model: string;
  readonly input: Shape;
  readonly output: Shape;
  readonly totals: GraphCost;
  readonly batchSize: number;
  /** Lines the model spans, for choosing it by cursor. */
  readonly line: number;
  readonly endLine: number;
  readonly stages: readonly GraphStage[];
  /** Errors in the model that no node could be found for (shown above the graph). */
  readonly errors: readonly { readonly line: number; readonly message: string }[];
}

export function architectureGraph(model: ModelNode, diagnostics: readonly Diagnostic[], batchSize: number): ArchitectureGraph {
  // Activations: the part of the model's that each part's layers keep, as the hover and the summary count them.
  const cost = (c: Cost, nodes: readonly NetworkNode[]): GraphCost => ({ params: c.params, macs: c.macs, activationBytes: activationsOfNodes(model, nodes, batchSize) });
  const { byNode: errorsByNode, placed } = placeErrors(model, diagnostics);
  const item = (node: NetworkNode): GraphItem => {
    const base = {
      id: node.path,
      input: node.input,
      output: node.output,
      cost: cost(node.cost, [node]),
      line: node.range.startLine,
      column: node.range.startColumn,
      ...(errorsByNode.has(node) ? { error: errorsByNode.get(node) } : {}),
    };
    if (node.kind === 'layer') return { kind: 'layer', ...base, label: describeLayer(node.spec), op: node.spec.op };
    if (node.kind === 'split')
      return { kind: 'split', ...base, label: describeSplit(node), groups: node.groups, cascade: node.cascade, keep: node.keep, columns: node.columns.map((c) => c.map(item)) };
    return {
      kind: 'block',
      ...base,
      label: node.blockName,
      shortcut: shortcutKind(node),
      shortcutLabel: shortcutLabel(node),
      branch: node.branch.map(item),
      shortcutLayers: node.shortcut?.kind === 'layers' ? node.shortcut.layers.map(item) : [],
      after: node.after.map(item),
    };
  };
  const stageErrors = new Map<string, string>();
  const unplaced: { line: number; message: string }[] = [];
  for (const d of modelErrors(model, diagnostics)) {
    if (placed.has(d)) continue;
    const stage = model.stages.find((s) => s.range.startOffset <= d.range.startOffset && d.range.startOffset <= s.range.endOffset);
    if (stage) stageErrors.set(stage.name, [stageErrors.get(stage.name), d.message].filter(Boolean).join('\n'));
    else unplaced.push({ line: d.range.startLine, message: d.message });
  }
  return {
    model: model.name,
    input: model.input,
    output: model.output,
    totals: { params: model.cost.params, macs: model.cost.macs, activationBytes: activationsForBatch(model, batchSize) },
    batchSize,
    line: model.range.startLine,
    endLine: model.range.endLine,
    stages: model.stages.map((s) => ({
      id: s.name,
      name: s.name,
      input: s.input,
      output: s.output,
      cost: cost(s.cost, s.nodes),
      line: s.labelRange.startLine,
      column: s.labelRange.startColumn,
      endLine: s.range.endLine,
      items: s.nodes.map(item),
      ...(stageErrors.has(s.name) ? { error: stageErrors.get(s.name) } : {}),
    })),
    errors: unplaced,
  };
}

function shortcutKind(block: BlockNode): GraphShortcutKind {
  if (block.multiplies) return 'gate';
  const s = block.shortcut;
  if (!s) return 'none';
  if (s.kind === 'layers') return s.projection ? 'projection' : 'branch';
  return s.kind;
}

function shortcutLabel(block: BlockNode): string {
  if (block.multiplies) return 'gate: input × factor';
  const s = block.shortcut;
  if (!s) return 'no shortcut';
  switch (s.kind) {
    case 'identity':
      return 'identity';
    case 'zeropad':
      return `zero-pad A (/${s.stride}, +${s.extraChannels} ch)`;
    case 'layers':
      if (!s.projection) return 'shortcut branch';
      // Pre-activation: the projection reads the branch after its tap, not the block's input.
      return block.tap !== undefined ? 'projection from the tap' : 'projection';
  }
}

function modelErrors(model: ModelNode, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error' && model.range.startOffset <= d.range.startOffset && d.range.startOffset <= model.range.endOffset);
}

/**
 * Each error of the model on the node whose text it points at. Several blocks of a stage share
 * one call's text; a shortcut that cannot add goes on the block whose shape changes (the first of
 * the stage), since that is where the addition fails.
 */
function placeErrors(model: ModelNode, diagnostics: readonly Diagnostic[]): { byNode: Map<NetworkNode, string>; placed: Set<Diagnostic> } {
  const byNode = new Map<NetworkNode, string>();
  const placed = new Set<Diagnostic>();
  const errors = modelErrors(model, diagnostics);
  if (errors.length === 0) return { byNode, placed };
  const nodes: NetworkNode[] = [];
  const walk = (list: readonly NetworkNode[]) => {
    for (const n of list) {
      nodes.push(n);
      if (n.kind === 'split') for (const column of n.columns) walk(column);
      if (n.kind === 'block') {
        walk(n.branch);
        if (n.shortcut?.kind === 'layers') walk(n.shortcut.layers);
        walk(n.after);
      }
    }
  };
  for (const s of model.stages) walk(s.nodes);
  for (const d of errors) {
    const at = nodes.filter((n) => n.range.startOffset <= d.range.startOffset && d.range.startOffset < Math.max(n.range.endOffset, n.range.startOffset + 1));
    const first = at[0];
    if (!first) continue;
    const target =
      d.code === 'shortcut-mismatch'
        ? (at.find((n) => n.kind === 'block' && n.branch.length > 0 && !sameShape(n.input, n.branch.at(-1)?.output ?? n.input) && n.shortcut?.kind !== 'layers') ?? first)
        : first;
    byNode.set(target, [byNode.get(target), d.message].filter(Boolean).join('\n'));
    placed.add(d);
  }
  return { byNode, placed };
}

/** Every node of a graph in drawing order (a stage's items, each block's branch, shortcut, after). */
export function* graphItems(items: readonly GraphItem[]): Generator<GraphItem> {
  for (const item of items) {
    yield item;
    if (item.kind === 'split') for (const column of item.columns) yield* graphItems(column);
    if (item.kind === 'block') {
      yield* graphItems(item.branch);
      yield* graphItems(item.shortcutLayers);
      yield* graphItems(item.after);
    }
  }
}
