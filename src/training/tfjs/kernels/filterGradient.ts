// A convolution's filter gradient on the TF.js wasm backend by a WebAssembly SIMD kernel of our own
// (filterGradient.wat), reading x and dy where the backend keeps them, NHWC, and writing dW in place.
//
// Why not XNNPACK (which the rest of wasmKernels.ts builds on): tfjs-wasm has no filter gradient, and
// as a forward convolution (x^T [Ci,H,W,N] convolved with dy^T as its filter) each call transposes x,
// transposes dy, and then tfjs-wasm turns that "filter" from HWIO to OHWI and XNNPACK packs it: the
// whole incoming gradient copied three times before a multiply. At ResNet-20's first stage that took
// 68 ms a layer against 37 here (and 116 against 37 under load); the stem's 36 against 6. The kernel
// is small: per output row and filter tap, two input channels by sixteen output channels of
// accumulators over the row's pixels (the last output channels four at a time).
import * as tf from '@tensorflow/tfjs';
import { FILTER_GRADIENT_WASM } from './filterGradientWasm';

/** What the kernel needs of a convolution (the forward's, NHWC; no dilation). */
export interface FilterGradientGeometry {
  readonly kH: number;
  readonly kW: number;
  readonly sH: number;
  readonly sW: number;
  /** Rows and columns of zero padding before the input (top, left). */
  readonly top: number;
  readonly left: number;
}

type TapRow = (x: number, dy: number, dw: number, count: number, xStride: number, ci: number, co: number) => void;

/** The wasm backend's calls used here, and where its Emscripten module keeps its memory. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
  readonly wasm?: { readonly asm?: { readonly memory?: unknown } };
}

/** The WebAssembly API as used here: the Node code's types leave out the DOM library that declares it. */
interface WebAssemblyApi {
  readonly Memory: abstract new (...args: never[]) => object;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** One instance per backend memory (each data-parallel worker thread has its own backend). */
const instances = new WeakMap<object, TapRow>();
let bytes: Uint8Array | undefined;

/** The kernel bound to `backend`'s memory; undefined when that memory cannot be reached (another tfjs-wasm build). */
function tapRowFor(backend: WasmBackend): TapRow | undefined {
  const memory = backend.wasm?.asm?.memory;
  if (!(memory instanceof wasmApi.Memory)) return undefined;
  let tapRow = instances.get(memory);
  if (!tapRow) {
    bytes ??= Uint8Array.from(atob(FILTER_GRADIENT_WASM), (c) => c.charCodeAt(0));
    const instance = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } });
    tapRow = instance.exports.tapRow as TapRow;
    instances.set(memory, tapRow);
  }
  return tapRow;
}

/** Whether the kernel runs on the current backend (the wasm one, with its memory reachable). */
export function filterGradientKernelReady(): boolean {
  return tf.getBackend() === 'wasm' && tapRowFor(tf.backend() as unknown as WasmBackend) !== undefined;
}

/**
 * dW [kH, kW, Ci, Co] = Σ over n, oh, ow of x[n, oh·sH + kh − top, ow·sW + kw − left, ci] · dy[n, oh, ow, co]
 * (inputs outside x are the padding's zeros). Undefined where the kernel does not apply: not the
 * wasm backend, its memory out of reach, Co not a multiple of 4 (the kernel's vectors).
 */
export function filterGradientNHWC(x: tf.Tensor4D, dy: tf.Tensor4D, g: FilterGradientGeometry): tf.Tensor4D | undefined {
  const [n, h, w, ci] = x.shape;
  const [dyN, oh, ow, co] = dy.shape;
  if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32' || dy.dtype !== 'float32' || co % 4 !== 0 || dyN !== n || x.size === 0 || dy.size === 0) return undefined;
  const backend = tf.backend() as unknown as WasmBackend;
  const tapRow = tapRowFor(backend);
  if (!tapRow) return undefined;
  // The output first: allocating may grow the memory, which would move nothing but detach views.
  const out = backend.makeOutput([g.kH, g.kW, ci, co], 'float32');
  const dw = backend.typedArrayFromHeap(out) as Float32Array;
  dw.fill(0);
  const xAt = backend.typedArrayFromHeap(x).byteOffset;
  const dyAt = backend.typedArrayFromHeap(dy).byteOffset;
  const dwAt = dw.byteOffset;
  // Per filter column, the output columns whose input column ow·sW + kw − left lies inside x.
  const columns = Array.from({ length: g.kW }, (_, kw) => {
    const first = Math.max(0, Math.ceil((g.left - kw) / g.sW));
    const last = Math.min(ow - 1, Math.floor((w - 1 + g.left - kw) / g.sW));
    return { first, count: last - first + 1, inputColumn: first * g.sW + kw - g.left };
  });
  // Row by row of the output, every tap of the filter: the rows read stay in cache across the taps.
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      for (let kh = 0; kh < g.kH; kh++) {
        const row = r * g.sH + kh - g.top;
        if (row < 0 || row >= h) continue;
        for (let kw = 0; kw < g.kW; kw++) {
          const { first, count, inputColumn } = columns[kw] as { first: number; count: number; inputColumn: number };
          if (count <= 0) continue;
          const tap = dwAt + (kh * g.kW + kw) * ci * co * 4;
          tapRow(xAt + ((b * h + row) * w + inputColumn) * ci * 4, dyAt + ((b * oh + r) * ow + first) * co * 4, tap, count, g.sW * ci, ci, co);
        }
      }
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D;
}
