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
  /** GroupNorm: 2 parameters per channel, no running statistics. */
  | { readonly op: 'gn'; readonly groups: number; readonly eps: number }
  /** LayerNorm over the channels of each position (ConvNeXt's LayerNorm2d). */
  | { readonly op: 'ln'; readonly eps: number }
  | { readonly op: 'relu' }
  | { readonly op: ActivationOp }
  | {
      readonly op: 'maxpool' | 'avgpool';
      readonly kernel: readonly [number, number];
      readonly stride: number;
      readonly padding: readonly [number, number];
      /** PyTorch's `ceil_mode`: the last window may hang over the edge. */
      readonly ceil: boolean;
      /** Average pooling only: `count_include_pad=False`, the padding is not averaged in. */
      readonly excludePad: boolean;
    }
  | { readonly op: 'dropout'; readonly rate: number }
  /** Stochastic depth; no rate: the model's `drop_path` schedule gives it (analysis/dropPath.ts). */
  | { readonly op: 'droppath'; readonly rate?: number | undefined }
  /** x · γ with one trainable γ per channel, starting at `init` (ConvNeXt). */
  | { readonly op: 'layerscale'; readonly init: number }
  /** ECA's 1-D convolution across the channels of a 1×1×C input: one filter of `kernel` taps, no bias. */
  | { readonly op: 'channelconv'; readonly kernel: number }
  | { readonly op: 'globalavgpool' }
  | { readonly op: 'fc'; readonly units: number; readonly bias: boolean }
  | { readonly op: 'softmax' };

export type LayerOpName = LayerSpec['op'];

/** Elementwise activations other than ReLU: no parameters, the input's shape. `swish` is read as `silu`. */
export const ACTIVATION_OPS = ['relu6', 'sigmoid', 'hardsigmoid', 'silu', 'hardswish', 'gelu'] as const;
export type ActivationOp = (typeof ACTIVATION_OPS)[number];

/** The norm the built-in blocks and projections use (the model's `norm` setting, `add …, norm`). */
export type NormChoice = { readonly op: 'bn' } | { readonly op: 'gn'; readonly groups: number; readonly eps: number } | { readonly op: 'ln'; readonly eps: number } | { readonly op: 'none' };

/** The model's `drop_path` setting: the rate of a bare `droppath` in block k of K. */
export interface DropPathSchedule {
  readonly rate: number;
  /** linear: rate·k/(K−1); stepped: rate·k/K; uniform: rate. */
  readonly decay: 'linear' | 'stepped' | 'uniform';
}

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
  /** A gate (`gate { … }`, `se`, `eca`): the join multiplies the input by the branch's output, broadcast over H×W. */
  readonly multiplies?: boolean | undefined;
  /** Pre-activation: a projection shortcut reads the output of the first `tap` branch nodes, not the block's input. */
  readonly tap?: number | undefined;
  readonly cost: Cost;
  /** The call that made this block. */
  readonly range: SourceRange;
}

/**
 * `split N { … }` (Res2Net, Gao et al. 2019): the input's channels in N equal groups, each through
 * its own copy of the path, the outputs concatenated in order. With `cascade`, each path's output
 * is added into the next group's input before its path (the hierarchical residual-like
 * connections); with `keep`, the last group skips the path (and the cascade) and joins the
 * concatenation as it is, or through its own layers (a stage-first block's average pooling).
 */
export interface SplitNode {
  readonly kind: 'split';
  /** `conv2_x.0.split1`: names the split; its layers are named as module lists of the block (`conv2_x.0.convs.0`). */
  readonly path: string;
  readonly groups: number;
  readonly cascade: boolean;
  readonly keep: boolean;
  /** One column of layers per group, in order: the paths, then (with `keep`) the kept group's own layers, empty when it passes as it is. */
  readonly columns: readonly (readonly LayerNode[])[];
  readonly input: Shape;
  readonly output: Shape;
  readonly cost: Cost;
  /** The `split` item, braces included. */
  readonly range: SourceRange;
}

export type NetworkNode = LayerNode | BlockNode | SplitNode;

/** The channels of one group of a split's input. */
export function splitGroupShape(split: SplitNode): Shape {
  return [split.input[0], split.input[1], split.input[2] / split.groups];
}

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
  readonly dropPath?: DropPathSchedule | undefined;
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
    if (node.kind === 'split') {
      for (const column of node.columns) yield* column;
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
