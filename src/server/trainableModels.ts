// "Train Model" asks the server which models a file has and what each trains on, so the extension
// never analyses a file itself (and does not bundle the parser): the models, their recipes in
// words, and the one declared around the cursor.
import { analyze } from '../core/analysis/analyze';
import type { ModelNode } from '../core/analysis/network';
import type { Locale } from '../core/l10n/locale';
import { batchFitWarning } from '../core/report/costLines';
import { describeRecipe } from '../core/report/recipeText';
import { planRun } from '../core/report/runPlan';
import type { DatasetName } from '../core/datasets';
import type { TrainableModel, TrainableModelsParams, TrainableModelsResult } from '../protocol/languageServer';
import type { AnalyzedDocument } from './analyzedDocuments';

/**
 * The answer for `params.text`: from the open document's analysis when the server holds that very
 * text (the usual case), else from an analysis of the text as sent. `memoryBudgetMiB` (the
 * resnet.costs setting; 0 for none) adds a warning to each model whose recipe's batch will not fit;
 * the recipe and the warnings are in `locale`.
 */
export function trainableModels(open: AnalyzedDocument | undefined, params: TrainableModelsParams, memoryBudgetMiB = 0, locale: Locale = 'en'): TrainableModelsResult {
  const current = open && open.document.getText() === params.text ? open : undefined;
  const analysis = current ? current.analysis : analyze(params.text);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 0) return { kind: 'errors', errors };
  const offset = params.position ? offsetIn(params.text, params.position.line, params.position.character) : undefined;
  const atCursor = offset === undefined ? undefined : analysis.models.find((m) => m.range.startOffset <= offset && offset <= m.range.endOffset);
  return { kind: 'models', models: analysis.models.map((m) => describe(m, memoryBudgetMiB, locale)), ...(atCursor ? { atCursor: atCursor.name } : {}) };
}

function describe(model: ModelNode, memoryBudgetMiB: number, locale: Locale): TrainableModel {
  const tfjs = batchFitWarning(model, model.recipe.batchSize, memoryBudgetMiB, 'tfjs', locale);
  const pytorch = batchFitWarning(model, model.recipe.batchSize, memoryBudgetMiB, 'pytorch', locale);
  return {
    name: model.name,
    depth: model.depth,
    params: model.cost.params,
    plain: model.plain,
    input: [model.input[0], model.input[1], model.input[2]],
    classes: model.output[2],
    ...(model.recipe.dataset ? { dataset: model.recipe.dataset } : {}),
    recipe: describeRecipe(model.recipe, locale),
    ...(model.recipe.engine ? { engine: model.recipe.engine } : {}),
    ...(tfjs || pytorch ? { memoryWarnings: { ...(tfjs ? { tfjs } : {}), ...(pytorch ? { pytorch } : {}) } } : {}),
    macs: model.cost.macs,
    batchSize: model.recipe.batchSize,
    plans: {
      mnist: plan(model, 'mnist', locale),
      cifar10: plan(model, 'cifar10', locale),
      synthetic: plan(model, 'synthetic', locale),
    },
  };
}

function plan(model: ModelNode, dataset: DatasetName, locale: Locale): TrainableModel['plans'][DatasetName] {
  const { steps, heldOut, refused } = planRun(model, dataset);
  return { steps, heldOut, refused, recipe: describeRecipe(model.recipe, locale, dataset) };
}

/** The offset of an LSP position (UTF-16 units, as JavaScript strings count) in `text`. */
function offsetIn(text: string, line: number, character: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(offset + character, text.length);
}
