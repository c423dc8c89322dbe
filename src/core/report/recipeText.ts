// The recipe a run will use, in words, for the confirmation before training starts. Plain
// TypeScript, no editor API.
import type { Recipe } from '../analysis/recipe';
import { msg, render, type MessageRef } from '../l10n/format';
import type { Locale } from '../l10n/locale';

const number = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : String(n));

/** One line per part of the recipe; "(paper)" marks what the file left to the paper's default. */
export function describeRecipe(recipe: Recipe, locale: Locale = 'en'): string[] {
  const line = (ref: MessageRef, ...keys: string[]) => render(locale, keys.some((k) => recipe.explicit.includes(k)) ? ref : msg('recipeText.paperDefault', { line: ref }));
  const epochs = recipe.unit === 'epochs';
  const optimizer =
    recipe.optimizer === 'sgd'
      ? msg('recipeText.sgd', { lr: number(recipe.lr), momentum: number(recipe.momentum), weightDecay: number(recipe.weightDecay) })
      : msg('recipeText.adam', { lr: number(recipe.lr), weightDecay: number(recipe.weightDecay) });
  const decay = { factor: number(recipe.decayFactor), milestones: recipe.milestones.map(number).join(', ') };
  const warmup = recipe.warmup ? { steps: number(recipe.warmup.steps), warmupLr: number(recipe.warmup.lr) } : undefined;
  const schedule =
    recipe.milestones.length > 0
      ? warmup
        ? msg(epochs ? 'recipeText.decayEpochsWarmup' : 'recipeText.decayIterationsWarmup', { ...decay, ...warmup })
        : msg(epochs ? 'recipeText.decayEpochs' : 'recipeText.decayIterations', decay)
      : warmup
        ? msg('recipeText.constantWarmup', warmup)
        : msg('recipeText.constant');
  const augment =
    recipe.augment.pad === 0 && !recipe.augment.flip
      ? msg('recipeText.augmentNone')
      : msg('recipeText.augment', {
          augment: [recipe.augment.pad > 0 ? `pad ${recipe.augment.pad}, crop ${recipe.augment.crop}` : '', recipe.augment.flip ? 'flip' : ''].filter(Boolean).join(', '),
        });
  return [
    line(msg('recipeText.batch', { batch: number(recipe.batchSize) }), 'batch'),
    line(optimizer, 'sgd', 'adam'),
    line(msg(epochs ? 'recipeText.lengthEpochs' : 'recipeText.lengthIterations', { duration: number(recipe.duration) }), 'iterations', 'epochs'),
    line(schedule, 'decay', 'warmup'),
    line(augment, 'augment'),
    line(msg(recipe.subtractMean ? 'recipeText.normalizeMean' : 'recipeText.normalizeNone'), 'normalize'),
    line(recipe.validation > 0 ? msg('recipeText.validation', { images: number(recipe.validation) }) : msg('recipeText.validationNone'), 'validation'),
    line(msg('recipeText.seed', { seed: recipe.seed }), 'seed'),
  ];
}
