// What each shortcut option and bottleneck placement means (paper section 3.3), for hovers and
// completion alike.
import type { Downsample, ShortcutOption } from '../core/analysis/network';

export const shortcutMeanings: Readonly<Record<ShortcutOption, string>> = {
  A: 'identity; where the shape changes, subsample by the stride and zero-pad the new channels (no parameters)',
  B: 'identity; a 1×1 projection with BatchNorm only where the shape changes',
  C: 'a 1×1 projection with BatchNorm on every block',
  none: "no shortcut at all: the paper's plain network",
  identity: 'always an identity; a block that changes the shape is an error',
};

export const downsampleMeanings: Readonly<Record<Downsample, string>> = {
  v1: 'a downsampling bottleneck strides its first 1×1 convolution, as the paper does',
  'v1.5': 'a downsampling bottleneck strides its 3×3 convolution, as torchvision does: same parameters, more MACs, better accuracy',
};
