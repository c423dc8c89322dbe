// The layers TF.js lacks for residual networks as PyTorch builds them, each computing what the
// PyTorch module of the same name computes (src/export/layerModules.ts). Each is registered for
// serialization so a saved model loads back.
import * as tf from '@tensorflow/tfjs';

/** A layer's [batch, height, width, channels] input shape (null: not known yet); these layers take images only. */
function nhwc(inputShape: tf.Shape | tf.Shape[], layer: string): [number | null, number | null, number | null, number | null] {
  const [n, h, w, c, ...extra] = inputShape as tf.Shape;
  if (n === undefined || h === undefined || w === undefined || c === undefined || extra.length > 0) {
    throw new Error(`${layer} takes a 4-D input [batch, height, width, channels], not ${JSON.stringify(inputShape)}`);
  }
  return [n, h, w, c];
}

/** The tensor a single-input layer is called with (Keras may hand it over in a list of one). */
function firstInput(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (!Array.isArray(inputs)) return inputs;
  const [x] = inputs;
  if (x === undefined) throw new Error('a layer was called with no input tensor');
  return x;
}

/** Symmetric spatial padding with a constant: -Infinity before a max pool, as PyTorch pads it. */
export class ConstantPad2D extends tf.layers.Layer {
  static className = 'ConstantPad2D';
  private readonly pad: [number, number];
  private readonly value: number;

  constructor(config: { pad: [number, number]; value: number; name?: string }) {
    super(config.name === undefined ? {} : { name: config.name });
    this.pad = config.pad;
    this.value = config.value;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w, c] = nhwc(inputShape, 'ConstantPad2D');
    return [n, (h ?? 0) + 2 * this.pad[0], (w ?? 0) + 2 * this.pad[1], c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = firstInput(inputs);
    return tf.pad(
      x,
      [
        [0, 0],
        [this.pad[0], this.pad[0]],
        [this.pad[1], this.pad[1]],
        [0, 0],
      ],
      this.value,
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), pad: this.pad, value: this.value };
  }
}

/**
 * Option A's shortcut (paper section 3.3): take every stride-th row and column, then zero-pad the
 * new channels, half before and half after as the common CIFAR reproductions do. Written with a
 * 1×1 average pool and a pad because TF.js has no gradient for a strided slice.
 */
export class ZeroPadShortcut extends tf.layers.Layer {
  static className = 'ZeroPadShortcut';
  private readonly stride: number;
  private readonly extraChannels: number;

  constructor(config: { stride: number; extraChannels: number; name?: string }) {
    super(config.name === undefined ? {} : { name: config.name });
    this.stride = config.stride;
    this.extraChannels = config.extraChannels;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w, c] = nhwc(inputShape, 'ZeroPadShortcut');
    const down = (d: number | null) => (d === null ? null : Math.ceil(d / this.stride));
    return [n, down(h), down(w), (c ?? 0) + this.extraChannels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = firstInput(inputs) as tf.Tensor4D;
    return tf.tidy(() => {
      const sub = this.stride > 1 ? tf.avgPool(x, 1, this.stride, 'valid') : x;
      const before = Math.floor(this.extraChannels / 2);
      return this.extraChannels > 0
        ? tf.pad(sub, [
            [0, 0],
            [0, 0],
            [0, 0],
            [before, this.extraChannels - before],
          ])
        : sub;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), stride: this.stride, extraChannels: this.extraChannels };
  }
}

/** A grouped convolution (ResNeXt, depthwise): TF.js's conv2d layer has no `groups`. One kernel, split per group; a bias per filter when asked. */
export class GroupedConv2D extends tf.layers.Layer {
  static className = 'GroupedConv2D';
  private readonly filters: number;
  private readonly kernel: [number, number];
  private readonly stride: number;
  private readonly groups: number;
  private readonly stddev: number;
  private readonly seed: number | undefined;
  private readonly useBias: boolean;
  private weight: tf.LayerVariable | undefined;
  private bias: tf.LayerVariable | undefined;

  constructor(config: { filters: number; kernel: [number, number]; stride: number; groups: number; stddev: number; seed?: number; useBias?: boolean; name?: string }) {
    super(config.name === undefined ? {} : { name: config.name });
    this.filters = config.filters;
    this.kernel = config.kernel;
    this.stride = config.stride;
    this.groups = config.groups;
    this.stddev = config.stddev;
    this.seed = config.seed;
    this.useBias = config.useBias ?? false;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const channels = (inputShape as tf.Shape)[3] ?? 0;
    this.weight = this.addWeight(
      'kernel',
      [this.kernel[0], this.kernel[1], channels / this.groups, this.filters],
      'float32',
      tf.initializers.randomNormal({ mean: 0, stddev: this.stddev, ...(this.seed !== undefined && { seed: this.seed }) }),
    );
    // After the kernel, as Keras orders a convolution's weights.
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w] = nhwc(inputShape, 'GroupedConv2D');
    const out = (d: number | null, k: number) => (d === null ? null : Math.floor((d - k) / this.stride) + 1);
    return [n, out(h, this.kernel[0]), out(w, this.kernel[1]), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = firstInput(inputs) as tf.Tensor4D;
    const w = (this.weight as tf.LayerVariable).read() as tf.Tensor4D;
    const bias = this.bias?.read();
    const convolved = this.convolve(x, w);
    return bias ? tf.tidy(() => tf.add(convolved, bias)) : convolved;
  }

  private convolve(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor {
    return tf.tidy(() => {
      const channels = x.shape[3];
      if (this.groups === channels) {
        // Depthwise (MobileNet, EfficientNet, ConvNeXt): PyTorch's output channel c·m + j is
        // depthwise's, so the kernel [kh, kw, 1, C·m] is the depthwise filter [kh, kw, C, m].
        const filter = w.reshape([this.kernel[0], this.kernel[1], channels, this.filters / channels]) as tf.Tensor4D;
        return tf.depthwiseConv2d(x, filter, this.stride, 'valid');
      }
      const xs = tf.split(x, this.groups, 3);
      const ws = tf.split(w, this.groups, 3);
      return tf.concat(
        xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, ws[i] as tf.Tensor4D, this.stride, 'valid')),
        3,
      );
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernel: this.kernel,
      stride: this.stride,
      groups: this.groups,
      stddev: this.stddev,
      useBias: this.useBias,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}

/** The elementwise activations besides ReLU, each as PyTorch defines it (GELU exact, with erf). */
export type ElementwiseOp = 'relu6' | 'sigmoid' | 'hardsigmoid' | 'silu' | 'hardswish' | 'gelu';

export function elementwise(op: ElementwiseOp, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    switch (op) {
      case 'relu6':
        return tf.relu6(x);
      case 'sigmoid':
        return tf.sigmoid(x);
      case 'hardsigmoid':
        // PyTorch's: relu6(x + 3) / 6 (Keras's hard sigmoid is another function, 0.2x + 0.5).
        return tf.div(tf.relu6(tf.add(x, 3)), 6);
      case 'silu':
        return tf.mul(x, tf.sigmoid(x));
      case 'hardswish':
        return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
      case 'gelu':
        return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
    }
  });
}

export class Elementwise extends tf.layers.Layer {
  static className = 'Elementwise';
  readonly op: ElementwiseOp;

  constructor(config: { op: ElementwiseOp; name?: string }) {
    super(config.name === undefined ? {} : { name: config.name });
    this.op = config.op;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return elementwise(this.op, firstInput(inputs));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), op: this.op };
  }
}

/** GroupNorm (Wu & He 2018): statistics over each group of channels and all positions; γ, β per channel; no running statistics. */
export class GroupNorm extends tf.layers.Layer {
  static className = 'GroupNorm';
  private readonly groups: number;
  private readonly epsilon: number;
  private gamma: tf.LayerVariable | undefined;
  private beta: tf.LayerVariable | undefined;

  constructor(config: { groups: number; epsilon: number; name?: string }) {
    super(config.name === undefined ? {} : { name: config.name });
    this.groups = config.groups;
    this.epsilon = config.epsilon;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [, , , c] = nhwc(inputShape, 'GroupNorm');
    this.gamma = this.addWeight('gamma', [c ?? 0], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [c ?? 0], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = firstInput(inputs);
    const gamma = (this.gamma as tf.LayerVariable).read();
    const beta = (this.beta as tf.LayerVariable).read();
    return tf.tidy(() => {
      const [n, h, w, c] = x.shape as [number, number, number, number];
      const grouped = x.reshape([n, h, w, this.groups, c / this.groups]);
      const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
      const normalized = tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, this.epsilon))).reshape([n, h, w, c]);
      return tf.add(tf.mul(normalized, gamma), beta);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon };
  }
}

/** x · γ with one trainable γ per channel starting at `init` (ConvNeXt's layer scale). */
export class LayerScale extends tf.layers.Layer {
  static className = 'LayerScale';
  private readonly init: number;
  private gamma: tf.LayerVariable | undefined;

  constructor(config: { init: number; name?: string }) {
    super(config.name === undefined ? {} : { name: config.name });
    this.init = config.init;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [, , , c] = nhwc(inputShape, 'LayerScale');
    this.gamma = this.addWeight('gamma', [c ?? 0], 'float32', tf.initializers.constant({ value: this.init }));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const gamma = (this.gamma as tf.LayerVariable).read();
    return tf.mul(firstInput(inputs), gamma);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), init: this.init };
  }
}

/**
 * ECA's 1-D convolution across the channels of a 1×1×C input (Wang et al. 2020): one filter of k
 * taps, no bias, zero padding (k − 1) / 2 on each side; PyTorch's default uniform ±1/√k start.
 */
export class ChannelConv extends tf.layers.Layer {
  static className = 'ChannelConv';
  private readonly kernel: number;
  private readonly seed: number | undefined;
  private weight: tf.LayerVariable | undefined;

  constructor(config: { kernel: number; seed?: number; name?: string }) {
    super(config.name === undefined ? {} : { name: config.name });
    this.kernel = config.kernel;
    this.seed = config.seed;
  }

  override build(): void {
    const bound = 1 / Math.sqrt(this.kernel);
    this.weight = this.addWeight('kernel', [this.kernel, 1, 1], 'float32', tf.initializers.randomUniform({ minval: -bound, maxval: bound, ...(this.seed !== undefined && { seed: this.seed }) }));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = firstInput(inputs);
    const w = (this.weight as tf.LayerVariable).read() as tf.Tensor3D;
    return tf.tidy(() => {
      const [n, , , c] = x.shape as [number, number, number, number];
      const before = Math.floor((this.kernel - 1) / 2);
      const row = tf.pad(x.reshape([n, c, 1]), [
        [0, 0],
        [before, this.kernel - 1 - before],
        [0, 0],
      ]) as tf.Tensor3D;
      return tf.conv1d(row, w, 1, 'valid').reshape([n, 1, 1, c]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kernel: this.kernel, ...(this.seed === undefined ? {} : { seed: this.seed }) };
  }
}

/**
 * Dropout (`element`: each value) and drop path (`sample`: a sample's whole branch, Huang et al.
 * 2016): in training, zero with probability `rate` and scale what is kept by 1 / (1 − rate), as
 * PyTorch's nn.Dropout and DropPath; the identity at evaluation. The mask is drawn from the layer's
 * seed and the training step (setNoiseStep), so a seed gives one run, resumed or not, on any backend.
 */
export class StochasticDrop extends tf.layers.Layer {
  static className = 'StochasticDrop';
  readonly mode: 'element' | 'sample';
  readonly rate: number;
  private readonly seed: number;
  /** The training step the next masks belong to. */
  step = 0;

  constructor(config: { mode: 'element' | 'sample'; rate: number; seed: number; name?: string }) {
    super(config.name === undefined ? {} : { name: config.name });
    this.mode = config.mode;
    this.rate = config.rate;
    this.seed = config.seed;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = firstInput(inputs);
    if (kwargs.training !== true || this.rate === 0) return x;
    return tf.tidy(() => {
      const shape = this.mode === 'element' ? x.shape : [x.shape[0] ?? 1, ...x.shape.slice(1).map(() => 1)];
      const keep = 1 - this.rate;
      const mask = tf.div(tf.cast(tf.greaterEqual(tf.randomUniform(shape, 0, 1, 'float32', `${this.seed}:${this.step}`), this.rate), 'float32'), keep);
      return tf.mul(x, mask);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode, rate: this.rate, seed: this.seed };
  }
}

/** Sets the training step every dropout and drop path layer of a network draws its next masks for. */
export function setNoiseStep(network: tf.LayersModel, step: number): void {
  for (const layer of network.layers) {
    if (layer instanceof StochasticDrop) layer.step = step;
    else if (layer instanceof tf.LayersModel) setNoiseStep(layer, step);
  }
}

/**
 * Max or average pooling as PyTorch pools where TF.js's layers cannot: `ceil_mode` (the last window
 * may hang over the bottom and right edges) and average pooling with `count_include_pad=False`.
 * The input is padded (−∞ for max, 0 for average) so every window fits; an average divides each
 * window's sum by PyTorch's count for it: the window clipped to the padded input, or to the input.
 */
export class PyTorchPool2D extends tf.layers.Layer {
  static className = 'PyTorchPool2D';
  private readonly op: 'maxpool' | 'avgpool';
  private readonly kernel: [number, number];
  private readonly stride: number;
  private readonly padding: [number, number];
  private readonly outputSize: [number, number];
  private readonly excludePad: boolean;

  constructor(config: {
    op: 'maxpool' | 'avgpool';
    kernel: [number, number];
    stride: number;
    padding: [number, number];
    outputSize: [number, number];
    excludePad: boolean;
    name?: string;
  }) {
    super(config.name === undefined ? {} : { name: config.name });
    this.op = config.op;
    this.kernel = config.kernel;
    this.stride = config.stride;
    this.padding = config.padding;
    this.outputSize = config.outputSize;
    this.excludePad = config.excludePad;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, , , c] = nhwc(inputShape, 'PyTorchPool2D');
    return [n, this.outputSize[0], this.outputSize[1], c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = firstInput(inputs) as tf.Tensor4D;
    return tf.tidy(() => {
      const [, h, w] = x.shape;
      // Padding after the input: exactly what the last window needs (it may be less than the
      // padding before: PyTorch drops a last window that would start in the padding).
      const after = (size: number, axis: 0 | 1) => Math.max(0, (this.outputSize[axis] - 1) * this.stride + this.kernel[axis] - size - this.padding[axis]);
      const padded = tf.pad(
        x,
        [
          [0, 0],
          [this.padding[0], after(h, 0)],
          [this.padding[1], after(w, 1)],
          [0, 0],
        ],
        this.op === 'maxpool' ? -Infinity : 0,
      );
      const pooled = this.op === 'maxpool' ? tf.maxPool(padded, this.kernel, this.stride, 'valid') : tf.mul(tf.avgPool(padded, this.kernel, this.stride, 'valid'), this.kernel[0] * this.kernel[1]);
      const windows = tf.slice(pooled, [0, 0, 0, 0], [-1, this.outputSize[0], this.outputSize[1], -1]);
      return this.op === 'maxpool' ? windows : tf.div(windows, this.counts(h, w));
    });
  }

  /** PyTorch's divisor of each window, [1, Ho, Wo, 1]. */
  private counts(h: number, w: number): tf.Tensor {
    const along = (size: number, axis: 0 | 1) =>
      Array.from({ length: this.outputSize[axis] }, (_, o) => {
        const start = o * this.stride - this.padding[axis];
        const end = Math.min(start + this.kernel[axis], size + this.padding[axis]);
        return this.excludePad ? Math.min(end, size) - Math.max(start, 0) : end - start;
      });
    const rows = along(h, 0);
    const cols = along(w, 1);
    return tf.tensor4d(
      rows.flatMap((r) => cols.map((c) => r * c)),
      [1, rows.length, cols.length, 1],
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      op: this.op,
      kernel: this.kernel,
      stride: this.stride,
      padding: this.padding,
      outputSize: this.outputSize,
      excludePad: this.excludePad,
    };
  }
}

/** One group of a split's channels (Res2Net): `size` channels from `begin`, as torch.split's view gives them. */
export class ChannelGroup extends tf.layers.Layer {
  static className = 'ChannelGroup';
  private readonly begin: number;
  private readonly size: number;

  constructor(config: { begin: number; size: number; name?: string }) {
    super(config.name === undefined ? {} : { name: config.name });
    this.begin = config.begin;
    this.size = config.size;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w] = nhwc(inputShape, 'ChannelGroup');
    return [n, h, w, this.size];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.slice(firstInput(inputs), [0, 0, 0, this.begin], [-1, -1, -1, this.size]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), begin: this.begin, size: this.size };
  }
}

for (const cls of [ConstantPad2D, ZeroPadShortcut, GroupedConv2D, Elementwise, GroupNorm, LayerScale, ChannelConv, StochasticDrop, PyTorchPool2D, ChannelGroup]) {
  tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
}
