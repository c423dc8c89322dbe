// The few layers TF.js lacks for ResNets as PyTorch builds them. Each is registered for
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

/** A grouped convolution (ResNeXt): TF.js's conv2d layer has no `groups`. One kernel, split per group. */
export class GroupedConv2D extends tf.layers.Layer {
  static className = 'GroupedConv2D';
  private readonly filters: number;
  private readonly kernel: [number, number];
  private readonly stride: number;
  private readonly groups: number;
  private readonly stddev: number;
  private readonly seed: number | undefined;
  private weight: tf.LayerVariable | undefined;

  constructor(config: { filters: number; kernel: [number, number]; stride: number; groups: number; stddev: number; seed?: number; name?: string }) {
    super(config.name === undefined ? {} : { name: config.name });
    this.filters = config.filters;
    this.kernel = config.kernel;
    this.stride = config.stride;
    this.groups = config.groups;
    this.stddev = config.stddev;
    this.seed = config.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const channels = (inputShape as tf.Shape)[3] ?? 0;
    this.weight = this.addWeight(
      'kernel',
      [this.kernel[0], this.kernel[1], channels / this.groups, this.filters],
      'float32',
      tf.initializers.randomNormal({ mean: 0, stddev: this.stddev, ...(this.seed !== undefined && { seed: this.seed }) }),
    );
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
    return tf.tidy(() => {
      const xs = tf.split(x, this.groups, 3);
      const ws = tf.split(w, this.groups, 3);
      return tf.concat(
        xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, ws[i] as tf.Tensor4D, this.stride, 'valid')),
        3,
      );
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, kernel: this.kernel, stride: this.stride, groups: this.groups, stddev: this.stddev, ...(this.seed === undefined ? {} : { seed: this.seed }) };
  }
}

for (const cls of [ConstantPad2D, ZeroPadShortcut, GroupedConv2D]) {
  tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
}
