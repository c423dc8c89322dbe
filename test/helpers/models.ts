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
