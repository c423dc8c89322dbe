// What Train Model says a run will do before it starts (src/core/report/runPlan.ts) is what the
// worker does: the hold-out on each data set, the steps, and the recipe's validation line for it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { describeRecipe } from '../../src/core/report/recipeText';
import { planRun, runSeconds, TRAIN_IMAGES } from '../../src/core/report/runPlan';
import { prepareDataset } from '../../src/training/runSetup';
import { readExample } from '../helpers/examples';

const [resnet20] = analyze(readExample('cifar/resnet20.resnet')).models;

test("the paper's CIFAR recipe on synthetic images holds out a tenth of them, and says so (not 5,000 of 512)", () => {
  assert.ok(resnet20);
  const synthetic = planRun(resnet20, 'synthetic');
  assert.deepEqual({ heldOut: synthetic.heldOut, trainImages: synthetic.trainImages, refused: synthetic.refused }, { heldOut: 51, trainImages: 461, refused: false });
  // 64k iterations (section 4.2), whatever the data.
  assert.equal(synthetic.steps, 64_000);
  const lines = describeRecipe(resnet20.recipe, 'en', 'synthetic');
  assert.ok(lines.includes("Validation: 51 training images held out (a tenth of synthetic's 512; the recipe's 5,000 are for cifar10)"), lines.join('\n'));
  assert.ok(describeRecipe(resnet20.recipe, 'en', 'cifar10').includes('Validation: 5,000 training images held out'));
  assert.equal(planRun(resnet20, 'cifar10').heldOut, 5_000);
});

test('the worker holds out the images the plan says (synthetic data: MNIST does not fit a 32×32×3 input, CIFAR-10 needs its files)', () => {
  assert.ok(resnet20);
  const data = prepareDataset({ sourceText: '', modelName: resnet20.name, dataset: 'synthetic', backend: 'cpu', outDir: '' } as never, resnet20, 1);
  assert.equal(data.validation?.count, planRun(resnet20, 'synthetic').heldOut);
  assert.equal(data.train.count, TRAIN_IMAGES.synthetic - planRun(resnet20, 'synthetic').heldOut);
});

test('an epoch recipe counts its steps on the images left after the hold-out; the time follows the measured speed', () => {
  const [net] = analyze(`model m {
  input 28x28x1, classes 10
  conv1 conv 3x3, 8, bn, relu
  head avgpool, fc 10
  train {
    dataset mnist
    batch 100
    epochs 3
    validation 1000
  }
}`).models;
  assert.ok(net);
  assert.deepEqual(planRun(net, 'mnist'), { heldOut: 1_000, trainImages: 7_000, steps: 210, refused: false });
  // 210 steps × 100 images × 1,000 MACs = 21,000,000 MACs, at 1,000,000 MACs/s: 21 s.
  assert.equal(runSeconds(210, 100, 1_000, 1e6), 21);
});
