// Every op and gradient the model builder uses, on TF.js's `webgpu` backend with our WGSL kernels
// (src/training/tfjs/webgpuKernels.ts) (through Dawn, here on
// SwiftShader, the software Vulkan GPU of Debian's chromium), against the pure-JS `cpu` backend.
//
// Tolerance: max |webgpu - cpu| <= RTOL * max(1, max |cpu|) with RTOL = 1e-4. The GPU sums K
// products in another order (K <= ~600 here), so float32 rounding gives errors near u*sqrt(K)
// = 1.5e-6 relative to the output's scale; 1e-4 leaves a wide margin, yet a wrong tap, pad,
// stride or reduction axis gives errors of order 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useSwiftShaderHere } from '../helpers/swiftshader';
import { Random } from '../../src/training/random';
import { startWebGpuBackend } from '../../src/training/tfjs/webgpuBackend';
import { batchSplits, usingOurWebGpuKernels } from '../../src/training/tfjs/webgpuKernels';
import { ConstantPad2D, ZeroPadShortcut } from '../../src/training/tfjs/model/customLayers';
import { analyze } from '../../src/core/analysis/analyze';
import { buildModel } from '../../src/training/tfjs/model/buildModel';
import { Optimizer } from '../../src/training/tfjs/optimizer';
import { TINY_MODEL } from '../helpers/models';

const RTOL = 1e-4;
const skip = useSwiftShaderHere();
const rng = new Random(20261130);

interface Host {
  shape: number[];
  values: Float32Array;
}

function host(shape: number[], scale = 1): Host {
  const values = new Float32Array(shape.reduce((p, q) => p * q, 1));
  for (let i = 0; i < values.length; i++) values[i] = (rng.nextFloat() * 2 - 1) * scale;
  return { shape, values };
}

/** Runs `f` on `backend` with fresh tensors made from `inputs`, returns host copies of the results (read asynchronously: webgpu in Node has no synchronous read). */
async function on(backend: string, inputs: Host[], f: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<Host[]> {
  await tf.setBackend(backend);
  const ts = inputs.map((h) => tf.tensor(h.values, h.shape, 'float32'));
  const out = f(...ts);
  const outs = Array.isArray(out) ? out : [out];
  const res = await Promise.all(outs.map(async (o) => ({ shape: o.shape.slice(), values: Float32Array.from(await o.data()) })));
  tf.dispose([...ts, ...outs]);
  return res;
}

function assertClose(actual: Host, expected: Host, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  let maxRef = 1;
  for (const v of expected.values) if (Number.isFinite(v)) maxRef = Math.max(maxRef, Math.abs(v));
  let maxErr = 0;
  for (let i = 0; i < expected.values.length; i++) maxErr = Math.max(maxErr, Math.abs(actual.values[i] - expected.values[i]));
  assert.ok(maxErr <= RTOL * maxRef, `${what}: max abs error ${maxErr} > ${RTOL} * ${maxRef}`);
}

/** f's value and the gradients of sum(f(x) * upstream) with respect to every input, on webgpu and cpu. */
async function checkOpAndGradients(what: string, inputs: Host[], f: (...t: tf.Tensor[]) => tf.Tensor): Promise<void> {
  const withGrads = (...ts: tf.Tensor[]) => {
    const y = f(...ts);
    const upstream = tf.tensor(host(y.shape).values, y.shape);
    const g = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), upstream)));
    return [y, ...g(ts)];
  };
  const upstreamSeed = rng.getState();
  const expected = await on('cpu', inputs, withGrads);
  rng.setState(upstreamSeed);
  const actual = await on('webgpu', inputs, withGrads);
  actual.forEach((a, i) => assertClose(a, expected[i], `${what} ${i === 0 ? 'value' : `gradient ${i}`}`));
}

test('webgpu: every layer and gradient the model builder uses matches cpu', { skip, timeout: 300_000 }, async (t) => {
  const started = await startWebGpuBackend();
  assert.ok(started.ok, started.ok ? '' : started.why);
  assert.ok(usingOurWebGpuKernels(), 'the backend runs our Conv2DBackpropFilter');
  // 1x1x128x160 filters at batch 5: chunks of 2, 2 and 1 images (an uneven split).
  assert.equal(batchSplits(5, 128 * 160), 4);
  assert.equal(batchSplits(128, 3 * 3 * 16 * 16), 29);
  const nhwc = (c: number, hw = 8, n = 2) => host([n, hw, hw, c]);
  const cases: [string, Host[], (...t: tf.Tensor[]) => tf.Tensor][] = [
    [
      'conv 3x3 stride 1 on a zero-padded input',
      [nhwc(3), host([3, 3, 3, 8], 0.5)],
      (x, w) =>
        tf.conv2d(
          tf.pad(x as tf.Tensor4D, [
            [0, 0],
            [1, 1],
            [1, 1],
            [0, 0],
          ]),
          w as tf.Tensor4D,
          1,
          'valid',
        ),
    ],
    [
      'conv 3x3 stride 2',
      [nhwc(8), host([3, 3, 8, 16], 0.3)],
      (x, w) =>
        tf.conv2d(
          tf.pad(x as tf.Tensor4D, [
            [0, 0],
            [1, 1],
            [1, 1],
            [0, 0],
          ]),
          w as tf.Tensor4D,
          2,
          'valid',
        ),
    ],
    ['conv 1x1 stride 2 (projection shortcut)', [nhwc(8), host([1, 1, 8, 16], 0.3)], (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid')],
    ['conv 1x1 128→160, batch 5 (filter gradient in uneven batch chunks)', [host([5, 4, 4, 128]), host([1, 1, 128, 160], 0.1)], (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')],
    ['conv 3x3 stride 2, batch 7, many chunks', [host([7, 9, 9, 4]), host([3, 3, 4, 8], 0.3)], (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid')],
    ['conv 7x7 stride 2 (ImageNet stem)', [host([1, 15, 15, 3]), host([7, 7, 3, 4], 0.2)], (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid')],
    [
      'batch norm, training mode (batch statistics)',
      [nhwc(6), host([6]), host([6])],
      (x, gamma, beta) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.batchNorm(x as tf.Tensor4D, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-5);
      },
    ],
    ['relu', [nhwc(4)], (x) => tf.relu(x)],
    ['residual add', [nhwc(4), nhwc(4)], (a, b) => tf.add(a, b)],
    ['option A shortcut (1x1 average pool stride 2, channel zero-pad)', [nhwc(4)], (x) => new ZeroPadShortcut({ stride: 2, extraChannels: 4 }).apply(x) as tf.Tensor],
    ['max pool 3x3 stride 2 after a -Infinity pad', [nhwc(4, 9)], (x) => tf.maxPool(new ConstantPad2D({ pad: [1, 1], value: -Infinity }).apply(x) as tf.Tensor4D, 3, 2, 'valid')],
    ['average pool 2x2 stride 2', [nhwc(4)], (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid')],
    ['global average pool', [nhwc(16)], (x) => tf.mean(x, [1, 2])],
    ['fully connected (matMul + bias)', [host([4, 16]), host([16, 10], 0.3), host([10])], (x, w, b) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b)],
    ['softmax cross-entropy', [host([4, 10], 3)], (logits) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([1, 0, 9, 3], 'int32'), 10), logits)],
  ];
  for (const [what, inputs, f] of cases) await t.test(what, () => checkOpAndGradients(what, inputs, f));

  await t.test('argMax, equal, sum and oneHot (accuracy) agree exactly', async () => {
    const logits = host([6, 10]);
    const f = (l: tf.Tensor) => [
      tf.argMax(l, 1).toFloat(),
      tf
        .equal(tf.argMax(l, 1), tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32'))
        .sum()
        .toFloat(),
    ];
    const [e, a] = [await on('cpu', [logits], f), await on('webgpu', [logits], f)];
    assert.deepEqual(
      a.map((h) => Array.from(h.values)),
      e.map((h) => Array.from(h.values)),
    );
  });
});

test("webgpu: the tiny model's loss and every gradient, then one SGD step, match cpu", { skip, timeout: 300_000 }, async () => {
  const started = await startWebGpuBackend();
  assert.ok(started.ok, started.ok ? '' : started.why);
  const node = analyze(TINY_MODEL).models[0];
  const x = host([4, 16, 16, 3]);
  const labels = [0, 1, 2, 3];
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const network = buildModel(node, { seed: 3 });
    const variables = network.trainableWeights.map((w) => w.read() as tf.Variable);
    const optimizer = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 });
    const { value, grads } = tf.variableGrads(() => {
      const logits = (network.apply(tf.tensor4d(x.values, x.shape as [number, number, number, number]), { training: true }) as tf.Tensor).reshape([4, 4]);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(labels, 'int32'), 4), logits) as tf.Scalar;
    }, variables);
    const gradValues = await Promise.all(variables.map(async (v) => ({ name: v.name, shape: v.shape.slice(), values: Float32Array.from(await grads[v.name].data()) })));
    optimizer.apply(
      variables,
      variables.map((v) => grads[v.name]),
      0.1,
    );
    const after = await Promise.all(variables.map(async (v) => Float32Array.from(await v.data())));
    const loss = (await value.data())[0];
    tf.dispose([value, ...Object.values(grads)]);
    optimizer.dispose();
    network.dispose();
    return { loss, gradValues, after };
  };
  const cpu = await run('cpu');
  const gpu = await run('webgpu');
  assert.ok(Math.abs(gpu.loss - cpu.loss) <= 1e-4 * Math.max(1, Math.abs(cpu.loss)), `loss ${gpu.loss} vs ${cpu.loss}`);
  assert.equal(gpu.gradValues.length, cpu.gradValues.length);
  gpu.gradValues.forEach((g, i) => assertClose(g, cpu.gradValues[i], `gradient of ${cpu.gradValues[i].name}`));
  gpu.after.forEach((w, i) => assertClose({ shape: cpu.gradValues[i].shape, values: w }, { shape: cpu.gradValues[i].shape, values: cpu.after[i] }, `${cpu.gradValues[i].name} after one step`));
});
