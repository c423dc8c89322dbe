// Checkpoints of the TF.js engine: the weights (BatchNorm statistics included), the optimizer's
// state and where training stood, written so that a killed process never leaves a half-written
// one: everything goes into a temporary folder, with checksums.json (the sha256 of each file),
// that is renamed into place, then `latest.json` is replaced atomically to point at it. Every
// older checkpoint is kept: loading one that is damaged falls back to the one before it.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import type { RandomState } from '../random';
import type { OptimizerState } from './optimizer';
import { writeAtomically } from '../runFolder/atomicFile';
import {
  checkpointName,
  checkpointPath,
  DamagedCheckpointError,
  insideRunFolder,
  loadNewestCheckpoint,
  readJsonFile,
  runPaths,
  verifyCheckpoint,
  writeChecksums,
  writeLatest,
} from '../runFolder/runFolder';
import { TrainingError } from '../trainingError';
import { msg } from '../../core/l10n/format';

const whole = (min: number) =>
  v.pipe(v.number(`must be a whole number of at least ${min}`), v.safeInteger(`must be a whole number of at least ${min}`), v.minValue(min, `must be a whole number of at least ${min}`));
const finiteAtLeastZero = v.pipe(v.number('must be a number'), v.finite('must be a finite number'), v.minValue(0, 'must not be negative'));
const RandomStateSchema = v.object(
  {
    algorithm: v.literal('sfc32', 'must be "sfc32"'),
    words: v.tuple([whole(0), whole(0), whole(0), whole(0)], 'must be four whole numbers'),
  },
  'must be a JSON object',
);

const PositionSchema = v.object(
  {
    /** Epochs started before this one (0-based index of the epoch in progress). */
    epoch: whole(0),
    /** Batches of that epoch already done. */
    batchInEpoch: whole(0),
    /** Optimizer steps done in all. */
    step: whole(0),
    /** The order generator's state at the start of the epoch (the epoch's shuffle replays from it). */
    orderRngAtEpochStart: RandomStateSchema,
    augmentRng: RandomStateSchema,
    /** Training loss and accuracy sums of the epoch so far, so its averages stay right. */
    epochSums: v.object({ loss: finiteAtLeastZero, correct: whole(0), images: whole(0) }, 'must be a JSON object'),
    /** What the steps count: a resume must cut the data the same way (older checkpoints lack it). */
    batchSize: v.optional(whole(1)),
    trainImages: v.optional(whole(1)),
  },
  'must be a JSON object',
);

/** Where training stood; state.json's `position`, checked by PositionSchema when read. */
export interface TrainingPosition {
  readonly epoch: number;
  readonly batchInEpoch: number;
  readonly step: number;
  readonly orderRngAtEpochStart: RandomState;
  readonly augmentRng: RandomState;
  readonly epochSums: { readonly loss: number; readonly correct: number; readonly images: number };
  readonly batchSize?: number | undefined;
  readonly trainImages?: number | undefined;
}

const StateSchema = v.object(
  {
    position: PositionSchema,
    weights: v.array(v.array(whole(0), 'must be a list of whole numbers'), 'must be a list of shapes'),
    optimizer: v.object(
      {
        steps: whole(0),
        slots: v.array(v.object({ variable: whole(0), slot: whole(0), shape: v.array(whole(0), 'must be a list of whole numbers') }, 'must be a JSON object'), 'must be a list'),
      },
      'must be a JSON object',
    ),
  },
  'must be a JSON object',
);
type StateFile = v.InferOutput<typeof StateSchema>;
// What the schema accepts is a position the trainer can use as it is.
const _positionFits: (p: StateFile['position']) => TrainingPosition = (p) => p;
void _positionFits;

const CHECKPOINT_FILES = ['weights.bin', 'optimizer.bin', 'state.json'] as const;

export async function saveCheckpoint(runDir: string, model: tf.LayersModel, optimizer: OptimizerState, position: TrainingPosition): Promise<string> {
  const dir = insideRunFolder(runDir, runPaths(runDir).checkpoints);
  mkdirSync(dir, { recursive: true });
  const name = checkpointName(position.step);
  const partial = join(dir, `.partial-${name}-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial);
  const weights = model.getWeights();
  const weightData = await Promise.all(weights.map((w) => w.data() as Promise<Float32Array>));
  writeFileSync(join(partial, 'weights.bin'), concat(weightData));
  writeFileSync(join(partial, 'optimizer.bin'), concat(optimizer.slots.map((s) => s.values)));
  const state = {
    position,
    weights: weights.map((w) => w.shape),
    optimizer: { steps: optimizer.steps, slots: optimizer.slots.map(({ variable, slot, shape }) => ({ variable, slot, shape })) },
  };
  writeFileSync(join(partial, 'state.json'), JSON.stringify(state));
  writeChecksums(partial, CHECKPOINT_FILES);
  const final = checkpointPath(runDir, name);
  rmSync(final, { recursive: true, force: true });
  renameSync(partial, final);
  writeLatest(runDir, { checkpoint: name });
  return final;
}

export interface LoadedCheckpoint {
  readonly path: string;
  readonly position: TrainingPosition;
  readonly optimizer: OptimizerState;
  /** Damaged checkpoints passed over to reach this one, each naming its file. */
  readonly warnings: readonly string[];
}

/**
 * Loads the newest whole checkpoint into `model`; undefined when the run has none yet. A damaged
 * one (checksums, state.json, NaN or infinite values) is passed over for the one before it.
 */
export function loadLatestCheckpoint(runDir: string, model: tf.LayersModel): LoadedCheckpoint | undefined {
  const chosen = loadNewestCheckpoint(
    runDir,
    (name) => readCheckpoint(runDir, name, model),
    (name, loaded) => ({ checkpoint: name, step: loaded.position.step, epoch: loaded.position.epoch }),
  );
  if (!chosen) return undefined;
  const { weights, ...loaded } = chosen.loaded;
  model.setWeights(weights.map((values, i) => tf.tensor(values, loaded.shapes[i])));
  return { path: loaded.path, position: loaded.position, optimizer: loaded.optimizer, warnings: chosen.warnings };
}

interface ReadCheckpoint {
  readonly path: string;
  readonly position: TrainingPosition;
  readonly optimizer: OptimizerState;
  readonly shapes: readonly number[][];
  readonly weights: Float32Array[];
}

function readCheckpoint(runDir: string, name: string, model: tf.LayersModel): ReadCheckpoint {
  const path = verifyCheckpoint(runDir, name, { required: CHECKPOINT_FILES });
  const stateFile = join(path, 'state.json');
  const state = readJsonFile(stateFile, StateSchema, 'the checkpoint is damaged', DamagedCheckpointError);
  const expected = model.getWeights().map((w) => w.shape.join('x'));
  const found = state.weights.map((s) => s.join('x'));
  if (expected.join(',') !== found.join(',')) {
    throw new TrainingError(msg('worker.checkpointMismatch', { path }));
  }
  const weights = split(readFileSync(join(path, 'weights.bin')), state.weights, join(path, 'weights.bin'));
  const slotValues = split(
    readFileSync(join(path, 'optimizer.bin')),
    state.optimizer.slots.map((s) => s.shape),
    join(path, 'optimizer.bin'),
  );
  return {
    path,
    position: state.position,
    shapes: state.weights,
    weights,
    optimizer: { steps: state.optimizer.steps, slots: state.optimizer.slots.map((s, i) => ({ ...s, values: slotValues[i] as Float32Array })) },
  };
}

function concat(arrays: readonly Float32Array[]): Buffer {
  const total = arrays.reduce((a, x) => a + x.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** The file's floats cut to `shapes`; a DamagedCheckpointError naming it when sizes differ or a value is NaN or infinite. */
function split(bytes: Buffer, shapes: readonly number[][], file: string): Float32Array[] {
  const expected = 4 * shapes.reduce((a, shape) => a + shape.reduce((x, y) => x * y, 1), 0);
  if (bytes.byteLength !== expected) {
    throw new DamagedCheckpointError(`${file} is ${bytes.byteLength} bytes where its state.json describes ${expected}; the checkpoint is ${bytes.byteLength < expected ? 'truncated' : 'damaged'}`);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  for (let i = 0; i < all.length; i++) {
    if (!Number.isFinite(all[i])) throw new DamagedCheckpointError(`${file} holds ${all[i]} at value ${i}: the checkpoint is damaged, or training had diverged when it was written`);
  }
  const out: Float32Array[] = [];
  let offset = 0;
  for (const shape of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    out.push(all.slice(offset, offset + size));
    offset += size;
  }
  return out;
}

/** Saves the trained network in the run folder's model/, in TF.js's own format (model.json + weights.bin), loadable by tf.loadLayersModel. */
export async function saveFinalModel(model: tf.LayersModel, runDir: string): Promise<void> {
  const dir = insideRunFolder(runDir, runPaths(runDir).model);
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const manifest = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: 'resnet-studio',
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      const data = artifacts.weightData;
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(Buffer.concat((data ?? []).map((b) => Buffer.from(b))));
      writeAtomically(join(dir, 'weights.bin'), bytes);
      writeAtomically(join(dir, 'model.json'), JSON.stringify(manifest));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}
