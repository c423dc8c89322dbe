// Checks the wasm training kernels (src/training/tfjs/wasmKernels.ts) against the
// pure-JS `cpu` backend, for leaks, and that a small residual conv net trains.
//
// Tolerance. Every kernel output is compared with
//   max |wasm - cpu| <= RTOL * max(1, max |cpu|),   RTOL = 1e-4.
// Outputs are float32 sums of K products (K <= ~2500 here) accumulated in a
// different order on each side (XNNPACK blocks, the cpu backend loops). The
// rounding error of such a sum grows like u * sqrt(K) relative to the output
// scale (u = 2^-24 = 6e-8), i.e. ~3e-6 for K = 2500; 1e-4 leaves a 30x margin
// yet any indexing mistake (wrong tap, pad or stride) gives errors of order 1.
// The per-channel elementwise kernels do the same arithmetic as the stock ones
// and are checked at RTOL_EXACT = 1e-6.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Random } from '../../src/training/random';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels, WASM_TRAINING_KERNELS } from '../../src/training/tfjs/wasmKernels';

const RTOL = 1e-4;
const RTOL_EXACT = 1e-6;

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Round = 'floor' | 'round' | 'ceil' | undefined;

const rng = new Random(20240611);

function randomArray(size: number, scale = 1): Float32Array {
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = (rng.nextFloat() * 2 - 1) * scale;
  return a;
}

interface Host {
  shape: number[];
  values: Float32Array;
}

function host(shape: number[], scale = 1): Host {
  return {
    shape,
    values: randomArray(
      shape.reduce((p, q) => p * q, 1),
      scale,
    ),
  };
}

/** Runs `f` on `backend` with fresh tensors made from `inputs`, returns host copies of the results. */
async function on(backend: string, inputs: Host[], f: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<Host[]> {
  await tf.setBackend(backend);
  const ts = inputs.map((h) => tf.tensor(h.values, h.shape, 'float32'));
  const out = f(...ts);
  const outs = Array.isArray(out) ? out : [out];
  const res = outs.map((o) => ({ shape: o.shape.slice(), values: o.dataSync() as Float32Array }));
  tf.dispose([...ts, ...outs]);
  return res;
}

function assertClose(actual: Host, expected: Host, rtol: number, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  let maxRef = 1;
  for (const v of expected.values) if (Number.isFinite(v)) maxRef = Math.max(maxRef, Math.abs(v));
  let maxErr = 0;
  for (let i = 0; i < expected.values.length; i++) {
    const a = actual.values[i];
    const e = expected.values[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      assert.ok(Number.isNaN(e) && Number.isNaN(a), `${what}: NaN mismatch at ${i} (${a} vs ${e})`);
      continue;
    }
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      assert.equal(a, e, `${what}: infinity mismatch at ${i}`);
      continue;
    }
    maxErr = Math.max(maxErr, Math.abs(a - e));
  }
  assert.ok(maxErr <= rtol * maxRef, `${what}: max abs error ${maxErr} > ${rtol} * ${maxRef}`);
}

/** Compares f on wasm (with our kernels) against cpu. */
async function compare(what: string, inputs: Host[], f: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[], rtol = RTOL): Promise<void> {
  const expected = await on('cpu', inputs, f);
  const actual = await on('wasm', inputs, f);
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assertClose(a, expected[i], rtol, `${what} [output ${i}]`));
}

/** numTensors and backend data buffers must be unchanged after running f and disposing its result. */
function assertNoLeak(what: string, f: () => tf.Tensor | tf.Tensor[]): void {
  const before = tf.memory();
  const dataIdsBefore = tf.engine().backend.numDataIds();
  const out = f();
  tf.dispose(out);
  const after = tf.memory();
  assert.equal(after.numTensors, before.numTensors, `${what}: tensors leaked`);
  assert.equal(after.numDataBuffers, before.numDataBuffers, `${what}: data buffers leaked`);
  assert.equal(tf.engine().backend.numDataIds(), dataIdsBefore, `${what}: backend data ids leaked`);
}

interface ConvCase {
  x: [number, number, number, number];
  k: number;
  kw?: number;
  cout: number;
  strides: number | [number, number];
  pad: Pad;
  round?: Round;
}

const CONV_CASES: ConvCase[] = [
  { x: [2, 8, 8, 3], k: 3, cout: 4, strides: 1, pad: 'same' },
  { x: [2, 9, 9, 3], k: 3, cout: 4, strides: 1, pad: 'valid' },
  { x: [2, 8, 8, 3], k: 3, cout: 5, strides: 2, pad: 'same' },
  { x: [2, 9, 9, 3], k: 3, cout: 5, strides: 2, pad: 'same' },
  { x: [2, 9, 10, 3], k: 3, cout: 4, strides: 2, pad: 'valid' },
  { x: [2, 8, 8, 4], k: 1, cout: 6, strides: 1, pad: 'valid' },
  { x: [2, 8, 8, 4], k: 1, cout: 6, strides: 2, pad: 'valid' },
  { x: [2, 7, 7, 4], k: 1, cout: 3, strides: 2, pad: 'same' },
  { x: [2, 11, 11, 3], k: 7, cout: 4, strides: 2, pad: 'same' },
  { x: [1, 12, 12, 3], k: 7, cout: 5, strides: 2, pad: 3 },
  { x: [1, 9, 9, 2], k: 7, cout: 3, strides: 1, pad: 'valid' },
  {
    x: [2, 8, 9, 3],
    k: 3,
    cout: 4,
    strides: 1,
    pad: [
      [0, 0],
      [2, 1],
      [0, 3],
      [0, 0],
    ],
  },
  {
    x: [2, 8, 9, 3],
    k: 3,
    cout: 4,
    strides: 2,
    pad: [
      [0, 0],
      [1, 0],
      [0, 2],
      [0, 0],
    ],
  },
  { x: [1, 7, 7, 2], k: 3, cout: 2, strides: 3, pad: 1 },
  {
    x: [1, 4, 4, 2],
    k: 3,
    cout: 2,
    strides: 2,
    pad: [
      [0, 0],
      [7, 1],
      [5, 0],
      [0, 0],
    ],
  }, // pads wider than the kernel
  { x: [2, 3, 3, 2], k: 3, cout: 3, strides: 2, pad: 'valid' },
  { x: [2, 8, 8, 3], k: 3, cout: 4, strides: 2, pad: 0, round: 'floor' },
  { x: [2, 8, 8, 3], k: 3, cout: 4, strides: 2, pad: 0, round: 'ceil' },
  { x: [2, 8, 10, 3], k: 3, kw: 5, cout: 4, strides: [1, 2], pad: 'same' },
  { x: [4, 16, 16, 8], k: 3, cout: 8, strides: 1, pad: 'same' },
];

function caseName(c: ConvCase): string {
  return `x${c.x.join('x')}→${c.cout} k${c.k}${c.kw ? `x${c.kw}` : ''} s${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}${c.round ? ` ${c.round}` : ''}`;
}

const conv = (c: ConvCase) => (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad as 'same', 'NHWC', 1, c.round);

test('setup: wasm backend with the training kernels registered (idempotently)', async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
  registerWasmTrainingKernels();
  for (const name of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']) {
    assert.ok(WASM_TRAINING_KERNELS.includes(name));
    assert.ok(tf.getKernel(name, 'wasm') != null, `${name} registered`);
  }
  // The engine then checks every kernel for internal leaks (data ids created and not disposed).
  tf.env().set('IS_TEST', true);
});

test('Conv2DBackpropFilter and Conv2DBackpropInput match cpu (direct kernel calls)', async () => {
  // Each geometry also with 4, 16 and 36 output channels: the filter gradient's own SIMD kernel
  // (kernels/filterGradient.ts) takes multiples of 4, the convolution formulation the others.
  for (const c of CONV_CASES.flatMap((c) => [c, { ...c, cout: 4 }, { ...c, cout: 16 }, { ...c, cout: 36 }])) {
    const kw = c.kw ?? c.k;
    const outShape = await on('cpu', [host(c.x), host([c.k, kw, c.x[3], c.cout])], (x, w) => conv(c)(x, w));
    const x = host(c.x);
    const dy = host(outShape[0].shape);
    const w = host([c.k, kw, c.x[3], c.cout]);
    const attrs: tf.NamedAttrMap = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
    if (c.round) attrs.dimRoundingMode = c.round;
    await compare(`filter grad ${caseName(c)}`, [x, dy], (xt, dyt) => tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, { ...attrs, filterShape: w.shape }) as tf.Tensor);
    await compare(`input grad ${caseName(c)}`, [dy, w], (dyt, wt) => tf.engine().runKernel('Conv2DBackpropInput', { dy: dyt, filter: wt }, { ...attrs, inputShape: c.x }) as tf.Tensor);
  }
});

test('tf.grads of a conv (through the gradient registry) match cpu', async () => {
  // tfjs-core's Conv2D gradient drops dimRoundingMode, so 'ceil' cases are only
  // checked through the direct kernel calls above.
  for (const c of CONV_CASES.filter((k, i) => i % 2 === 0 && k.round !== 'ceil')) {
    const kw = c.kw ?? c.k;
    const outShape = (await on('cpu', [host(c.x), host([c.k, kw, c.x[3], c.cout])], (x, w) => conv(c)(x, w)))[0].shape;
    await compare(`grads ${caseName(c)}`, [host(c.x), host([c.k, kw, c.x[3], c.cout]), host(outShape)], (x, w, dy) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(c)(a, b), dy)))([x, w]),
    );
  }
  // fused conv with bias and relu (what tf.layers.conv2d uses)
  await compare('fused conv2d grads', [host([2, 8, 8, 3]), host([3, 3, 3, 4]), host([4]), host([2, 4, 4, 4])], (x, w, b, dy) =>
    tf.grads((a: tf.Tensor, f: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 2, pad: 'same', bias: bb, activation: 'relu' }), dy)),
    )([x, w, b]),
  );
});

test('depthwise conv gradients match cpu', async () => {
  const cases: { x: [number, number, number, number]; k: number; mult: number; s: number; pad: Pad }[] = [
    { x: [2, 8, 8, 3], k: 3, mult: 1, s: 1, pad: 'same' },
    { x: [2, 9, 9, 3], k: 3, mult: 2, s: 2, pad: 'same' },
    { x: [2, 8, 8, 4], k: 5, mult: 2, s: 2, pad: 'valid' },
    { x: [1, 10, 10, 2], k: 3, mult: 1, s: 2, pad: 1 },
    { x: [2, 7, 7, 3], k: 1, mult: 3, s: 2, pad: 'valid' },
  ];
  for (const c of cases) {
    const f = (x: tf.Tensor, w: tf.Tensor) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad as 'same');
    const outShape = (await on('cpu', [host(c.x), host([c.k, c.k, c.x[3], c.mult])], f))[0].shape;
    await compare(`depthwise ${JSON.stringify(c)}`, [host(c.x), host([c.k, c.k, c.x[3], c.mult]), host(outShape)], (x, w, dy) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), dy)))([x, w]),
    );
  }
});

test('max pooling gradients match cpu, where the stock wasm MaxPoolGrad misplaced some (9×9 pooled 2×2/2)', async () => {
  const cases: { x: [number, number, number, number]; k: number; s: number; pad: Pad }[] = [
    { x: [2, 9, 9, 2], k: 2, s: 2, pad: 'valid' },
    { x: [2, 9, 9, 3], k: 3, s: 2, pad: 'valid' },
    { x: [1, 8, 8, 4], k: 3, s: 2, pad: 'same' },
    { x: [2, 7, 7, 3], k: 3, s: 1, pad: 1 },
  ];
  for (const c of cases) {
    const f = (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, c.k, c.s, c.pad as 'same');
    const outShape = (await on('cpu', [host(c.x)], f))[0].shape;
    await compare(`maxPool ${JSON.stringify(c)}`, [host(c.x), host(outShape)], (x, dy) => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), dy)))(x), RTOL_EXACT);
  }
});

test('Sum / Mean over axis blocks, Tile, per-channel Multiply/Add/Sub, FusedBatchNorm match cpu', async () => {
  const x4 = host([8, 16, 16, 12], 3);
  for (const [axis, keep] of [
    [[0, 1, 2], false],
    [[0, 1, 2], true],
    [[1, 2], false],
    [[0], false],
    [[1], true],
    [[3], false],
    [[0, 1, 2, 3], false],
    [[2, 0, 1], false],
  ] as [number[], boolean][]) {
    await compare(`sum ${axis} keep=${keep}`, [x4], (x) => tf.sum(x, axis, keep));
    await compare(`mean ${axis} keep=${keep}`, [x4], (x) => tf.mean(x, axis, keep));
  }
  await compare('moments', [x4], (x) => {
    const m = tf.moments(x, [0, 1, 2]);
    return [m.mean, m.variance];
  });
  const c = host([12]);
  const c4 = host([1, 1, 1, 12]);
  for (const [name, f] of [
    ['mul', tf.mul],
    ['add', tf.add],
    ['sub', tf.sub],
  ] as const) {
    await compare(`${name} big,[C]`, [x4, c], (a, b) => f(a, b), RTOL_EXACT);
    await compare(`${name} [1,1,1,C],big`, [c4, x4], (a, b) => f(a, b), RTOL_EXACT);
  }
  const scale = host([12]);
  const offset = host([12]);
  const variance = { shape: [12], values: randomArray(12).map((v) => Math.abs(v) + 0.1) };
  await compare('batchNorm', [x4, c, variance, offset, scale], (x, m, v, o, s) => tf.batchNorm(x, m, v, o, s, 1e-3), RTOL_EXACT);
  // Zero mean, unit variance, no epsilon: one pass x·scale + offset (the BatchNorm backward's map).
  const zeros = { shape: [12], values: new Float32Array(12) };
  const ones = { shape: [12], values: new Float32Array(12).fill(1) };
  await compare('batchNorm, zero mean', [x4, zeros, ones, offset, scale], (x, m, v, o, s) => tf.batchNorm(x, m, v, o, s, 0), RTOL_EXACT);
  await compare('tile broadcast', [c4], (t) => tf.tile(t, [8, 16, 16, 1]), 0);
  await compare('tile general', [host([2, 3, 4])], (t) => tf.tile(t, [2, 1, 3]), 0);
});

test('NaN and infinities propagate exactly as on cpu (XNNPACK clamps NaN to -inf; kernels fall back)', async () => {
  const x = host([8, 16, 16, 12]);
  x.values[0] = NaN;
  x.values[13] = Infinity;
  x.values[100] = -Infinity;
  const c = { shape: [12], values: Float32Array.from({ length: 12 }, (_, i) => (i === 1 ? 0 : i - 5)) };
  await compare('mul NaN', [x, c], (a, b) => tf.mul(a, b), RTOL_EXACT);
  await compare('sub NaN', [x, c], (a, b) => tf.sub(a, b), RTOL_EXACT);
  // Reductions add in another order than cpu (XNNPACK's pooling): RTOL, as in the reductions' own test;
  // at RTOL_EXACT a sum of 2,048 values passed or failed by the draw of the random values.
  await compare('sum NaN', [x], (a) => tf.sum(a, [0, 1, 2]));
  await compare('mean NaN', [x], (a) => tf.mean(a, [1, 2]));
  await compare('batchNorm NaN', [x, c, { shape: [12], values: new Float32Array(12).fill(2) }], (a, m, v) => tf.batchNorm(a, m, v), RTOL_EXACT);
});

test('Identity and same-dtype Cast share the buffer safely', async () => {
  await tf.setBackend('wasm');
  const a = tf.tensor1d([1, 2, 3]);
  const b = tf.clone(a);
  const c = tf.cast(a, 'float32');
  a.dispose();
  assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3]);
  assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3]);
  const i = tf.cast(b, 'int32');
  assert.equal(i.dtype, 'int32');
  tf.dispose([b, c, i]);
});

test('no tensor or buffer leaks in any registered kernel, alone or under tf.grad', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor(host([2, 9, 9, 4]).values, [2, 9, 9, 4]) as tf.Tensor4D;
  const w = tf.tensor(host([3, 3, 4, 6]).values, [3, 3, 4, 6]) as tf.Tensor4D;
  const dw = tf.tensor(host([3, 3, 4, 2]).values, [3, 3, 4, 2]) as tf.Tensor4D;
  const big = tf.tensor(host([8, 16, 16, 12]).values, [8, 16, 16, 12]);
  const ch = tf.tensor(host([12]).values, [12]);
  const chPos = tf.abs(ch);
  const ch3 = tf.reshape(ch, [1, 1, 12]);
  assertNoLeak('conv grads', () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, w]));
  assertNoLeak('depthwise grads', () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, dw]));
  assertNoLeak('sum', () => tf.sum(big, [0, 1, 2]));
  assertNoLeak('mean keepDims', () => tf.mean(big, [1, 2], true));
  assertNoLeak('mul', () => tf.mul(big, ch));
  assertNoLeak('add', () => tf.add(ch, big));
  assertNoLeak('sub', () => tf.sub(big, ch));
  assertNoLeak('batchNorm', () => tf.batchNorm(big, ch, chPos, ch, ch));
  assertNoLeak('tile', () => tf.tile(ch3, [4, 5, 1]));
  assertNoLeak('clone', () => tf.clone(big));
  assertNoLeak('max pool grad', () => tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 3, 2, 'same')))(x));
  const nan = tf.tensor2d(
    Float32Array.from({ length: 4 * 4096 }, (_, i) => (i === 5 ? NaN : i % 7)),
    [4096, 4],
  );
  assertNoLeak('NaN fallback', () => tf.sum(nan, 0));
  assert.ok(tf.tidy(() => Number.isNaN(tf.sum(nan, 0).dataSync()[1])));
  tf.dispose([x, w, dw, big, ch, chPos, ch3, nan]);
});

/** conv-bn-relu-conv-bn + shortcut, relu, strided conv, avg pool, dense: every kernel a ResNet step uses. */
function tinyResNet(seed: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.heNormal({ seed: seed + s });
  const bn = () => tf.layers.batchNormalization({ momentum: 0.9 });
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(1) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.reLU().apply(bn().apply(x)) as tf.SymbolicTensor;
  let y = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(2) }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.reLU().apply(bn().apply(y)) as tf.SymbolicTensor;
  y = bn().apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(3) }).apply(y)) as tf.SymbolicTensor;
  x = tf.layers.reLU().apply(tf.layers.add().apply([x, y])) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(4) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.averagePooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 5 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

async function trainTiny(backend: string, xs: Host, labels: number[], steps: number): Promise<number[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const losses: number[] = [];
  const model = tinyResNet(7);
  model.compile({ optimizer: tf.train.momentum(0.05, 0.9), loss: 'categoricalCrossentropy' });
  const x = tf.tensor(xs.values, xs.shape);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
  let afterFirst = 0;
  for (let i = 0; i < steps; i++) {
    losses.push(Number(await model.trainOnBatch(x, y)));
    if (i === 0) afterFirst = tf.memory().numTensors;
  }
  assert.equal(tf.memory().numTensors, afterFirst, `${backend}: tensor count grows during training`);
  tf.dispose([x, y]);
  model.optimizer.dispose();
  model.dispose();
  assert.ok(tf.memory().numTensors <= before + 2, `${backend}: tensors left after disposing the model`);
  return losses;
}

test('a tiny residual conv net trains on wasm and follows the cpu trajectory', async () => {
  const xs = host([16, 8, 8, 3]);
  const labels = Array.from({ length: 16 }, (_, i) => i % 4);
  const wasm = await trainTiny('wasm', xs, labels, 25);
  assert.ok(wasm.every(Number.isFinite), `finite losses: ${wasm}`);
  assert.ok(wasm[wasm.length - 1] < 0.6 * wasm[0], `loss decreases: ${wasm[0]} -> ${wasm[wasm.length - 1]}`);
  const cpu = await trainTiny('cpu', xs, labels, 3);
  for (let i = 0; i < 3; i++) {
    assert.ok(Math.abs(wasm[i] - cpu[i]) <= 1e-3 * Math.abs(cpu[i]), `step ${i}: wasm loss ${wasm[i]} vs cpu ${cpu[i]}`);
  }
});

test('unregister restores the stock kernels; register again', async () => {
  await tf.setBackend('wasm');
  tf.env().set('IS_TEST', false);
  unregisterWasmTrainingKernels();
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined);
  assert.ok(tf.getKernel('Conv2DBackpropInput', 'wasm') != null);
  registerWasmTrainingKernels();
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm') != null);
});

test('registered before tf.setBackend("wasm") (as src/training/tfjs/backend.ts does): fallbacks still work', () => {
  // Needs a fresh process: the stock kernels bind their C functions when the
  // backend starts, so the order only matters before the first setBackend.
  const moduleUrl = new URL('../../src/training/tfjs/wasmKernels.ts', import.meta.url).href;
  const script = `
    import * as tf from '@tensorflow/tfjs';
    import '@tensorflow/tfjs-backend-wasm';
    const { registerWasmTrainingKernels } = await import(${JSON.stringify(moduleUrl)});
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    const small = tf.mul(tf.ones([2, 2]), tf.tensor1d([2, 3])).dataSync();
    const sum = tf.sum(tf.ones([3, 2]), 1).dataSync();
    const x = tf.ones([1, 5, 5, 2]);
    const w = tf.ones([3, 3, 2, 2]);
    const [dx, dw] = tf.grads((a, b) => tf.sum(tf.conv2d(a, b, 2, 'same')))([x, w]);
    console.log(JSON.stringify({ small: Array.from(small), sum: Array.from(sum), dx: dx.shape, dw: dw.shape }));
  `;
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
  assert.deepEqual(out, { small: [2, 3, 2, 3], sum: [2, 2, 2], dx: [1, 5, 5, 2], dw: [3, 3, 2, 2] });
});
