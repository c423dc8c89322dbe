// The memory a training (or inference) step needs: weights, gradients, optimizer state, the
// activations autograd keeps for the backward pass, and the input batch, all float32. Activations
// follow what PyTorch keeps for the exported module (src/export/), counted once per storage:
// a convolution keeps its input, a BatchNorm its input and two per-channel statistics, a ReLU its
// output (the same storage as its input where the export runs it in place), max pooling its input
// and int64 indices, average pooling and a linear layer their input; global average pooling, the
// residual add and option A's zero padding keep nothing. Checked against PyTorch's saved tensors
// in test/export/memory.test.ts.
import { dropPathRates } from '../analysis/dropPath';
import { allLayers, type LayerNode, type ModelNode, type NetworkNode, type SplitNode } from '../analysis/network';
import type { Recipe } from '../analysis/recipe';
import { shapeElements as elements } from '../analysis/shape';

const FLOAT32 = 4;
const INT64 = 8;

export interface TrainingMemory {
  readonly weightsBytes: number;
  readonly gradientsBytes: number;
  readonly optimizerBytes: number;
  readonly activationsBytes: number;
  readonly inputBytes: number;
  readonly totalBytes: number;
}

/** Tensors of optimizer state per parameter: none for plain SGD, a velocity with momentum, two moments for Adam. */
export function optimizerStateCopies(recipe: Pick<Recipe, 'optimizer' | 'momentum'>): number {
  if (recipe.optimizer === 'adam') return 2;
  return recipe.momentum > 0 ? 1 : 0;
}

/** What autograd keeps, split into a part that grows with the batch and a part that does not. */
export interface SavedActivations {
  readonly perSampleBytes: number;
  readonly fixedBytes: number;
  /** The same per layer: each kept tensor counts for the first layer that keeps it (the one whose backward needs it first). */
  readonly byLayer: ReadonlyMap<LayerNode, { readonly perSampleBytes: number; readonly fixedBytes: number }>;
}

/**
 * Walks the network as the exported module runs it, giving each tensor a storage id; a storage is
 * counted once however many operations keep it. The model's input is not counted (it is the batch).
 */
export function savedActivations(model: ModelNode): SavedActivations {
  const cached = savedCache.get(model);
  if (cached) return cached;
  const saved = new Map<number, number>();
  const byLayer = new Map<LayerNode, { perSampleBytes: number; fixedBytes: number }>();
  const rates = dropPathRates(model);
  let next = 1;
  let current: { perSampleBytes: number; fixedBytes: number } = { perSampleBytes: 0, fixedBytes: 0 };
  const fresh = () => next++;
  const keep = (storage: number, bytes: number) => {
    if (storage === 0 || saved.has(storage)) return;
    saved.set(storage, bytes);
    current.perSampleBytes += bytes;
  };
  interface Flow {
    readonly storage: number;
    readonly bytes: number;
  }

  // PyTorch's pooling refuses padding beyond half its window, so the export pads first: the pooling then keeps the padded copy.
  const poolInput = (node: LayerNode, input: Flow): [number, number] => {
    const s = node.spec;
    if (s.op !== 'maxpool' && s.op !== 'avgpool') return [input.storage, input.bytes];
    if (s.padding[0] * 2 <= s.kernel[0] && s.padding[1] * 2 <= s.kernel[1]) return [input.storage, input.bytes];
    return [fresh(), (node.input[0] + 2 * s.padding[0]) * (node.input[1] + 2 * s.padding[1]) * node.input[2] * FLOAT32];
  };

  const layer = (node: LayerNode, input: Flow, inPlace: boolean): Flow => {
    current = { perSampleBytes: 0, fixedBytes: 0 };
    byLayer.set(node, current);
    const outBytes = elements(node.output) * FLOAT32;
    switch (node.spec.op) {
      case 'conv':
      case 'fc':
        keep(input.storage, input.bytes);
        return { storage: fresh(), bytes: outBytes };
      case 'avgpool':
        keep(...poolInput(node, input));
        return { storage: fresh(), bytes: outBytes };
      case 'bn':
        keep(input.storage, input.bytes);
        current.fixedBytes += 2 * node.output[2] * FLOAT32;
        return { storage: fresh(), bytes: outBytes };
      case 'maxpool':
        keep(...poolInput(node, input));
        current.perSampleBytes += elements(node.output) * INT64;
        return { storage: fresh(), bytes: outBytes };
      case 'relu': {
        const out = inPlace ? input : { storage: fresh(), bytes: outBytes };
        keep(out.storage, out.bytes);
        return out;
      }
      case 'relu6':
        // Exported out of place (nn.ReLU6()): hardtanh's backward reads its input.
        keep(input.storage, input.bytes);
        return { storage: fresh(), bytes: outBytes };
      case 'sigmoid': {
        const out = { storage: fresh(), bytes: outBytes };
        keep(out.storage, out.bytes);
        return out;
      }
      case 'hardsigmoid':
      case 'silu':
      case 'hardswish':
      case 'gelu':
      case 'layerscale':
      case 'channelconv':
        keep(input.storage, input.bytes);
        return { storage: fresh(), bytes: outBytes };
      case 'gn':
        // Its input, and a mean and an inverse deviation per group of each sample.
        keep(input.storage, input.bytes);
        current.perSampleBytes += 2 * node.spec.groups * FLOAT32;
        return { storage: fresh(), bytes: outBytes };
      case 'ln':
        // Its input, and a mean and an inverse deviation per position.
        keep(input.storage, input.bytes);
        current.perSampleBytes += 2 * node.output[0] * node.output[1] * FLOAT32;
        return { storage: fresh(), bytes: outBytes };
      case 'dropout':
        // The mask: PyTorch's dropout on the CPU multiplies by a float32 mask and keeps it (4 bytes
        // per element; CUDA's fused kernel keeps a 1-byte mask instead). test/export/memory.test.ts
        // measures on the CPU: WRN-28-10's dropout is 12% of its training memory.
        if (node.spec.rate > 0) current.perSampleBytes += elements(node.output) * FLOAT32;
        return node.spec.rate > 0 ? { storage: fresh(), bytes: outBytes } : input;
      case 'droppath': {
        // x times a per-sample mask: the mask needs no gradient, so only the mask is kept.
        if ((rates.get(node) ?? 0) === 0) return input;
        current.perSampleBytes += FLOAT32;
        return { storage: fresh(), bytes: outBytes };
      }
      case 'globalavgpool':
        return { storage: fresh(), bytes: outBytes };
      case 'softmax':
        // Exported as nn.Identity: the loss applies the softmax.
        return input;
    }
  };

  // In place unless the input is still needed by another path or aliases a softmax's (as the exporter decides).
  const sequence = (nodes: readonly NetworkNode[], input: Flow, firstReadsShared: boolean): Flow => {
    let flow = input;
    nodes.forEach((node, index) => {
      if (node.kind === 'block') {
        flow = block(node, flow);
        return;
      }
      if (node.kind === 'split') {
        flow = split(node, flow);
        return;
      }
      const previous = nodes[index - 1];
      const inPlace = previous === undefined ? !firstReadsShared : !(previous.kind === 'layer' && previous.spec.op === 'softmax');
      flow = layer(node, flow, inPlace);
    });
    return flow;
  };

  const block = (node: Extract<NetworkNode, { kind: 'block' }>, input: Flow): Flow => {
    const shortcut = node.shortcut;
    if (node.multiplies) {
      // A gate: x · f(x) keeps both factors, counted for the gate's first layer when f keeps nothing new.
      const factor = sequence(node.branch, input, true);
      keep(input.storage, input.bytes);
      keep(factor.storage, factor.bytes);
      return { storage: fresh(), bytes: elements(node.output) * FLOAT32 };
    }
    let tapped = input;
    const branch =
      node.tap === undefined ? sequence(node.branch, input, shortcut !== undefined) : sequence(node.branch.slice(node.tap), (tapped = sequence(node.branch.slice(0, node.tap), input, true)), true);
    let joined = branch;
    if (shortcut) {
      if (shortcut.kind === 'layers') sequence(shortcut.layers, tapped, true);
      joined = { storage: fresh(), bytes: elements(node.output) * FLOAT32 };
    }
    return sequence(node.after, joined, false);
  };

  // A split's groups are views of its input (one storage, kept whole by whoever keeps a view); a
  // cascade's sum is a new tensor; the concatenation keeps nothing and makes the output.
  const split = (node: SplitNode, input: Flow): Flow => {
    const groupBytes = (elements(node.input) / node.groups) * FLOAT32;
    const paths = node.keep ? node.groups - 1 : node.groups;
    node.columns.forEach((column, index) => {
      const summed = node.cascade && index > 0 && index < paths;
      sequence(column, summed ? { storage: fresh(), bytes: groupBytes } : input, true);
    });
    return { storage: fresh(), bytes: elements(node.output) * FLOAT32 };
  };

  let flow: Flow = { storage: 0, bytes: 0 };
  model.stages.forEach((stage, index) => {
    flow = sequence(stage.nodes, flow, index === 0);
  });
  let perSampleBytes = 0;
  let fixedBytes = 0;
  for (const l of byLayer.values()) {
    perSampleBytes += l.perSampleBytes;
    fixedBytes += l.fixedBytes;
  }
  const result = { perSampleBytes, fixedBytes, byLayer };
  savedCache.set(model, result);
  return result;
}

/** An analyzed model never changes: its walk is done once, however many views ask. */
const savedCache = new WeakMap<ModelNode, SavedActivations>();

/** Activation bytes autograd keeps for one training step at this batch size. */
export function activationsForBatch(model: ModelNode, batchSize: number): number {
  const { perSampleBytes, fixedBytes } = savedActivations(model);
  return perSampleBytes * batchSize + fixedBytes;
}

/**
 * The part of that which the layers of `nodes` keep (a stage, a block, a layer of `model`): the
 * figure the hover, the summary and the architecture view show for a part, summing to the model's.
 */
export function activationsOfNodes(model: ModelNode, nodes: readonly NetworkNode[], batchSize: number): number {
  const { byLayer } = savedActivations(model);
  let bytes = 0;
  for (const layer of allLayers(nodes)) {
    const kept = byLayer.get(layer);
    if (kept) bytes += kept.perSampleBytes * batchSize + kept.fixedBytes;
  }
  return bytes;
}

/** Memory of one training step with the recipe's optimizer; `training: false` is inference (weights, input, no saved activations). */
export function trainingMemory(model: ModelNode, batchSize: number, options: { readonly training?: boolean } = {}): TrainingMemory {
  const training = options.training ?? true;
  const weightsBytes = (model.cost.params + model.cost.nonTrainable) * FLOAT32;
  const gradientsBytes = training ? model.cost.params * FLOAT32 : 0;
  const optimizerBytes = training ? optimizerStateCopies(model.recipe) * model.cost.params * FLOAT32 : 0;
  const activationsBytes = training ? activationsForBatch(model, batchSize) : 0;
  const inputBytes = elements(model.input) * batchSize * FLOAT32;
  return {
    weightsBytes,
    gradientsBytes,
    optimizerBytes,
    activationsBytes,
    inputBytes,
    totalBytes: weightsBytes + gradientsBytes + optimizerBytes + activationsBytes + inputBytes,
  };
}

/** The largest batch whose training step fits in `budgetBytes`, or 0 when not even one image fits. */
export function largestBatchThatFits(model: ModelNode, budgetBytes: number): number {
  const one = trainingMemory(model, 1);
  const perSample = savedActivations(model).perSampleBytes + one.inputBytes;
  const fixedPart = one.totalBytes - perSample;
  if (budgetBytes < fixedPart + perSample) return 0;
  return Math.floor((budgetBytes - fixedPart) / perSample);
}
