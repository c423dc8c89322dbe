// The memory the TF.js engine (src/training/tfjs/trainer.ts) holds at the peak of one training step.
// The engine's pass (src/training/tfjs/model/backprop.ts) runs the network layer by layer and keeps what
// each backward needs, as PyTorch does, but not the same tensors: a ReLU keeps its own output (TF.js
// has no in-place ReLU), a layer whose backward is not written out keeps its input and runs again
// in its backward, and each backward makes temporaries of its layer's size (a convolution its
// padded input and its input gradient before cropping, a BatchNorm three, a layer that runs again
// about three). So this walks the pass as it runs: the tensors kept at the end of the forward, then
// the backward in its order, freeing each kept tensor after its last reader, and takes the largest
// total. Checked against the real engine's `tf.profile` peak on wasm in
// test/training/tfjsMemory.test.ts and test/bench/tfjsMemory.bench.ts.
import { allLayers, type BlockNode, type LayerNode, type ModelNode, type NetworkNode, type Shortcut, type SplitNode } from '../analysis/network';
import type { Shape } from '../analysis/shape';
import type { TrainingMemory } from './trainingMemory';
import { optimizerStateCopies } from './trainingMemory';

const FLOAT32 = 4;

/** Temporaries of a backward beside its output gradient, in units of its layer's tensors (see the walk below). */
const TEMPORARIES = {
  /** moments' centred copy and square, then dy·a, x·b and their sum. */
  bnOutputs: 3,
  /** The mask and the product. */
  reluOutputs: 1,
  /** The forward run again under tf.grads, and its gradients: of the larger side. */
  rerunLargerSide: 3,
  /** A gate's dy·g and dy·x. */
  gateOutputs: 2,
} as const;

/**
 * Optimizer temporaries alive at the end of its per-variable `tf.tidy`, in copies of that variable
 * (src/training/tfjs/optimizer.ts): weight decay's λw and g + λw, then SGD's μb and lr·b (its b and
 * w − lr·b replace the old tensors), or Adam's eleven intermediates.
 */
function optimizerTemporaries(recipe: ModelNode['recipe']): number {
  const decay = recipe.weightDecay > 0 ? 2 : 0;
  if (recipe.optimizer === 'adam') return decay + 11;
  return decay + (recipe.momentum > 0 ? 2 : 1);
}

/** Parameters of the largest layer: the optimizer's temporaries are of one variable at a time. */
function largestLayerParams(model: ModelNode): number {
  let largest = 0;
  for (const stage of model.stages) for (const layer of allLayers(stage.nodes)) largest = Math.max(largest, layer.cost.params);
  return largest;
}

const bytesOf = (shape: Shape) => shape[0] * shape[1] * shape[2] * FLOAT32;

/** One backward of the pass: what it frees after it runs, and its own peak beside what is kept. */
interface BackwardStep {
  /** Bytes per sample alive during this backward beyond the kept tensors: its output gradient and temporaries. */
  readonly working: number;
  /** Kept tensors this backward reads (each freed after its last reader). */
  readonly reads: readonly number[];
  /** Parameters whose gradients exist from this backward on. */
  readonly params: number;
}

/** Per sample: the kept tensors at the end of the forward, and the backward steps in the order the pass runs them. */
function walkPass(model: ModelNode): { kept: Map<number, number>; backward: BackwardStep[] } {
  const kept = new Map<number, number>();
  let next = 1;
  /** The batch: counted as the input, not as a kept activation. */
  const BATCH = 0;
  interface Flow {
    readonly id: number;
    readonly bytes: number;
  }
  const fresh = (bytes: number): Flow => ({ id: next++, bytes });
  const keep = (flow: Flow) => {
    if (flow.id !== BATCH) kept.set(flow.id, flow.bytes);
    return flow.id;
  };
  // A forward builds a list of thunks run in reverse, like the pass's tape.
  type Tape = (() => BackwardStep[])[];

  const layer = (node: LayerNode, input: Flow, tape: Tape): Flow => {
    const s = node.spec;
    const inBytes = bytesOf(node.input);
    const outBytes = bytesOf(node.output);
    const params = node.cost.params;
    if (s.op === 'softmax') return input;
    if (s.op === 'conv' && s.groups === 1) {
      const reads = [keep(input)];
      const padded = (node.input[0] + 2 * s.padding[0]) * (node.input[1] + 2 * s.padding[1]) * node.input[2] * FLOAT32;
      const repadded = s.padding[0] > 0 || s.padding[1] > 0 ? padded : 0;
      // The filter gradient reads the padded input; the input gradient is made padded, then cropped
      // (a strided one as phases interleaved through one more copy). The batch's is not made.
      const inputGradient = input.id === BATCH ? inBytes : s.stride > 1 ? 2 * padded : padded + inBytes;
      tape.push(() => [{ working: outBytes + repadded + Math.max(padded + outBytes, inputGradient), reads, params }]);
      return fresh(outBytes);
    }
    if (s.op === 'bn') {
      const reads = [keep(input)];
      tape.push(() => [{ working: outBytes + (TEMPORARIES.bnOutputs + 1) * outBytes, reads, params }]);
      return fresh(outBytes);
    }
    if (s.op === 'relu') {
      const output = fresh(outBytes);
      const reads = [keep(output)];
      tape.push(() => [{ working: outBytes + (TEMPORARIES.reluOutputs + 1) * outBytes, reads, params }]);
      return output;
    }
    return rerun(inBytes, outBytes, params, input, tape);
  };

  /** A layer the pass runs again in its backward: keeps its input. */
  const rerun = (inBytes: number, outBytes: number, params: number, input: Flow, tape: Tape): Flow => {
    const reads = [keep(input)];
    tape.push(() => [{ working: outBytes + inBytes + TEMPORARIES.rerunLargerSide * Math.max(inBytes, outBytes), reads, params }]);
    return fresh(outBytes);
  };

  const nodes = (list: readonly NetworkNode[], input: Flow, tape: Tape): Flow => {
    let flow = input;
    for (const node of list) flow = node.kind === 'layer' ? layer(node, flow, tape) : node.kind === 'split' ? split(node, flow, tape) : block(node, flow, tape);
    return flow;
  };

  const sequence = (list: readonly NetworkNode[], input: Flow): { output: Flow; run: () => BackwardStep[] } => {
    const tape: Tape = [];
    const output = nodes(list, input, tape);
    return { output, run: () => tape.reduceRight<BackwardStep[]>((steps, step) => steps.concat(step()), []) };
  };

  const block = (node: BlockNode, input: Flow, tape: Tape): Flow => {
    const tapped = node.tap !== undefined ? sequence(node.branch.slice(0, node.tap), input) : undefined;
    const tappedOutput = tapped ? tapped.output : input;
    const rest = sequence(node.tap !== undefined ? node.branch.slice(node.tap) : node.branch, tappedOutput);
    const outBytes = bytesOf(node.output);
    let joined: Flow;
    let join: () => BackwardStep[];
    if (node.multiplies) {
      const reads = [keep(input), keep(rest.output)];
      joined = fresh(outBytes);
      join = () => [{ working: outBytes + TEMPORARIES.gateOutputs * outBytes, reads, params: 0 }, ...rest.run()];
    } else if (node.shortcut) {
      const shortcut = shortcutOf(node.shortcut, node.shortcut.kind === 'identity' ? input : tappedOutput, node.input, node.output);
      joined = fresh(outBytes);
      join = () => [...shortcut(), ...rest.run()];
    } else {
      joined = rest.output;
      join = rest.run;
    }
    const after = sequence(node.after, joined);
    tape.push(() => [...after.run(), ...join(), ...(tapped ? tapped.run() : [])]);
    return after.output;
  };

  /** A split: each group a fresh slice through its layers, a cascade's sum before them (keeping nothing), the outputs concatenated. */
  const split = (node: SplitNode, _input: Flow, tape: Tape): Flow => {
    const group = bytesOf(node.input) / node.groups;
    const columns = node.columns.map((column) => sequence(column, fresh(group)));
    const outBytes = bytesOf(node.output);
    // The backward splits the output gradient per group, and concatenates the groups' input gradients.
    tape.push(() => [{ working: outBytes + bytesOf(node.input) + group, reads: [], params: 0 }, ...columns.reduceRight<BackwardStep[]>((steps, column) => steps.concat(column.run()), [])]);
    return columns.length === 1 && columns[0] ? columns[0].output : fresh(outBytes);
  };

  const shortcutOf = (cut: Shortcut, input: Flow, inShape: Shape, outShape: Shape): (() => BackwardStep[]) => {
    if (cut.kind === 'identity') return () => [];
    if (cut.kind === 'zeropad') {
      const tape: Tape = [];
      rerun(bytesOf(inShape), bytesOf(outShape), 0, input, tape);
      return () => tape.flatMap((step) => step());
    }
    return sequence(cut.layers, input).run;
  };

  const all: Tape = [];
  let flow: Flow = { id: BATCH, bytes: bytesOf(model.input) };
  for (const stage of model.stages) flow = nodes(stage.nodes, flow, all);
  const backward = all.reduceRight<BackwardStep[]>((steps, step) => steps.concat(step()), []);
  return { kept, backward };
}

/** Bytes the TF.js pass holds at its peak for this batch, beyond weights, optimizer state and the batch itself. */
function passPeakBytes(model: ModelNode, batchSize: number): number {
  const { kept, backward } = walkPass(model);
  const left = new Map<number, number>();
  for (const step of backward) for (const id of step.reads) left.set(id, (left.get(id) ?? 0) + 1);
  let live = 0;
  for (const bytes of kept.values()) live += bytes;
  live *= batchSize;
  let gradients = 0;
  let peak = live;
  for (const step of backward) {
    gradients += step.params * FLOAT32;
    peak = Math.max(peak, live + step.working * batchSize + gradients);
    for (const id of step.reads) {
      const readersLeft = (left.get(id) ?? 1) - 1;
      left.set(id, readersLeft);
      if (readersLeft === 0) live -= (kept.get(id) ?? 0) * batchSize;
    }
  }
  return peak;
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
  // The pass's peak counts the gradients made so far; after it, all of them and the optimizer's temporaries.
  const pass = passPeakBytes(model, batchSize) - gradientsBytes;
  const optimizer = optimizerTemporaries(model.recipe) * largestLayerParams(model) * FLOAT32;
  const activationsBytes = Math.max(pass, optimizer);
  return { weightsBytes, gradientsBytes, optimizerBytes, activationsBytes, inputBytes, totalBytes: weightsBytes + gradientsBytes + optimizerBytes + activationsBytes + inputBytes };
}
