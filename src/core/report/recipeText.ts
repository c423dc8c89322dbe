// The recipe a run will use, in words, for the confirmation before training starts. Plain
// TypeScript, no editor API.
import type { Recipe } from '../analysis/recipe';
import { msg, render, type MessageRef } from '../l10n/format';
import type { Locale } from '../l10n/locale';
import type { DatasetName } from '../datasets';
import { heldOutImages, TRAIN_IMAGES } from './runPlan';

const number = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : String(n));

/**
 * One line per part of the recipe; "(paper)" marks what the file left to the paper's default. With
 * `dataset`, the hold-out is the one a run on that data set takes (runPlan.ts's rule).
 */
export function describeRecipe(recipe: Recipe, locale: Locale = 'en', dataset?: DatasetName): string[] {
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
    line(validationLine(recipe, dataset), 'validation'),
    line(msg('recipeText.seed', { seed: recipe.seed }), 'seed'),
  ];
}

function validationLine(recipe: Recipe, dataset: DatasetName | undefined): MessageRef {
  if (recipe.validation === 0) return msg('recipeText.validationNone');
  const count = dataset === undefined ? undefined : TRAIN_IMAGES[dataset];
  const held = dataset === undefined || count === undefined ? recipe.validation : heldOutImages(recipe, dataset, count);
  if (held === recipe.validation || dataset === undefined || count === undefined) return msg('recipeText.validation', { images: number(recipe.validation) });
  return msg('recipeText.validationScaled', { images: number(held), dataset, count: number(count), recipe: number(recipe.validation), recipeDataset: recipe.dataset ?? '' });
}
