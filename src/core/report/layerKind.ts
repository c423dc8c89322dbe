// A layer described in a few characters, for tables and hovers: `conv 3×3/2, 64`.
import type { LayerSpec, SplitNode } from '../analysis/network';

export function describeLayer(spec: LayerSpec): string {
  switch (spec.op) {
    case 'conv': {
      const parts = [`conv ${spec.kernel[0]}×${spec.kernel[1]}${spec.stride > 1 ? `/${spec.stride}` : ''}, ${spec.filters}`];
      if (spec.groups > 1) parts.push(`groups ${spec.groups}`);
      if (spec.bias) parts.push('bias');
      return parts.join(', ');
    }
    case 'maxpool':
    case 'avgpool':
      return `${spec.op} ${spec.kernel[0]}×${spec.kernel[1]}${spec.stride > 1 ? `/${spec.stride}` : ''}`;
    case 'fc':
      return `fc ${spec.units}`;
    default:
      return spec.op;
  }
}

/** `split 4, cascade, keep`: a split as it is written, for tables, hovers and the architecture view. */
export function describeSplit(split: Pick<SplitNode, 'groups' | 'cascade' | 'keep'>): string {
  return `split ${split.groups}${split.cascade ? ', cascade' : ''}${split.keep ? ', keep' : ''}`;
}
