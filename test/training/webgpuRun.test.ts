// Training on the `webgpu` backend with the real trainer, here on SwiftShader (the software Vulkan
// GPU of Debian's chromium). A tiny model, because a software GPU compiles every shader on the CPU
// (~1 ms a kernel); the trainer runs in this process, so shaders compiled once serve every segment,
// and `auto` is checked in a fresh worker process as the CLI and the editor start it. Checks: `started` names the software adapter, the loss is finite and
// falls, `auto` never picks a software GPU, a run moves between webgpu and wasm through its
// checkpoints, and a batch too large for the GPU's buffers is refused with one that fits.
//
// Loss tolerance across backends: the same float32 arithmetic summed in another order differs
// by ~1e-7 relative per op; over the 8 SGD steps below the losses stayed within 1.2e-7 of wasm's
// (measured 2026-11-30). LOSS_TOL = 1e-4 (absolute, losses ~0.7) leaves a wide margin while any wrong
// kernel, a lost optimizer slot or a misplaced data batch moves the loss by 1e-2 or more.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { BatchMessage, LayerStatsMessage, StartedMessage, TrainingMessage, TrainRequest, WorkerCommand } from '../../src/protocol/training';
import { train, type TrainStart } from '../../src/training/tfjs/trainer';
import { launchWorker } from '../../src/training/worker/launch';
import { MICRO_MODEL } from '../helpers/models';
import { useSwiftShaderHere } from '../helpers/swiftshader';

const LOSS_TOL = 1e-4;
const skip = useSwiftShaderHere();

/** One batch of 8 images, so each epoch is one step on the same images and the loss falls steadily. */
function request(backend: TrainRequest['backend'], epochs: number, outDir: string): TrainRequest {
  return { sourceText: MICRO_MODEL, sourcePath: 'micro.resnet', modelName: 'micro', dataset: 'synthetic', backend, outDir, trainLimit: 8, batchSize: 8, epochs, seed: 5 };
}

async function runHere(start: TrainStart): Promise<{ code: number; messages: TrainingMessage[]; log: string }> {
  const messages: TrainingMessage[] = [];
  try {
    await train(start, { emit: (m) => messages.push(m), shouldStop: () => false });
    return { code: 0, messages, log: '' };
  } catch (error) {
    messages.push({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    return { code: 1, messages, log: String(error) };
  }
}

async function runWorker(command: WorkerCommand): Promise<{ code: number; messages: TrainingMessage[]; log: string }> {
  const messages: TrainingMessage[] = [];
  let log = '';
  const worker = launchWorker(command, (m) => messages.push(m), { onLog: (line) => (log += line) });
  const code = await worker.exited;
  return { code, messages, log };
}

const losses = (ms: TrainingMessage[]) => ms.filter((m): m is BatchMessage => m.type === 'batch').map((m) => m.loss);
const startedOf = (ms: TrainingMessage[]) => ms.find((m): m is StartedMessage => m.type === 'started');
const last = (ms: TrainingMessage[]) => ms[ms.length - 1];

describe('training on webgpu (SwiftShader)', { skip, timeout: 240_000 }, () => {
  const outDir = mkdtempSync(join(tmpdir(), 'resnet-webgpu-'));
  let reference: number[] = [];
  let referenceStats: LayerStatsMessage | undefined;

  test('wasm reference run: 8 steps', async () => {
    const run = await runHere({ kind: 'new', request: request('wasm', 8, mkdtempSync(join(tmpdir(), 'resnet-wasm-'))) });
    assert.equal(run.code, 0, run.log);
    reference = losses(run.messages);
    assert.equal(reference.length, 8);
    referenceStats = run.messages.find((m): m is LayerStatsMessage => m.type === 'layerStats' && m.step === 1);
  });

  test('webgpu trains, names the software adapter, and moves to wasm and back through checkpoints with the same losses', async () => {
    const first = await runHere({ kind: 'new', request: request('webgpu', 4, outDir) });
    assert.equal(first.code, 0, `${first.log}\n${JSON.stringify(last(first.messages))}`);
    const started = startedOf(first.messages);
    assert.equal(started?.backend, 'webgpu');
    assert.equal(started?.adapter?.software, true);
    assert.equal(started?.adapter?.architecture, 'swiftshader');
    assert.ok((started?.adapter?.maxBufferSize ?? 0) > 0);
    assert.match(started?.device ?? '', /software GPU SwiftShader.*max buffer/);
    assert.match(started?.backendReason ?? '', /software one/);
    const gpuLosses = losses(first.messages);
    assert.equal(gpuLosses.length, 4);
    assert.ok(gpuLosses.every(Number.isFinite), `losses ${gpuLosses}`);
    assert.ok(gpuLosses[3] < gpuLosses[0], `the loss did not fall: ${gpuLosses.join(', ')}`);
    // Layer statistics (issue 24) are measured on webgpu too: after step 1, from the same seed, what wasm measured.
    const gpuStats = first.messages.find((m): m is LayerStatsMessage => m.type === 'layerStats' && m.step === 1);
    assert.ok(referenceStats && gpuStats, 'both runs measured their layers after step 1');
    assert.deepEqual(
      gpuStats.layers.map((l) => l.path),
      referenceStats.layers.map((l) => l.path),
    );
    gpuStats.layers.forEach((l, i) => {
      const w = referenceStats?.layers[i];
      for (const key of ['responseStd', 'gradNorm'] as const) {
        const a = l[key];
        const b = w?.[key] ?? Number.NaN;
        assert.ok(Number.isFinite(a) && Math.abs(a - b) <= 1e-3 * Math.max(Math.abs(b), 1e-6), `${l.path} ${key}: webgpu ${a}, wasm ${b}`);
      }
    });
    const finished = last(first.messages);
    assert.equal(finished.type, 'finished');
    if (finished.type !== 'finished') return;

    // The checkpoint webgpu wrote, continued on wasm for two epochs, then on webgpu again.
    const onWasm = await runHere({ kind: 'resume', runDir: finished.runDir, backend: 'wasm', epochs: 6 });
    assert.equal(onWasm.code, 0, onWasm.log);
    assert.equal(startedOf(onWasm.messages)?.backend, 'wasm');
    assert.equal(startedOf(onWasm.messages)?.resumedAtStep, 4);
    const back = await runHere({ kind: 'resume', runDir: finished.runDir, backend: 'webgpu', epochs: 8 });
    assert.equal(back.code, 0, back.log);
    assert.equal(startedOf(back.messages)?.backend, 'webgpu');
    assert.equal(startedOf(back.messages)?.resumedAtStep, 6);
    const chained = [...gpuLosses, ...losses(onWasm.messages), ...losses(back.messages)];
    assert.equal(chained.length, 8);
    const worst = Math.max(...chained.map((l, i) => Math.abs(l - reference[i])));
    console.log(`losses, webgpu→wasm→webgpu vs wasm alone: max |difference| ${worst.toExponential(2)} over 8 steps`);
    assert.ok(worst <= LOSS_TOL, `losses differ from wasm by ${worst}: ${chained.join(', ')} vs ${reference.join(', ')}`);
  });

  test('auto does not pick a software GPU, and says why', async () => {
    const run = await runWorker({ type: 'start', request: { ...request('auto', 1, outDir), maxSteps: 1 } });
    assert.equal(run.code, 0, run.log);
    const started = startedOf(run.messages);
    assert.notEqual(started?.backend, 'webgpu');
    assert.match(started?.backendReason ?? '', /webgpu unavailable \(the only GPU is a software one, SwiftShader/);
  });

  test("a batch too large for the GPU's buffers is refused with the batch that fits", async () => {
    const run = await runHere({ kind: 'new', request: { ...request('webgpu', 1, outDir), batchSize: 2_000_000 } });
    assert.notEqual(run.code, 0);
    const failed = last(run.messages);
    assert.equal(failed.type, 'failed');
    assert.match(failed.type === 'failed' ? failed.message : '', /^batch 2000000 does not fit on SwiftShader.*largest buffer is 1 GiB; batch \d+ fits \(`--batch-size \d+`\)$/);
  });
});
