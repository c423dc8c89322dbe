// The difference between two analyzed models: which blocks and layers were added, removed or
// changed (matched by path, e.g. `conv3_x.2` or `conv3_x.2.conv1`), and what each change costs in
// params, MACs and activation memory, per stage and in total. The CLI's `diff` prints it; the
// architecture view colours its nodes with it.
import type { BlockNode, ModelNode, NetworkNode, Shortcut } from '../analysis/network';
import { sameShape, type Shape } from '../analysis/shape';
import { describeLayer, describeSplit } from '../report/layerKind';
import { modelStats, type ModelStats } from '../report/statsJson';
import { activationsOfNodes } from '../report/trainingMemory';

export interface CostDelta {
  readonly params: number;
  readonly macs: number;
  readonly activationBytes: number;
}

/** One block or layer as the diff compares it. */
export interface PartFigures {
  readonly part: 'block' | 'layer';
  /** `conv 1×1/2, 128` for a layer; `bottleneck, projection shortcut` for a block. */
  readonly kind: string;
  readonly outputShape: Shape;
  readonly params: number;
  readonly macs: number;
  /** 1-based line of the text that made it. */
  readonly line: number;
}

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface PartChange {
  readonly path: string;
  readonly change: ChangeKind;
  readonly old?: PartFigures | undefined;
  readonly new?: PartFigures | undefined;
}

export interface StageDelta {
  readonly name: string;
  readonly delta: CostDelta;
}

export interface ArchitectureDiff {
  readonly old: { readonly name: string; readonly totals: ModelStats['totals'] };
  readonly new: { readonly name: string; readonly totals: ModelStats['totals'] };
  readonly delta: CostDelta;
  /** Every stage of either model, in order; a stage only one model has counts as zero in the other. */
  readonly stages: readonly StageDelta[];
  /** In model order; a removed part sits where it was. Parts inside an added or removed block are left out. */
  readonly changes: readonly PartChange[];
}

export function diffModels(oldModel: ModelNode, newModel: ModelNode, batchSize: number): ArchitectureDiff {
  const oldTotals = modelStats(oldModel, batchSize).totals;
  const newTotals = modelStats(newModel, batchSize).totals;
  return {
    old: { name: oldModel.name, totals: oldTotals },
    new: { name: newModel.name, totals: newTotals },
    delta: {
      params: newTotals.params - oldTotals.params,
      macs: newTotals.macs - oldTotals.macs,
      // What autograd keeps, as the hover, the summary and the architecture view show it.
      activationBytes: newTotals.memory.activationsBytes - oldTotals.memory.activationsBytes,
    },
    stages: stageDeltas(oldModel, newModel, batchSize),
    changes: partChanges(oldModel, newModel),
  };
}

function stageDeltas(oldModel: ModelNode, newModel: ModelNode, batchSize: number): StageDelta[] {
  const oldStages = new Map(oldModel.stages.map((s) => [s.name, s]));
  const newStages = new Map(newModel.stages.map((s) => [s.name, s]));
  const names = mergeInOrder(
    oldModel.stages.map((s) => s.name),
    newModel.stages.map((s) => s.name),
  );
  return names.map((name) => {
    const oldStage = oldStages.get(name);
    const newStage = newStages.get(name);
    const o = oldStage?.cost;
    const n = newStage?.cost;
    const kept = (model: ModelNode, stage: typeof oldStage) => (stage ? activationsOfNodes(model, stage.nodes, batchSize) : 0);
    return {
      name,
      delta: {
        params: (n?.params ?? 0) - (o?.params ?? 0),
        macs: (n?.macs ?? 0) - (o?.macs ?? 0),
        // The part of what autograd keeps that the stage's layers keep, float32, at the batch size.
        activationBytes: kept(newModel, newStage) - kept(oldModel, oldStage),
      },
    };
  });
}

interface Part {
  readonly path: string;
  /** Paths of the blocks around it, outermost first. */
  readonly ancestors: readonly string[];
  readonly figures: PartFigures;
}

/** Every block and layer of a model in execution order, each with its figures. */
export function modelParts(model: ModelNode): Part[] {
  const parts: Part[] = [];
  const walk = (nodes: readonly NetworkNode[], ancestors: readonly string[]) => {
    for (const node of nodes) {
      if (node.kind === 'layer') {
        parts.push({
          path: node.path,
          ancestors,
          figures: { part: 'layer', kind: describeLayer(node.spec), outputShape: node.output, params: node.cost.params, macs: node.cost.macs, line: node.range.startLine },
        });
        continue;
      }
      if (node.kind === 'split') {
        parts.push({
          path: node.path,
          ancestors,
          figures: { part: 'block', kind: describeSplit(node), outputShape: node.output, params: node.cost.params, macs: node.cost.macs, line: node.range.startLine },
        });
        for (const column of node.columns) walk(column, [...ancestors, node.path]);
        continue;
      }
      parts.push({
        path: node.path,
        ancestors,
        figures: { part: 'block', kind: describeBlock(node), outputShape: node.output, params: node.cost.params, macs: node.cost.macs, line: node.range.startLine },
      });
      const inner = [...ancestors, node.path];
      walk(node.branch, inner);
      if (node.shortcut?.kind === 'layers') walk(node.shortcut.layers, inner);
      walk(node.after, inner);
    }
  };
  for (const stage of model.stages) walk(stage.nodes, []);
  return parts;
}

/** `bottleneck, projection shortcut`: the block and how its input joins back in. */
export function describeBlock(block: BlockNode): string {
  return `${block.blockName}, ${describeShortcut(block.shortcut)}`;
}

export function describeShortcut(shortcut: Shortcut | undefined): string {
  if (shortcut === undefined) return 'no shortcut';
  switch (shortcut.kind) {
    case 'identity':
      return 'identity shortcut';
    case 'zeropad':
      return 'zero-padding shortcut (A)';
    case 'layers':
      return shortcut.projection ? 'projection shortcut' : 'shortcut branch';
  }
}

function partChanges(oldModel: ModelNode, newModel: ModelNode): PartChange[] {
  const oldParts = modelParts(oldModel);
  const newParts = modelParts(newModel);
  const oldByPath = new Map(oldParts.map((p) => [p.path, p]));
  const newByPath = new Map(newParts.map((p) => [p.path, p]));
  const changes: PartChange[] = [];
  // A part inside a block that was added or removed as a whole is that block's change, not its own.
  const wholesale = new Set<string>();
  for (const path of mergeInOrder(
    oldParts.map((p) => p.path),
    newParts.map((p) => p.path),
  )) {
    const o = oldByPath.get(path);
    const n = newByPath.get(path);
    const ancestors = (n ?? o)!.ancestors;
    if (ancestors.some((a) => wholesale.has(a))) {
      wholesale.add(path);
      continue;
    }
    if (o && n) {
      if (!sameFigures(o.figures, n.figures)) changes.push({ path, change: 'changed', old: o.figures, new: n.figures });
    } else if (n) {
      changes.push({ path, change: 'added', new: n.figures });
      wholesale.add(path);
    } else if (o) {
      changes.push({ path, change: 'removed', old: o.figures });
      wholesale.add(path);
    }
  }
  return changes;
}

/** The line is where it is written, not what it is: moving text does not change a part. */
function sameFigures(a: PartFigures, b: PartFigures): boolean {
  return a.part === b.part && a.kind === b.kind && sameShape(a.outputShape, b.outputShape) && a.params === b.params && a.macs === b.macs;
}

/**
 * Both lists of names in one order: the new list's, with each name only the old list has placed
 * right after the old name before it (so a removed block shows where it was).
 */
export function mergeInOrder(oldNames: readonly string[], newNames: readonly string[]): string[] {
  const inNew = new Set(newNames);
  const oldIndex = new Map(oldNames.map((name, index) => [name, index]));
  const merged: string[] = [];
  let i = 0;
  const flushRemovedUpTo = (stop: string | undefined) => {
    while (i < oldNames.length && oldNames[i] !== stop) {
      const name = oldNames[i]!; // i < oldNames.length
      if (!inNew.has(name)) merged.push(name);
      i++;
    }
  };
  for (const name of newNames) {
    if ((oldIndex.get(name) ?? -1) >= i) {
      flushRemovedUpTo(name);
      i++;
    }
    merged.push(name);
  }
  flushRemovedUpTo(undefined);
  return merged;
}
