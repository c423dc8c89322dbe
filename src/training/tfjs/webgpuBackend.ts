// Starts TF.js's `webgpu` backend on the adapter webgpuDevice.ts opened, on a device whose errors
// we watch: a GPU that runs out of memory, or a device that is lost (driver reset, GPU unplugged,
// laptop asleep), becomes a WebGpuFailure the trainer turns into a message, instead of silent
// garbage (WebGPU reports both asynchronously, never by throwing).
import * as tf from '@tensorflow/tfjs';
import { openAdapter, type AdapterSummary } from './webgpuDevice';
import { registerWebGpuTrainingKernels } from './webgpuKernels';

export type WebGpuStart = { ok: true; summary: AdapterSummary } | { ok: false; why: string };

/** What went wrong on the GPU since the backend started, if anything. */
export type WebGpuFailure = { kind: 'out-of-memory'; detail: string } | { kind: 'lost'; detail: string };

let failure: WebGpuFailure | undefined;
let started: AdapterSummary | undefined;

/**
 * Opens the adapter and, unless `accept` refuses it (auto refuses software adapters), registers and
 * starts the `webgpu` TF.js backend on it. Safe to call again: the second time it reuses the device.
 */
export async function startWebGpuBackend(accept: (summary: AdapterSummary) => string | undefined = () => undefined): Promise<WebGpuStart> {
  if (started && tf.findBackend('webgpu')) {
    const refused = accept(started);
    if (refused) return { ok: false, why: refused };
    return (await tf.setBackend('webgpu')) ? { ok: true, summary: started } : { ok: false, why: 'the webgpu backend did not start' };
  }
  const opened = await openAdapter();
  if (!opened.ok) return opened;
  const refused = accept(opened.summary);
  if (refused) return { ok: false, why: refused };
  // TF.js's WebGPU backend looks for navigator.gpu (Node 21+ has a navigator without one).
  installNavigatorGpu(opened.gpu);
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const { adapter } = opened;
  const limits = adapter.limits;
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
      // The adapter's own limits, not WebGPU's defaults (256 MiB buffers would cap the batch size).
      requiredLimits: {
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      },
    });
  } catch (error) {
    return { ok: false, why: `the GPU ${opened.summary.description} refused a device: ${error instanceof Error ? error.message : String(error)}` };
  }
  watch(device);
  // Importing the package registered its own factory (which opens its own device): replace it.
  if (tf.engine().registryFactory.webgpu) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info), 3);
  if (!(await tf.setBackend('webgpu'))) return { ok: false, why: 'the webgpu backend did not start' };
  // Ours replace TF.js's where they keep a GPU busier; the stock ones stay reachable for comparison.
  if (process.env.RESNET_STUDIO_WEBGPU_STOCK_KERNELS !== '1') registerWebGpuTrainingKernels();
  started = opened.summary;
  return { ok: true, summary: started };
}

function installNavigatorGpu(gpu: GPU): void {
  const g = globalThis as { navigator?: object };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator as object, 'gpu', { value: gpu, configurable: true });
}

function watch(device: GPUDevice): void {
  failure = undefined;
  device.addEventListener('uncapturederror', (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    // Keep the first: later errors are usually consequences of it.
    if (failure) return;
    const isOom = error.constructor?.name === 'GPUOutOfMemoryError' || /out of memory|OutOfMemory/i.test(error.message);
    failure = isOom ? { kind: 'out-of-memory', detail: error.message.split('\n')[0] ?? error.message } : failure;
  });
  void device.lost.then((info) => {
    if (info.reason === 'destroyed') return;
    failure = { kind: 'lost', detail: info.message || String(info.reason) };
  });
}

/** The GPU failure seen so far, if any (polled by the trainer between steps). */
export function webGpuFailure(): WebGpuFailure | undefined {
  return failure;
}

/** The adapter the running backend uses, if it is webgpu. */
export function webGpuAdapter(): AdapterSummary | undefined {
  return started;
}
