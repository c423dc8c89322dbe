// The analyzed network: every layer expanded, with its shapes and costs. This is what the CLI
// prints, the language server shows, and the training engine and the exporter build from.
import type { SourceRange } from '../language/ast';
import type { Recipe } from './recipe';
import type { Shape } from './shape';

export interface Cost {
  /** Trainable parameters, as PyTorch's `sum(p.numel() for p in model.parameters())` counts them. */
  readonly params: number;
  /** BatchNorm running mean and variance. */
  readonly nonTrainable: number;
  /** Multiply-accumulates of convolutions and fully connected layers. */
  readonly macs: number;
  /** Elements of every output kept for the backward pass, per sample. */
  readonly activations: number;
}

export const zeroCost: Cost = { params: 0, nonTrainable: 0, macs: 0, activations: 0 };

/** Sums costs into one new object (no intermediate objects: large models make millions of these). */
export function sumCosts(costs: Iterable<Cost>, extraActivations = 0): Cost {
  let params = 0;
  let nonTrainable = 0;
  let macs = 0;
  let activations = extraActivations;
  for (const c of costs) {
    params += c.params;
    nonTrainable += c.nonTrainable;
    macs += c.macs;
    activations += c.activations;
  }
  return { params, nonTrainable, macs, activations };
}

export function addCosts(a: Cost, b: Cost): Cost {
  return {
    params: a.params + b.params,
    nonTrainable: a.nonTrainable + b.nonTrainable,
    macs: a.macs + b.macs,
    activations: a.activations + b.activations,
  };
}

export type LayerSpec =
  | {
      readonly op: 'conv';
      readonly kernel: readonly [number, number];
      readonly filters: number;
      readonly stride: number;
      readonly padding: readonly [number, number];
      readonly groups: number;
      readonly bias: boolean;
    }
  | { readonly op: 'bn' }
  | { readonly op: 'relu' }
  | {
      readonly op: 'maxpool' | 'avgpool';
      readonly kernel: readonly [number, number];
      readonly stride: number;
      readonly padding: readonly [number, number];
    }
  | { readonly op: 'globalavgpool' }
  | { readonly op: 'fc'; readonly units: number; readonly bias: boolean }
  | { readonly op: 'softmax' };

export type LayerOpName = LayerSpec['op'];

export interface LayerNode {
  readonly kind: 'layer';
  /** `conv2_x.0.conv1`: stage, block index, layer. */
  readonly path: string;
  readonly spec: LayerSpec;
  readonly input: Shape;
  readonly output: Shape;
  readonly cost: Cost;
  /** The text that produced this layer (inside a block definition for user blocks). */
  readonly range: SourceRange;
}

/** How a residual block joins its input back in (paper section 3.3). */
export type Shortcut =
  | { readonly kind: 'identity' }
  /** Option A: subsample by the stride, zero-pad the new channels; no parameters. */
  | { readonly kind: 'zeropad'; readonly stride: number; readonly extraChannels: number }
  /** Option B/C projection, or a branch the user wrote out. */
  | { readonly kind: 'layers'; readonly layers: readonly NetworkNode[]; readonly projection: boolean };

export interface BlockNode {
  readonly kind: 'block';
  readonly path: string;
  /** `basic`, `bottleneck` or a user block's name. */
  readonly blockName: string;
  readonly input: Shape;
  readonly output: Shape;
  /** The residual branch, before the addition. */
  readonly branch: readonly NetworkNode[];
  /** Absent when the block has no addition (a plain network). */
  readonly shortcut?: Shortcut | undefined;
  /** Layers after the addition (the final ReLU). */
  readonly after: readonly NetworkNode[];
  readonly cost: Cost;
  /** The call that made this block. */
  readonly range: SourceRange;
}

export type NetworkNode = LayerNode | BlockNode;

export interface StageNode {
  readonly name: string;
  readonly nodes: readonly NetworkNode[];
  readonly input: Shape;
  readonly output: Shape;
  readonly cost: Cost;
  /** The label, or the first line of an unlabelled section. */
  readonly labelRange: SourceRange;
  /** From the first to the last line of the stage. */
  readonly range: SourceRange;
}

export type ShortcutOption = 'A' | 'B' | 'C' | 'none' | 'identity';
export type Downsample = 'v1' | 'v1.5';

export interface ModelNode {
  readonly name: string;
  readonly nameRange: SourceRange;
  readonly range: SourceRange;
  readonly input: Shape;
  readonly classes?: number | undefined;
  readonly shortcut: ShortcutOption;
  readonly downsample: Downsample;
  readonly stages: readonly StageNode[];
  readonly output: Shape;
  readonly cost: Cost;
  /** Convolutions and fully connected layers on the main path: the paper's "layers". */
  readonly depth: number;
  /** True when no block adds a shortcut: the paper's plain network. */
  readonly plain: boolean;
  readonly recipe: Recipe;
}

export function activationBytes(model: ModelNode, batchSize: number): number {
  const perSample = model.input[0] * model.input[1] * model.input[2] + model.cost.activations;
  return perSample * batchSize * 4;
}

/** Every layer in execution order, shortcut layers included. */
export function* allLayers(nodes: readonly NetworkNode[]): Generator<LayerNode> {
  for (const node of nodes) {
    if (node.kind === 'layer') {
      yield node;
      continue;
    }
    yield* allLayers(node.branch);
    if (node.shortcut?.kind === 'layers') yield* allLayers(node.shortcut.layers);
    yield* allLayers(node.after);
  }
}

export function* modelLayers(model: ModelNode): Generator<LayerNode> {
  for (const stage of model.stages) yield* allLayers(stage.nodes);
}
