// The paper's two residual blocks, built in, layer for layer as torchvision builds them:
// `basic` (two 3×3 convolutions, ResNet-18/34 and the CIFAR nets) and `bottleneck`
// (1×1, 3×3, 1×1 with expansion 4, ResNet-50/101/152; groups and base width give ResNeXt and
// Wide ResNet).
import { msg } from '../l10n/format';
import type { ArgSpec } from './arguments';
import type { LayerSpec } from './network';

export const BOTTLENECK_EXPANSION = 4;

export interface BuiltinBlock {
  readonly name: 'basic' | 'bottleneck';
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
]);

export interface BranchLayer {
  readonly name: string;
  readonly spec: LayerSpec;
}

const bn: LayerSpec = { op: 'bn' };
const relu: LayerSpec = { op: 'relu' };

function conv(kernel: number, filters: number, stride: number, groups = 1): LayerSpec {
  const pad = Math.floor((kernel - 1) / 2);
  return { op: 'conv', kernel: [kernel, kernel], filters, stride, padding: [pad, pad], groups, bias: false };
}

/** The residual branch of a basic block, up to the addition. */
export function basicBranch(width: number, stride: number): BranchLayer[] {
  return [
    { name: 'conv1', spec: conv(3, width, stride) },
    { name: 'bn1', spec: bn },
    { name: 'relu1', spec: relu },
    { name: 'conv2', spec: conv(3, width, 1) },
    { name: 'bn2', spec: bn },
  ];
}

/**
 * The residual branch of a bottleneck. Paper v1 strides the first 1×1; torchvision's v1.5 strides
 * the 3×3 (same parameters, more multiply-adds, better accuracy).
 */
export function bottleneckBranch(planes: number, stride: number, groups: number, baseWidth: number, downsample: 'v1' | 'v1.5'): BranchLayer[] {
  const width = Math.floor(planes * (baseWidth / 64)) * groups;
  const v1 = downsample === 'v1';
  return [
    { name: 'conv1', spec: conv(1, width, v1 ? stride : 1) },
    { name: 'bn1', spec: bn },
    { name: 'relu1', spec: relu },
    { name: 'conv2', spec: conv(3, width, v1 ? 1 : stride, groups) },
    { name: 'bn2', spec: bn },
    { name: 'relu2', spec: relu },
    { name: 'conv3', spec: conv(1, planes * BOTTLENECK_EXPANSION, 1) },
    { name: 'bn3', spec: bn },
  ];
}
