// The TF.js engine's layer statistics (src/training/layerStats.ts defines them): one pass of the
// layer-by-layer backward (model/backprop.ts) in inference mode over the run's fixed batch, which
// reads each response's standard deviation and each weight's gradient and changes nothing.
import * as tf from '@tensorflow/tfjs';
import type { ModelNode } from '../../core/analysis/network';
import type { LayerStat } from '../../protocol/training';
import type { Split } from '../data/index';
import { layerStatsTargets, type LayerStatsTarget } from '../layerStats';
import type { Backprop } from './model/backprop';
import { layerByPath } from './model/buildModel';

/** The fixed batch: the first `images` images of `split` (all of them when it has fewer). */
export interface FixedBatch {
  readonly pixels: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

export function fixedBatch(split: Split, images: number, shape: readonly [number, number, number]): FixedBatch {
  const count = Math.min(images, split.count);
  const size = shape[0] * shape[1] * shape[2];
  return { pixels: split.images.slice(0, count * size), labels: split.labels.slice(0, count), count };
}

/** Measures what layerStats.ts defines, for every target of `model`, on `batch`. */
export class LayerStatsMeter {
  private readonly targets: readonly LayerStatsTarget[];
  private readonly responses: ReadonlySet<string>;
  /** The variable names of each target's weights, as the pass's gradients are keyed. */
  private readonly weights: ReadonlyMap<string, readonly string[]>;

  constructor(
    private readonly backprop: Backprop,
    model: ModelNode,
  ) {
    this.targets = layerStatsTargets(model);
    this.responses = new Set(this.targets.map((t) => t.response));
    this.weights = new Map(this.targets.map((t) => [t.path, layerByPath(backprop.network, t.path).trainableWeights.map((w) => (w.read() as tf.Variable).name)]));
  }

  async measure(batch: FixedBatch): Promise<LayerStat[]> {
    const [h, w, c] = this.backprop.model.input;
    const classes = this.backprop.model.output[2];
    const [x, y] = tf.tidy(() => [tf.tensor4d(batch.pixels, [batch.count, h, w, c]), tf.oneHot(tf.tensor1d(Array.from(batch.labels), 'int32'), classes)] as [tf.Tensor4D, tf.Tensor2D]);
    let pass: ReturnType<Backprop['measure']>;
    try {
      pass = this.backprop.measure(x, y, this.responses);
    } finally {
      tf.dispose([x, y]);
    }
    try {
      // One vector of [std, norm] pairs, read back once (a GPU backend reads asynchronously).
      const values = tf.tidy(() =>
        tf.stack(
          this.targets.flatMap((target) => {
            const std = pass.stds.get(target.response);
            if (!std) throw new Error(`no response measured for ${target.response}`);
            const squares = (this.weights.get(target.path) ?? []).map((name) => {
              const grad = pass.grads.get(name);
              if (!grad) throw new Error(`no gradient for the weight ${name} of ${target.path}`);
              return tf.sum(tf.square(grad));
            });
            return [std, tf.sqrt(squares.length === 0 ? tf.scalar(0) : tf.addN(squares))];
          }),
        ),
      );
      const data = await values.data();
      values.dispose();
      return this.targets.map((target, i) => ({ path: target.path, op: target.op, responseStd: data[2 * i] ?? Number.NaN, gradNorm: data[2 * i + 1] ?? Number.NaN }));
    } finally {
      tf.dispose([pass.loss, pass.predictions, ...pass.grads.values(), ...pass.stds.values()]);
    }
  }
}
