// How compute is counted: the paper's multiply-adds and the rules of the tools people compare
// with (ptflops, fvcore, thop, PyTorch's profiler). Each convention is a rule per layer kind over
// the analyzed network; the figures for torchvision models are checked against each tool's own
// published figures in test/core/conventions.test.ts.
import { modelLayers, type LayerNode, type ModelNode } from '../analysis/network';
import { shapeElements as elements } from '../analysis/shape';
import { format, msg, type MessageKey } from '../l10n/format';
import type { Locale } from '../l10n/locale';

export const CONVENTIONS = ['macs', 'flops', 'ptflops', 'ptflops-aten', 'ptflops-0.7', 'fvcore', 'thop'] as const;
export type Convention = (typeof CONVENTIONS)[number];
export const DEFAULT_CONVENTION: Convention = 'macs';

export function isConvention(name: string): name is Convention {
  return (CONVENTIONS as readonly string[]).includes(name);
}

interface ConventionRule {
  /** The unit the tool prints its figure in. */
  readonly unit: string;
  /** What it counts, in a few words, for the hover and the summary (the catalogue's `term.counts.*`). */
  readonly counts: Extract<MessageKey, `term.counts.${string}`>;
  readonly layer: (layer: LayerNode) => number;
  /** Shown among "what other tools would print" (the current versions; older ones only by name). */
  readonly listed?: boolean;
}

/** Convolutions and fully connected layers, one per multiply-add (the paper, torchvision's `_ops`). */
const paperMacs = (layer: LayerNode) => layer.cost.macs;

/**
 * ptflops 0.7's module hooks (pytorch backend): biases, BatchNorm and GroupNorm 2 per element (affine), ReLU, ReLU6
 * and GELU 1 per output element (GELU through its ReLU hook, since nn.GELU exists), every pooling 1 per input element
 * (the gates' adaptive average pooling too). Not in its table: Sigmoid, Hardsigmoid, SiLU, Hardswish, Dropout, the
 * export's own modules; nor the gate's `*`, the residual and cascade `+` or torch.cat, which are operators and calls
 * no hook sees. Checked with ptflops 0.7 (tag v0.7) on examples/modern: test/core/fixtures/tool-compute-modern.json.
 */
function ptflops07(l: LayerNode): number {
  const s = l.spec;
  switch (s.op) {
    case 'conv':
      return l.cost.macs + (s.bias ? elements(l.output) : 0);
    case 'fc':
      return l.cost.macs + (s.bias ? s.units : 0);
    case 'bn':
    case 'gn':
      return 2 * elements(l.input);
    case 'relu':
    case 'relu6':
    case 'gelu':
      return elements(l.output);
    case 'maxpool':
    case 'avgpool':
    case 'globalavgpool':
      return elements(l.input);
    case 'channelconv':
      return l.cost.macs;
    default:
      // Sigmoid, Hardsigmoid, SiLU, Hardswish, dropout and the export's own modules (DropPath,
      // LayerScale; LayerNorm2d subclasses nn.LayerNorm, but the table is looked up by exact type)
      // are not in its table: nothing.
      return 0;
  }
}

const rules: Record<Convention, ConventionRule> = {
  macs: { unit: 'MACs', counts: 'term.counts.macs', layer: paperMacs },
  flops: { unit: 'FLOPs', counts: 'term.counts.flops', layer: (l) => 2 * l.cost.macs },
  // ptflops 0.7.1 and later, `pytorch` backend (get_model_complexity_info's default): its module
  // hooks as 0.7's, and since 0.7.1 also the torch.nn.functional calls those modules make, so ReLU,
  // GELU and every pooling count twice and SiLU once (ReLU6 calls F.hardtanh, which it does not
  // count: once). It also patches torch.add/mul and Tensor.add/mul, but the export joins with the
  // `+` and `*` operators, which stay uncounted, as do torch.cat, F.sigmoid, F.hardsigmoid,
  // F.hardswish and F.layer_norm. Checked with ptflops 0.7.5 (tag v0.7.5) and 0.7.6:
  // test/core/fixtures/published-compute.json (torchvision) and tool-compute-modern.json (examples/modern).
  ptflops: {
    unit: 'MACs',
    counts: 'term.counts.ptflops',
    listed: true,
    layer: (l) => {
      const once = ptflops07(l);
      switch (l.spec.op) {
        // ReLU and GELU: the module hook and F.relu / F.gelu, once each; pooling likewise.
        case 'relu':
        case 'gelu':
        case 'maxpool':
        case 'avgpool':
        case 'globalavgpool':
          return 2 * once;
        // nn.SiLU has no module hook; F.silu counts 1 per input element.
        case 'silu':
          return elements(l.input);
        default:
          return once;
      }
    },
  },
  // ptflops 0.7.3 and later with backend='aten': aten.convolution and aten.addmm, biases counted (one per output element).
  'ptflops-aten': {
    unit: 'MACs',
    counts: 'term.counts.ptflopsAten',
    listed: false,
    layer: (l) => {
      const s = l.spec;
      switch (s.op) {
        case 'conv':
          return l.cost.macs + (s.bias ? elements(l.output) : 0);
        case 'fc':
          return l.cost.macs + (s.bias ? s.units : 0);
        case 'channelconv':
          return l.cost.macs;
        default:
          return 0;
      }
    },
  },
  // ptflops up to 0.7 (the torchvision figures its README published until 0.7.2): module hooks only.
  'ptflops-0.7': { unit: 'MACs', counts: 'term.counts.ptflopsOld', listed: false, layer: (l) => ptflops07(l) },
  // fvcore (FlopCountAnalysis, eval mode): one "flop" per multiply-add of conv and linear, BatchNorm 2 per element
  // (affine), adaptive average pooling 1 per input element (the gates' too); ReLU, max pooling and the residual add are skipped,
  // as are avg_pool2d, every other activation, the gate's mul and torch.cat (its unsupported ops). Checked with fvcore
  // 0.1.5 (fd5043f, the 0.1.5.post20221221 release) and its master 3378afe on examples/modern: tool-compute-modern.json.
  fvcore: {
    unit: 'flops (= MACs)',
    counts: 'term.counts.fvcore',
    layer: (l) => {
      switch (l.spec.op) {
        case 'conv':
        case 'fc':
        case 'channelconv':
          return l.cost.macs;
        case 'bn':
          return 2 * elements(l.input);
        // group_norm and layer_norm: 5 per element with an affine transform.
        case 'gn':
        case 'ln':
          return 5 * elements(l.input);
        case 'globalavgpool':
          return elements(l.input);
        default:
          return 0;
      }
    },
  },
  // thop (profile): conv and linear multiply-adds without biases, an affine BatchNorm 4 per element, average pooling 1 per
  // output element, adaptive average pooling (window + 1) per output element; ReLU and max pooling are zero. Not in its
  // table (looked up by exact type), so nothing: GroupNorm, the other activations, the export's own LayerNorm2d (a
  // subclass of nn.LayerNorm), DropPath and LayerScale, and the `+`, `*` and torch.cat of the forward pass; ECA's
  // nn.Conv1d counts its multiply-adds. Checked with thop 0.1.1 (43c064a, the 0.1.1.post2209072238 release) on
  // examples/modern: tool-compute-modern.json.
  thop: {
    unit: 'MACs',
    counts: 'term.counts.thop',
    layer: (l) => {
      const s = l.spec;
      switch (s.op) {
        case 'conv':
        case 'fc':
        case 'channelconv':
          return l.cost.macs;
        case 'bn':
          return 4 * elements(l.input);
        case 'avgpool':
          return elements(l.output);
        case 'globalavgpool':
          return (l.input[0] * l.input[1] + 1) * l.input[2];
        default:
          return 0;
      }
    },
  },
};

/** The model's compute, per image, under one convention. */
export function computeCost(model: ModelNode, convention: Convention): number {
  if (convention === 'macs') return model.cost.macs;
  if (convention === 'flops') return 2 * model.cost.macs;
  const rule = rules[convention].layer;
  let total = 0;
  for (const layer of modelLayers(model)) total += rule(layer);
  return total;
}

export function conventionUnit(convention: Convention): string {
  return rules[convention].unit;
}

export function conventionCounts(convention: Convention, locale: Locale = 'en'): string {
  return format(locale, rules[convention].counts);
}

/** A figure the way its tool prints it: ptflops "4.12 GMac", the others in G with two decimals and their unit. */
export function toolFigure(value: number, convention: Convention): string {
  const [scale, prefix] = value >= 1e9 ? [1e9, 'G'] : [1e6, 'M'];
  const figure = (value / scale).toFixed(2);
  return convention.startsWith('ptflops') ? `${figure} ${prefix}Mac` : `${figure} ${prefix} ${rules[convention].unit}`;
}

/** One line per other convention: what each tool would print for this model and why it differs (macs and flops, twins, not both). */
export function otherToolsLines(model: ModelNode, shown: Convention, locale: Locale = 'en'): string[] {
  const twin = shown === 'macs' ? 'flops' : shown === 'flops' ? 'macs' : undefined;
  return CONVENTIONS.filter((c) => c !== shown && c !== twin && rules[c].listed !== false).map((c) =>
    format(locale, 'cost.otherTool', { tool: c, figure: toolFigure(computeCost(model, c), c), counts: msg(rules[c].counts) }),
  );
}
