// Small models several test suites share, written once.

/** A residual net small enough to train in seconds on 16×16×3 synthetic images (2 epochs). */
export const TINY_MODEL = `model tiny {
  input 16x16x3, classes 4
  shortcut A
  conv1 conv 3x3, 8, bn, relu
  s1    basic(8) x 1
  s2    basic(16) x 1, stride 2
  head  avgpool, fc 4
  train {
    batch 32
    sgd lr 0.05, momentum 0.9, weight_decay 1e-4
    epochs 2
    decay 0.1 at 1
    augment pad 2, crop 16, flip
  }
}`;

/** A stride-2 stage under `shortcut identity`: the addition cannot join 56×56×64 and 28×28×128 (line 8). */
export const BROKEN_SHORTCUT_MODEL = `model broken {
  input 224x224x3, classes 1000
  shortcut identity

  conv1    conv 7x7, 64, stride 2, bn, relu
           maxpool 3x3, stride 2
  conv2_x  basic(64) x 2
  conv3_x  basic(128) x 2, stride 2
  head     avgpool, fc 1000
}
`;

/** Small enough that a software GPU (SwiftShader, for the webgpu tests) trains it in seconds: option A shortcut, BN, pooling, fc. */
export const MICRO_MODEL = `model micro {
  input 8x8x3, classes 2
  shortcut A
  conv1 conv 3x3, 4, bn, relu
  s1    basic(4) x 1
  s2    basic(8) x 1, stride 2
  head  avgpool, fc 2
  train {
    batch 8
    sgd lr 0.1, momentum 0.9
    epochs 1
  }
}`;

/**
 * Every construct of issue 19 in one 16×16×3, 4-class network: the activations, GroupNorm and
 * LayerNorm, dropout, drop path on the model's schedule, layer scale, a pre-activation tap with a
 * projection without norm, the model's norm in basic and bottleneck blocks and their projection,
 * `add if_same`, a depthwise convolution with bias, a gate, se and eca, ceil pools and exclude_pad.
 */
export const EVERY_CONSTRUCT_MODEL = `block pre(w, stride = 1) {
  bn, relu
  tap
  conv 3x3, w, stride stride
  gn 4, relu6
  dropout 0.1
  conv 3x3, w
  add shortcut, norm none
}

block inv(out, stride = 1) {
  conv 1x1, in_channels * 2, bias, hardswish
  conv 3x3, in_channels * 2, stride stride, groups in_channels * 2, bias
  ln, gelu
  gate { avgpool, conv 1x1, 8, bias, silu, conv 1x1, in_channels * 2, bias, hardsigmoid }
  conv 1x1, out, bn
  layerscale 0.5
  droppath
  add if_same
}

model every {
  input 16x16x3, classes 4
  norm group 4
  drop_path 0.2

  stem  conv 3x3, 16, bn, relu
        maxpool 3x3, stride 2, pad 0, ceil
  s1    pre(16) x 1
  s2    pre(32) x 1, stride 2
  s3    basic(32) x 1
  s4    bottleneck(16) x 1
  s5    inv(32) x 2
  s6    inv(48) x 1, stride 2
  s7    se()
        eca()
        sigmoid
        avgpool 3x3, stride 2, pad 1, ceil, exclude_pad
  head  avgpool, dropout 0.2, fc 4
  train {
    batch 16
    sgd lr 0.02, momentum 0.9
    epochs 3
  }
}
`;

/**
 * Res2Net's constructs (issue 19) in a CIFAR-shaped net: stage-first blocks whose groups each run a
 * strided 3×3 and whose kept group is average-pooled (timm's 'stage' type), and blocks whose groups
 * cascade (each adds the previous group's output) with the last group kept as it is.
 */
export const RES2NET_MODEL = `block r2_stage(w, stride = 1) {
  conv 1x1, 4 * w, bn, relu
  split 4, keep {
    conv 3x3, w, stride stride, bn, relu
    keep avgpool 3x3, stride stride, pad 1
  }
  conv 1x1, 16 * w / 4, bn
  add shortcut
  relu
}

block r2(w) {
  conv 1x1, 4 * w, bn, relu
  split 4, cascade, keep {
    conv 3x3, w, bn, relu
  }
  conv 1x1, 16 * w / 4, bn
  add shortcut
  relu
}

model r2cifar {
  input 32x32x3, classes 10
  stem  conv 3x3, 16, bn, relu
  s1    r2_stage(4), r2(4)
  s2    r2_stage(8, stride 2), r2(8)
  head  avgpool, fc 10
  train {
    batch 16
    sgd lr 0.05, momentum 0.9
    epochs 3
  }
}
`;
