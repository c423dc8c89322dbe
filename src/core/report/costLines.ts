// The lines on cost that the model hover and the summary share: compute under the chosen
// convention with what the other tools would print, the memory of a training step, and the
// largest batch that fits a memory budget.
import { analyze } from '../analysis/analyze';
import type { ModelNode } from '../analysis/network';
import { format } from '../l10n/format';
import type { Locale } from '../l10n/locale';
import { computeCost, conventionUnit, otherToolsLines, toolFigure, type Convention } from './conventions';
import { formatBytes, formatExact } from './numbers';
import { tfjsLargestBatchThatFits, tfjsTrainingMemory } from './tfjsStepMemory';
import { largestBatchThatFits, trainingMemory, type TrainingMemory } from './trainingMemory';

export interface CostSettings {
  readonly convention: Convention;
  /** The memory a training step may use, in MiB; 0 when unknown. */
  readonly memoryBudgetMiB: number;
}

export const MIB = 1024 * 1024;

export function computeLines(model: ModelNode, convention: Convention, locale: Locale = 'en'): string[] {
  const cost = computeCost(model, convention);
  return [
    format(locale, 'cost.compute', { convention, exact: formatExact(cost), unit: conventionUnit(convention), tool: toolFigure(cost, convention) }),
    format(locale, 'cost.otherTools', { tools: otherToolsLines(model, convention, locale).join('; ') }),
  ];
}

export function memoryBreakdown(memory: TrainingMemory, locale: Locale = 'en'): string {
  return format(locale, 'cost.memoryBreakdown', {
    weights: formatBytes(memory.weightsBytes),
    gradients: formatBytes(memory.gradientsBytes),
    optimizer: formatBytes(memory.optimizerBytes),
    activations: formatBytes(memory.activationsBytes),
    input: formatBytes(memory.inputBytes),
  });
}

export function memoryLines(model: ModelNode, batchSize: number, budgetMiB: number, locale: Locale = 'en'): string[] {
  const train = trainingMemory(model, batchSize);
  const infer = trainingMemory(model, batchSize, { training: false });
  const momentum = model.recipe.optimizer === 'sgd' && model.recipe.momentum > 0;
  const lines = [
    format(locale, momentum ? 'cost.trainingStepMomentum' : 'cost.trainingStep', {
      batch: batchSize,
      optimizer: model.recipe.optimizer,
      total: formatBytes(train.totalBytes),
      breakdown: memoryBreakdown(train, locale),
    }),
    format(locale, 'cost.inference', { batch: batchSize, bytes: formatBytes(infer.totalBytes) }),
    format(locale, 'cost.tfjsStep', { bytes: formatBytes(tfjsTrainingMemory(model, batchSize).totalBytes) }),
  ];
  const fit = fitLine(model, budgetMiB, locale);
  if (fit) lines.push(fit);
  return lines;
}

/** "Largest batch that fits 8.00 GiB: 1,234" or undefined when no budget is known. */
export function fitLine(model: ModelNode, budgetMiB: number, locale: Locale = 'en'): string | undefined {
  if (!(budgetMiB > 0)) return undefined;
  const largest = largestBatchThatFits(model, budgetMiB * MIB);
  const budget = formatBytes(budgetMiB * MIB);
  return largest === 0 ? format(locale, 'cost.noBatchFits', { budget }) : format(locale, 'cost.largestBatch', { budget, batch: formatExact(largest) });
}

/** Which engine's memory a fit is judged by: PyTorch's saved tensors, or all that the TF.js engine's step holds. */
export type MemoryEngine = 'pytorch' | 'tfjs';

/** A warning before a run starts when its batch will not fit the budget; undefined when it fits or no budget is known. */
export function batchFitWarning(model: ModelNode, batchSize: number, budgetMiB: number, engine: MemoryEngine = 'pytorch', locale: Locale = 'en'): string | undefined {
  if (!(budgetMiB > 0)) return undefined;
  const needed = engine === 'tfjs' ? tfjsTrainingMemory(model, batchSize).totalBytes : trainingMemory(model, batchSize).totalBytes;
  if (needed <= budgetMiB * MIB) return undefined;
  const largest = engine === 'tfjs' ? tfjsLargestBatchThatFits(model, budgetMiB * MIB) : largestBatchThatFits(model, budgetMiB * MIB);
  const facts = { model: model.name, batch: batchSize, needed: formatBytes(needed), budget: formatBytes(budgetMiB * MIB) };
  if (largest > 0) return format(locale, engine === 'tfjs' ? 'cost.fitWarningTfjs' : 'cost.fitWarning', { ...facts, largest });
  return format(locale, engine === 'tfjs' ? 'cost.fitWarningNoneTfjs' : 'cost.fitWarningNone', facts);
}

/** The warning for a run about to start whose batch will not fit the budget (MiB; 0: no budget), judged for the engine that will run it (TF.js unless the request says PyTorch). */
export function startFitWarning(
  request: { readonly sourceText: string; readonly modelName: string; readonly batchSize?: number | undefined; readonly engine?: MemoryEngine | undefined },
  budgetMiB: number,
): string | undefined {
  if (!(budgetMiB > 0)) return undefined;
  const model = analyze(request.sourceText).models.find((m) => m.name === request.modelName);
  return model ? batchFitWarning(model, request.batchSize ?? model.recipe.batchSize, budgetMiB, request.engine ?? 'tfjs') : undefined;
}
