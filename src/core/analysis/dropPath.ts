// The rate of every drop path (stochastic depth) layer of a model: its own (`droppath 0.1`), or,
// for a bare `droppath`, the model's `drop_path` schedule at its block's place: block k of the K
// blocks the stages call, counted in order from 0 (docs/language-design.md).
import { allLayers, type BlockNode, type DropPathSchedule, type LayerNode, type ModelNode } from './network';

/** The schedule's rate for block k of K. */
export function scheduledRate(schedule: DropPathSchedule, k: number, count: number): number {
  switch (schedule.decay) {
    case 'uniform':
      return schedule.rate;
    case 'stepped':
      return (schedule.rate * k) / count;
    case 'linear':
      return count > 1 ? (schedule.rate * k) / (count - 1) : 0;
  }
}

/** Each drop path layer of the model with the rate it drops at in training. */
export function dropPathRates(model: ModelNode): ReadonlyMap<LayerNode, number> {
  const cached = cache.get(model);
  if (cached) return cached;
  const rates = new Map<LayerNode, number>();
  const blocks = model.stages.flatMap((s) => s.nodes.filter((n) => n.kind === 'block'));
  const schedule = model.dropPath;
  blocks.forEach((block, k) => {
    for (const layer of allLayers([block])) {
      if (layer.spec.op !== 'droppath') continue;
      rates.set(layer, layer.spec.rate ?? (schedule ? scheduledRate(schedule, k, blocks.length) : 0));
    }
    // Drop path drops a residual branch: in a block that adds nothing (`add if_same` where the
    // shape changes: EfficientNet's first block of a stage) it is the identity, as torchvision's.
    for (const inner of [block, ...nestedBlocks(block)]) {
      if (inner.shortcut) continue;
      for (const node of inner.branch) if (node.kind === 'layer' && node.spec.op === 'droppath') rates.set(node, 0);
    }
  });
  for (const stage of model.stages) {
    for (const node of stage.nodes) if (node.kind === 'layer' && node.spec.op === 'droppath') rates.set(node, node.spec.rate ?? 0);
  }
  cache.set(model, rates);
  return rates;
}

function* nestedBlocks(block: BlockNode): Generator<BlockNode> {
  for (const node of [...block.branch, ...block.after]) {
    if (node.kind !== 'block') continue;
    yield node;
    yield* nestedBlocks(node);
  }
}

/** An analyzed model never changes: its rates are worked out once. */
const cache = new WeakMap<ModelNode, ReadonlyMap<LayerNode, number>>();
