// The few layers TF.js lacks for ResNets as PyTorch builds them. Each is registered for
// serialization so a saved model loads back.
import * as tf from '@tensorflow/tfjs';

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
    const s = inputShape as tf.Shape;
    return [s[0], (s[1] ?? 0) + 2 * this.pad[0], (s[2] ?? 0) + 2 * this.pad[1], s[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
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
    const s = inputShape as tf.Shape;
    const down = (n: number | null) => (n === null ? null : Math.ceil(n / this.stride));
    return [s[0], down(s[1]), down(s[2]), (s[3] ?? 0) + this.extraChannels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
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
    const s = inputShape as tf.Shape;
    const out = (n: number | null, k: number) => (n === null ? null : Math.floor((n - k) / this.stride) + 1);
    return [s[0], out(s[1], this.kernel[0]), out(s[2], this.kernel[1]), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
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
