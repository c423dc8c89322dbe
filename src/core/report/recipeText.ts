// The recipe a run will use, in words, for the confirmation before training starts. Plain
// TypeScript, no editor API.
import type { Recipe } from '../analysis/recipe';

const number = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : String(n));

/** One line per part of the recipe; "(paper)" marks what the file left to the paper's default. */
export function describeRecipe(recipe: Recipe): string[] {
  const mark = (...keys: string[]) => (keys.some((k) => recipe.explicit.includes(k)) ? '' : ' (paper)');
  const optimizer =
    recipe.optimizer === 'sgd'
      ? `SGD, lr ${number(recipe.lr)}, momentum ${number(recipe.momentum)}, weight decay ${number(recipe.weightDecay)}`
      : `Adam, lr ${number(recipe.lr)}, weight decay ${number(recipe.weightDecay)}`;
  const unit = recipe.unit === 'epochs' ? 'epochs' : 'iterations';
  const decay = recipe.milestones.length > 0 ? `× ${number(recipe.decayFactor)} at ${recipe.milestones.map(number).join(', ')} ${unit}` : 'constant learning rate';
  const augment =
    recipe.augment.pad === 0 && !recipe.augment.flip
      ? 'none'
      : [recipe.augment.pad > 0 ? `pad ${recipe.augment.pad}, crop ${recipe.augment.crop}` : '', recipe.augment.flip ? 'flip' : ''].filter(Boolean).join(', ');
  return [
    `Batch: ${number(recipe.batchSize)}${mark('batch')}`,
    `Optimizer: ${optimizer}${mark('sgd', 'adam')}`,
    `Length: ${number(recipe.duration)} ${unit}${mark('iterations', 'epochs')}`,
    `Schedule: ${decay}${recipe.warmup ? `, warm-up ${number(recipe.warmup.steps)} steps at lr ${number(recipe.warmup.lr)}` : ''}${mark('decay', 'warmup')}`,
    `Augmentation: ${augment}${mark('augment')}`,
    `Normalization: ${recipe.subtractMean ? 'subtract the per-pixel mean' : 'none'}${mark('normalize')}`,
    `Validation: ${recipe.validation > 0 ? `${number(recipe.validation)} training images held out` : 'none'}${mark('validation')}`,
    `Seed: ${recipe.seed}${mark('seed')}`,
  ];
}
