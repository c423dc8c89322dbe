// The paper's two residual blocks, built in, layer for layer as torchvision builds them:
// `basic` (two 3×3 convolutions, ResNet-18/34 and the CIFAR nets) and `bottleneck`
// (1×1, 3×3, 1×1 with expansion 4, ResNet-50/101/152; groups and base width give ResNeXt and
// Wide ResNet). And the two ready-made gates, `se` (Hu et al. 2018) and `eca` (Wang et al. 2020),
// as timm builds them.
import { msg } from '../l10n/format';
import type { ArgSpec } from './arguments';
import type { LayerSpec, NormChoice } from './network';
import { makeDivisible } from './scope';

export const BOTTLENECK_EXPANSION = 4;

export interface BuiltinBlock {
  readonly name: 'basic' | 'bottleneck' | 'se' | 'eca';
  readonly args: readonly ArgSpec[];
  readonly summary: string;
}

const stride: ArgSpec = { name: 'stride', type: 'int', positional: true, description: msg('arg.blockStride') };

export const builtinBlocks: ReadonlyMap<string, BuiltinBlock> = new Map<string, BuiltinBlock>([
  [
    'basic',
    {
      name: 'basic',
      summary: 'two 3×3 convolutions with BatchNorm and ReLU (paper Fig. 2 left); output channels = width',
      args: [{ name: 'width', type: 'int', positional: true, description: msg('arg.basicWidth') }, stride],
    },
  ],
  [
    'bottleneck',
    {
      name: 'bottleneck',
      summary: '1×1 reduce, 3×3, 1×1 expand ×4 (paper Fig. 5 right); output channels = 4 × planes',
      args: [
        { name: 'planes', type: 'int', positional: true, description: msg('arg.planes') },
        stride,
        { name: 'groups', type: 'int', description: msg('arg.bottleneckGroups') },
        { name: 'base_width', type: 'int', description: msg('arg.baseWidth') },
      ],
    },
  ],
  [
    'se',
    {
      name: 'se',
      summary: 'squeeze-and-excitation gate (Hu et al. 2018, as timm): x · sigmoid(fc2(relu(fc1(avgpool x)))), 1×1 convolutions with bias',
      args: [
        { name: 'reduction', type: 'int', positional: true, description: msg('arg.seReduction') },
        { name: 'divisor', type: 'int', description: msg('arg.seDivisor') },
        { name: 'squeeze', type: 'int', description: msg('arg.seSqueeze') },
      ],
    },
  ],
  [
    'eca',
    {
      name: 'eca',
      summary: 'efficient channel attention (Wang et al. 2020, as timm): x · sigmoid(conv1d_k(avgpool x)), k from log2 of the channels',
      args: [
        { name: 'kernel', type: 'int', positional: true, description: msg('arg.channelKernel') },
        { name: 'gamma', type: 'int', description: msg('arg.ecaGamma') },
        { name: 'beta', type: 'int', description: msg('arg.ecaBeta') },
      ],
    },
  ],
]);

/** The built-in blocks that are gates: the join multiplies instead of adding. */
export function isGateBlock(name: string): name is 'se' | 'eca' {
  return name === 'se' || name === 'eca';
}

/** SE's squeeze width as timm's SEModule: make_divisible(C / reduction, divisor), no 90% correction. */
export function seSqueeze(channels: number, reduction: number, divisor: number): number {
  return makeDivisible(channels / reduction, divisor, undefined, 0);
}

/** ECA's kernel as timm's EcaModule: t = ⌊|log2 C + beta| / gamma⌋, made odd, at least 3. */
export function ecaKernel(channels: number, gamma: number, beta: number): number {
  const t = Math.floor(Math.abs(Math.log2(channels) + beta) / gamma);
  return Math.max(t % 2 === 1 ? t : t + 1, 3);
}

/** The layers of a squeeze-and-excitation gate, named as timm's SEModule. */
export function seBranch(channels: number, squeeze: number): BranchLayer[] {
  const fc = (filters: number): LayerSpec => ({ op: 'conv', kernel: [1, 1], filters, stride: 1, padding: [0, 0], groups: 1, bias: true });
  return [
    { name: 'pool', spec: { op: 'globalavgpool' } },
    { name: 'fc1', spec: fc(squeeze) },
    { name: 'act', spec: { op: 'relu' } },
    { name: 'fc2', spec: fc(channels) },
    { name: 'gate', spec: { op: 'sigmoid' } },
  ];
}

/** The layers of an ECA gate, named as timm's EcaModule. */
export function ecaBranch(kernel: number): BranchLayer[] {
  return [
    { name: 'pool', spec: { op: 'globalavgpool' } },
    { name: 'conv', spec: { op: 'channelconv', kernel } },
    { name: 'gate', spec: { op: 'sigmoid' } },
  ];
}

export interface BranchLayer {
  readonly name: string;
  readonly spec: LayerSpec;
}

const relu: LayerSpec = { op: 'relu' };

/** A built-in block's norm layer (the model's `norm`): BatchNorm unless it says otherwise; none for `norm none`. */
function norm(name: string, choice: NormChoice): BranchLayer[] {
  return choice.op === 'none' ? [] : [{ name, spec: choice }];
}

function conv(kernel: number, filters: number, stride: number, groups = 1): LayerSpec {
  const pad = Math.floor((kernel - 1) / 2);
  return { op: 'conv', kernel: [kernel, kernel], filters, stride, padding: [pad, pad], groups, bias: false };
}

/** The residual branch of a basic block, up to the addition. */
export function basicBranch(width: number, stride: number, choice: NormChoice = { op: 'bn' }): BranchLayer[] {
  return [{ name: 'conv1', spec: conv(3, width, stride) }, ...norm('bn1', choice), { name: 'relu1', spec: relu }, { name: 'conv2', spec: conv(3, width, 1) }, ...norm('bn2', choice)];
}

/**
 * The residual branch of a bottleneck. Paper v1 strides the first 1×1; torchvision's v1.5 strides
 * the 3×3 (same parameters, more multiply-adds, better accuracy).
 */
export function bottleneckBranch(planes: number, stride: number, groups: number, baseWidth: number, downsample: 'v1' | 'v1.5', choice: NormChoice = { op: 'bn' }): BranchLayer[] {
  const width = Math.floor(planes * (baseWidth / 64)) * groups;
  const v1 = downsample === 'v1';
  return [
    { name: 'conv1', spec: conv(1, width, v1 ? stride : 1) },
    ...norm('bn1', choice),
    { name: 'relu1', spec: relu },
    { name: 'conv2', spec: conv(3, width, v1 ? 1 : stride, groups) },
    ...norm('bn2', choice),
    { name: 'relu2', spec: relu },
    { name: 'conv3', spec: conv(1, planes * BOTTLENECK_EXPANSION, 1) },
    ...norm('bn3', choice),
  ];
}
