// Layer statistics (issue 24): which layers are measured, where each one's response is read, and
// at which steps. Both engines follow this one definition: the TF.js trainer directly, the PyTorch
// runner through its plan. What a measurement is:
// - one entry per convolution and per fully connected layer, in the network's order;
// - responseStd: the population standard deviation (over batch, height, width and channels) of
//   the layer's response, which for a convolution followed directly by a BatchNorm is that
//   BatchNorm's output (after BN, before the nonlinearity or the addition: the paper's Fig. 7),
//   otherwise the layer's own output;
// - gradNorm: the L2 norm of the gradient of the layer's own weights (kernel and bias together)
//   for the mean cross-entropy of the batch;
// - both on a fixed batch (the first `images` test images), with the network in inference mode
//   (BatchNorm with its moving statistics, no dropout or drop path), so that nothing of training
//   changes: no moving statistic, no random draw, no optimizer step.
import type { LayerStatsSetting } from '../core/analysis/recipe';
import type { ModelNode, NetworkNode } from '../core/analysis/network';

export interface LayerStatsTarget {
  /** The measured layer (its weights' gradient), named as the summary and the export name it. */
  readonly path: string;
  /** The layer whose output is its response: the BatchNorm right after a convolution, else itself. */
  readonly response: string;
  /** A convolution's response is what the paper's Fig. 7 plots; a fully connected layer's (the logits) is not. */
  readonly op: 'conv' | 'fc';
}

/** Without `every`, the steps measured besides each epoch's end: the first steps move fastest. */
export const EARLY_LAYER_STATS_STEPS: readonly number[] = [1, 10, 100];

/** The measured layers of `model`, in the network's order (that of the summary). */
export function layerStatsTargets(model: ModelNode): LayerStatsTarget[] {
  const targets: LayerStatsTarget[] = [];
  const visit = (nodes: readonly NetworkNode[]): void => {
    nodes.forEach((node, i) => {
      if (node.kind === 'split') {
        for (const column of node.columns) visit(column);
      } else if (node.kind === 'block') {
        visit(node.branch);
        if (node.shortcut?.kind === 'layers') visit(node.shortcut.layers);
        visit(node.after);
      } else if (node.spec.op === 'conv') {
        const next = nodes[i + 1];
        targets.push({ path: node.path, response: next?.kind === 'layer' && next.spec.op === 'bn' ? next.path : node.path, op: 'conv' });
      } else if (node.spec.op === 'fc') targets.push({ path: node.path, response: node.path, op: 'fc' });
    });
  };
  for (const stage of model.stages) visit(stage.nodes);
  return targets;
}

/** Whether the statistics are measured after step `step` (counted from 1): every `every` steps, or the early steps and each epoch's end; always after the last. */
export function layerStatsDue(setting: LayerStatsSetting | undefined, step: number, stepsPerEpoch: number, totalSteps: number): boolean {
  if (!setting) return false;
  if (step === totalSteps) return true;
  if (setting.every !== undefined) return step % setting.every === 0;
  return EARLY_LAYER_STATS_STEPS.includes(step) || step % stepsPerEpoch === 0;
}
