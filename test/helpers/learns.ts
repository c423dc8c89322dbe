// A few training steps of a small net on one engine, and the check that it learns: what the tests
// of new constructs share (test/training/modernLayers.test.ts, test/training/split.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchMessage, TrainingMessage } from '../../src/protocol/training';
import { trainWithPyTorch } from '../../src/training/pytorch/trainWithPyTorch';
import { PYTHON } from './python';
import { collect } from './trainRun';

/** The loss of every step of `modelName`'s recipe on 32 synthetic images, seed 5, on TF.js (cpu, wasm, webgpu) or the PyTorch engine. */
export async function stepLosses(engine: 'cpu' | 'wasm' | 'webgpu' | 'pytorch', sourceText: string, modelName: string): Promise<number[]> {
  return lossesOf(await stepMessages(engine, sourceText, modelName));
}

/** The loss of every step among a run's messages. */
export function lossesOf(messages: readonly TrainingMessage[]): number[] {
  return messages.filter((m): m is BatchMessage => m.type === 'batch').map((b) => b.loss);
}

/** Every message of the run `stepLosses` trains. */
export async function stepMessages(engine: 'cpu' | 'wasm' | 'webgpu' | 'pytorch', sourceText: string, modelName: string): Promise<TrainingMessage[]> {
  const request = {
    sourceText,
    sourcePath: `${modelName}.resnet`,
    modelName,
    dataset: 'synthetic' as const,
    outDir: mkdtempSync(join(tmpdir(), `resnet-${modelName}-${engine}-`)),
    trainLimit: 32,
    seed: 5,
  };
  let messages: TrainingMessage[];
  if (engine === 'pytorch') {
    messages = [];
    const sink = messages;
    await trainWithPyTorch({ kind: 'new', request: { ...request, backend: 'auto', python: PYTHON, threads: 1 } }, { emit: (m) => sink.push(m), shouldStop: () => false });
  } else {
    messages = await collect({ kind: 'new', request: { ...request, backend: engine } });
  }
  return messages;
}

/** Finite, and the last epoch's mean below the first's (3 epochs of 2 steps). */
export function assertLearns(losses: readonly number[], what: string): void {
  assert.equal(losses.length, 6, `${what}: ${losses.length} steps`);
  assert.ok(
    losses.every((l) => Number.isFinite(l)),
    `${what}: ${losses}`,
  );
  const mean = (ls: readonly number[]) => ls.reduce((a, b) => a + b, 0) / ls.length;
  assert.ok(mean(losses.slice(-2)) < mean(losses.slice(0, 2)), `${what}: losses ${losses.map((l) => l.toFixed(3)).join(' ')} do not decrease`);
}
