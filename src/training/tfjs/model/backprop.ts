// The TF.js engine's training pass: forward and backward through the network layer by layer,
// keeping only what each layer's backward needs, as PyTorch's autograd does (issue 20, item 1).
// `tf.variableGrads` over the whole network kept every intermediate of every kernel alive until
// the backward pass ended (a BatchNorm about sixteen tensors of its size); here each layer runs in
// its own `tf.tidy` and the pass holds, per layer: a convolution's input, a BatchNorm's input, a
// ReLU's output, a gate's two factors, nothing for an addition. Each saved tensor is released as
// soon as the last backward that reads it has run.
//
// The forward of every layer is the TF.js layer's own `apply` (so BatchNorm updates its moving
// statistics, dropout draws its mask, exactly as before). The backward is written out for the
// layers that dominate a ResNet (convolution, BatchNorm, ReLU, the joins); any other layer is
// differentiated by running its forward again under `tf.grads` from its saved input, which is
// cheap for the elementwise, pooling, normalisation and small dense layers it covers.
import * as tf from '@tensorflow/tfjs';
import { allLayers, type BlockNode, type LayerNode, type ModelNode, type NetworkNode, type Shortcut, type SplitNode } from '../../../core/analysis/network';
import { TrainingError } from '../../trainingError';
import { safeName, tfjsLayersOf } from './buildModel';

/** Reference counts of the forward tensors the pass holds: a tensor is disposed when its last holder lets go. */
class Held {
  private readonly counts = new Map<tf.Tensor, number>();

  hold<T extends tf.Tensor>(tensor: T): T {
    this.counts.set(tensor, (this.counts.get(tensor) ?? 0) + 1);
    return tensor;
  }

  release(tensor: tf.Tensor): void {
    const count = this.counts.get(tensor);
    if (count === undefined) throw new Error('released a tensor the pass does not hold');
    if (count > 1) this.counts.set(tensor, count - 1);
    else {
      this.counts.delete(tensor);
      tensor.dispose();
    }
  }

  /** Disposes whatever is still held (after a failed step). */
  clear(): void {
    for (const tensor of this.counts.keys()) tensor.dispose();
    this.counts.clear();
  }
}

/** What one forward step left for its backward: takes the output's gradient (and disposes it), returns the input's. */
type Backward = (dy: tf.Tensor) => tf.Tensor;

/** One layer as the pass runs it: the TF.js layers that make it, and how its backward is computed. */
interface LayerPlan {
  readonly kind: 'conv' | 'bn' | 'relu' | 'generic' | 'identity';
  readonly layers: readonly tf.layers.Layer[];
}

export interface PassResult {
  /** Mean softmax cross-entropy over the batch (a scalar the caller disposes). */
  readonly loss: tf.Scalar;
  /** Index of the largest logit per sample (the caller disposes). */
  readonly predictions: tf.Tensor1D;
  /** The gradient of the loss for each trainable variable, by the variable's name (the caller disposes). */
  readonly grads: Map<string, tf.Tensor>;
}

export class Backprop {
  private readonly plans = new Map<LayerNode, LayerPlan>();
  private held = new Held();
  /** The batch as the first layer reads it: nothing needs its gradient. */
  private batch: tf.Tensor | undefined;
  private grads = new Map<string, tf.Tensor>();
  /** False while measuring layer statistics: every layer in inference mode (see layerStats.ts). */
  private training = true;
  /** While measuring: the layers whose output's standard deviation is wanted, and the scalars found. */
  private observed: { readonly paths: ReadonlySet<string>; readonly stds: Map<string, tf.Scalar> } | undefined;

  constructor(
    readonly network: tf.LayersModel,
    readonly model: ModelNode,
  ) {
    for (const stage of model.stages) for (const layer of allLayers(stage.nodes)) this.plans.set(layer, planOf(network, layer));
  }

  /** Forward in training mode, the loss against one-hot `labels`, and every trainable variable's gradient. */
  run(x: tf.Tensor4D, labels: tf.Tensor2D): PassResult {
    this.held = new Held();
    this.grads = new Map();
    try {
      const tape: Backward[] = [];
      const output = this.stages(x, tape);
      const count = x.shape[0];
      const logits = output.reshape([count, labels.shape[1]]);
      const predictions = tf.argMax(logits, 1) as tf.Tensor1D;
      const { value, grads } = tf.valueAndGrads((l: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, l) as tf.Scalar)([logits]);
      logits.dispose();
      const dOutput = tf.reshape(grads[0] as tf.Tensor, output.shape);
      (grads[0] as tf.Tensor).dispose();
      this.held.release(output);
      let dy: tf.Tensor = dOutput;
      for (let i = tape.length - 1; i >= 0; i--) dy = (tape[i] as Backward)(dy);
      dy.dispose();
      return { loss: value as tf.Scalar, predictions, grads: this.grads };
    } catch (error) {
      this.held.clear();
      for (const grad of this.grads.values()) grad.dispose();
      throw error;
    } finally {
      this.grads = new Map();
    }
  }

  /**
   * One layer alone, as the pass runs it inside a step (`resnet-studio profile` times it): its
   * forward on a copy of `x` in training mode, then `backward(dy)` (which takes `dy`) gives the
   * input's gradient and the layer's weights' (the caller disposes them). The output stays the
   * pass's until the backward has run.
   */
  layerAlone(node: LayerNode, x: tf.Tensor): { output: tf.Tensor; backward: (dy: tf.Tensor) => { dx: tf.Tensor; grads: Map<string, tf.Tensor> } } {
    this.held = new Held();
    this.grads = new Map();
    this.batch = undefined;
    const input = this.held.hold(x.clone());
    const step = this.layer(node, input);
    this.held.release(input);
    return {
      output: step.output,
      backward: (dy) => {
        try {
          const dx = step.backward(dy);
          return { dx, grads: this.grads };
        } finally {
          this.grads = new Map();
          this.held.clear();
        }
      },
    };
  }

  /**
   * The pass in inference mode (BatchNorm on its moving statistics, no dropout, nothing updated),
   * for the layer statistics: every weight's gradient, and the standard deviation over all its
   * elements of each output of the layers in `paths`. The caller disposes all of it.
   */
  measure(x: tf.Tensor4D, labels: tf.Tensor2D, paths: ReadonlySet<string>): PassResult & { readonly stds: Map<string, tf.Scalar> } {
    const stds = new Map<string, tf.Scalar>();
    this.training = false;
    this.observed = { paths, stds };
    try {
      return { ...this.run(x, labels), stds };
    } catch (error) {
      tf.dispose([...stds.values()]);
      throw error;
    } finally {
      this.training = true;
      this.observed = undefined;
    }
  }

  /** The stages in order; one backward entry per stage on `tape`. Returns a held output. */
  private stages(x: tf.Tensor4D, tape: Backward[]): tf.Tensor {
    let current: tf.Tensor = this.held.hold(x.clone());
    this.batch = current;
    for (const stage of this.model.stages) {
      const { output, backward } = this.nodes(stage.nodes, current);
      this.held.release(current);
      current = output;
      tape.push(backward);
    }
    return current;
  }

  /** A sequence of nodes from a borrowed input: a held output, and the sequence's backward. */
  private nodes(nodes: readonly NetworkNode[], x: tf.Tensor): { output: tf.Tensor; backward: Backward } {
    const backwards: Backward[] = [];
    let current = this.held.hold(x);
    for (const node of nodes) {
      const step = node.kind === 'layer' ? this.layer(node, current) : node.kind === 'split' ? this.split(node, current) : this.block(node, current);
      this.held.release(current);
      current = step.output;
      backwards.push(step.backward);
    }
    return {
      output: current,
      backward: (dy) => {
        let d = dy;
        for (let i = backwards.length - 1; i >= 0; i--) d = (backwards[i] as Backward)(d);
        return d;
      },
    };
  }

  /**
   * A split (Res2Net): each group a slice of the channels through its own layers, a cascade adding
   * the group before's output to a group's slice, the outputs concatenated. Keeps nothing itself.
   */
  private split(split: SplitNode, x: tf.Tensor): { output: tf.Tensor; backward: Backward } {
    const width = split.input[2] / split.groups;
    const paths = split.keep ? split.groups - 1 : split.groups;
    const columns: { output: tf.Tensor; backward: Backward; cascaded: boolean }[] = [];
    split.columns.forEach((column, i) => {
      let part = this.held.hold(tf.slice(x, [0, 0, 0, i * width], [-1, -1, -1, width]));
      const previous = columns[i - 1];
      const cascaded = split.cascade && previous !== undefined && i < paths;
      if (cascaded) {
        const sum = this.held.hold(tf.add(part, previous.output));
        this.held.release(part);
        part = sum;
      }
      columns.push({ ...this.nodes(column, part), cascaded });
      this.held.release(part);
    });
    const outputs = columns.map((c) => c.output);
    const output = outputs.length === 1 ? (outputs[0] as tf.Tensor) : this.held.hold(tf.concat(outputs, 3));
    if (outputs.length > 1) for (const o of outputs) this.held.release(o);
    return {
      output,
      backward: (dy) => {
        const widths = outputs.map((o) => o.shape[3] ?? 0);
        const parts = outputs.length === 1 ? [dy] : tf.split(dy, widths, 3);
        if (outputs.length > 1) dy.dispose();
        const dSlices: tf.Tensor[] = [];
        // Last group first: a cascaded group's input gradient also reaches the group before's output.
        let carry: tf.Tensor | undefined;
        for (let i = columns.length - 1; i >= 0; i--) {
          const column = columns[i] as (typeof columns)[number];
          const dOut = carry ? addInto(parts[i] as tf.Tensor, carry) : (parts[i] as tf.Tensor);
          const dPart = column.backward(dOut);
          carry = column.cascaded ? dPart.clone() : undefined;
          dSlices[i] = dPart;
        }
        const dx = dSlices.length === 1 ? (dSlices[0] as tf.Tensor) : tf.concat(dSlices, 3);
        if (dSlices.length > 1) tf.dispose(dSlices);
        return dx;
      },
    };
  }

  private block(block: BlockNode, x: tf.Tensor): { output: tf.Tensor; backward: Backward } {
    const tapped = block.tap !== undefined ? this.nodes(block.branch.slice(0, block.tap), x) : undefined;
    const tappedOutput = tapped ? tapped.output : this.held.hold(x);
    const rest = this.nodes(block.tap !== undefined ? block.branch.slice(block.tap) : block.branch, tappedOutput);
    // The backward of the tapped part, for the gradient that reaches the tapped output.
    const throughTap = (d: tf.Tensor) => (tapped ? tapped.backward(d) : d);
    let joined: tf.Tensor;
    let joinBackward: Backward;
    if (block.multiplies) {
      // A gate: y = x · g, g broadcast over H×W. Keeps both factors.
      const g = rest.output;
      this.held.hold(x);
      joined = this.held.hold(tf.mul(x, g));
      joinBackward = (dy) => {
        const [dx, dg] = tf.tidy(() => [tf.mul(dy, g), sumToShape(tf.mul(dy, x), g.shape)]);
        dy.dispose();
        this.held.release(g);
        this.held.release(x);
        const dTapped = rest.backward(dg as tf.Tensor);
        return addInto(dx as tf.Tensor, throughTap(dTapped));
      };
    } else if (block.shortcut) {
      const shortcutInput = block.shortcut.kind === 'identity' ? x : tappedOutput;
      const shortcut = this.shortcut(block.shortcut, block.path, shortcutInput);
      joined = this.held.hold(tf.add(rest.output, shortcut.output));
      this.held.release(rest.output);
      this.held.release(shortcut.output);
      const identity = block.shortcut.kind === 'identity';
      joinBackward = (dy) => {
        const dShortcutInput = shortcut.backward(dy.clone());
        const dTappedFromBranch = rest.backward(dy);
        if (identity) return addInto(dShortcutInput, throughTap(dTappedFromBranch));
        return throughTap(addInto(dTappedFromBranch, dShortcutInput));
      };
    } else {
      joined = rest.output;
      joinBackward = (dy) => throughTap(rest.backward(dy));
    }
    this.held.release(tappedOutput);
    const after = this.nodes(block.after, joined);
    this.held.release(joined);
    return { output: after.output, backward: (dy) => joinBackward(after.backward(dy)) };
  }

  private shortcut(shortcut: Shortcut, path: string, x: tf.Tensor): { output: tf.Tensor; backward: Backward } {
    switch (shortcut.kind) {
      case 'identity':
        return { output: this.held.hold(x), backward: (dy) => dy };
      case 'zeropad': {
        const stage = this.network.getLayer(safeName(path.slice(0, path.indexOf('.')))) as tf.LayersModel;
        const layer = stage.getLayer(safeName(`${path}.shortcut.zeropad`));
        return this.generic([layer], x);
      }
      case 'layers':
        return this.nodes(shortcut.layers, x);
    }
  }

  private layer(node: LayerNode, x: tf.Tensor): { output: tf.Tensor; backward: Backward } {
    const step = this.planned(node, x);
    const observed = this.observed;
    if (observed?.paths.has(node.path)) {
      const output = step.output;
      observed.stds.set(
        node.path,
        tf.tidy(() => tf.sqrt(tf.moments(output).variance) as tf.Scalar),
      );
    }
    return step;
  }

  private planned(node: LayerNode, x: tf.Tensor): { output: tf.Tensor; backward: Backward } {
    const plan = this.plans.get(node);
    if (!plan) throw new TrainingError(`no training plan for the layer ${node.path}`);
    switch (plan.kind) {
      case 'identity':
        return { output: this.held.hold(x), backward: (dy) => dy };
      case 'conv':
        return this.conv(plan.layers, x);
      case 'bn':
        // In inference mode a BatchNorm is an affine map of its moving statistics: its gradient by the generic path.
        return this.training ? this.batchNorm(plan.layers[0] as tf.layers.Layer, x) : this.generic(plan.layers, x);
      case 'relu':
        return this.relu(plan.layers[0] as tf.layers.Layer, x);
      case 'generic':
        return this.generic(plan.layers, x);
    }
  }

  /** A convolution (with its zero padding before it): keeps its unpadded input; the kernels pad it in both passes. */
  private conv(layers: readonly tf.layers.Layer[], x: tf.Tensor): { output: tf.Tensor; backward: Backward } {
    const pad = layers.length === 2 ? (layers[0] as tf.layers.Layer) : undefined;
    const conv = layers[layers.length - 1] as tf.layers.Layer;
    const [kernel, bias] = variablesOf(conv);
    const filter = kernel as tf.Variable;
    const strides = (conv.getConfig().strides as [number, number] | undefined) ?? [1, 1];
    // The kernels pad themselves (every backend's convolutions take explicit padding): no padded
    // copy of the input in either pass, and the input gradient comes out at the input's size
    // instead of the padded one's and then cut (a tenth of a ResNet-20 step on wasm went there).
    const padding: ExplicitPadding | 'valid' = pad ? explicitPadding(pad) : 'valid';
    const output = this.held.hold(
      tf.tidy(() => {
        const y = tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, strides, padding);
        return bias ? tf.add(y, bias) : y;
      }),
    );
    this.held.hold(x);
    return {
      output,
      backward: (dy) => {
        const dx = tf.tidy(() => {
          const attrs = { strides, pad: padding, dataFormat: 'NHWC', dimRoundingMode: undefined };
          const dFilter = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: filter.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
          this.addGrad(filter, dFilter);
          if (bias) this.addGrad(bias, tf.sum(dy, [0, 1, 2]));
          // The images need no gradient (the stem's is the largest backward convolution of all).
          if (x === this.batch) return tf.zeros(x.shape);
          return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
        });
        dy.dispose();
        this.held.release(x);
        return dx;
      },
    };
  }

  /** BatchNorm in training: the layer's own forward (which updates its moving statistics); keeps the input, recomputes the moments. */
  private batchNorm(layer: tf.layers.Layer, x: tf.Tensor): { output: tf.Tensor; backward: Backward } {
    const output = this.held.hold(tf.tidy(() => layer.apply(x, { training: true }) as tf.Tensor));
    this.held.hold(x);
    const [gamma, beta] = variablesOf(layer);
    const epsilon = layer.getConfig().epsilon as number;
    return {
      output,
      backward: (dy) => {
        const axes = [0, 1, 2];
        const n = x.size / (x.shape[3] ?? 1);
        // The centred input x − μ once (the moments and dγ both read it; x is let go after it), then
        // dx = (dy + (x − μ)·k + e)·a with per-channel vectors: six full-size passes where writing out
        // dγ = Σ dy·(x − μ)σ⁻¹ and dx = dy·a + x·b + c took nine (a ResNet-20 step on wasm about 2% faster).
        const centred = tf.tidy(() => tf.sub(x, tf.mean(x, axes)));
        this.held.release(x);
        const [k, e, a] = tf.tidy(() => {
          const variance = tf.mean(tf.square(centred), axes);
          const invStd = tf.rsqrt(tf.add(variance, epsilon));
          const dBeta = tf.sum(dy, axes);
          const dGamma = tf.mul(tf.sum(tf.mul(dy, centred), axes), invStd);
          if (gamma) this.addGrad(gamma, dGamma);
          if (beta) this.addGrad(beta, dBeta);
          // dx = γσ⁻¹ · (dy − dβ/n − x̂ · dγ/n), x̂ = (x − μ)σ⁻¹
          const a = gamma ? tf.mul(gamma, invStd) : invStd;
          return [tf.neg(tf.mul(invStd, tf.div(dGamma, n))), tf.neg(tf.div(dBeta, n)), a];
        });
        // centred·k + e in one pass: a batch norm of zero mean and unit variance (wasmKernels.ts).
        const shift = tf.tidy(() => tf.batchNorm(centred, tf.zerosLike(k), tf.onesLike(k), e, k, 0));
        centred.dispose();
        const sum = tf.add(dy, shift);
        dy.dispose();
        shift.dispose();
        const dx = tf.mul(sum, a);
        tf.dispose([sum, k, e, a]);
        return dx;
      },
    };
  }

  /** ReLU: keeps its output (the mask of its gradient), not its input. */
  private relu(layer: tf.layers.Layer, x: tf.Tensor): { output: tf.Tensor; backward: Backward } {
    const output = this.held.hold(tf.tidy(() => layer.apply(x, { training: this.training }) as tf.Tensor));
    this.held.hold(output);
    return {
      output,
      backward: (dy) => {
        const dx = tf.tidy(() => tf.mul(dy, tf.step(output)));
        dy.dispose();
        this.held.release(output);
        return dx;
      },
    };
  }

  /** Any other layer: keeps its input, and runs its forward again under `tf.grads` for the backward. */
  private generic(layers: readonly tf.layers.Layer[], x: tf.Tensor): { output: tf.Tensor; backward: Backward } {
    const training = this.training;
    const forward = (input: tf.Tensor) => layers.reduce((t, layer) => layer.apply(t, { training }) as tf.Tensor, input);
    const output = this.held.hold(tf.tidy(() => forward(x)));
    this.held.hold(x);
    const weights = layers.flatMap((layer) => variablesOf(layer).filter((v): v is tf.Variable => v !== undefined));
    return {
      output,
      backward: (dy) => {
        const dx = tf.tidy(() => {
          const all = tf.grads((input: tf.Tensor, ..._weights: tf.Tensor[]) => forward(input))([x, ...weights], dy);
          weights.forEach((w, i) => {
            this.addGrad(w, tf.keep(all[i + 1] as tf.Tensor));
          });
          return all[0] as tf.Tensor;
        });
        dy.dispose();
        this.held.release(x);
        return dx;
      },
    };
  }

  /** Records a weight's gradient (kept past the tidy it was made in). */
  private addGrad(variable: tf.Variable, grad: tf.Tensor): void {
    if (this.grads.has(variable.name)) throw new TrainingError(`the weight ${variable.name} is used twice`);
    this.grads.set(variable.name, tf.keep(grad));
  }
}

/** How the pass runs one analyzer layer. */
function planOf(network: tf.LayersModel, node: LayerNode): LayerPlan {
  const layers = tfjsLayersOf(network, node);
  if (layers.length === 0) return { kind: 'identity', layers };
  const main = layers.find((l) => l.name === safeName(node.path));
  const className = main?.getClassName();
  if (node.spec.op === 'conv' && className === 'Conv2D' && layers.length <= 2 && (layers.length === 1 || layers[0]?.getClassName() === 'ZeroPadding2D')) {
    const dilation = main?.getConfig().dilationRate;
    if (dilation === undefined || dilation === 1 || (Array.isArray(dilation) && dilation.every((d) => d === 1))) return { kind: 'conv', layers };
  }
  if (node.spec.op === 'bn' && className === 'BatchNormalization' && layers.length === 1) return { kind: 'bn', layers };
  if (node.spec.op === 'relu' && className === 'ReLU' && layers.length === 1 && main?.getConfig().maxValue == null) return { kind: 'relu', layers };
  return { kind: 'generic', layers };
}

/** A layer's trainable variables in its own order (kernel then bias; gamma then beta), as the tensors the tape knows. */
function variablesOf(layer: tf.layers.Layer): (tf.Variable | undefined)[] {
  const named = new Map(layer.trainableWeights.map((w) => [w.originalName.slice(w.originalName.lastIndexOf('/') + 1), w.read() as tf.Variable]));
  switch (layer.getClassName()) {
    case 'Conv2D':
      return [named.get('kernel'), named.get('bias')];
    case 'BatchNormalization':
      return [named.get('gamma'), named.get('beta')];
    default:
      return layer.trainableWeights.map((w) => w.read() as tf.Variable);
  }
}

/** The top and left zero padding of a ZeroPadding2D layer. */
/** Padding of [N, H, W, C] as TF.js's convolutions take it: [before, after] per axis. */
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** A ZeroPadding2D layer's padding as a convolution's explicit padding (NHWC). */
function explicitPadding(pad: tf.layers.Layer): ExplicitPadding {
  const [[top, bottom], [left, right]] = pad.getConfig().padding as [[number, number], [number, number]];
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/** `t` summed over the axes where `shape` is 1 and `t` is not (the gradient of a broadcast). */
function sumToShape(t: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const axes = t.shape.flatMap((size, axis) => (shape[axis] === 1 && size !== 1 ? [axis] : []));
  return axes.length === 0 ? t : tf.sum(t, axes, true);
}

/** a + b, disposing both. */
function addInto(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const sum = tf.add(a, b);
  a.dispose();
  b.dispose();
  return sum;
}
