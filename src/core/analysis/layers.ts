// One layer: its arguments, output shape and cost (conventions in shared/reference/figures.md).
import { msg } from '../l10n/format';
import type { LayerItem, SourceRange } from '../language/ast';
import { bindArgs, numberWritten, type ArgSpec } from './arguments';
import type { AnalysisContext } from './context';
import { ACTIVATION_OPS, type ActivationOp, type Cost, type LayerNode, type LayerSpec } from './network';
import { fixFor, type Scope } from './scope';
import { formatShape, shapeElements, windowOutputSize, type Shape } from './shape';

const kernel: ArgSpec = { name: 'kernel', type: 'kernel', positional: true, description: msg('arg.kernel') };
const stride: ArgSpec = { name: 'stride', type: 'int', positional: true, description: msg('arg.layerStride') };
const pad: ArgSpec = { name: 'pad', type: 'int', description: msg('arg.pad') };

const ceil: ArgSpec = { name: 'ceil', type: 'flag', description: msg('arg.ceil') };
const eps: ArgSpec = { name: 'eps', type: 'number', description: msg('arg.eps') };

export const layerArgs: Record<LayerItem['op'], readonly ArgSpec[]> = {
  conv: [
    kernel,
    { name: 'filters', type: 'int', positional: true, description: msg('arg.filters') },
    stride,
    pad,
    { name: 'groups', type: 'int', description: msg('arg.groups') },
    { name: 'bias', type: 'flag', description: msg('arg.convBias') },
  ],
  bn: [],
  relu: [],
  maxpool: [kernel, stride, pad, ceil],
  avgpool: [kernel, stride, pad, ceil, { name: 'exclude_pad', type: 'flag', description: msg('arg.excludePad') }],
  globalavgpool: [],
  fc: [
    { name: 'units', type: 'int', positional: true, description: msg('arg.units') },
    { name: 'bias', type: 'flag', description: msg('arg.fcBias') },
  ],
  softmax: [],
  relu6: [],
  sigmoid: [],
  hardsigmoid: [],
  silu: [],
  swish: [],
  hardswish: [],
  gelu: [],
  gn: [{ name: 'groups', type: 'int', positional: true, description: msg('arg.normGroups') }, eps],
  ln: [eps],
  dropout: [{ name: 'rate', type: 'number', positional: true, description: msg('arg.dropRate') }],
  droppath: [{ name: 'rate', type: 'number', positional: true, description: msg('arg.dropPathRate') }],
  layerscale: [{ name: 'init', type: 'number', positional: true, description: msg('arg.layerScaleInit') }],
  channelconv: [{ name: 'kernel', type: 'int', positional: true, description: msg('arg.channelKernel') }],
  tap: [],
};

/** GroupNorm's default: 32 groups, as Wu & He 2018 and torchvision's ResNets with GroupNorm. */
export const DEFAULT_GN_GROUPS = 32;

/** Builds a layer from its spec, checking that it fits its input. Undefined after an error. */
export function makeLayer(spec: LayerSpec, input: Shape, path: string, range: SourceRange, ctx: AnalysisContext): LayerNode | undefined {
  const [h, w, c] = input;
  let output: Shape;
  let params = 0;
  let nonTrainable = 0;
  let macs = 0;
  switch (spec.op) {
    case 'conv': {
      const [kh, kw] = spec.kernel;
      if (c % spec.groups !== 0 || spec.filters % spec.groups !== 0) {
        ctx.error('groups', range, msg('shape.groups', { groups: spec.groups, channels: c, filters: spec.filters }));
        return undefined;
      }
      const out = windowed(input, spec.kernel, spec.stride, spec.padding, range, ctx);
      if (!out) return undefined;
      output = [out[0], out[1], spec.filters];
      const perFilter = (c / spec.groups) * kh * kw;
      params = spec.filters * perFilter + (spec.bias ? spec.filters : 0);
      macs = out[0] * out[1] * spec.filters * perFilter;
      break;
    }
    case 'bn':
      output = input;
      params = 2 * c;
      nonTrainable = 2 * c;
      break;
    case 'gn':
      if (c % spec.groups !== 0) {
        ctx.error('groups', range, msg('shape.normGroups', { groups: spec.groups, channels: c }));
        return undefined;
      }
      output = input;
      params = 2 * c;
      break;
    case 'ln':
      output = input;
      params = 2 * c;
      break;
    case 'layerscale':
      output = input;
      params = c;
      break;
    case 'channelconv':
      if (h !== 1 || w !== 1) {
        ctx.error('argument', range, msg('shape.channelConvInput', { input: formatShape(input) }));
        return undefined;
      }
      output = input;
      params = spec.kernel;
      macs = c * spec.kernel;
      break;
    case 'relu':
    case 'softmax':
    case 'relu6':
    case 'sigmoid':
    case 'hardsigmoid':
    case 'silu':
    case 'hardswish':
    case 'gelu':
    case 'dropout':
    case 'droppath':
      output = input;
      break;
    case 'maxpool':
    case 'avgpool': {
      const out = windowed(input, spec.kernel, spec.stride, spec.padding, range, ctx, spec.ceil);
      if (!out) return undefined;
      output = [out[0], out[1], c];
      break;
    }
    case 'globalavgpool':
      output = [1, 1, c];
      break;
    case 'fc': {
      const inputs = h * w * c;
      output = [1, 1, spec.units];
      params = inputs * spec.units + (spec.bias ? spec.units : 0);
      macs = inputs * spec.units;
      break;
    }
  }
  const cost: Cost = { params, nonTrainable, macs, activations: shapeElements(output) };
  if (!exactCost(cost, range, 'this layer', ctx)) return undefined;
  warnOddStride(spec, input, range, ctx);
  return { kind: 'layer', path, spec, input, output, cost, range };
}

/**
 * Counts are JavaScript numbers, exact up to 2^53 (MAX_SAFE_INTEGER); past it they round and
 * would print wrong digits. A count that large is no network anyone trains, so it is refused.
 */
export function exactCost(cost: Cost, range: SourceRange, what: string, ctx: AnalysisContext): boolean {
  const counts: [number, string][] = [
    [cost.params, 'parameters'],
    [cost.macs, 'multiply-accumulates'],
    [cost.activations, 'activation elements'],
  ];
  const inexact = counts.find(([n]) => !Number.isSafeInteger(n));
  if (!inexact) return true;
  ctx.error(
    'too-large',
    range,
    `${what} has about ${inexact[0].toExponential(2)} ${inexact[1]}, past 2^53 (${Number.MAX_SAFE_INTEGER.toLocaleString('en-US')}), beyond which counts cannot be exact; make it smaller`,
  );
  return false;
}

function windowed(
  input: Shape,
  kernelSize: readonly [number, number],
  step: number,
  padding: readonly [number, number],
  range: SourceRange,
  ctx: AnalysisContext,
  ceilMode = false,
): [number, number] | undefined {
  const oh = windowOutputSize(input[0], kernelSize[0], step, padding[0], ceilMode);
  const ow = windowOutputSize(input[1], kernelSize[1], step, padding[1], ceilMode);
  if (oh < 1 || ow < 1) {
    ctx.error(
      'zero-size',
      range,
      msg('shape.zeroSize', {
        height: Math.max(oh, 0),
        width: Math.max(ow, 0),
        kernelHeight: kernelSize[0],
        kernelWidth: kernelSize[1],
        stride: step,
        padding: padding[0],
        input: formatShape(input),
      }),
    );
    return undefined;
  }
  return [oh, ow];
}

/**
 * Input rows (or columns) at the end that no window reads: the windows start at 0, s, 2s, … of the
 * padded input and each covers max(k, s) rows of its stride cell (rows a 1×1 stride-2 window skips
 * inside its cell are subsampling by design, not loss). Whatever real row lies past the last cell
 * is never read.
 */
export function unreadTail(size: number, kernel: number, stride: number, padding: number): number {
  const windows = windowOutputSize(size, kernel, stride, padding);
  if (windows < 1) return 0;
  const covered = (windows - 1) * stride + Math.max(kernel, stride);
  return Math.max(0, padding + size - covered);
}

function warnOddStride(spec: LayerSpec, input: Shape, range: SourceRange, ctx: AnalysisContext): void {
  if (!('stride' in spec) || spec.stride < 2 || ('ceil' in spec && spec.ceil)) return;
  const [h, w] = input;
  const rows = unreadTail(h, spec.kernel[0], spec.stride, spec.padding[0]);
  const columns = unreadTail(w, spec.kernel[1], spec.stride, spec.padding[1]);
  if (rows === 0 && columns === 0) return;
  const last = (n: number, what: 'row' | 'column') => msg(`term.last.${what}.${n === 1 ? 'one' : 'other'}`, { count: n });
  const lost = rows > 0 && columns > 0 ? msg('term.rowsAndColumns', { rows: last(rows, 'row'), columns: last(columns, 'column') }) : rows > 0 ? last(rows, 'row') : last(columns, 'column');
  ctx.warning('odd-stride', range, msg('shape.oddStride', { stride: spec.stride, kernelHeight: spec.kernel[0], kernelWidth: spec.kernel[1], padding: spec.padding[0], height: h, width: w, lost }));
}

/** Reads a layer line (`conv 3x3, 64, stride 2`) into a spec. Undefined after an error. */
export function layerSpecFromItem(item: LayerItem, classes: number | undefined, scope: Scope, ctx: AnalysisContext): LayerSpec | undefined {
  const what = msg('term.code', { name: item.op });
  const args = bindArgs(item.args, layerArgs[item.op], what, scope, ctx);
  const rate = (name: string, fallback: number | undefined): number | undefined => {
    const v = args.number(name) ?? fallback;
    if (v !== undefined && (v < 0 || v >= 1)) {
      ctx.error('argument', args.range(name) ?? item.range, msg('argument.rate', { name, what, value: v }));
      return undefined;
    }
    return v;
  };
  const epsilon = (fallback: number): number | undefined => {
    const v = args.number('eps') ?? fallback;
    if (v <= 0) {
      ctx.error('argument', args.range('eps') ?? item.range, msg('argument.positive', { name: 'eps', what, value: v }));
      return undefined;
    }
    return v;
  };
  const positive = (name: string, fallback: number | undefined, min = 1): number | undefined => {
    const v = args.number(name) ?? fallback;
    if (v !== undefined && v < min) {
      ctx.error('argument', args.range(name) ?? item.range, msg('argument.atLeast', { name, what, min, value: v }));
      return undefined;
    }
    return v;
  };
  switch (item.op) {
    case 'conv': {
      const k = args.pair('kernel');
      const filters = positive('filters', undefined);
      if (!k || filters === undefined) {
        if (!args.has('kernel') || !args.has('filters')) {
          ctx.error('argument', item.range, msg('argument.convNeeds'));
        }
        return undefined;
      }
      const kernelSize: [number, number] = [k[0], k[1]];
      const s = positive('stride', 1);
      const p = positive('pad', undefined, 0);
      const groups = positive('groups', 1);
      if (s === undefined || groups === undefined || (args.has('pad') && p === undefined)) return undefined;
      return {
        op: 'conv',
        kernel: kernelSize,
        filters,
        stride: s,
        padding: p === undefined ? defaultPadding(kernelSize) : [p, p],
        groups,
        bias: args.flag('bias') ?? false,
      };
    }
    case 'maxpool':
    case 'avgpool': {
      const k = args.pair('kernel');
      if (!k) {
        if (item.op === 'avgpool' && item.args.length === 0) return { op: 'globalavgpool' };
        if (!args.has('kernel')) ctx.error('argument', item.range, msg('argument.windowNeeds', { op: item.op }));
        return undefined;
      }
      const kernelSize: [number, number] = [k[0], k[1]];
      const s = positive('stride', Math.max(kernelSize[0], kernelSize[1]));
      const p = positive('pad', undefined, 0);
      if (s === undefined || (args.has('pad') && p === undefined)) return undefined;
      return {
        op: item.op,
        kernel: kernelSize,
        stride: s,
        padding: p === undefined ? defaultPadding(kernelSize) : [p, p],
        ceil: args.flag('ceil') ?? false,
        excludePad: item.op === 'avgpool' && (args.flag('exclude_pad') ?? false),
      };
    }
    case 'fc': {
      const units = positive('units', classes);
      if (units === undefined) {
        if (!args.has('units')) ctx.error('argument', item.range, msg('argument.fcNeeds'));
        return undefined;
      }
      return { op: 'fc', units, bias: args.flag('bias') ?? true };
    }
    case 'bn':
    case 'relu':
    case 'globalavgpool':
    case 'softmax':
      return { op: item.op };
    case 'swish':
      return { op: 'silu' };
    case 'tap':
      // Not a layer: the expander reads it (where a projection shortcut starts).
      return undefined;
    case 'relu6':
    case 'sigmoid':
    case 'hardsigmoid':
    case 'silu':
    case 'hardswish':
    case 'gelu':
      return { op: item.op };
    case 'gn': {
      const groups = positive('groups', DEFAULT_GN_GROUPS);
      const e = epsilon(1e-5);
      return groups === undefined || e === undefined ? undefined : { op: 'gn', groups, eps: e };
    }
    case 'ln': {
      const e = epsilon(1e-6);
      return e === undefined ? undefined : { op: 'ln', eps: e };
    }
    case 'dropout': {
      const r = rate('rate', undefined);
      if (r === undefined) {
        if (!args.has('rate')) ctx.error('argument', item.range, msg('argument.dropoutNeeds'));
        return undefined;
      }
      return { op: 'dropout', rate: r };
    }
    case 'droppath': {
      if (!args.has('rate')) return item.args.length === 0 ? { op: 'droppath' } : undefined;
      const r = rate('rate', undefined);
      return r === undefined ? undefined : { op: 'droppath', rate: r };
    }
    case 'layerscale': {
      const init = args.number('init');
      if (init === undefined) {
        if (!args.has('init')) ctx.error('argument', item.range, msg('argument.layerScaleNeeds'));
        return undefined;
      }
      return { op: 'layerscale', init };
    }
    case 'channelconv': {
      const k = positive('kernel', undefined);
      if (k === undefined) {
        if (!args.has('kernel')) ctx.error('argument', item.range, msg('argument.channelConvNeeds'));
        return undefined;
      }
      if (!checkOddKernel(k, args.range('kernel') ?? item.range, numberWritten(item.args, 'kernel', true), ctx)) return undefined;
      return { op: 'channelconv', kernel: k };
    }
  }
}

/**
 * ECA's channel convolution takes an odd kernel: PyTorch pads (k − 1) / 2 on each side, so an even
 * k gives one channel fewer than its input and the gate cannot multiply by it. Said at the kernel;
 * the quick fix (where the kernel is written as a number: `literal`) rounds up, as ECA makes its k
 * odd. False when refused.
 */
export function checkOddKernel(kernel: number, range: SourceRange, literal: SourceRange | undefined, ctx: AnalysisContext): boolean {
  if (kernel % 2 === 1) return true;
  ctx.error('argument', literal ?? range, msg('argument.channelConvOdd', { kernel, odd: kernel + 1 }), literal ? fixFor(String(kernel + 1)) : {});
  return false;
}

/** Whether a layer op is an elementwise activation other than ReLU. */
export function isActivation(op: string): op is ActivationOp {
  return (ACTIVATION_OPS as readonly string[]).includes(op);
}

/** (k - 1) / 2 on each side: 3×3 → 1, 7×7 → 3, 1×1 → 0, as every ResNet convolution and pool uses. */
export function defaultPadding(k: readonly [number, number]): [number, number] {
  return [Math.floor((k[0] - 1) / 2), Math.floor((k[1] - 1) / 2)];
}
