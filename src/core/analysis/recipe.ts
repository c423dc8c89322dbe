// The training recipe of a model (`train { … }`), checked and completed with the paper's CIFAR
// recipe (He et al. 2015, section 4.2) wherever the model is silent.
import { msg, type MessageRef } from '../l10n/format';
import type { Setting, SourceRange, TrainBlock } from '../language/ast';
import { bindArgs, type ArgSpec } from './arguments';
import type { AnalysisContext } from './context';
import type { Scope } from './scope';
import type { Shape } from './shape';
import { closestName } from './suggest';
import { fixFor } from './scope';

import { DATASET_NAMES, type DatasetName } from '../datasets';

export type { DatasetName };
export const DATASETS: readonly DatasetName[] = DATASET_NAMES;

export interface Recipe {
  /** Undefined: the model did not say; the trainer picks one that fits the input. */
  readonly dataset?: DatasetName | undefined;
  readonly batchSize: number;
  readonly optimizer: 'sgd' | 'adam';
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  /** The learning rate is multiplied by `decayFactor` at each milestone. */
  readonly decayFactor: number;
  readonly milestones: readonly number[];
  /** Milestones and duration count iterations or epochs, whichever the recipe stops by. */
  readonly unit: 'iterations' | 'epochs';
  readonly duration: number;
  readonly warmup?: { readonly steps: number; readonly lr: number };
  readonly augment: { readonly pad: number; readonly crop: number; readonly flip: boolean };
  readonly subtractMean: boolean;
  /** Training images held out for validation (the paper's 45k/5k split: 5000). */
  readonly validation: number;
  readonly seed: number;
  /** The training engine the recipe asks for; the CLI's --engine and the editor's setting override it. */
  readonly engine?: 'tfjs' | 'pytorch' | undefined;
  /** The PyTorch engine's arithmetic: fp32 (the paper's) unless the recipe asks for bf16/fp16 autocast; --precision overrides it. */
  readonly precision?: 'fp32' | 'bf16' | 'fp16' | undefined;
  /**
   * Layer statistics (the paper's Fig. 7 and gradient flow) on a fixed batch of held-out images:
   * every `every` steps, or, without it, at steps 1, 10 and 100 and at each epoch's end. Undefined:
   * `layer_stats off`.
   */
  readonly layerStats?: LayerStatsSetting | undefined;
  /** Which settings the model wrote itself (the rest are defaults). */
  readonly explicit: readonly string[];
}

export interface LayerStatsSetting {
  /** Measure after every this many steps; undefined: the default steps (see layerStatsDue in src/training/layerStats.ts). */
  readonly every?: number | undefined;
  /** How many of the first test images make the fixed batch. */
  readonly images: number;
}

/** The fixed batch of held-out images the layer statistics are measured on, unless the recipe says. */
export const LAYER_STATS_IMAGES = 64;

export function paperCifarRecipe(input: Shape): Recipe {
  return {
    batchSize: 128,
    optimizer: 'sgd',
    lr: 0.1,
    momentum: 0.9,
    weightDecay: 1e-4,
    decayFactor: 0.1,
    milestones: [32_000, 48_000],
    unit: 'iterations',
    duration: 64_000,
    augment: { pad: 4, crop: input[0], flip: true },
    subtractMean: true,
    validation: 0,
    seed: 1,
    layerStats: { images: LAYER_STATS_IMAGES },
    explicit: [],
  };
}

const number = (name: string, description: MessageRef, positional = false): ArgSpec => ({ name, type: 'number', positional, description });

/** Every recipe line, with its arguments. Exported for completion and the README. */
export const recipeSettings: Readonly<Record<string, { readonly args: readonly ArgSpec[]; readonly example: string }>> = {
  dataset: { args: [{ name: 'name', type: 'word', positional: true, words: DATASETS, description: msg('arg.dataset') }], example: 'dataset cifar10' },
  batch: { args: [number('size', msg('arg.batchSize'), true)], example: 'batch 128' },
  sgd: {
    args: [number('lr', msg('arg.lr')), number('momentum', msg('arg.momentum')), number('weight_decay', msg('arg.weightDecay'))],
    example: 'sgd lr 0.1, momentum 0.9, weight_decay 1e-4',
  },
  adam: { args: [number('lr', msg('arg.lr')), number('weight_decay', msg('arg.weightDecay'))], example: 'adam lr 0.001' },
  decay: {
    args: [number('factor', msg('arg.decayFactor'), true), { name: 'at', type: 'number', list: true, description: msg('arg.milestones') }],
    example: 'decay 0.1 at 32k, 48k',
  },
  iterations: { args: [number('count', msg('arg.iterations'), true)], example: 'iterations 64k' },
  epochs: { args: [number('count', msg('arg.epochs'), true)], example: 'epochs 160' },
  warmup: { args: [number('steps', msg('arg.warmupSteps'), true), number('lr', msg('arg.warmupLr'))], example: 'warmup 400, lr 0.01' },
  augment: {
    args: [
      { name: 'pad', type: 'int', description: msg('arg.augmentPad') },
      { name: 'crop', type: 'int', description: msg('arg.crop') },
      { name: 'flip', type: 'flag', description: msg('arg.flip') },
      { name: 'none', type: 'flag', description: msg('arg.noAugment') },
    ],
    example: 'augment pad 4, crop 32, flip',
  },
  normalize: {
    args: [{ name: 'mode', type: 'word', positional: true, words: ['mean', 'none'], description: msg('arg.normalize') }],
    example: 'normalize mean',
  },
  validation: { args: [number('count', msg('arg.validation'), true)], example: 'validation 5k' },
  seed: { args: [number('value', msg('arg.seed'), true)], example: 'seed 1' },
  engine: { args: [{ name: 'name', type: 'word', positional: true, words: ['tfjs', 'pytorch'], description: msg('arg.engine') }], example: 'engine pytorch' },
  precision: { args: [{ name: 'mode', type: 'word', positional: true, words: ['fp32', 'bf16', 'fp16'], description: msg('arg.precision') }], example: 'precision bf16' },
  layer_stats: {
    args: [
      { name: 'every', type: 'int', description: msg('arg.layerStatsEvery') },
      { name: 'images', type: 'int', description: msg('arg.layerStatsImages') },
      { name: 'off', type: 'flag', description: msg('arg.layerStatsOff') },
    ],
    example: 'layer_stats every 500, images 64',
  },
};

/**
 * The recipe of `train`. `scope` is where its values' names are looked up: one scope, or one per
 * setting (an experiment's overrides read the experiment's `let`s, the model's own settings do not).
 */
export function readRecipe(train: TrainBlock | undefined, input: Shape, scope: Scope | ((setting: Setting) => Scope), ctx: AnalysisContext): Recipe {
  const base = paperCifarRecipe(input);
  if (!train) return base;
  const r: { -readonly [K in keyof Recipe]: Recipe[K] } = { ...base, explicit: [] };
  const explicit: string[] = [];
  const seen = new Map<string, SourceRange>();
  let milestonesRange: SourceRange | undefined;
  let cropWritten = false;
  for (const setting of train.settings) {
    const key = setting.key.text;
    const known = recipeSettings[key];
    if (!known) {
      const suggestion = closestName(key, Object.keys(recipeSettings));
      const settings = Object.keys(recipeSettings).join(', ');
      const text = suggestion === undefined ? msg('recipe.unknownSetting', { name: key, settings }) : msg('recipe.unknownSettingSuggest', { name: key, suggestion, settings });
      ctx.error('recipe', setting.key.range, text, fixFor(suggestion));
      continue;
    }
    const group = key === 'adam' ? 'sgd' : key === 'epochs' ? 'iterations' : key;
    if (seen.has(group)) {
      ctx.error('recipe', setting.range, group === 'sgd' ? msg('recipe.optimizerTwice') : group === 'iterations' ? msg('recipe.lengthTwice') : msg('recipe.settingTwice', { name: key }));
      continue;
    }
    seen.set(group, setting.range);
    explicit.push(key);
    const args = bindArgs(setting.args, known.args, msg('term.code', { name: key }), typeof scope === 'function' ? scope(setting) : scope, ctx);
    const positive = (name: string, min: number, integer: boolean): number | undefined => {
      const v = args.number(name);
      if (v === undefined) return undefined;
      if (v < min || (integer && !Number.isInteger(v))) {
        ctx.error('recipe', args.range(name) ?? setting.range, msg(integer ? 'recipe.wholeAtLeast' : 'recipe.atLeast', { name, setting: key, min, value: v }));
        return undefined;
      }
      return v;
    };
    switch (key) {
      case 'dataset':
        r.dataset = args.word('name') as DatasetName | undefined;
        break;
      case 'batch':
        r.batchSize = positive('size', 1, true) ?? r.batchSize;
        break;
      case 'sgd':
      case 'adam':
        r.optimizer = key;
        r.lr = positive('lr', 0, false) ?? (key === 'adam' ? 0.001 : r.lr);
        r.momentum = key === 'adam' ? 0 : (positive('momentum', 0, false) ?? r.momentum);
        r.weightDecay = positive('weight_decay', 0, false) ?? (key === 'adam' ? 0 : r.weightDecay);
        break;
      case 'decay':
        r.decayFactor = positive('factor', 0, false) ?? r.decayFactor;
        r.milestones = args.numbers('at') ?? [];
        milestonesRange = setting.range;
        break;
      case 'iterations':
      case 'epochs':
        r.unit = key;
        r.duration = positive('count', 1, true) ?? r.duration;
        break;
      case 'warmup': {
        const steps = positive('steps', 1, true);
        if (steps !== undefined) r.warmup = { steps, lr: positive('lr', 0, false) ?? r.lr / 10 };
        break;
      }
      case 'augment':
        if (args.flag('none')) r.augment = { pad: 0, crop: input[0], flip: false };
        else r.augment = { pad: positive('pad', 0, true) ?? 0, crop: positive('crop', 1, true) ?? input[0], flip: args.flag('flip') ?? false };
        cropWritten = !args.flag('none') && args.number('crop') !== undefined;
        break;
      case 'normalize':
        r.subtractMean = (args.word('mode') ?? 'mean') === 'mean';
        break;
      case 'validation':
        r.validation = positive('count', 0, true) ?? r.validation;
        break;
      case 'seed':
        r.seed = positive('value', 0, true) ?? r.seed;
        break;
      case 'engine':
        r.engine = args.word('name') as 'tfjs' | 'pytorch' | undefined;
        break;
      case 'precision':
        r.precision = args.word('mode') as 'fp32' | 'bf16' | 'fp16' | undefined;
        break;
      case 'layer_stats': {
        const every = positive('every', 1, true);
        const images = positive('images', 1, true);
        if (args.flag('off')) {
          // `off` with a schedule or a batch says two things at once: which one is meant?
          if (args.number('every') !== undefined || args.number('images') !== undefined) ctx.error('recipe', setting.range, msg('recipe.layerStatsOff'));
          r.layerStats = undefined;
        } else r.layerStats = { every, images: images ?? LAYER_STATS_IMAGES };
        break;
      }
    }
  }
  // When the recipe sets its length but not its milestones, the paper's 50% and 75% points keep the shape of its schedule.
  if (seen.has('iterations') && !seen.has('decay')) {
    r.milestones = [...new Set([Math.floor(r.duration * 0.5), Math.floor(r.duration * 0.75)])].filter((m) => m > 0 && m < r.duration);
  }
  const sorted = r.milestones.every((m, i) => m > (r.milestones[i - 1] ?? -Infinity));
  if (!sorted) ctx.error('recipe', milestonesRange ?? train.keywordRange, msg('recipe.milestonesOrder'));
  const late = r.milestones.find((m) => m >= r.duration);
  if (late !== undefined) {
    ctx.warning('recipe', milestonesRange ?? train.keywordRange, msg('recipe.lateMilestone', { milestone: late, unit: r.unit, duration: r.duration }));
  }
  // Without `crop`, the crop is the input's own height × width, which always fits: only a crop the
  // recipe writes (one number, a square) is checked against both sides.
  if (!cropWritten) {
    // Nothing to check.
  } else if (r.augment.crop > input[0] + 2 * r.augment.pad || r.augment.crop > input[1] + 2 * r.augment.pad) {
    ctx.error(
      'recipe',
      seen.get('augment') ?? train.keywordRange,
      msg('recipe.cropTooLarge', { crop: r.augment.crop, height: input[0], width: input[1], pad: r.augment.pad, most: Math.min(input[0], input[1]) + 2 * r.augment.pad }),
    );
  } else if (input[0] !== input[1]) {
    ctx.error('recipe', seen.get('augment') ?? train.keywordRange, msg('recipe.cropSquare', { crop: r.augment.crop, height: input[0], width: input[1] }));
  } else if (r.augment.crop !== input[0]) {
    ctx.error('recipe', seen.get('augment') ?? train.keywordRange, msg('recipe.cropInput', { crop: r.augment.crop, size: input[0] }));
  }
  r.explicit = explicit;
  return r;
}

export type { Setting };
