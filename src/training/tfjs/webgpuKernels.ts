// Training kernels for TF.js's `webgpu` backend (tfjs-backend-webgpu 4.22), written in WGSL where
// its own would leave a GPU idle. Each is checked against the `cpu` backend in
// test/training/webgpuKernels.test.ts.
//
// Conv2DBackpropFilter: the stock kernel runs one GPU thread per filter weight, each summing over
// the whole batch and image (ResNet-20's 3×3×16×16 filters at batch 128: 2,304 threads doing
// 131,072 multiply-adds each, one after another). A GPU needs tens of thousands of threads, so
// ours also splits the batch into S chunks, one thread per (chunk, weight), writes S partial
// filters and sums them: S × more threads, each S × shorter, the same products.
import * as tf from '@tensorflow/tfjs';

/** Enough threads to fill a large GPU (an H200 runs ~270k at once); more only adds partial sums. */
const TARGET_THREADS = 1 << 16;

export const WEBGPU_TRAINING_KERNELS: readonly string[] = ['Conv2DBackpropFilter'];

interface WebGpuBackendLike {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], dtype: 'float32', uniforms: { type: string; data: number[] }[]): tf.TensorInfo;
}

/** How many batch chunks to split the reduction into for a filter of `weights` elements. */
export function batchSplits(batch: number, weights: number): number {
  return Math.max(1, Math.min(batch, Math.ceil(TARGET_THREADS / Math.max(1, weights))));
}

class FilterGradientSplitBatchProgram {
  readonly variableNames = ['x', 'dy'];
  readonly uniforms = 'pads : vec2<i32>, strides : vec2<i32>, batchSize : i32, outHeight : i32, outWidth : i32, inHeight : i32, inWidth : i32, chunk : i32,';
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey = 'resnetStudioConv2DDerFilterSplitBatch';

  constructor(splits: number, filterShape: readonly number[]) {
    this.outputShape = [splits, ...filterShape];
    this.dispatchLayout = { x: this.outputShape.map((_, i) => i) };
    const threads = this.outputShape.reduce((a, b) => a * b, 1);
    const groups = Math.ceil(threads / this.workgroupSize[0]);
    // WebGPU caps each dispatch dimension at 65,535 workgroups; tfjs folds the flat index back.
    const x = Math.min(groups, 65535);
    this.dispatch = [x, Math.ceil(groups / x), 1];
  }

  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        let coords = getCoordsFromIndex(index);
        // A rank-5 coordinate is tfjs's struct vec5 {x, y, z, w, u}: (split, row, column, in, out).
        let split = coords.x;
        let wR = coords.y;
        let wC = coords.z;
        let d1 = coords.w;
        let d2 = coords.u;
        let bStart = split * uniforms.chunk;
        let bEnd = min(bStart + uniforms.chunk, uniforms.batchSize);
        var dotProd = 0.0;
        for (var b = bStart; b < bEnd; b = b + 1) {
          for (var yR = 0; yR < uniforms.outHeight; yR = yR + 1) {
            let xR = wR + yR * uniforms.strides[0] - uniforms.pads[0];
            if (xR < 0 || xR >= uniforms.inHeight) {
              continue;
            }
            for (var yC = 0; yC < uniforms.outWidth; yC = yC + 1) {
              let xC = wC + yC * uniforms.strides[1] - uniforms.pads[1];
              if (xC < 0 || xC >= uniforms.inWidth) {
                continue;
              }
              dotProd = dotProd + getX(b, xR, xC, d1) * getDy(b, yR, yC, d2);
            }
          }
        }
        setOutputAtIndex(index, dotProd);
      }
    }`;
  }
}

function conv2dBackpropFilter({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const filterShape = attrs.filterShape as [number, number, number, number];
  const dataFormat = tf.backend_util.convertConv2DDataFormat((attrs.dataFormat as 'NHWC' | 'NCHW') ?? 'NHWC');
  if (dataFormat !== 'channelsLast') throw new Error("Conv2DBackpropFilter on webgpu: only NHWC (the model builder's layout) is supported");
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides as [number, number],
    1,
    attrs.pad as 'valid' | 'same' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    dataFormat,
  );
  const weights = filterShape.reduce((a, b) => a * b, 1);
  const splits = batchSplits(info.batchSize, weights);
  const chunk = Math.ceil(info.batchSize / splits);
  const used = Math.ceil(info.batchSize / chunk);
  const program = new FilterGradientSplitBatchProgram(used, filterShape);
  const partial = (backend as WebGpuBackendLike).runWebGPUProgram(program, [x, dy], 'float32', [
    { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.strideHeight, info.strideWidth] },
    { type: 'int32', data: [info.batchSize] },
    { type: 'int32', data: [info.outHeight] },
    { type: 'int32', data: [info.outWidth] },
    { type: 'int32', data: [info.inHeight] },
    { type: 'int32', data: [info.inWidth] },
    { type: 'int32', data: [chunk] },
  ]);
  const partialTensor = tf.engine().makeTensorFromTensorInfo(partial);
  // The engine accepts a Tensor as a kernel's output; the tape is off inside a kernel.
  const summed = used === 1 ? tf.reshape(partialTensor, filterShape) : tf.sum(partialTensor, 0);
  partialTensor.dispose();
  return summed;
}

let stock: tf.KernelConfig | undefined;

/** Replaces the stock kernels with ours (after the webgpu backend is registered). Idempotent. */
export function registerWebGpuTrainingKernels(): void {
  const current = tf.getKernel('Conv2DBackpropFilter', 'webgpu');
  if (current?.kernelFunc === (conv2dBackpropFilter as unknown as tf.KernelFunc)) return;
  stock = current;
  if (current) tf.unregisterKernel('Conv2DBackpropFilter', 'webgpu');
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'webgpu', kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc });
}

/** Puts TF.js's own kernels back (to compare with them: RESNET_STUDIO_WEBGPU_STOCK_KERNELS=1, benchmarks). */
export function unregisterWebGpuTrainingKernels(): void {
  if (!stock) return;
  tf.unregisterKernel('Conv2DBackpropFilter', 'webgpu');
  tf.registerKernel(stock);
  stock = undefined;
}

export function usingOurWebGpuKernels(): boolean {
  return tf.getKernel('Conv2DBackpropFilter', 'webgpu')?.kernelFunc === (conv2dBackpropFilter as unknown as tf.KernelFunc);
}
