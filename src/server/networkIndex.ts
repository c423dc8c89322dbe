// Which network nodes each piece of source text made. A layer line in a model makes one node per
// model using it (a template's body is shared by its instances); a call `basic(64) x 3` makes three
// blocks; a line inside a block definition makes one node per instance of the block. Hovers and
// inlay hints look nodes up here by the source range of the text.
import { builtinBlocks } from '../core/analysis/builtinBlocks';
import type { BlockNode, ModelNode, NetworkNode, StageNode } from '../core/analysis/network';
import type { SourceRange } from '../core/language/ast';

export interface Occurrence {
  readonly node: NetworkNode;
  readonly model: ModelNode;
  readonly stage: StageNode;
  /** The model and block instance the node was made in: the nodes of one use share it. */
  readonly use: string;
}

export class NetworkIndex {
  private readonly bySource = new Map<string, Occurrence[]>();
  private readonly instancesByBlock = new Map<string, Occurrence[]>();
  private readonly stagesByLabel = new Map<string, { model: ModelNode; stage: StageNode }[]>();

  constructor(readonly models: readonly ModelNode[]) {
    for (const model of models) {
      for (const stage of model.stages) {
        push(this.stagesByLabel, key(stage.labelRange), { model, stage });
        this.walk(stage.nodes, model, stage, model.name);
      }
    }
  }

  /** The nodes made by the text at `range`, grouped by use, in the order they run. */
  uses(range: SourceRange): Occurrence[][] {
    const groups = new Map<string, Occurrence[]>();
    for (const occurrence of this.bySource.get(key(range)) ?? []) push(groups, occurrence.use, occurrence);
    return [...groups.values()];
  }

  /** Every instance of a user-defined block, across all models. */
  blockInstances(name: string): readonly (Occurrence & { readonly node: BlockNode })[] {
    return (this.instancesByBlock.get(name) ?? []) as (Occurrence & { node: BlockNode })[];
  }

  /** The stages labelled at `range`: one per model using the text. */
  stagesAt(range: SourceRange): readonly { readonly model: ModelNode; readonly stage: StageNode }[] {
    return this.stagesByLabel.get(key(range)) ?? [];
  }

  private walk(nodes: readonly NetworkNode[], model: ModelNode, stage: StageNode, use: string): void {
    for (const node of nodes) {
      const occurrence: Occurrence = { node, model, stage, use };
      push(this.bySource, key(node.range), occurrence);
      // A split's layers are its block's: one occurrence per group, in the block's use.
      if (node.kind === 'split') {
        for (const column of node.columns) this.walk(column, model, stage, use);
        continue;
      }
      // A built-in block's layers all point at its call, so only a user block's layers are indexed.
      if (node.kind !== 'block' || builtinBlocks.has(node.blockName)) continue;
      push(this.instancesByBlock, node.blockName, occurrence);
      const inner = `${model.name}/${node.path}`;
      this.walk(node.branch, model, stage, inner);
      if (node.shortcut?.kind === 'layers') this.walk(node.shortcut.layers, model, stage, inner);
      this.walk(node.after, model, stage, inner);
    }
  }
}

function key(range: SourceRange): string {
  return `${range.startOffset}:${range.endOffset}`;
}

function push<T>(map: Map<string, T[]>, k: string, value: T): void {
  const list = map.get(k);
  if (list) list.push(value);
  else map.set(k, [value]);
}
