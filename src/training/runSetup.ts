// What both training engines (TF.js and PyTorch) do before training, kept free of either
// framework: find and check the model, and prepare the data the same way. The run folder itself
// is runFolder.ts's.
import { analyze, type Analysis } from '../core/analysis/analyze';
import { variantModelName } from '../core/analysis/experiment';
import type { ModelNode } from '../core/analysis/network';
import { noModelNamedText } from '../core/report/modelChoice';
import { heldOutImages } from '../core/report/runPlan';
import { msg } from '../core/l10n/format';
import { formatShape } from '../core/analysis/shape';
import type { TrainRequest } from '../protocol/training';
import { applyPixelMean, checkInputFits, loadDataset, withValidation, type ImageDataset } from './data/index';
import { Random } from './random';

import { TrainingError } from './trainingError';

export { TrainingError };

/** The model to train, checked: no errors in its file, and one score per class at its end. */
export function findModel(request: Pick<TrainRequest, 'sourceText' | 'sourcePath' | 'modelName'>): ModelNode {
  const analysis = analyze(request.sourceText);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  const [first] = errors;
  if (first !== undefined) {
    const place = `${request.sourcePath}:${first.range.startLine}:${first.range.startColumn}`;
    const message = first.text ?? first.message;
    throw new TrainingError(errors.length > 1 ? msg('worker.modelErrorsMore', { place, message, more: errors.length - 1 }) : msg('worker.modelError', { place, message }));
  }
  const model = namedModel(analysis, request.modelName);
  if (!model) throw new TrainingError(noModelNamedText(request.sourcePath, request.modelName, analysis.models));
  if (model.output[0] !== 1 || model.output[1] !== 1) {
    throw new TrainingError(msg('worker.notOneScorePerClass', { file: request.sourcePath, model: model.name, shape: formatShape(model.output), classes: model.output[2] }));
  }
  return model;
}

/**
 * The model `name` names: one of the file's, or a variant of one of its experiments, named
 * `<experiment>.<variant>` (core/analysis/experiment.ts) and trained with the experiment's recipe.
 * Undefined for any other name: no run, and no run folder, is made for it.
 */
export function namedModel(analysis: Pick<Analysis, 'models' | 'experiments'>, name: string): ModelNode | undefined {
  return analysis.models.find((m) => m.name === name) ?? analysis.experiments.flatMap((e) => e.variants).find((v) => v.model?.name === name)?.model;
}

/** Whether `name` is one a run can be asked for: a model of the file, or a variant of one of its experiments (built without errors or not). */
export function isModelName(analysis: Pick<Analysis, 'models' | 'experiments'>, name: string): boolean {
  return analysis.models.some((m) => m.name === name) || analysis.experiments.some((e) => e.variants.some((v) => variantModelName(e.name, v.id) === name));
}

/** The data set a model trains on when nobody says (the core's rule, shared with the experiment's costs). */
export { defaultDataset } from '../core/report/experimentCost';

/** The data, loaded and preprocessed identically for both engines: subset, hold-out, pixel mean. */
export function prepareDataset(request: TrainRequest, model: ModelNode, seed: number): ImageDataset {
  const classes = model.output[2];
  const recipe = model.recipe;
  let data = loadDataset({
    name: request.dataset,
    dataDir: request.dataDir,
    synthetic: { imageShape: model.input, numClasses: classes, trainCount: request.trainLimit ?? 512, testCount: 128, seed },
  });
  checkInputFits(data, model.input, classes);
  if (request.trainLimit !== undefined && request.trainLimit < data.train.count) {
    const size = data.train.images.length / data.train.count;
    const n = request.trainLimit;
    data = { ...data, train: { images: data.train.images.slice(0, n * size), labels: data.train.labels.slice(0, n), count: n } };
  }
  // The recipe's hold-out, kept in spirit on another data set (the core's rule, which Train Model shows first).
  const validation = heldOutImages(recipe, request.dataset, data.train.count);
  if (validation > 0) {
    if (validation >= data.train.count) {
      throw new TrainingError(msg('worker.validationTooLarge', { validation, dataset: data.name, count: data.train.count }));
    }
    data = withValidation(data, validation, new Random(seed * 2 + 3));
  }
  if (recipe.subtractMean) applyPixelMean(data);
  return data;
}
