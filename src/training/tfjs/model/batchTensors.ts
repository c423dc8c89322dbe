// A batch as the layer-by-layer pass takes it, and the count it classified right: one place for the
// step on the main thread (trainer.ts), the data-parallel main slice (parallel/dataParallel.ts) and
// each worker thread's slice (parallel/sliceWorker.ts), so the three cannot drift apart.
import * as tf from '@tensorflow/tfjs';

/** Images as [count, H, W, C], labels as class indices, and the labels one-hot for the loss. */
export interface BatchTensors {
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
  oneHot: tf.Tensor2D;
}

/** The first `count` images and labels of a batch's raw arrays as tensors; the caller disposes them. */
export function batchTensors(pixels: Float32Array, labels: Uint8Array, count: number, shape: readonly [number, number, number], classes: number): BatchTensors {
  return tf.tidy(() => {
    const images = tf.tensor4d(pixels.subarray(0, count * shape[0] * shape[1] * shape[2]), [count, shape[0], shape[1], shape[2]]);
    const indices = tf.tensor1d(Int32Array.from(labels.subarray(0, count)), 'int32');
    return { images, labels: indices, oneHot: tf.oneHot(indices, classes) as tf.Tensor2D };
  });
}

/** How many of `predictions` (class indices) equal `labels`, as a scalar tensor. */
export function correctCount(predictions: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => predictions.equal(labels).sum() as tf.Scalar);
}
