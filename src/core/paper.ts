// The paper's own models and the figures it reports for them (He et al. 2015, "Deep Residual
// Learning for Image Recognition"): Table 1 for ImageNet, Table 6 for CIFAR-10. A model is
// recognised by its architecture (input, classes, depth, parameter count), never by its name, so a
// renamed copy is still compared and a different network with a familiar name is not.
import type { ModelNode } from './analysis/network';

export type PaperDataset = 'imagenet' | 'cifar10';

export interface PaperModel {
  /** As the paper names it: "ResNet-50", "ResNet-110". */
  readonly name: string;
  readonly dataset: PaperDataset;
  /** Weighted layers on the main path: the number in the name. */
  readonly depth: number;
  readonly block: 'basic' | 'bottleneck';
  /** Blocks per stage (Table 1 for ImageNet; n, n, n for CIFAR's 6n+2 layers). */
  readonly blocksPerStage: readonly number[];
  /** Trainable parameters of the paper's architecture counted exactly (shared/reference/figures.md). */
  readonly exactParams: number;
  /** Table 1: "FLOPs" (multiply-adds), in units of 10⁹. */
  readonly table1Gflops?: number;
  /** Table 6: parameters, in millions, as printed. */
  readonly table6Mparams?: number;
  /** Table 6: CIFAR-10 test error, %. */
  readonly cifarTestError?: number;
  /** Table 6 also gives ResNet-110's mean ± std over 5 runs. */
  readonly cifarTestErrorMeanStd?: readonly [mean: number, std: number];
}

const imagenet = (depth: number, block: PaperModel['block'], blocksPerStage: number[], exactParams: number, table1Gflops: number): PaperModel => ({
  name: `ResNet-${depth}`,
  dataset: 'imagenet',
  depth,
  block,
  blocksPerStage,
  exactParams,
  table1Gflops,
});

const cifar = (n: number, exactParams: number, table6Mparams: number, cifarTestError: number): PaperModel => ({
  name: `ResNet-${6 * n + 2}`,
  dataset: 'cifar10',
  depth: 6 * n + 2,
  block: 'basic',
  blocksPerStage: [n, n, n],
  exactParams,
  table6Mparams,
  cifarTestError,
});

export const paperModels: readonly PaperModel[] = [
  imagenet(18, 'basic', [2, 2, 2, 2], 11_689_512, 1.8),
  imagenet(34, 'basic', [3, 4, 6, 3], 21_797_672, 3.6),
  imagenet(50, 'bottleneck', [3, 4, 6, 3], 25_557_032, 3.8),
  imagenet(101, 'bottleneck', [3, 4, 23, 3], 44_549_160, 7.6),
  imagenet(152, 'bottleneck', [3, 8, 36, 3], 60_192_808, 11.3),
  cifar(3, 269_722, 0.27, 8.75),
  cifar(5, 464_154, 0.46, 7.51),
  cifar(7, 658_586, 0.66, 7.17),
  cifar(9, 853_018, 0.85, 6.97),
  { ...cifar(18, 1_727_962, 1.7, 6.43), cifarTestErrorMeanStd: [6.61, 0.16] },
  cifar(200, 19_421_274, 19.4, 7.93),
];

export const datasetShapes: Readonly<Record<PaperDataset, { readonly input: readonly [number, number, number]; readonly classes: number }>> = {
  imagenet: { input: [224, 224, 3], classes: 1000 },
  cifar10: { input: [32, 32, 3], classes: 10 },
};

/**
 * How far a parameter count may stray and still be the paper's network: the shortcut options
 * (A, B, or plain) move it by under 2%; a different width (ResNeXt, Wide ResNet) moves it by more.
 */
const PARAMS_TOLERANCE = 0.02;

/** The paper's model this network is, judged by its architecture; undefined when none. */
export function findPaperModel(model: ModelNode): PaperModel | undefined {
  return paperModels.find((paper) => {
    const { input, classes } = datasetShapes[paper.dataset];
    return (
      model.input[0] === input[0] &&
      model.input[1] === input[1] &&
      model.input[2] === input[2] &&
      (model.classes ?? model.output[2]) === classes &&
      model.depth === paper.depth &&
      Math.abs(model.cost.params - paper.exactParams) <= PARAMS_TOLERANCE * paper.exactParams
    );
  });
}
