// The training loop: one `.resnet` model, its recipe, a data set and a backend, with a run folder,
// a checkpoint after every epoch (and on a graceful stop), and exact resumption. It reports
// through typed messages only; the worker process forwards them to its parent.
import * as tf from '@tensorflow/tfjs';
import { at } from '../../core/indexed';
import type { ModelNode } from '../../core/analysis/network';
import type { BackendChoice, BackendName, EngineChoiceText, TrainingMessage, TrainRequest } from '../../protocol/training';
import { selectBackend, type SelectedBackend } from './backend';
import { loadLatestCheckpoint, saveCheckpoint, saveFinalModel, type TrainingPosition } from './checkpoint';
import { epochBatches, padCropFlip, type Split } from '../data/index';
import { buildModel } from './model/buildModel';
import { availableParallelism } from 'node:os';
import { batchTensors, correctCount } from './model/batchTensors';
import { Backprop, type PassResult } from './model/backprop';
import { fixedBatch, LayerStatsMeter } from './layerStats';
import { layerStatsDue } from '../layerStats';
import { DataParallel, sliceSizes } from './parallel/dataParallel';
import { setNoiseStep } from './model/customLayers';
import { Optimizer } from './optimizer';
import { Random } from '../random';
import { webGpuFailure } from './webgpuBackend';
import { batchTooLargeMessage, gpuFailureMessage } from './webgpuMemory';
import { learningRate, scheduleFor } from '../schedule';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findModel, prepareDataset } from '../runSetup';
import { appendMetric, checkResumeFits, checkWritable, createRunFolder, dropMetricsAfter, readRunConfig, runPaths } from '../runFolder/runFolder';
import { lockRun } from '../runFolder/runLock';
import { StepPeakMeter } from './stepMemory';
import { tfjsTrainingMemory } from '../../core/report/tfjsStepMemory';
import { TrainingError } from '../trainingError';
import { msg } from '../../core/l10n/format';
import type { Locale } from '../../core/l10n/locale';

export interface TrainerHooks {
  emit(message: TrainingMessage): void;
  /** Polled between steps; true asks for a graceful stop (checkpoint, then finish). */
  shouldStop(): boolean;
  /** The language of the worker's own words (the backend's reason); English when absent. */
  readonly locale?: Locale;
  /** Set when `auto` chose the engine (engineChoice.ts): what the started message says about it, and the TF.js backend it started. */
  readonly engineChoice?: { readonly text: EngineChoiceText; readonly backend?: SelectedBackend };
}

export type TrainStart =
  | { readonly kind: 'new'; readonly request: TrainRequest }
  | {
      readonly kind: 'resume';
      readonly runDir: string;
      readonly backend?: BackendChoice | undefined;
      readonly backendDirs?: readonly string[] | undefined;
      readonly epochs?: number | undefined;
      readonly maxSteps?: number | undefined;
      /** CPU threads for wasm and cpu: from whoever resumes, never from the run folder. */
      readonly threads?: number | undefined;
    };

/** Evaluation runs in batches of this size whatever the training batch. */
const EVAL_BATCH = 256;

export async function train(start: TrainStart, hooks: TrainerHooks): Promise<void> {
  const request = requestOf(start);
  // The model is found (the name one of the file's) before a new run folder is made and named after it.
  const model = findModel(request);
  const runDir = start.kind === 'new' ? createRunFolder(request) : start.runDir;
  // Held until the run ends; a killed process leaves a stale lock the next run takes over.
  const lock = lockRun(runDir);
  try {
    checkWritable(runDir);
    await trainLocked(start, request, runDir, model, hooks);
  } finally {
    lock.release();
  }
}

async function trainLocked(start: TrainStart, request: TrainRequest, runDir: string, model: ModelNode, hooks: TrainerHooks): Promise<void> {
  const emit = (message: TrainingMessage) => {
    appendMetric(runDir, message);
    hooks.emit(message);
  };
  const started = Date.now();
  const recipe = model.recipe;
  const batchSize = request.batchSize ?? recipe.batchSize;
  const seed = request.seed ?? recipe.seed;

  const data = prepareDataset(request, model, seed);
  const backend = hooks.engineChoice?.backend ?? (await selectBackend(request.backend, request.backendDirs ?? [], hooks.locale));
  const tooLarge = backend.adapter && batchTooLargeMessage(model, batchSize, backend.adapter);
  if (tooLarge) throw new TrainingError(tooLarge);
  const network = buildModel(model, { seed });
  const classes = model.output[2];

  const stepsPerEpoch = Math.ceil(data.train.count / batchSize);
  const epochs =
    request.epochs ?? (request.maxSteps !== undefined ? Math.ceil(request.maxSteps / stepsPerEpoch) : recipe.unit === 'epochs' ? recipe.duration : Math.ceil(recipe.duration / stepsPerEpoch));
  // A recipe that counts iterations stops at exactly that many (the paper's 64k), mid-epoch if need be.
  const recipeSteps = request.epochs === undefined && request.maxSteps === undefined && recipe.unit === 'iterations' ? recipe.duration : Infinity;
  const totalSteps = Math.min(epochs * stepsPerEpoch, request.maxSteps ?? Infinity, recipeSteps);
  const schedule = scheduleFor(recipe, stepsPerEpoch);
  const optimizer = new Optimizer({ kind: recipe.optimizer, momentum: recipe.momentum, weightDecay: recipe.weightDecay });

  const orderRng = new Random(seed * 2 + 1);
  const augmentRng = new Random(seed * 2 + 2);
  const cut = { batchSize, trainImages: data.train.count };
  let position: TrainingPosition = {
    epoch: 0,
    batchInEpoch: 0,
    step: 0,
    orderRngAtEpochStart: orderRng.getState(),
    augmentRng: augmentRng.getState(),
    epochSums: { loss: 0, correct: 0, images: 0 },
    ...cut,
  };
  const checkpoint = loadLatestCheckpoint(runDir, network);
  if (checkpoint) {
    checkResumeFits(runDir, checkpoint.path, checkpoint.position, { ...cut, totalSteps, epochs, finalModelSaved: existsSync(join(runPaths(runDir).model, 'model.json')) });
    position = { ...checkpoint.position, ...cut };
    optimizer.restore(checkpoint.optimizer);
    augmentRng.setState(position.augmentRng);
    dropMetricsAfter(runDir, position.step);
  } else if (start.kind === 'resume') {
    throw new TrainingError(msg('worker.noCheckpointYet', { runDir }));
  }

  const parallel = await startThreads(request, model, seed, backend.name, classes);
  const device = parallel ? withThreads(backend.device, parallel.threads) : backend.device;
  // The threads end with the run, however it ends: a live worker_thread would keep the process up.
  try {
    emit({
      type: 'started',
      runDir,
      model: model.name,
      params: model.cost.params,
      macs: model.cost.macs,
      backend: backend.name,
      backendReason: backend.reason,
      device,
      ...(backend.adapter ? { adapter: backend.adapter } : {}),
      dataset: data.name,
      trainImages: data.train.count,
      batchSize,
      stepsPerEpoch,
      totalSteps,
      epochs,
      ...(checkpoint ? { resumedAtStep: position.step } : {}),
      ...(hooks.engineChoice ? { engineChoice: { ...hooks.engineChoice.text, summary: hooks.engineChoice.text.summary.replace(backend.device, device) } } : {}),
      ...warningsOf([...(data.warnings ?? []), ...(checkpoint?.warnings ?? [])]),
    });

    const variables = network.trainableWeights.map((w) => w.read() as tf.Variable);
    const backprop = new Backprop(network, model);
    const [h, w, c] = model.input;
    // Layer statistics on the same held-out images every time (src/training/layerStats.ts).
    const layerStats = recipe.layerStats && data.test.count > 0 ? { meter: new LayerStatsMeter(backprop, model), batch: fixedBatch(data.test, recipe.layerStats.images, [h, w, c]) } : undefined;
    let step = position.step;
    let imagesPerSec = 0;
    let stopped = false;
    const stepPeak = new StepPeakMeter();
    for (let epoch = position.epoch; epoch < epochs && step < totalSteps && !stopped; epoch++) {
      const epochStarted = Date.now();
      orderRng.setState(position.orderRngAtEpochStart);
      const orderAtStart = orderRng.getState();
      const sums = { ...position.epochSums };
      const batches = epochBatches(data.train, orderRng, { batchSize, startBatch: position.batchInEpoch });
      let batchInEpoch = position.batchInEpoch;
      for (const batch of batches) {
        if (step >= totalSteps) break;
        const stepStarted = performance.now();
        const pixels =
          recipe.augment.pad > 0 || recipe.augment.flip ? padCropFlip(batch.images, batch.count, [h, w, c], augmentRng, { pad: recipe.augment.pad, flip: recipe.augment.flip }) : batch.images;
        const lr = learningRate(schedule, step);
        // Dropout and drop path masks come from the seed and the step: a resumed run draws the same.
        setNoiseStep(network, step);
        const { loss, correct } = await stepPeak.around<{ loss: number; correct: number; otherThreadsPeakBytes?: number }>((measuring) =>
          parallel
            ? parallel.step(backprop, variables, optimizer, pixels, batch.labels, batch.count, lr, step, measuring)
            : trainStep(backprop, variables, optimizer, pixels, batch.labels, batch.count, [h, w, c], classes, lr),
        );
        step++;
        batchInEpoch++;
        sums.loss += loss * batch.count;
        sums.correct += correct;
        sums.images += batch.count;
        // WebGPU reports running out of memory or losing the device asynchronously, never by throwing.
        const gpuFailure = backend.name === 'webgpu' ? webGpuFailure() : undefined;
        if (gpuFailure) throw new TrainingError(gpuFailureMessage(gpuFailure, { batchSize, step, runDir, adapter: backend.adapter }));
        const rate = batch.count / ((performance.now() - stepStarted) / 1000);
        imagesPerSec = imagesPerSec === 0 ? rate : 0.8 * imagesPerSec + 0.2 * rate;
        if (!Number.isFinite(loss)) {
          throw new TrainingError(
            `the loss became ${loss} at step ${step} (training diverged); lower the learning rate (e.g. \`sgd lr 0.01\`) or add a \`warmup\`, then resume from the last checkpoint or start again`,
          );
        }
        emit({ type: 'batch', step, epoch, loss, accuracy: correct / batch.count, lr, imagesPerSec });
        if (layerStats && layerStatsDue(recipe.layerStats, step, stepsPerEpoch, totalSteps)) emit({ type: 'layerStats', step, layers: await layerStats.meter.measure(layerStats.batch) });
        // Let the event loop run between steps: a 'stop' message or Ctrl+C is only seen then.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (hooks.shouldStop()) {
          stopped = true;
          position = { epoch, batchInEpoch, step, orderRngAtEpochStart: orderAtStart, augmentRng: augmentRng.getState(), epochSums: sums, ...cut };
          const path = await saveCheckpoint(runDir, network, await optimizer.state(), position);
          emit({ type: 'checkpoint', epoch, step, path });
          break;
        }
      }
      if (stopped) break;
      const epochDone = step % stepsPerEpoch === 0 || batchInEpoch >= stepsPerEpoch;
      if (epochDone) {
        const validation = data.validation ? await evaluate(network, data.validation, [h, w, c], classes) : undefined;
        emit({
          type: 'epoch',
          epoch,
          step,
          trainLoss: sums.loss / Math.max(1, sums.images),
          trainAccuracy: sums.correct / Math.max(1, sums.images),
          ...(validation ? { valLoss: validation.loss, valAccuracy: validation.accuracy } : {}),
          seconds: (Date.now() - epochStarted) / 1000,
          ...stepPeak.report(
            parallel ? sliceSizes(batchSize, parallel.threads).reduce((sum, size) => sum + tfjsTrainingMemory(model, size).totalBytes, 0) : tfjsTrainingMemory(model, batchSize).totalBytes,
          ),
        });
      }
      position = epochDone
        ? { epoch: epoch + 1, batchInEpoch: 0, step, orderRngAtEpochStart: orderRng.getState(), augmentRng: augmentRng.getState(), epochSums: { loss: 0, correct: 0, images: 0 }, ...cut }
        : { epoch, batchInEpoch, step, orderRngAtEpochStart: orderAtStart, augmentRng: augmentRng.getState(), epochSums: sums, ...cut };
      const path = await saveCheckpoint(runDir, network, await optimizer.state(), position);
      emit({ type: 'checkpoint', epoch, step, path });
    }

    const test = await evaluate(network, data.test, [h, w, c], classes);
    await saveFinalModel(network, runDir);
    emit({ type: 'finished', runDir, step, epoch: position.epoch, stopped, testLoss: test.loss, testAccuracy: test.accuracy, seconds: (Date.now() - started) / 1000 });
    optimizer.dispose();
    network.dispose();
  } finally {
    await parallel?.close();
  }
}

/**
 * One SGD/Adam step on one batch: the layer-by-layer pass (src/training/tfjs/model/backprop.ts), which
 * keeps only what each backward needs, then the optimizer. Returns the batch's mean loss and the
 * number it classified right.
 */
export async function trainStep(
  backprop: Backprop,
  variables: tf.Variable[],
  optimizer: Optimizer,
  pixels: Float32Array,
  labels: Uint8Array,
  count: number,
  shape: readonly [number, number, number],
  classes: number,
  lr: number,
): Promise<{ loss: number; correct: number }> {
  const batch = batchTensors(pixels, labels, count, shape, classes);
  const labelTensor = batch.labels;
  let pass: PassResult;
  try {
    pass = backprop.run(batch.images, batch.oneHot);
  } finally {
    tf.dispose([batch.images, batch.oneHot]);
  }
  const { loss: lossTensor, predictions, grads } = pass;
  let correctTensor: tf.Tensor;
  try {
    tf.tidy(() =>
      optimizer.apply(
        variables,
        variables.map((v) => {
          const grad = grads.get(v.name);
          if (grad === undefined) throw new TrainingError(`no gradient for the weight ${v.name}: it does not reach the loss`);
          return grad;
        }),
        lr,
      ),
    );
    correctTensor = correctCount(predictions, labelTensor);
  } finally {
    tf.dispose([...grads.values(), predictions, labelTensor]);
  }
  // Read back asynchronously: the webgpu backend cannot read a GPU buffer synchronously in Node.
  const [loss, correct] = await Promise.all([lossTensor.data(), correctTensor.data()]);
  tf.dispose([lossTensor, correctTensor]);
  return { loss: at(loss, 0, 'loss'), correct: at(correct, 0, 'correct count') };
}

async function evaluate(network: tf.LayersModel, split: Split, shape: readonly [number, number, number], classes: number): Promise<{ loss: number; accuracy: number }> {
  let loss = 0;
  let correct = 0;
  const size = shape[0] * shape[1] * shape[2];
  for (let start = 0; start < split.count; start += EVAL_BATCH) {
    const count = Math.min(EVAL_BATCH, split.count - start);
    const [batchLoss, batchCorrect] = tf.tidy(() => {
      const x = tf.tensor4d(split.images.subarray(start * size, (start + count) * size), [count, shape[0], shape[1], shape[2]]);
      const labels = tf.tensor1d(Array.from(split.labels.subarray(start, start + count)), 'int32');
      const logits = (network.apply(x, { training: false }) as tf.Tensor).reshape([count, classes]);
      return [tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits), logits.argMax(1).equal(labels).sum()];
    });
    const [l, c] = await Promise.all([batchLoss.data(), batchCorrect.data()]);
    tf.dispose([batchLoss, batchCorrect]);
    loss += (l[0] ?? 0) * count;
    correct += c[0] ?? 0;
  }
  return { loss: loss / Math.max(1, split.count), accuracy: correct / Math.max(1, split.count) };
}

/** The started message's `warnings`, when there are any. */
function warningsOf(warnings: readonly string[]): { warnings?: readonly string[] } {
  return warnings.length > 0 ? { warnings } : {};
}

/** What a start trains: a new run's request, or a run folder's config.json with what the resume gives. */
function requestOf(start: TrainStart): TrainRequest {
  if (start.kind === 'new') return start.request;
  const saved = readRunConfig(start.runDir);
  return {
    ...saved,
    // Folders to load native backends from come from whoever resumes, never from the run folder.
    backendDirs: start.backendDirs ?? [],
    ...(start.backend ? { backend: start.backend } : {}),
    ...(start.epochs !== undefined ? { epochs: start.epochs } : {}),
    ...(start.maxSteps !== undefined ? { maxSteps: start.maxSteps } : {}),
    // A thread count is a resource of the machine that resumes, never the run folder's to choose.
    threads: start.threads,
  };
}

/**
 * The slice threads of a data-parallel run (tfjs/parallel/dataParallel.ts) when the request asks for
 * more than one and the backend runs on the CPU in this process (wasm, cpu); none otherwise.
 */
async function startThreads(request: TrainRequest, model: ModelNode, seed: number, backend: BackendName, classes: number): Promise<DataParallel | undefined> {
  const threads = request.threads ?? 1;
  const cores = availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > cores) throw new TrainingError(msg('worker.threadsOutOfRange', { threads: String(threads), cores }));
  if (threads === 1 || (backend !== 'wasm' && backend !== 'cpu')) return undefined;
  return DataParallel.start(threads, { sourceText: request.sourceText, modelName: model.name, seed, backend, shape: model.input, classes });
}

/** "CPU (WebAssembly, 1 thread)" as a data-parallel run trains: "CPU (WebAssembly, 2 threads, the batch in 2 slices)". */
function withThreads(device: string, threads: number): string {
  const threadsNote = `${threads} threads, the batch in ${threads} slices`;
  if (/\d+ threads?\)$/.test(device)) return device.replace(/\d+ threads?\)$/, `${threadsNote})`);
  return device.endsWith(')') ? `${device.slice(0, -1)}, ${threadsNote})` : `${device} (${threadsNote})`;
}
