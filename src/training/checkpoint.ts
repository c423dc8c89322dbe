// Checkpoints: the weights (BatchNorm statistics included), the optimizer's state and where
// training stood, written so that a killed process never leaves a half-written one: everything
// goes into a temporary folder that is renamed into place, then `latest.json` is replaced
// atomically to point at it.
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RandomState } from './random';
import type { OptimizerState } from './optimizer';
import { writeAtomically } from './atomicFile';

export interface TrainingPosition {
  /** Epochs started before this one (0-based index of the epoch in progress). */
  readonly epoch: number;
  /** Batches of that epoch already done. */
  readonly batchInEpoch: number;
  /** Optimizer steps done in all. */
  readonly step: number;
  /** The order generator's state at the start of the epoch (the epoch's shuffle replays from it). */
  readonly orderRngAtEpochStart: RandomState;
  readonly augmentRng: RandomState;
  /** Training loss and accuracy sums of the epoch so far, so its averages stay right. */
  readonly epochSums: { readonly loss: number; readonly correct: number; readonly images: number };
}

interface StateFile {
  readonly position: TrainingPosition;
  readonly weights: readonly number[][];
  readonly optimizer: { readonly steps: number; readonly slots: readonly { variable: number; slot: number; shape: number[] }[] };
}

export async function saveCheckpoint(runDir: string, model: tf.LayersModel, optimizer: OptimizerState, position: TrainingPosition): Promise<string> {
  const dir = join(runDir, 'checkpoints');
  mkdirSync(dir, { recursive: true });
  const name = `step-${String(position.step).padStart(8, '0')}`;
  const partial = join(dir, `.partial-${name}-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial);
  const weights = model.getWeights();
  const weightData = await Promise.all(weights.map((w) => w.data() as Promise<Float32Array>));
  writeFileSync(join(partial, 'weights.bin'), concat(weightData));
  writeFileSync(join(partial, 'optimizer.bin'), concat(optimizer.slots.map((s) => s.values)));
  const state: StateFile = {
    position,
    weights: weights.map((w) => w.shape),
    optimizer: { steps: optimizer.steps, slots: optimizer.slots.map(({ variable, slot, shape }) => ({ variable, slot, shape })) },
  };
  writeFileSync(join(partial, 'state.json'), JSON.stringify(state));
  const final = join(dir, name);
  rmSync(final, { recursive: true, force: true });
  renameSync(partial, final);
  writeAtomically(join(dir, 'latest.json'), JSON.stringify({ checkpoint: name }));
  return final;
}

export interface LoadedCheckpoint {
  readonly path: string;
  readonly position: TrainingPosition;
  readonly optimizer: OptimizerState;
}

/** Loads the latest checkpoint into `model`; undefined when the run has none yet. */
export function loadLatestCheckpoint(runDir: string, model: tf.LayersModel): LoadedCheckpoint | undefined {
  const latest = join(runDir, 'checkpoints', 'latest.json');
  if (!existsSync(latest)) return undefined;
  const { checkpoint } = JSON.parse(readFileSync(latest, 'utf8')) as { checkpoint: string };
  const path = join(runDir, 'checkpoints', checkpoint);
  const state = JSON.parse(readFileSync(join(path, 'state.json'), 'utf8')) as StateFile;
  const weights = split(readFileSync(join(path, 'weights.bin')), state.weights);
  const expected = model.getWeights().map((w) => w.shape.join('x'));
  const found = state.weights.map((s) => s.join('x'));
  if (expected.join(',') !== found.join(',')) {
    throw new Error(`the checkpoint ${path} does not fit this model (its weights have other shapes); was the model changed?`);
  }
  model.setWeights(weights.map((values, i) => tf.tensor(values, state.weights[i])));
  const slotValues = split(readFileSync(join(path, 'optimizer.bin')), state.optimizer.slots.map((s) => s.shape));
  return {
    path,
    position: state.position,
    optimizer: { steps: state.optimizer.steps, slots: state.optimizer.slots.map((s, i) => ({ ...s, values: slotValues[i] })) },
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

function split(bytes: Buffer, shapes: readonly number[][]): Float32Array[] {
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out: Float32Array[] = [];
  let offset = 0;
  for (const shape of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    out.push(all.slice(offset, offset + size));
    offset += size;
  }
  if (offset !== all.length) throw new Error('checkpoint file is truncated or does not match its description');
  return out;
}

/** Saves the trained network in TF.js's own format (model.json + weights.bin), loadable by tf.loadLayersModel. */
export async function saveFinalModel(model: tf.LayersModel, dir: string): Promise<void> {
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
      writeFileSync(join(dir, 'weights.bin'), bytes);
      writeAtomically(join(dir, 'model.json'), JSON.stringify(manifest));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}
