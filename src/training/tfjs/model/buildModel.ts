// Builds a TF.js network from an analyzed model, layer for layer, initialised as the paper and
// PyTorch do: He (fan-out) normal for convolutions, BatchNorm γ = 1 and β = 0 with PyTorch's
// momentum 0.1 and ε = 1e-5, PyTorch's uniform default for fully connected weights, zero biases.
// Every layer and join computes what the PyTorch export's module of the same path computes.
import * as tf from '@tensorflow/tfjs';
import { dropPathRates } from '../../../core/analysis/dropPath';
import type { LayerNode, ModelNode, NetworkNode, Shortcut, SplitNode } from '../../../core/analysis/network';
import { msg } from '../../../core/l10n/format';
import { TrainingError } from '../../trainingError';
import { ChannelConv, ChannelGroup, ConstantPad2D, Elementwise, GroupedConv2D, GroupNorm, LayerScale, PyTorchPool2D, StochasticDrop, ZeroPadShortcut } from './customLayers';

export interface BuildOptions {
  /** Seeds every initializer, so one seed gives one network. */
  readonly seed: number;
  /** `zeros` allocates without drawing random numbers: for counting parameters of large models. */
  readonly init?: 'he' | 'zeros';
}

type Symbolic = tf.SymbolicTensor;
type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** PyTorch's BatchNorm momentum 0.1 is TF.js's 0.9 (the weight of the old running value). */
const BN_MOMENTUM = 0.9;
const BN_EPSILON = 1e-5;

export function buildModel(model: ModelNode, options: BuildOptions): tf.LayersModel {
  const builder = new Builder(options, dropPathRates(model));
  const input = tf.input({ shape: [...model.input], name: 'input' });
  let x: Symbolic = input;
  // Each stage is a model of its own nested in the whole: TF.js walks a graph recursively, and
  // ResNet-1202 in one flat graph is deeper than the stack allows.
  for (const stage of model.stages) {
    const stageInput = tf.input({ shape: [...stage.input], name: safeName(`${stage.name}.input`) });
    const stageOutput = builder.nodes(stage.nodes, stageInput);
    x = tf.model({ inputs: stageInput, outputs: stageOutput, name: safeName(stage.name) }).apply(x) as Symbolic;
  }
  return tf.model({ inputs: input, outputs: x, name: safeName(model.name) });
}

class Builder {
  private seedCounter: number;

  constructor(
    private readonly options: BuildOptions,
    /** The rate each drop path layer drops at in training: its own, or the model's schedule at its block. */
    private readonly dropPathRates: ReadonlyMap<LayerNode, number>,
  ) {
    this.seedCounter = options.seed * 100_003;
  }

  private nextSeed(): number {
    return this.seedCounter++;
  }

  nodes(nodes: readonly NetworkNode[], x: Symbolic): Symbolic {
    for (const node of nodes) x = node.kind === 'layer' ? this.layer(node, x) : node.kind === 'split' ? this.split(node, x) : this.block(node, x);
    return x;
  }

  /** A split (Res2Net): each group a slice of the channels through its own layers, a cascade's sum before them, the outputs concatenated. */
  private split(split: SplitNode, x: Symbolic): Symbolic {
    const width = split.input[2] / split.groups;
    const paths = split.keep ? split.groups - 1 : split.groups;
    const outputs: Symbolic[] = [];
    split.columns.forEach((column, i) => {
      let part = new ChannelGroup({ begin: i * width, size: width, name: safeName(`${split.path}.group${i}`) }).apply(x) as Symbolic;
      const previous = outputs[i - 1];
      if (split.cascade && previous && i < paths) part = tf.layers.add({ name: safeName(`${split.path}.cascade${i}`) }).apply([part, previous]) as Symbolic;
      outputs.push(this.nodes(column, part));
    });
    const [only] = outputs;
    if (outputs.length === 1 && only) return only;
    return tf.layers.concatenate({ axis: -1, name: safeName(`${split.path}.concat`) }).apply(outputs) as Symbolic;
  }

  private block(block: Extract<NetworkNode, { kind: 'block' }>, x: Symbolic): Symbolic {
    // Pre-activation: the projection reads the branch after its first `tap` layers.
    const tapped = block.tap !== undefined ? this.nodes(block.branch.slice(0, block.tap), x) : x;
    let y = this.nodes(block.tap !== undefined ? block.branch.slice(block.tap) : block.branch, tapped);
    if (block.multiplies) {
      // A gate: the input times its factor (1×1×C broadcast over H×W, or H×W×C).
      y = tf.layers.multiply({ name: safeName(`${block.path}.multiply`) }).apply([x, y]) as Symbolic;
    } else if (block.shortcut) {
      const shortcutInput = block.shortcut.kind === 'identity' ? x : tapped;
      y = tf.layers.add({ name: safeName(`${block.path}.add`) }).apply([y, this.shortcut(block.shortcut, block.path, shortcutInput)]) as Symbolic;
    }
    return this.nodes(block.after, y);
  }

  private shortcut(shortcut: Shortcut, path: string, x: Symbolic): Symbolic {
    switch (shortcut.kind) {
      case 'identity':
        return x;
      case 'zeropad':
        return new ZeroPadShortcut({ stride: shortcut.stride, extraChannels: shortcut.extraChannels, name: safeName(`${path}.shortcut.zeropad`) }).apply(x) as Symbolic;
      case 'layers':
        return this.nodes(shortcut.layers, x);
    }
  }

  private layer(layer: LayerNode, x: Symbolic): Symbolic {
    const name = safeName(layer.path);
    const spec = layer.spec;
    switch (spec.op) {
      case 'conv': {
        const padded = this.pad(x, spec.padding, 0, name);
        const fanOut = spec.kernel[0] * spec.kernel[1] * spec.filters;
        const stddev = Math.sqrt(2 / fanOut);
        if (spec.groups > 1) {
          // The bias is the convolution's own (a dense layer here would add a filters × filters kernel).
          return new GroupedConv2D({
            filters: spec.filters,
            kernel: [spec.kernel[0], spec.kernel[1]],
            stride: spec.stride,
            groups: spec.groups,
            stddev,
            seed: this.nextSeed(),
            useBias: spec.bias,
            name,
          }).apply(padded) as Symbolic;
        }
        return tf.layers
          .conv2d({
            filters: spec.filters,
            kernelSize: [spec.kernel[0], spec.kernel[1]],
            strides: spec.stride,
            padding: 'valid',
            useBias: spec.bias,
            kernelInitializer: this.init(() => tf.initializers.randomNormal({ mean: 0, stddev, seed: this.nextSeed() })),
            biasInitializer: 'zeros',
            name,
          })
          .apply(padded) as Symbolic;
      }
      case 'bn':
        return tf.layers.batchNormalization({ axis: -1, momentum: BN_MOMENTUM, epsilon: BN_EPSILON, name }).apply(x) as Symbolic;
      case 'relu':
        return tf.layers.reLU({ name }).apply(x) as Symbolic;
      case 'relu6':
      case 'sigmoid':
      case 'hardsigmoid':
      case 'silu':
      case 'hardswish':
      case 'gelu':
        return new Elementwise({ op: spec.op, name }).apply(x) as Symbolic;
      case 'gn':
        return new GroupNorm({ groups: spec.groups, epsilon: spec.eps, name }).apply(x) as Symbolic;
      case 'ln':
        return tf.layers.layerNormalization({ axis: -1, epsilon: spec.eps, name }).apply(x) as Symbolic;
      case 'dropout':
        return new StochasticDrop({ mode: 'element', rate: spec.rate, seed: this.nextSeed(), name }).apply(x) as Symbolic;
      case 'droppath':
        return new StochasticDrop({ mode: 'sample', rate: this.dropPathRates.get(layer) ?? spec.rate ?? 0, seed: this.nextSeed(), name }).apply(x) as Symbolic;
      case 'layerscale':
        return new LayerScale({ init: spec.init, name }).apply(x) as Symbolic;
      case 'channelconv':
        return new ChannelConv({ kernel: spec.kernel, seed: this.nextSeed(), name }).apply(x) as Symbolic;
      case 'maxpool':
      case 'avgpool':
        if (spec.ceil || spec.excludePad)
          return new PyTorchPool2D({
            op: spec.op,
            kernel: [spec.kernel[0], spec.kernel[1]],
            stride: spec.stride,
            padding: [spec.padding[0], spec.padding[1]],
            outputSize: [layer.output[0], layer.output[1]],
            excludePad: spec.excludePad,
            name,
          }).apply(x) as Symbolic;
        return this.pool(spec.op, spec, x, name);
      case 'globalavgpool':
        return tf.layers.reshape({ targetShape: [1, 1, layer.output[2]], name: `${name}_1x1` }).apply(tf.layers.globalAveragePooling2d({ name }).apply(x)) as Symbolic;
      case 'fc': {
        const inputs = layer.input[0] * layer.input[1] * layer.input[2];
        const flat = tf.layers.flatten({ name: `${name}_flatten` }).apply(x) as Symbolic;
        const bound = 1 / Math.sqrt(inputs);
        const dense = tf.layers
          .dense({
            units: spec.units,
            useBias: spec.bias,
            kernelInitializer: this.init(() => tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: this.nextSeed() })),
            biasInitializer: 'zeros',
            name,
          })
          .apply(flat) as Symbolic;
        return tf.layers.reshape({ targetShape: [1, 1, spec.units], name: `${name}_1x1` }).apply(dense) as Symbolic;
      }
      case 'softmax':
        // Training works on logits (the loss applies softmax); the network's output stays logits.
        return x;
      default:
        // Every op the analyzer makes is built above; one added to it later is refused by name until it is.
        throw new UnsupportedOnTfjs((spec as { readonly op: string }).op, layer.path);
    }
  }

  private pool(
    op: 'maxpool' | 'avgpool',
    spec: { readonly kernel: readonly [number, number]; readonly stride: number; readonly padding: readonly [number, number] },
    x: Symbolic,
    name: string,
  ): Symbolic {
    const poolSize: [number, number] = [spec.kernel[0], spec.kernel[1]];
    if (op === 'maxpool') {
      const padded = this.pad(x, spec.padding, -Infinity, name);
      return tf.layers.maxPooling2d({ poolSize, strides: spec.stride, padding: 'valid', name }).apply(padded) as Symbolic;
    }
    // PyTorch counts the zero padding in the average (count_include_pad), as zero-padding first does.
    const padded = this.pad(x, spec.padding, 0, name);
    return tf.layers.averagePooling2d({ poolSize, strides: spec.stride, padding: 'valid', name }).apply(padded) as Symbolic;
  }

  private init(random: () => Initializer): Initializer {
    return this.options.init === 'zeros' ? tf.initializers.zeros() : random();
  }

  private pad(x: Symbolic, padding: readonly [number, number], value: number, name: string): Symbolic {
    if (padding[0] === 0 && padding[1] === 0) return x;
    if (value === 0)
      return tf.layers
        .zeroPadding2d({
          padding: [
            [padding[0], padding[0]],
            [padding[1], padding[1]],
          ],
          name: `${name}_pad`,
        })
        .apply(x) as Symbolic;
    return new ConstantPad2D({ pad: [padding[0], padding[1]], value, name: `${name}_pad` }).apply(x) as Symbolic;
  }
}

/** TF.js layer names allow letters, digits, `_`, `-`, `.`, `/` and must be unique; our paths are. */
export function safeName(path: string): string {
  return path.replace(/[^A-Za-z0-9_./-]/g, '_');
}

/** A layer by its analyzer path (`conv3_x.0.conv1`), looked up in its stage's sub-model. */
export function layerByPath(network: tf.LayersModel, path: string): tf.layers.Layer {
  const stage = path.slice(0, path.indexOf('.'));
  return (network.getLayer(safeName(stage)) as tf.LayersModel).getLayer(safeName(path));
}

/**
 * The TF.js layers that make one analyzer layer, in the order they run: a convolution's or a
 * pooling's padding, the layer; fc's flatten; the reshape to 1×1 after
 * fc and global average pooling. Empty for a softmax (the loss applies it).
 */
export function tfjsLayersOf(network: tf.LayersModel, layer: LayerNode): tf.layers.Layer[] {
  const stage = network.getLayer(safeName(layer.path.slice(0, layer.path.indexOf('.')))) as tf.LayersModel;
  const name = safeName(layer.path);
  const order = [`${name}_flatten`, `${name}_pad`, name, `${name}_1x1`];
  return order.flatMap((n) => stage.layers.filter((l) => l.name === n));
}

export function countWeights(model: tf.LayersModel): { trainable: number; nonTrainable: number } {
  const size = (ws: tf.LayerVariable[]) => ws.reduce((a, w) => a + w.shape.reduce((p: number, d) => p * (d ?? 1), 1), 0);
  return { trainable: size(model.trainableWeights), nonTrainable: size(model.nonTrainableWeights) };
}

/**
 * A layer or join the TF.js engine cannot build: refused by name before a step runs, rather than
 * train something else; the PyTorch engine trains it. Said in the worker's parent's language.
 */
export class UnsupportedOnTfjs extends TrainingError {
  constructor(
    readonly what: string,
    readonly path: string,
  ) {
    super(msg('worker.unsupportedOnTfjs', { what, path }));
    this.name = 'UnsupportedOnTfjs';
  }
}
