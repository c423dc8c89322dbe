/**
 * Fast training kernels for the TF.js `wasm` backend (tfjs-backend-wasm 4.22).
 *
 * Out of the box the wasm backend cannot train a conv net: it has no
 * `Conv2DBackpropFilter` and no depthwise backward kernels, and its
 * `Conv2DBackpropInput` is a plain loop (~2 GMAC/s) while the forward `Conv2D`
 * (XNNPACK) runs at 15-20 GMAC/s on one thread. The backward convolutions are
 * therefore rewritten as forward XNNPACK convolutions plus cheap data movement:
 *
 *  - Conv2DBackpropFilter: where the output channels are a multiple of 4, a
 *    WebAssembly SIMD kernel of our own (kernels/filterGradient.ts); otherwise
 *    a forward convolution where the input channels play
 *    the batch, the batch plays the channels, dy is the (huge) kernel and the
 *    stride becomes the dilation; output [Ci, kH, kW, Co].
 *  - Conv2DBackpropInput: a forward convolution of dy with the flipped,
 *    in/out-swapped filter. Strides > 1 are split into stride^2 "phases"
 *    (sub-pixel convolutions with only the taps that reach each output phase),
 *    interleaved with two transposes: no zero-inserted dy, no wasted MACs.
 *  - DepthwiseConv2dNativeBackpropFilter/Input: the same two ideas with
 *    depthwise convolutions.
 *
 * A ResNet step also spends most of its non-conv time in batch-norm
 * arithmetic, where stock wasm kernels are slow; these are replaced too:
 *
 *  - Sum / Mean over a block of axes other than the last (BN statistics and
 *    gradients reduce NHWC over [0,1,2]): XNNPACK average pooling instead of
 *    transpose + reduce (10x).
 *  - Tile of [1,..,1,C] (the BN gradient tiles 1/sqrt(var)): outer product
 *    matmul instead of the ~20 M elements/s stock Tile (100x).
 *  - Multiply / Add / Sub of [..., C] by a per-channel vector, FusedBatchNorm:
 *    1x1 depthwise convolution with bias, the same arithmetic (bitwise equal
 *    results) 3-5x faster than the broadcasting loop.
 *  - Identity and same-dtype Cast: share the buffer by reference count, as the
 *    cpu backend does, instead of copying.
 *
 * XNNPACK pooling/depthwise clamp outputs with pmax(-inf, v), which turns NaN
 * into -inf. Kernels using them check their (reduced) output for -inf and then
 * redo the op with the stock kernel, so NaN/Inf propagate exactly as before.
 *
 * Kernel functions use the public tf ops (which dispatch to wasm kernels)
 * inside tf.tidy and return a Tensor; the engine accepts a Tensor as a kernel
 * output as-is, and the tape is off while a kernel runs (kernelDepth > 0).
 * Cases a fast path does not cover go to the kernel that was registered
 * before (remembered at registration).
 */
import * as tf from '@tensorflow/tfjs';
import { at } from '../../core/indexed';
import { filterGradientNHWC } from './kernels/filterGradient';

type Pair = [number, number];
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];
type PadAttr = 'valid' | 'same' | number | ExplicitPad;
type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;

const BACKEND = 'wasm';

interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

function pair(v: number | number[] | undefined, dflt: number): Pair {
  if (v == null) return [dflt, dflt];
  if (typeof v === 'number') return [v, v];
  const [first, second = first] = v;
  if (first === undefined || second === undefined) throw new Error('wasm training kernels: an empty stride or dilation list');
  return [first, second];
}

function isChannelsFirst(dataFormat: unknown): boolean {
  return dataFormat === 'NCHW' || dataFormat === 'channelsFirst';
}

/**
 * Geometry of a forward conv with NHWC input `xShape` and filter
 * `[kH,kW,*,*]`. The output size is taken from dy itself: tfjs-core's Conv2D
 * gradient does not forward `dimRoundingMode`, so with 'ceil' rounding the
 * recomputed output would be one row short of dy.
 */
function geometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  dyShape: readonly number[],
  strides: number | number[],
  pad: PadAttr,
  dimRoundingMode: RoundingMode,
  depthwise: boolean,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides as number | [number, number],
    1,
    pad as 'valid' | 'same' | number,
    dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: at(dyShape, 1, 'dy shape'),
    outW: at(dyShape, 2, 'dy shape'),
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    top: info.padInfo.top,
    bottom: info.padInfo.bottom,
    left: info.padInfo.left,
    right: info.padInfo.right,
  };
}

function assertNoDilation(dilations: number | number[] | undefined, kernel: string): void {
  const [dh, dw] = pair(dilations, 1);
  if (dh !== 1 || dw !== 1) {
    throw new Error(`${kernel} (wasm training kernels): dilations > 1 are not supported, got [${dh},${dw}]`);
  }
}

/**
 * Pads (positive amounts) or crops (negative amounts) the two spatial axes of
 * an NHWC tensor. Returns the tensor after cropping and the non-negative
 * padding left for the convolution to apply itself (so no padded copy is made).
 */
function cropForConv(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): { x: tf.Tensor4D; pad: ExplicitPad } {
  const [n, h, w, c] = x.shape;
  const ct = Math.max(0, -top);
  const cb = Math.max(0, -bottom);
  const cl = Math.max(0, -left);
  const cr = Math.max(0, -right);
  const cropped = ct + cb + cl + cr > 0 ? tf.slice(x, [0, ct, cl, 0], [n, h - ct - cb, w - cl - cr, c]) : x;
  return {
    x: cropped,
    pad: [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ],
  };
}

// ---------------------------------------------------------------------------
// Conv2DBackpropFilter
// ---------------------------------------------------------------------------

/**
 * dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*sH+kh-top, ow*sW+kw-left, ci] * dy[n,oh,ow,co]
 *
 * As a forward "valid" convolution: input xT = x^T [Ci, H, W, N] (batch = Ci,
 * channels = N), kernel dyT [OH, OW, N, Co], dilation = stride, padding as in
 * the forward pass (bottom/right adjusted so that exactly kH x kW outputs come
 * out), result [Ci, kH, kW, Co].
 */
export function conv2dBackpropFilterNHWC(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: readonly number[], strides: number | number[], pad: PadAttr, dimRoundingMode?: RoundingMode): tf.Tensor4D {
  return tf.tidy(() => {
    const g = geometry(x.shape, filterShape, dy.shape, strides, pad, dimRoundingMode, false);
    // 1x1 / stride 1 / no padding: a plain matmul x^T dy.
    if (g.kH === 1 && g.kW === 1 && g.sH === 1 && g.sW === 1 && g.top + g.bottom + g.left + g.right === 0) {
      const m = g.batch * g.outH * g.outW;
      const xT = tf.transpose(tf.reshape(x, [m, g.inC]));
      return tf.reshape(tf.matMul(xT, tf.reshape(dy, [m, g.outC])), [1, 1, g.inC, g.outC]) as tf.Tensor4D;
    }
    // Our own SIMD kernel where it applies (kernels/filterGradient.ts: 2-6× the convolution below).
    const direct = filterGradientNHWC(x, dy, g);
    if (direct) return direct;
    const needH = (g.outH - 1) * g.sH + g.kH;
    const needW = (g.outW - 1) * g.sW + g.kW;
    const { x: xc, pad: convPad } = cropForConv(x, g.top, needH - g.inH - g.top, g.left, needW - g.inW - g.left);
    const xT = tf.transpose(xc, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, H, W, N]
    // With a 1-wide kernel axis the dilation is irrelevant; keep it 1 there
    // (tf.conv2d requires strides or dilations to be 1, strides are 1 here).
    const dil: Pair = [g.outH > 1 ? g.sH : 1, g.outW > 1 ? g.sW : 1];
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [OH, OW, N, Co]
    const out = tf.conv2d(xT, dyT, 1, convPad, 'NHWC', dil); // [Ci, kH, kW, Co]
    return tf.transpose(out, [1, 2, 0, 3]);
  });
}

// ---------------------------------------------------------------------------
// Conv2DBackpropInput (and the depthwise variant) via phase decomposition
// ---------------------------------------------------------------------------

/**
 * One stride phase along one spatial axis. Output rows i = s*a + p receive
 * dy[a + c - j] * w[r + s*j] for j in [0, taps). As a correlation of dy with
 * the flipped sub-filter this needs padding `before` / `after` on dy to
 * produce `len` outputs.
 */
interface Phase {
  r: number;
  taps: number;
  before: number;
  after: number;
}

function phases(k: number, s: number, padBefore: number, outLen: number, len: number): Phase[] {
  const res: Phase[] = [];
  for (let p = 0; p < s; p++) {
    const r = (p + padBefore) % s;
    const taps = r >= k ? 0 : Math.ceil((k - r) / s);
    const c = (p + padBefore - r) / s;
    const before = taps - 1 - c;
    const after = len + taps - 1 - before - outLen;
    res.push({ r, taps, before, after });
  }
  return res;
}

/**
 * Shared driver: for every (ph, pw) phase, builds the flipped sub-filter,
 * runs `convPhase(dyCropped, subFilter, pad)` which must return
 * [N, lenH, lenW, Ci], and interleaves the phases (interleavePhases).
 * `filter` is [kH, kW, A, B] (A/B = Ci/Co, or Ci/multiplier for depthwise).
 */
function phaseBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry, convPhase: (dyPart: tf.Tensor4D, subFilter: tf.Tensor4D, pad: ExplicitPad) => tf.Tensor4D): tf.Tensor4D {
  const lenH = Math.ceil(g.inH / g.sH);
  const lenW = Math.ceil(g.inW / g.sW);
  const rows = phases(g.kH, g.sH, g.top, g.outH, lenH);
  const cols = phases(g.kW, g.sW, g.left, g.outW, lenW);
  const [kH, kW, a, b] = filter.shape;
  const parts: tf.Tensor4D[] = [];
  for (const ph of rows) {
    for (const pw of cols) {
      // No tap reaches this phase (kernel smaller than stride), or only rows of
      // dy that lie entirely in the padding do (pads larger than the kernel).
      const empty = ph.taps === 0 || pw.taps === 0 || g.outH + Math.min(0, ph.before) + Math.min(0, ph.after) <= 0 || g.outW + Math.min(0, pw.before) + Math.min(0, pw.after) <= 0;
      if (empty) {
        parts.push(tf.zeros([g.batch, lenH, lenW, g.inC]));
        continue;
      }
      let sub: tf.Tensor4D = filter;
      if (g.sH > 1 || g.sW > 1) {
        sub = tf.stridedSlice(filter, [ph.r, pw.r, 0, 0], [kH, kW, a, b], [g.sH, g.sW, 1, 1]) as tf.Tensor4D;
      }
      sub = tf.reverse(sub, [0, 1]);
      const { x: dyc, pad } = cropForConv(dy, ph.before, ph.after, pw.before, pw.after);
      parts.push(convPhase(dyc, sub, pad));
      // Free each phase's cropped dy at once: the training step's peak is often in this kernel.
      if (dyc !== dy) dyc.dispose();
    }
  }
  const [only] = parts;
  if (only !== undefined && parts.length === 1) {
    return only;
  }
  return interleavePhases(parts, g.batch, lenH, lenW, g.inC, g.sH, g.sW, g.inH, g.inW);
}

/**
 * out[n, sH*a + p, sW*b + q, c] = parts[p*sW + q][n, a, b, c], cropped to
 * [N, H, W, C]. Done with a 5-D and a 3-D transpose that the wasm Transpose
 * kernel handles quickly (BatchToSpaceND's rank-6 transpose is ~100x slower).
 */
function interleavePhases(parts: tf.Tensor4D[], n: number, lenH: number, lenW: number, c: number, sH: number, sW: number, h: number, w: number): tf.Tensor4D {
  // Each copy is freed as soon as the next exists, so the kernel holds two copies at most, not five.
  const joined = tf.concat(parts, 0);
  tf.dispose(parts);
  const stacked = tf.reshape(joined, [sH, sW, n * lenH, lenW, c]);
  joined.dispose();
  let y: tf.Tensor = stacked;
  if (sW > 1) {
    y = tf.transpose(stacked, [0, 2, 3, 1, 4]); // [sH, N*lenH, lenW, sW, C]
    stacked.dispose();
  }
  const rows = tf.reshape(y, [sH, n * lenH, lenW * sW * c]);
  y.dispose();
  y = rows;
  if (sH > 1) {
    y = tf.transpose(rows, [1, 0, 2]); // [N*lenH, sH, lenW*sW*C]
    rows.dispose();
  }
  const full = tf.reshape(y, [n, lenH * sH, lenW * sW, c]) as tf.Tensor4D;
  y.dispose();
  return h === lenH * sH && w === lenW * sW ? full : tf.slice(full, [0, 0, 0, 0], [n, h, w, c]);
}

export function conv2dBackpropInputNHWC(inputShape: readonly number[], dy: tf.Tensor4D, filter: tf.Tensor4D, strides: number | number[], pad: PadAttr, dimRoundingMode?: RoundingMode): tf.Tensor4D {
  return tf.tidy(() => {
    const g = geometry(inputShape, filter.shape, dy.shape, strides, pad, dimRoundingMode, false);
    return phaseBackpropInput(dy, filter, g, (dyc, sub, convPad) => {
      // [kh, kw, Ci, Co] -> [kh, kw, Co, Ci]
      const w = tf.transpose(sub, [0, 1, 3, 2]) as tf.Tensor4D;
      return tf.conv2d(dyc, w, 1, convPad, 'NHWC');
    });
  });
}

export function depthwiseBackpropInputNHWC(inputShape: readonly number[], dy: tf.Tensor4D, filter: tf.Tensor4D, strides: number | number[], pad: PadAttr, dimRoundingMode?: RoundingMode): tf.Tensor4D {
  return tf.tidy(() => {
    const g = geometry(inputShape, filter.shape, dy.shape, strides, pad, dimRoundingMode, true);
    const mult = filter.shape[3];
    return phaseBackpropInput(dy, filter, g, (dyc, sub, convPad) => {
      const [jh, jw] = sub.shape;
      // Channel ci*mult+m of dy is correlated with w[:, :, ci, m].
      const w = tf.reshape(sub, [jh, jw, g.inC * mult, 1]) as tf.Tensor4D;
      const y = tf.depthwiseConv2d(dyc, w, 1, convPad as unknown as 'valid');
      if (mult === 1) return y;
      const [n, h, wd] = y.shape;
      return tf.sum(tf.reshape(y, [n, h, wd, g.inC, mult]), 4) as tf.Tensor4D;
    });
  });
}

/**
 * dW[kh,kw,ci,m] = sum_{n,oh,ow} x[n, oh*s+kh-top, ow*s+kw-left, ci] * dy[n,oh,ow,ci*mult+m]
 *
 * A depthwise forward conv over a single "image" whose channels are (n, ci):
 * input [1, H, W, N*Ci], kernel dy as [OH, OW, N*Ci, mult], dilation = stride,
 * output [1, kH, kW, N*Ci*mult] summed over n.
 */
export function depthwiseBackpropFilterNHWC(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: readonly number[], strides: number | number[], pad: PadAttr, dimRoundingMode?: RoundingMode): tf.Tensor4D {
  return tf.tidy(() => {
    const g = geometry(x.shape, filterShape, dy.shape, strides, pad, dimRoundingMode, true);
    const mult = at(filterShape, 3, 'depthwise filter shape');
    const needH = (g.outH - 1) * g.sH + g.kH;
    const needW = (g.outW - 1) * g.sW + g.kW;
    const { x: xc, pad: convPad } = cropForConv(x, g.top, needH - g.inH - g.top, g.left, needW - g.inW - g.left);
    const [, hc, wc] = xc.shape;
    const xr = tf.reshape(tf.transpose(xc, [1, 2, 0, 3]), [1, hc, wc, g.batch * g.inC]) as tf.Tensor4D;
    const f = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [g.outH, g.outW, g.batch * g.inC, mult]) as tf.Tensor4D;
    const dil: Pair = [g.outH > 1 ? g.sH : 1, g.outW > 1 ? g.sW : 1];
    const out = tf.depthwiseConv2d(xr, f, 1, convPad as unknown as 'valid', 'NHWC', dil); // [1,kH,kW,N*Ci*mult]
    return tf.sum(tf.reshape(out, [g.kH, g.kW, g.batch, g.inC, mult]), 2) as tf.Tensor4D;
  });
}

// ---------------------------------------------------------------------------
// Sum / Mean over a contiguous block of axes that excludes the last one
// ---------------------------------------------------------------------------

/**
 * If the (sorted) reduction axes are a contiguous block [i..j] with j < rank-1
 * (batch-norm statistics reduce NHWC over [0,1,2], global average pooling over
 * [1,2]), returns the view [A, R, C] (A = dims before, R = reduced, C = dims
 * after); otherwise null (the stock kernel is fine, e.g. for last-axis sums).
 */
function blockReduction(shape: readonly number[], axis: number | number[] | undefined): [number, number, number] | null {
  if (shape.length < 2 || axis == null) return null;
  const axes = tf.util
    .parseAxisParam(axis, shape as number[])
    .slice()
    .sort((p, q) => p - q);
  const first = axes[0];
  const last = axes.at(-1);
  if (first === undefined || last === undefined) return null;
  if (last - first + 1 !== axes.length || last >= shape.length - 1) return null;
  const prod = (from: number, to: number) => shape.slice(from, to).reduce((p, q) => p * q, 1);
  return [prod(0, first), prod(first, last + 1), prod(last + 1, shape.length)];
}

/**
 * Mean (or sum) over the middle axis of the [A, R, C] view, as an XNNPACK
 * average pooling with an R x 1 window over a [A, R, 1, C] image. The stock
 * wasm Sum/Mean first transpose the reduced axes to the end (a full copy);
 * pooling reads the data once and accumulates in blocks (measured relative
 * error vs. float64 below the stock kernel's).
 */
function reduceBlock(x: tf.Tensor, view: [number, number, number], axes: number[], keepDims: boolean, mean: boolean): tf.Tensor | null {
  const [a, r, c] = view;
  const pooled = tf.tidy(() => tf.avgPool(tf.reshape(x, [a, r, 1, c]) as tf.Tensor4D, [r, 1], 1, 'valid'));
  if (clampedNaN(pooled)) {
    pooled.dispose();
    return null;
  }
  return tf.tidy(() => {
    const y = mean ? pooled : tf.mul(pooled, tf.scalar(r));
    const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const out = tf.reshape(y, outShape);
    pooled.dispose();
    return out;
  });
}

/**
 * XNNPACK pooling and depthwise kernels clamp their output with
 * pmax(-inf, v), which turns NaN into -inf (Conv2D/MatMul do not). A fast
 * path whose output contains -inf therefore may have swallowed a NaN; callers
 * then redo the op with the stock kernel so results stay identical to it.
 * `t` is small here (a reduction result) or is first reduced with a pooling
 * whose -inf/NaN behaviour is the same (any -inf or NaN input gives -inf).
 */
function clampedNaN(t: tf.Tensor): boolean {
  let vals: Float32Array;
  if (t.size > 4096) {
    const c = at(t.shape, t.rank - 1, 'probed shape');
    const r = t.size / c;
    const probe = tf.tidy(() => tf.avgPool(tf.reshape(t, [1, r, 1, c]) as tf.Tensor4D, [r, 1], 1, 'valid'));
    vals = probe.dataSync() as Float32Array;
    probe.dispose();
  } else {
    vals = t.dataSync() as Float32Array;
  }
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if (v === -Infinity || Number.isNaN(v)) return true;
  }
  return false;
}

function reduceKernel(args: KernelArgs, original: tf.KernelConfig | undefined, name: string, mean: boolean) {
  const x = input(args, 'x');
  const view = x.dtype === 'float32' ? blockReduction(x.shape, args.attrs.axis as number | number[]) : null;
  if (view == null) return fallback(args, original, name);
  const axes = tf.util.parseAxisParam(args.attrs.axis as number | number[], x.shape);
  return reduceBlock(x, view, axes, Boolean(args.attrs.keepDims), mean) ?? fallback(args, original, name);
}

// ---------------------------------------------------------------------------
// Tile (broadcast pattern), FusedBatchNorm, Identity / same-dtype Cast
// ---------------------------------------------------------------------------

/**
 * The batch-norm gradient tiles [1,1,1,C] up to [N,H,W,C]; the stock wasm
 * Tile does that at ~20 M elements/s. When every axis up to the last tiled
 * one has size 1, tiling is an outer product ones[R,1] x x[1,C] (exact).
 * Returns null when the pattern does not apply.
 */
function tileBroadcast(x: tf.Tensor, reps: readonly number[]): tf.Tensor | null {
  if (x.dtype !== 'float32' || reps.length !== x.shape.length) return null;
  let last = -1;
  for (let i = 0; i < reps.length; i++) if (reps[i] !== 1) last = i;
  if (last < 0) return null;
  for (let i = 0; i <= last; i++) if (x.shape[i] !== 1) return null;
  const r = reps.slice(0, last + 1).reduce((p, q) => p * q, 1);
  const outShape = x.shape.map((d, i) => d * at(reps, i, 'Tile reps'));
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([r, 1]), tf.reshape(x, [1, x.size])), outShape));
}

/**
 * Per-channel pattern of a binary op: one float32 operand `big` of rank >= 2
 * and one `small` operand whose only non-1 dim is the last one and equals
 * big's channel count (x * gamma, x - mean, dy * rsqrt(var) in batch norm).
 * The stock wasm kernels run these through a generic broadcasting loop; an
 * XNNPACK 1x1 depthwise convolution (optionally with bias) does the same
 * arithmetic - one multiply and/or one add per element, so results are
 * bitwise identical - about 4x faster.
 */
interface PerChannel {
  big: tf.Tensor;
  small: tf.Tensor;
  bigFirst: boolean;
}

const MIN_PER_CHANNEL_ELEMENTS = 1 << 14;

function perChannel(a: tf.Tensor, b: tf.Tensor): PerChannel | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  for (const [big, small, bigFirst] of [
    [a, b, true],
    [b, a, false],
  ] as const) {
    const c = big.shape.at(-1);
    if (c !== undefined && big.rank >= 2 && c > 1 && small.rank >= 1 && small.rank <= big.rank && small.size === c && small.shape[small.rank - 1] === c && big.size >= MIN_PER_CHANNEL_ELEMENTS) {
      return { big, small, bigFirst };
    }
  }
  return null;
}

/**
 * big * w + bias, per channel, via a 1x1 depthwise convolution. Returns null
 * (caller falls back to the stock kernel) when the output has -inf, which
 * might be a NaN clamped by XNNPACK.
 */
function channelAffine(big: tf.Tensor, w: tf.Tensor, bias: tf.Tensor | null): tf.Tensor | null {
  const y = tf.tidy(() => {
    const c = at(big.shape, big.rank - 1, 'per-channel shape');
    const x4 = tf.reshape(big, [1, big.size / c, 1, c]) as tf.Tensor4D;
    const filter = tf.reshape(w, [1, 1, c, 1]) as tf.Tensor4D;
    const out = bias == null ? tf.depthwiseConv2d(x4, filter, 1, 'valid') : tf.fused.depthwiseConv2d({ x: x4, filter, strides: 1, pad: 'valid', bias: rank1Copy(bias) });
    return tf.reshape(out, big.shape);
  });
  if (clampedNaN(y)) {
    y.dispose();
    return null;
  }
  return y;
}

/**
 * The wasm FusedDepthwiseConv2D checks the rank of the bias *buffer* (the
 * shape it was created with), so a reshaped [1,1,1,C] view is rejected; pass
 * a fresh rank-1 copy (C floats).
 */
function rank1Copy(t: tf.Tensor): tf.Tensor1D {
  return tf.tensor1d(t.dataSync() as Float32Array, 'float32');
}

/** Whether every value of a (small) tensor passes `test`. */
function everyValue(t: tf.Tensor, test: (v: number) => boolean): boolean {
  const v = t.dataSync();
  for (let i = 0; i < v.length; i++) if (!test(v[i] as number)) return false;
  return true;
}

function allFinite(t: tf.Tensor): boolean {
  return everyValue(t, Number.isFinite);
}

function binaryKernel(op: 'mul' | 'add' | 'sub'): Impl {
  return (args, original) => {
    const pc = perChannel(input(args, 'a'), input(args, 'b'));
    if (pc == null || !allFinite(pc.small)) return fallback(args, original, op);
    const c = pc.small.size;
    // mul: big * small;  add: big * 1 + small;
    // sub: big - small = big * 1 + (-small),  small - big = big * (-1) + small
    const { w, bias } = tf.tidy((): { w: tf.Tensor; bias?: tf.Tensor } => {
      if (op === 'mul') return { w: tf.clone(pc.small) };
      if (op === 'add') return { w: tf.ones([c]), bias: tf.clone(pc.small) };
      return pc.bigFirst ? { w: tf.ones([c]), bias: tf.neg(pc.small) } : { w: tf.fill([c], -1), bias: tf.clone(pc.small) };
    });
    try {
      return channelAffine(pc.big, w, bias ?? null) ?? fallback(args, original, op);
    } finally {
      tf.dispose(bias == null ? [w] : [w, bias]);
    }
  };
}

/**
 * FusedBatchNorm with per-channel statistics:
 * y = (x - mean) * a + offset,  a = scale / sqrt(variance + eps),
 * as two 1x1 depthwise convolutions with bias (x*1 + (-mean), then d*a +
 * offset); the stock kernel takes ~15x longer. Returns null to fall back.
 */
function batchNormImpl(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, offset: tf.Tensor | undefined, scale: tf.Tensor | undefined, eps: number): tf.Tensor | null {
  // A scalar x has no channels: c = 0 sends it to the stock kernel below.
  const c = x.shape.at(-1) ?? 0;
  const perCh = (t: tf.Tensor | undefined) => t == null || (t.size === c && t.shape[t.rank - 1] === c);
  if (x.dtype !== 'float32' || x.rank < 2 || c < 2 || x.size < MIN_PER_CHANNEL_ELEMENTS) return null;
  if (![mean, variance, offset, scale].every(perCh)) return null;
  const params = tf.tidy(() => {
    let a = tf.rsqrt(tf.add(tf.reshape(variance, [c]), tf.scalar(eps)));
    if (scale != null) a = tf.mul(a, tf.reshape(scale, [c]));
    const b = offset != null ? tf.reshape(offset, [c]) : tf.zeros([c]);
    return { a, b, m: tf.neg(tf.reshape(mean, [c])), one: tf.ones([c]) };
  });
  try {
    if (![params.a, params.b, params.m].every(allFinite)) return null;
    // A zero mean (the BatchNorm backward's per-channel affine map, backprop.ts): one pass, x·a + offset.
    if (everyValue(params.m, (v) => v === 0)) return channelAffine(x, params.a, params.b);
    const d = channelAffine(x, params.one, params.m);
    if (d == null) return null;
    const y = channelAffine(d, params.a, params.b);
    d.dispose();
    return y;
  } finally {
    tf.dispose([params.a, params.b, params.m, params.one]);
  }
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

interface KernelArgs {
  inputs: Record<string, tf.Tensor>;
  attrs: Record<string, unknown>;
  backend: unknown;
}

/** A kernel's named input; the engine passes every one a kernel declares, so a missing one is a bug. */
function input(args: Pick<KernelArgs, 'inputs'>, name: string): tf.Tensor {
  const t = args.inputs[name];
  if (t === undefined) throw new Error(`wasm training kernels: no input ${name}`);
  return t;
}

type Impl = (args: KernelArgs, original: tf.KernelConfig | undefined) => tf.Tensor | tf.TensorInfo;

function toNHWC(t: tf.Tensor4D, channelsFirst: boolean): tf.Tensor4D {
  return channelsFirst ? tf.transpose(t, [0, 2, 3, 1]) : t;
}

function shapeToNHWC(s: readonly number[], channelsFirst: boolean): number[] {
  return channelsFirst ? [at(s, 0, 'NCHW shape'), at(s, 2, 'NCHW shape'), at(s, 3, 'NCHW shape'), at(s, 1, 'NCHW shape')] : [...s];
}

const impls: Record<string, Impl> = {
  Conv2DBackpropFilter: ({ inputs, attrs }) => {
    const cf = isChannelsFirst(attrs.dataFormat);
    return tf.tidy(() =>
      conv2dBackpropFilterNHWC(
        toNHWC(input({ inputs }, 'x') as tf.Tensor4D, cf),
        toNHWC(input({ inputs }, 'dy') as tf.Tensor4D, cf),
        attrs.filterShape as number[],
        attrs.strides as number | number[],
        attrs.pad as PadAttr,
        attrs.dimRoundingMode as RoundingMode,
      ),
    );
  },
  Conv2DBackpropInput: ({ inputs, attrs }) => {
    const cf = isChannelsFirst(attrs.dataFormat);
    return tf.tidy(() => {
      const dx = conv2dBackpropInputNHWC(
        shapeToNHWC(attrs.inputShape as number[], cf),
        toNHWC(input({ inputs }, 'dy') as tf.Tensor4D, cf),
        input({ inputs }, 'filter') as tf.Tensor4D,
        attrs.strides as number | number[],
        attrs.pad as PadAttr,
        attrs.dimRoundingMode as RoundingMode,
      );
      return cf ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
    });
  },
  DepthwiseConv2dNativeBackpropFilter: ({ inputs, attrs }) => {
    assertNoDilation(attrs.dilations as number[], 'DepthwiseConv2dNativeBackpropFilter');
    return depthwiseBackpropFilterNHWC(
      input({ inputs }, 'x') as tf.Tensor4D,
      input({ inputs }, 'dy') as tf.Tensor4D,
      attrs.filterShape as number[],
      attrs.strides as number | number[],
      attrs.pad as PadAttr,
      attrs.dimRoundingMode as RoundingMode,
    );
  },
  DepthwiseConv2dNativeBackpropInput: ({ inputs, attrs }) => {
    assertNoDilation(attrs.dilations as number[], 'DepthwiseConv2dNativeBackpropInput');
    return depthwiseBackpropInputNHWC(
      attrs.inputShape as number[],
      input({ inputs }, 'dy') as tf.Tensor4D,
      input({ inputs }, 'filter') as tf.Tensor4D,
      attrs.strides as number | number[],
      attrs.pad as PadAttr,
      attrs.dimRoundingMode as RoundingMode,
    );
  },
  Tile: (args, original) => {
    return tileBroadcast(input(args, 'x'), args.attrs.reps as number[]) ?? fallback(args, original, 'Tile');
  },
  FusedBatchNorm: (args, original) => {
    const { offset, scale } = args.inputs;
    const eps = args.attrs.varianceEpsilon as number | undefined;
    return batchNormImpl(input(args, 'x'), input(args, 'mean'), input(args, 'variance'), offset, scale, eps ?? 0.001) ?? fallback(args, original, 'FusedBatchNorm');
  },
  // The stock wasm Identity (used by tf.clone, saved tensors, Keras layers)
  // and same-dtype Cast copy the buffer; share it by reference count instead,
  // like the cpu backend does. No wasm kernel writes into its inputs.
  Identity: (args) => shareData(args),
  Cast: (args, original) => {
    const x = input(args, 'x');
    return x.dtype === args.attrs.dtype && x.dtype !== 'string' ? shareData(args) : fallback(args, original, 'Cast');
  },
  // The stock wasm MaxPoolGrad sends some gradients to the wrong place (a 9×9 input pooled 2×2/2,
  // or a ceil-mode pool's padded 6×6): each window's gradient goes to its first largest input here.
  MaxPoolGrad: ({ inputs, attrs }) => maxPoolGradNHWC(input({ inputs }, 'input') as tf.Tensor4D, input({ inputs }, 'dy') as tf.Tensor4D, attrs),
  Multiply: binaryKernel('mul'),
  Add: binaryKernel('add'),
  Sub: binaryKernel('sub'),
  Sum: (args, original) => reduceKernel(args, original, 'Sum', false),
  Mean: (args, original) => reduceKernel(args, original, 'Mean', true),
};

/** Max pooling's input gradient: each output's gradient added to the first largest input of its window (padding excluded). */
function maxPoolGradNHWC(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: KernelArgs['attrs']): tf.Tensor {
  const info = tf.backend_util.computePool2DInfo(
    x.shape,
    attrs.filterSize as number | [number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as PadAttr,
    attrs.dimRoundingMode as RoundingMode,
  );
  const [n, h, w, c] = x.shape;
  const xs = x.dataSync();
  const dys = dy.dataSync();
  const dx = new Float32Array(xs.length);
  const { outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - left;
        for (let ch = 0; ch < c; ch++) {
          let best = -1;
          let bestValue = Number.NEGATIVE_INFINITY;
          for (let i = Math.max(0, h0); i < Math.min(h, h0 + filterHeight); i++) {
            for (let j = Math.max(0, w0); j < Math.min(w, w0 + filterWidth); j++) {
              const at = ((b * h + i) * w + j) * c + ch;
              const value = xs[at] as number;
              if (best < 0 || value > bestValue || Number.isNaN(value)) {
                best = at;
                bestValue = value;
                if (Number.isNaN(value)) break;
              }
            }
          }
          if (best >= 0) dx[best] = (dx[best] as number) + (dys[((b * outHeight + oh) * outWidth + ow) * c + ch] as number);
        }
      }
    }
  }
  return tf.tensor4d(dx, [n, h, w, c]);
}

interface RefCountingBackend {
  incRef(dataId: object): void;
}

function shareData(args: KernelArgs): tf.TensorInfo {
  const x = input(args, 'x');
  (args.backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function fallback(args: KernelArgs, original: tf.KernelConfig | undefined, name: string): tf.TensorInfo {
  if (original == null) throw new Error(`wasm training kernels: no fallback for ${name}`);
  return original.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

/** Kernels this module registers for 'wasm'. */
export const WASM_TRAINING_KERNELS: readonly string[] = Object.keys(impls);

const originals = new Map<string, tf.KernelConfig | undefined>();
let registered = false;

/**
 * Registers (idempotently) the fast training kernels for the 'wasm' backend,
 * replacing built-in ones where they exist (the originals are remembered and
 * used as fallbacks for cases not handled here).
 */
export function registerWasmTrainingKernels(names: readonly string[] = WASM_TRAINING_KERNELS): void {
  if (registered) return;
  if (tf.getKernel('Conv2D', BACKEND) == null) {
    // Registering first would make the wasm package's own registration (on
    // import) replace ours and leave us without the stock kernels to fall back to.
    throw new Error("registerWasmTrainingKernels: import '@tensorflow/tfjs-backend-wasm' first");
  }
  for (const name of names) {
    const impl = impls[name];
    if (impl == null) throw new Error(`wasm training kernels: unknown kernel ${name}`);
    const original = tf.getKernel(name, BACKEND);
    originals.set(name, original);
    if (original != null) tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({
      kernelName: name,
      backendName: BACKEND,
      kernelFunc: ((args: KernelArgs) => impl(args, original)) as unknown as tf.KernelFunc,
      // The stock wasm kernels bind their C functions in setupFunc, which the
      // engine runs when the backend starts; keep it so that fallbacks work
      // when we are registered before tf.setBackend('wasm').
      ...(original?.setupFunc && { setupFunc: original.setupFunc }),
      ...(original?.disposeFunc && { disposeFunc: original.disposeFunc }),
    });
  }
  registered = true;
}

/** Restores the kernels that were registered before (for benchmarks/tests). */
export function unregisterWasmTrainingKernels(): void {
  if (!registered) return;
  for (const [name, original] of originals) {
    tf.unregisterKernel(name, BACKEND);
    if (original != null) tf.registerKernel(original);
  }
  originals.clear();
  registered = false;
}

export function wasmTrainingKernelsRegistered(): boolean {
  return registered;
}
