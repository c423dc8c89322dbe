// What fits on a GPU under WebGPU, and what to tell a person when it does not. WebGPU says
// neither how much memory a GPU has nor, synchronously, that an allocation failed; it does say
// how large one buffer may be (maxBufferSize), and every tensor is one buffer. So a batch whose
// largest activation exceeds that is refused before training starts, with the batch that fits;
// a run that later runs out of memory (reported asynchronously) stops with half its batch to try.
import type { ModelNode } from '../../core/analysis/network';
import { modelLayers } from '../../core/analysis/network';
import type { WebGpuFailure } from './webgpuBackend';
import { formatBytes, type AdapterSummary } from './webgpuDevice';

/** Bytes of the largest float32 tensor one image makes on its way through the network (padding margin included). */
export function largestTensorBytesPerImage(model: ModelNode): number {
  let largest = model.input[0] * model.input[1] * model.input[2];
  for (const layer of modelLayers(model)) largest = Math.max(largest, layer.output[0] * layer.output[1] * layer.output[2]);
  // A 3×3 convolution pads its input by one pixel all round; 7×7 by three: allow for it.
  return Math.ceil(largest * 4 * 1.25);
}

/** The largest batch whose every tensor fits in one of the adapter's buffers. */
export function largestBatchForBuffers(model: ModelNode, adapter: Pick<AdapterSummary, 'maxBufferSize'>): number {
  return Math.max(0, Math.floor(adapter.maxBufferSize / largestTensorBytesPerImage(model)));
}

/** Undefined when `batchSize` fits the adapter's buffers; else what to do, for a person. */
export function batchTooLargeMessage(model: ModelNode, batchSize: number, adapter: AdapterSummary): string | undefined {
  const fits = largestBatchForBuffers(model, adapter);
  if (batchSize <= fits) return undefined;
  const perImage = formatBytes(largestTensorBytesPerImage(model));
  if (fits === 0)
    return `one image of ${model.name} makes a ${perImage} tensor, more than the largest buffer ${adapter.description} accepts (${formatBytes(adapter.maxBufferSize)}); use a smaller input or the wasm backend`;
  return `batch ${batchSize} does not fit on ${adapter.description}: its largest tensor would be ${formatBytes(largestTensorBytesPerImage(model) * batchSize)}, and the GPU's largest buffer is ${formatBytes(adapter.maxBufferSize)}; batch ${fits} fits (\`--batch-size ${fits}\`)`;
}

/** A GPU failure during training, as a message that says how to go on. */
export function gpuFailureMessage(failure: WebGpuFailure, context: { batchSize: number; step: number; runDir: string; adapter?: AdapterSummary | undefined }): string {
  const gpu = context.adapter ? `the GPU (${context.adapter.description})` : 'the GPU';
  const resume = `resnet-studio train --resume ${JSON.stringify(context.runDir)}`;
  if (failure.kind === 'out-of-memory') {
    const half = Math.max(1, Math.floor(context.batchSize / 2));
    return `${gpu} ran out of memory at step ${context.step} with batch ${context.batchSize} (${failure.detail}); start again with batch ${half} (\`--batch-size ${half}\`), or close other programs that use the GPU`;
  }
  return `${gpu} was lost at step ${context.step} (${failure.detail}): the driver reset or the GPU went away. The run folder keeps its last checkpoint: continue with \`${resume}\` (add \`--backend wasm\` to go on without the GPU)`;
}
