// Where a residual block adds its input back: the paper's options A, B and C (section 3.3), a
// forced identity, or a branch the user wrote. Here the two sides of every addition are checked.
import { msg, type MessageRef } from '../l10n/format';
import { relatedNote } from '../diagnostics';
import type { SourceRange } from '../language/ast';
import type { AnalysisContext } from './context';
import { makeLayer } from './layers';
import type { LayerSpec, NormChoice, Shortcut, ShortcutOption } from './network';
import { formatShape, sameShape, type Shape } from './shape';

/** What a block asks for at its addition. */
export type ShortcutRequest = { readonly kind: 'option'; readonly option: ShortcutOption } | { readonly kind: 'identity' } | { readonly kind: 'projection' } | { readonly kind: 'zeropad' };

export interface ShortcutSite {
  readonly input: Shape;
  readonly branchOutput: Shape;
  /** The stride the block applies, when it declares one (built-in blocks, a `stride` parameter). */
  readonly stride?: number | undefined;
  readonly path: string;
  /** Where to report: the `add`, or the call of a built-in block. */
  readonly range: SourceRange;
  /** The call that made this block, for related information. */
  readonly callRange: SourceRange;
  readonly branchEndRange: SourceRange;
  /** The projection's norm (the model's `norm`, or `add …, norm`); BatchNorm when absent. */
  readonly norm?: NormChoice | undefined;
}

/** Null: no addition at all (a plain network). Undefined: an error was reported. */
export function makeShortcut(request: ShortcutRequest, site: ShortcutSite, ctx: AnalysisContext): Shortcut | null | undefined {
  const kind = request.kind === 'option' ? optionKind(request.option) : request.kind;
  if (kind === 'none') return null;
  const same = sameShape(site.input, site.branchOutput);
  const stride = site.stride ?? inferStride(site.input, site.branchOutput);
  if (kind === 'projection' || (kind === 'project-if-needed' && !same)) {
    if (stride === undefined) return mismatch(site, ctx, msg('term.shortcutWhy.noWholeStride'));
    return projection(site, stride, ctx);
  }
  if (same) return { kind: 'identity' };
  if (kind === 'identity') return mismatch(site, ctx, msg('term.shortcutWhy.identity'));
  // Option A: subsample by the stride, then zero-pad the new channels.
  const extra = site.branchOutput[2] - site.input[2];
  if (stride === undefined || extra < 0 || !subsamples(site.input, site.branchOutput, stride)) {
    const why = extra < 0 ? msg('term.shortcutWhy.channels') : msg('term.shortcutWhy.spatial');
    return mismatch(site, ctx, why);
  }
  return { kind: 'zeropad', stride, extraChannels: extra };
}

function optionKind(option: ShortcutOption): 'none' | 'identity' | 'zeropad' | 'project-if-needed' | 'projection' {
  switch (option) {
    case 'none':
      return 'none';
    case 'identity':
      return 'identity';
    case 'A':
      return 'zeropad';
    case 'B':
      return 'project-if-needed';
    case 'C':
      return 'projection';
  }
}

function projection(site: ShortcutSite, stride: number, ctx: AnalysisContext): Shortcut | undefined {
  const channels = site.branchOutput[2];
  const conv = makeLayer({ op: 'conv', kernel: [1, 1], filters: channels, stride, padding: [0, 0], groups: 1, bias: false }, site.input, `${site.path}.shortcut.conv1`, site.range, ctx);
  if (!conv) return undefined;
  if (!sameShape(conv.output, site.branchOutput)) return mismatch(site, ctx, msg('term.shortcutWhy.projection', { stride, shape: formatShape(conv.output) }));
  const spec = normSpec(site.norm ?? { op: 'bn' });
  if (!spec) return { kind: 'layers', layers: [conv], projection: true };
  const norm = makeLayer(spec, conv.output, `${site.path}.shortcut.bn1`, site.range, ctx);
  if (!norm) return undefined;
  return { kind: 'layers', layers: [conv, norm], projection: true };
}

/** The layer a norm choice puts after a convolution; undefined for `none`. */
export function normSpec(norm: NormChoice): LayerSpec | undefined {
  return norm.op === 'none' ? undefined : norm;
}

/** Option A takes every stride-th row and column, as `x[:, :, ::s, ::s]` does. */
function subsamples(input: Shape, output: Shape, stride: number): boolean {
  return Math.ceil(input[0] / stride) === output[0] && Math.ceil(input[1] / stride) === output[1];
}

/** The stride of a 1×1 window that maps the input's spatial size onto the output's. */
export function inferStride(input: Shape, output: Shape): number | undefined {
  if (input[0] === output[0] && input[1] === output[1]) return 1;
  for (let s = 2; s <= Math.max(input[0], input[1]); s++) {
    const h = Math.floor((input[0] - 1) / s) + 1;
    const w = Math.floor((input[1] - 1) / s) + 1;
    if (h === output[0] && w === output[1]) return s;
    if (h < output[0]) break;
  }
  return undefined;
}

function mismatch(site: ShortcutSite, ctx: AnalysisContext, why: MessageRef): undefined {
  const { input, branchOutput } = site;
  const extra = branchOutput[2] - input[2];
  const stride = inferStride(input, branchOutput);
  const optionA = extra >= 0 && stride !== undefined && subsamples(input, branchOutput, stride);
  const fix = optionA ? msg('term.shortcutFix.optionAB') : msg('term.shortcutFix.projection');
  ctx.error('shortcut-mismatch', site.range, msg('shortcut.mismatch', { input: formatShape(input), output: formatShape(branchOutput), why, fix }), {
    related: [
      relatedNote(site.callRange, msg('related.blockInput', { shape: formatShape(input) })),
      relatedNote(site.branchEndRange, msg('related.residualOutput', { shape: formatShape(branchOutput) })),
    ],
    fix: { kind: 'shortcut-option', options: optionA ? ['A', 'B'] : ['B'] },
  });
  return undefined;
}
