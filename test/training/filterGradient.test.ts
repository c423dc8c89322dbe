// The filter gradient's own WebAssembly kernel (src/training/tfjs/kernels/filterGradient.ts): its
// committed bytes are what its .wat source assembles to, it runs on this tfjs-wasm (whose memory it
// reads), and it gives the cpu backend's filter gradient on ResNet layers' shapes. The geometries of
// every padding and stride are checked against cpu in wasmKernels.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Random } from '../../src/training/random';
import { FILTER_GRADIENT_WASM } from '../../src/training/tfjs/kernels/filterGradientWasm';
import { filterGradientKernelReady, filterGradientNHWC } from '../../src/training/tfjs/kernels/filterGradient';
import { registerWasmTrainingKernels } from '../../src/training/tfjs/wasmKernels';
import * as script from '../../scripts/assembleWasmKernels';

test('the committed kernel is its .wat source assembled (npm run kernels)', async () => {
  const source = readFileSync(new URL('../../src/training/tfjs/kernels/filterGradient.wat', import.meta.url), 'utf8');
  assert.deepEqual(script.outputOf('filterGradient.wat'), { file: 'filterGradientWasm.ts', constName: 'FILTER_GRADIENT_WASM' });
  assert.equal(await script.assemble('filterGradient.wat', source), FILTER_GRADIENT_WASM, 'filterGradientWasm.ts is stale: run npm run kernels');
});

/** dW by the cpu backend's own gradient of a convolution. */
function cpuFilterGradient(x: Float32Array, xShape: number[], dy: Float32Array, dyShape: number[], filterShape: number[], strides: number, pad: number): Float32Array {
  return tf
    .tidy(() => {
      const attrs = { strides, pad, dataFormat: 'NHWC', filterShape } as unknown as tf.NamedAttrMap;
      return tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(x, xShape), dy: tf.tensor(dy, dyShape) }, attrs) as tf.Tensor;
    })
    .dataSync() as Float32Array;
}

test('on wasm it gives the cpu filter gradient for the layers of ResNets (stems, stages, strides, projections)', async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
  assert.ok(filterGradientKernelReady(), 'the kernel reaches tfjs-wasm 4.22’s memory');
  const rng = new Random(7);
  const cases = [
    { name: 'CIFAR stem 3→16', x: [4, 32, 32, 3], k: 3, co: 16, s: 1, pad: 1 },
    { name: 'stage 1 16→16', x: [3, 32, 32, 16], k: 3, co: 16, s: 1, pad: 1 },
    { name: 'stage 2 first 16→32 stride 2', x: [3, 32, 32, 16], k: 3, co: 32, s: 2, pad: 1 },
    { name: 'stage 3 64→64', x: [3, 8, 8, 64], k: 3, co: 64, s: 1, pad: 1 },
    { name: 'ImageNet stem 7×7 stride 2, 3→64', x: [2, 40, 40, 3], k: 7, co: 64, s: 2, pad: 3 },
    { name: 'projection 1×1 stride 2, 64→128', x: [2, 14, 14, 64], k: 1, co: 128, s: 2, pad: 0 },
    { name: 'odd channels 5→48, no padding', x: [2, 11, 9, 5], k: 3, co: 48, s: 1, pad: 0 },
    { name: 'EfficientNet-like 24→40 (16s and 4s)', x: [2, 12, 12, 24], k: 3, co: 40, s: 1, pad: 1 },
    { name: 'odd 3→4 (only 4s), stride 2', x: [2, 13, 13, 3], k: 5, co: 4, s: 2, pad: 2 },
  ];
  for (const c of cases) {
    const [n, h, w, ci] = c.x as [number, number, number, number];
    const oh = Math.floor((h + 2 * c.pad - c.k) / c.s) + 1;
    const ow = Math.floor((w + 2 * c.pad - c.k) / c.s) + 1;
    const x = Float32Array.from({ length: n * h * w * ci }, () => rng.nextFloat() * 2 - 1);
    const dy = Float32Array.from({ length: n * oh * ow * c.co }, () => rng.nextFloat() * 2 - 1);
    const xt = tf.tensor4d(x, [n, h, w, ci]);
    const dyt = tf.tensor4d(dy, [n, oh, ow, c.co]);
    const ours = filterGradientNHWC(xt, dyt, { kH: c.k, kW: c.k, sH: c.s, sW: c.s, top: c.pad, left: c.pad });
    assert.ok(ours, `${c.name}: the kernel applies`);
    const got = ours.dataSync();
    tf.dispose([xt, dyt, ours]);
    await tf.setBackend('cpu');
    const expected = cpuFilterGradient(x, c.x, dy, [n, oh, ow, c.co], [c.k, c.k, ci, c.co], c.s, c.pad);
    await tf.setBackend('wasm');
    const scale = Math.max(1, ...Array.from(expected, Math.abs));
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (expected[i] as number)) / scale);
    // Float32 sums of up to n·oh·ow products in another order: ~1e-6 here; an indexing slip is of order 1.
    assert.ok(worst <= 1e-5, `${c.name}: largest difference ${worst} of the largest value`);
  }
});

test('it declines what it does not do (output channels not a multiple of 4, another backend), and the convolution path answers', async () => {
  await tf.setBackend('wasm');
  const x = tf.ones([1, 8, 8, 4]) as tf.Tensor4D;
  const g = { kH: 3, kW: 3, sH: 1, sW: 1, top: 1, left: 1 };
  assert.equal(filterGradientNHWC(x, tf.ones([1, 8, 8, 10]) as tf.Tensor4D, g), undefined);
  await tf.setBackend('cpu');
  assert.equal(filterGradientNHWC(tf.ones([1, 8, 8, 4]) as tf.Tensor4D, tf.ones([1, 8, 8, 16]) as tf.Tensor4D, g), undefined);
  await tf.setBackend('wasm');
});
