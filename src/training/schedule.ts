// The learning rate at each step: warm-up, then the base rate multiplied by the decay factor at
// every milestone passed (the paper's "divided by 10 at 32k and 48k iterations").
import type { Recipe } from '../core/analysis/recipe';

export interface Schedule {
  readonly baseLr: number;
  readonly decayFactor: number;
  /** In steps. */
  readonly milestones: readonly number[];
  readonly warmup?: { readonly steps: number; readonly lr: number } | undefined;
}

export function scheduleFor(recipe: Recipe, stepsPerEpoch: number): Schedule {
  const toSteps = (n: number) => (recipe.unit === 'epochs' ? n * stepsPerEpoch : n);
  return { baseLr: recipe.lr, decayFactor: recipe.decayFactor, milestones: recipe.milestones.map(toSteps), warmup: recipe.warmup };
}

export function learningRate(schedule: Schedule, step: number): number {
  if (schedule.warmup && step < schedule.warmup.steps) return schedule.warmup.lr;
  let lr = schedule.baseLr;
  for (const m of schedule.milestones) if (step >= m) lr *= schedule.decayFactor;
  return lr;
}
