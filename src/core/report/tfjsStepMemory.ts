// The memory the TF.js engine (src/training/trainer.ts) holds at the peak of one training step,
// which is not what PyTorch keeps: the step runs inside one `tf.tidy` and `tf.variableGrads`, so
// every tensor the forward and backward kernels make stays allocated until the backward pass ends.
// Per layer kind, the tensors alive at that peak, in units of the layer's own tensors, as TF.js
// 4.22's layers, gradients and our wasm kernels (src/training/wasmKernels.ts) make them (counted
// from `tf.profile`'s kernel list, one layer kind at a time): a BatchNorm in training makes about
// sixteen tensors of its size (the moments, the normalisation, and their gradients), a convolution
// four of its larger side plus its zero-padded input (and a strided one its padded gradient), a
// ReLU two, a residual add five. Checked against the real engine's `tf.profile` peak on wasm in
// test/training/tfjsMemory.test.ts and test/bench/tfjsMemory.bench.ts.
import type { LayerNode, ModelNode, NetworkNode, Shortcut } from '../analysis/network';
import type { Shape } from '../analysis/shape';
import type { TrainingMemory } from './trainingMemory';
import { optimizerStateCopies } from './trainingMemory';

const FLOAT32 = 4;

/** Tensors of a layer's size that its forward and backward kernels leave alive until the step ends. */
const KEPT = {
  /** Moments (mean, variance, squared difference), normalised output, and the gradients of each. */
  bnOutputs: 16,
  /** The output and the input gradient (the mask of the gradient reuses the output). */
  reluOutputs: 2,
  /** The sum, and each input's gradient with its reshape and broadcast copies. */
  addOutputs: 5,
  /** Output, the im2col-free gradients of input and filter, and their transposes: of the larger side. */
  convLargerSide: 4,
  /** A strided convolution's input gradient is made at the padded input's size, with a dilated copy. */
  stridedConvPaddedInputs: 2.5,
  /** Option A: the subsampled input, the padded output, and their gradients. */
  zeroPadOutputs: 2.5,
} as const;

/**
 * Optimizer temporaries alive at the end of its `tf.tidy`, per parameter, beside the gradients
 * (src/training/optimizer.ts): weight decay's λw and g + λw, then SGD's μb and lr·b (its b and
 * w − lr·b replace the old tensors), or Adam's eleven intermediates.
 */
function optimizerTemporaries(recipe: ModelNode['recipe']): number {
  const decay = recipe.weightDecay > 0 ? 2 : 0;
  if (recipe.optimizer === 'adam') return decay + 11;
  return decay + (recipe.momentum > 0 ? 2 : 1);
}

const bytesOf = (shape: Shape) => shape[0] * shape[1] * shape[2] * FLOAT32;

/** Bytes per sample the TF.js engine holds at the end of the backward pass, beyond weights and optimizer state. */
export function tfjsKeptPerSample(model: ModelNode): number {
  let total = bytesOf(model.input);
  const layer = (node: LayerNode) => {
    const input = bytesOf(node.input);
    const output = bytesOf(node.output);
    const s = node.spec;
    switch (s.op) {
      case 'conv': {
        const padded = (node.input[0] + 2 * s.padding[0]) * (node.input[1] + 2 * s.padding[1]) * node.input[2] * FLOAT32;
        if (s.padding[0] > 0 || s.padding[1] > 0) total += padded;
        total += KEPT.convLargerSide * Math.max(input, output);
        if (s.stride > 1 && (s.kernel[0] > 1 || s.kernel[1] > 1)) total += KEPT.stridedConvPaddedInputs * padded;
        return;
      }
      case 'bn':
        total += KEPT.bnOutputs * output;
        return;
      case 'relu':
        total += KEPT.reluOutputs * output;
        return;
      case 'maxpool':
      case 'avgpool': {
        // The padded copy and its gradient, and the pooled output (the pooling's gradient is the padded copy's).
        const padded = s.padding[0] > 0 || s.padding[1] > 0 ? (node.input[0] + 2 * s.padding[0]) * (node.input[1] + 2 * s.padding[1]) * node.input[2] * FLOAT32 : 0;
        total += 2 * padded + output;
        return;
      }
      case 'globalavgpool':
      case 'fc':
        total += input + output;
        return;
      case 'softmax':
        return;
    }
  };
  const shortcut = (cut: Shortcut, out: Shape) => {
    if (cut.kind === 'zeropad') total += KEPT.zeroPadOutputs * bytesOf(out);
    else if (cut.kind === 'layers') nodes(cut.layers);
  };
  const nodes = (list: readonly NetworkNode[]) => {
    for (const node of list) {
      if (node.kind === 'layer') {
        layer(node);
        continue;
      }
      if (node.kind === 'split') {
        // Each group's slice and its gradient, each cascade sum, the concatenation and its gradient.
        const group = bytesOf(node.input) / node.groups;
        for (const column of node.columns) nodes(column);
        total += 2 * group * node.groups + 2 * bytesOf(node.output);
        if (node.cascade) total += KEPT.addOutputs * group * Math.max(0, node.columns.length - (node.keep ? 2 : 1));
        continue;
      }
      nodes(node.branch);
      if (node.shortcut) {
        shortcut(node.shortcut, node.output);
        total += KEPT.addOutputs * bytesOf(node.output);
      }
      nodes(node.after);
    }
  };
  for (const stage of model.stages) nodes(stage.nodes);
  return total;
}

/** The largest batch whose TF.js training step fits in `budgetBytes`, or 0 when not even one image fits. */
export function tfjsLargestBatchThatFits(model: ModelNode, budgetBytes: number): number {
  const fits = (batch: number) => tfjsTrainingMemory(model, batch).totalBytes <= budgetBytes;
  if (!fits(1)) return 0;
  let low = 1;
  let high = 2;
  while (fits(high)) {
    low = high;
    high *= 2;
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle;
  }
  return low;
}

/**
 * The TF.js engine's peak during one training step, split as `trainingMemory` splits PyTorch's:
 * `activationsBytes` is everything the step holds beyond the weights, gradients, optimizer state
 * and the batch (the larger of the backward pass's tensors and the optimizer's temporaries).
 */
export function tfjsTrainingMemory(model: ModelNode, batchSize: number): TrainingMemory {
  const weightsBytes = (model.cost.params + model.cost.nonTrainable) * FLOAT32;
  const gradientsBytes = model.cost.params * FLOAT32;
  const optimizerBytes = optimizerStateCopies(model.recipe) * model.cost.params * FLOAT32;
  const inputBytes = bytesOf(model.input) * batchSize;
  const backward = tfjsKeptPerSample(model) * batchSize - inputBytes;
  const optimizer = optimizerTemporaries(model.recipe) * model.cost.params * FLOAT32;
  const activationsBytes = Math.max(backward, optimizer);
  return { weightsBytes, gradientsBytes, optimizerBytes, activationsBytes, inputBytes, totalBytes: weightsBytes + gradientsBytes + optimizerBytes + activationsBytes + inputBytes };
}
