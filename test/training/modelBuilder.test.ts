// The TF.js network built from every example has exactly the analyzer's parameters: trainable
// weights = params, BatchNorm moving statistics = non-trainable state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyze } from '../../src/core/analysis/analyze';
import { buildModel, countWeights, layerByPath } from '../../src/training/tfjs/model/buildModel';
import { ZeroPadShortcut } from '../../src/training/tfjs/model/customLayers';
import { TrainingError } from '../../src/training/trainingError';
import { exampleFiles, readExample } from '../helpers/examples';

test('every example: TF.js trainable weights = params, moving statistics = non-trainable', async () => {
  await tf.setBackend('cpu');
  tf.env().set('PROD', true);
  let models = 0;
  for (const file of exampleFiles()) {
    for (const model of analyze(readExample(file)).models) {
      // Zero initialisation allocates without drawing 60M random numbers for ResNet-152.
      const network = buildModel(model, { seed: 1, init: 'zeros' });
      const counted = countWeights(network);
      assert.equal(counted.trainable, model.cost.params, `${file} ${model.name} params`);
      assert.equal(counted.nonTrainable, model.cost.nonTrainable, `${file} ${model.name} BN statistics`);
      assert.deepEqual(network.outputs[0].shape.slice(1), [...model.output], `${file} ${model.name} output`);
      network.dispose();
      models++;
    }
  }
  assert.ok(models >= 30, `${models} models`);
});

test("layer output shapes of the TF.js network equal the analyzer's for every stage", async () => {
  await tf.setBackend('cpu');
  const model = analyze(readExample('imagenet/resnet50.resnet')).models[0];
  const network = buildModel(model, { seed: 1, init: 'zeros' });
  for (const stage of model.stages) {
    for (const node of stage.nodes) {
      if (node.kind !== 'layer' || node.spec.op === 'softmax') continue;
      const shape = (layerByPath(network, node.path).outputShape as number[]).slice(1);
      // Global pooling and fc are reshaped to 1×1×C right after; their own output is flat.
      assert.deepEqual(shape.length === 1 ? [1, 1, shape[0]] : shape, [...node.output], node.path);
    }
    assert.deepEqual((network.getLayer(stage.name).outputShape as number[]).slice(1), [...stage.output], stage.name);
  }
  network.dispose();
});

test('option A shortcuts pass gradients: every kept position gets the upstream gradient, padding gets none', async () => {
  await tf.setBackend('cpu');
  const layer = new ZeroPadShortcut({ stride: 2, extraChannels: 4 });
  const x = tf.randomNormal([1, 4, 4, 4]);
  const upstream = tf.randomNormal([1, 2, 2, 8]);
  const dx = tf.grad((input: tf.Tensor) => (layer.apply(input) as tf.Tensor).mul(upstream).sum())(x);
  const g = dx.arraySync() as number[][][][];
  const u = upstream.arraySync() as number[][][][];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      for (let c = 0; c < 4; c++) {
        const expected = i % 2 === 0 && j % 2 === 0 ? u[0][i / 2][j / 2][c + 2] : 0;
        assert.ok(Math.abs(g[0][i][j][c] - expected) < 1e-6, `(${i},${j},${c})`);
      }
    }
  }
});

test('He fan-out initialisation: conv weights have standard deviation sqrt(2 / (k·k·filters)); BN starts at γ=1, β=0', async () => {
  await tf.setBackend('cpu');
  const model = analyze('model m {\n  input 8x8x3, classes 2\n  c conv 3x3, 256, bn\n  h avgpool, fc 2\n}').models[0];
  const network = buildModel(model, { seed: 3 });
  const kernel = layerByPath(network, 'c.conv1').getWeights()[0];
  const std = Math.sqrt(tf.moments(kernel).variance.dataSync()[0]);
  const expected = Math.sqrt(2 / (3 * 3 * 256));
  assert.ok(Math.abs(std - expected) / expected < 0.05, `${std} vs ${expected}`);
  const [gamma, beta] = layerByPath(network, 'c.bn1').getWeights();
  assert.equal(tf.min(gamma).dataSync()[0], 1);
  assert.equal(tf.max(tf.abs(beta)).dataSync()[0], 0);
  // The same seed gives the same network.
  const again = layerByPath(buildModel(model, { seed: 3 }), 'c.conv1').getWeights()[0];
  assert.equal(tf.max(tf.abs(kernel.sub(again))).dataSync()[0], 0);
});

test('a layer the TF.js engine cannot build is refused as a training error, in the catalogue: English and Korean', async () => {
  await tf.setBackend('cpu');
  const model = analyze('model m {\n  input 8x8x3, classes 2\n  c conv 3x3, 4, bn\n  h avgpool, fc 2\n}').models[0];
  // An op no analyzer makes today stands for whatever the engine may not know tomorrow.
  const [conv] = model.stages[0].nodes;
  const unknown = { ...model, stages: [{ ...model.stages[0], nodes: [{ ...conv, spec: { op: 'res2split' } }] }] } as unknown as typeof model;
  const refusal = (() => {
    try {
      buildModel(unknown, { seed: 1 });
    } catch (error) {
      return error;
    }
    return undefined;
  })();
  assert.ok(refusal instanceof TrainingError, String(refusal));
  assert.equal(refusal.message, '`res2split` (c.conv1) does not train on the TF.js engine yet; train this model with `engine pytorch` in its recipe or --engine pytorch');
  assert.match(refusal.say('ko'), /^`res2split` \(c\.conv1\)은\(는\) 아직 TF\.js 엔진에서 학습할 수 없습니다/);
});
