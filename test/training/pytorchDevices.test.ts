// The PyTorch engine's device, precision and layout, and torchrun across machines. There is no GPU
// here: the CPU paths run for real (bf16 autocast and channels_last train on the CPU too), the CUDA
// options are checked in what the runner is told (plan.json) and in the message a machine without
// a GPU gives, and two "machines" are two launchers on this one joined by a c10d rendezvous on
// 127.0.0.1 (gloo). test/gpu/run-on-device.sh runs the CUDA paths on a real GPU.
// Skipped, saying why, when no Python with torch is at hand (RESNET_STUDIO_PYTHON, default /usr/bin/python3).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCommand } from '../../src/cli/train';
import { CliError } from '../../src/cli/cliError';
import { analyze } from '../../src/core/analysis/analyze';
import type { BatchMessage, EpochMessage, FinishedMessage, StartedMessage, TrainingMessage } from '../../src/protocol/training';
import { TrainingError } from '../../src/training/runSetup';
import type { RunnerPlan } from '../../src/training/pytorch/plan';
import type { PyTorchRequest, PyTorchStart } from '../../src/training/pytorch/request';
import { runnerDevice, trainWithPyTorch } from '../../src/training/pytorch/trainWithPyTorch';
import { TINY_MODEL } from '../helpers/models';
import { PYTHON, torchMissing } from '../helpers/python';

const skip = torchMissing();
const hasCuda = !skip && spawnSync(PYTHON, ['-c', 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)']).status === 0;

function request(overrides: Partial<PyTorchRequest> = {}): PyTorchRequest {
  return {
    sourceText: TINY_MODEL,
    sourcePath: 'tiny.resnet',
    modelName: 'tiny',
    dataset: 'synthetic',
    backend: 'auto',
    outDir: mkdtempSync(join(tmpdir(), 'resnet-pytorch-devices-')),
    trainLimit: 192,
    seed: 7,
    python: PYTHON,
    threads: 1,
    engine: 'pytorch',
    ...overrides,
  };
}

async function collect(start: PyTorchStart): Promise<TrainingMessage[]> {
  const messages: TrainingMessage[] = [];
  await trainWithPyTorch(start, { emit: (m) => messages.push(m), shouldStop: () => false });
  return messages;
}

const started = (ms: readonly TrainingMessage[]) => ms.find((m): m is StartedMessage => m.type === 'started') as StartedMessage;
const finished = (ms: readonly TrainingMessage[]) => ms.find((m): m is FinishedMessage => m.type === 'finished') as FinishedMessage;
const batches = (ms: readonly TrainingMessage[]) => ms.filter((m): m is BatchMessage => m.type === 'batch');
const epochs = (ms: readonly TrainingMessage[]) => ms.filter((m): m is EpochMessage => m.type === 'epoch');

/** The plan.json of the one run folder made under `outDir`. */
function planOf(outDir: string): RunnerPlan {
  const [run] = readdirSync(outDir);
  return JSON.parse(readFileSync(join(outDir, run, 'pytorch', 'plan.json'), 'utf8')) as RunnerPlan;
}

test('the runner is told the device, precision and layout asked for: the flags, else the recipe, else auto, fp32, contiguous', () => {
  const recipeSays = analyze(TINY_MODEL.replace('    epochs 2\n', '    epochs 2\n    precision bf16\n'));
  assert.deepEqual(
    recipeSays.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const recipe = recipeSays.models[0].recipe;
  assert.equal(recipe.precision, 'bf16');
  assert.deepEqual(runnerDevice({}, undefined), { device: 'auto', precision: 'fp32', channelsLast: false });
  assert.deepEqual(runnerDevice({}, recipe.precision), { device: 'auto', precision: 'bf16', channelsLast: false });
  assert.deepEqual(runnerDevice({ precision: 'fp32', device: 'cuda', channelsLast: true }, recipe.precision), { device: 'cuda', precision: 'fp32', channelsLast: true });
  const bad = analyze(TINY_MODEL.replace('    epochs 2\n', '    epochs 2\n    precision fp8\n'));
  assert.match(bad.diagnostics.map((d) => d.message).join('\n'), /fp8/);
});

test('resnet-studio train takes --device, --precision and --channels-last for the PyTorch engine, and says what is wrong', () => {
  const command = buildCommand('examples/cifar/resnet20.resnet', { engine: 'pytorch', device: 'cuda', precision: 'bf16', 'channels-last': true, python: '/usr/bin/python3' });
  assert.equal(command.type, 'start');
  if (command.type !== 'start') return;
  const { device, precision, channelsLast, engine, python } = command.request;
  assert.deepEqual({ device, precision, channelsLast, engine, python }, { device: 'cuda', precision: 'bf16', channelsLast: true, engine: 'pytorch', python: '/usr/bin/python3' });
  const resume = buildCommand(undefined, { resume: '/tmp/nowhere-run', device: 'cpu', precision: 'fp32' });
  assert.deepEqual(resume.type === 'resume' && [resume.device, resume.precision], ['cpu', 'fp32']);
  const fails = (options: Parameters<typeof buildCommand>[1], pattern: RegExp) =>
    assert.throws(
      () => buildCommand('examples/cifar/resnet20.resnet', options),
      (error: unknown) => error instanceof CliError && pattern.test(error.message),
    );
  fails({ engine: 'pytorch', device: 'gpu' }, /^--device takes auto, cuda, mps, cpu, not "gpu"$/);
  fails({ engine: 'pytorch', precision: 'half' }, /^--precision takes fp32, bf16, fp16, not "half"$/);
  fails({ device: 'cuda' }, /^--device is for --engine pytorch; add --engine pytorch or leave it out$/);
  fails({ precision: 'bf16', 'channels-last': true }, /^--precision, --channels-last are for --engine pytorch/);
});

test('bf16 autocast and channels_last train on the CPU for real: finite, falling loss; `started` names them', { skip, timeout: 300_000 }, async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'resnet-pytorch-bf16-'));
  const messages = await collect({ kind: 'new', request: request({ outDir, device: 'cpu', precision: 'bf16', channelsLast: true, epochs: 3 }) });
  const start = started(messages);
  assert.equal(start.device, 'cpu, bf16 autocast, channels_last');
  const plan = planOf(outDir);
  assert.deepEqual([plan.device, plan.precision, plan.channelsLast], ['cpu', 'bf16', true]);
  for (const b of batches(messages)) assert.ok(Number.isFinite(b.loss), `step ${b.step}: loss ${b.loss}`);
  const losses = epochs(messages).map((e) => e.trainLoss);
  assert.ok(losses[2] < losses[0], `bf16 loss went from ${losses[0]} to ${losses[2]}`);
  // It resumes in the same mode from its (fp32 weights) checkpoint.
  const resumed = await collect({ kind: 'resume', runDir: finished(messages).runDir, epochs: 4, python: PYTHON, device: 'cpu', precision: 'bf16', channelsLast: true });
  assert.equal(started(resumed).resumedAtStep, 18);
  assert.equal(finished(resumed).step, 24);
});

test('asking for CUDA where PyTorch sees no GPU, or fp16 off CUDA, gets a message naming the fix', {
  skip: skip ?? (hasCuda ? 'this machine has a CUDA GPU' : undefined),
  timeout: 300_000,
}, async () => {
  const refused = async (overrides: Partial<PyTorchRequest>, pattern: RegExp) => {
    const outDir = mkdtempSync(join(tmpdir(), 'resnet-pytorch-cuda-'));
    await assert.rejects(collect({ kind: 'new', request: request({ outDir, ...overrides }) }), (error: unknown) => {
      assert.ok(error instanceof TrainingError, `not a TrainingError: ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    });
    return outDir;
  };
  // What test/gpu/run-on-device.sh asks for on the H200: the runner is told exactly that.
  const outDir = await refused(
    { device: 'cuda', precision: 'bf16', channelsLast: true },
    /--device cuda: PyTorch .* \((built with CUDA [0-9.]+|a CPU-only build)\) sees no CUDA GPU; check nvidia-smi .* or pass --device cpu/,
  );
  const plan = planOf(outDir);
  assert.deepEqual([plan.device, plan.precision, plan.channelsLast], ['cuda', 'bf16', true]);
  await refused({ precision: 'fp16' }, /--precision fp16 trains on CUDA only \(with a GradScaler\), and this run is on cpu: use --precision bf16 or fp32, or --device cuda/);
  await refused({ precision: 'fp16', device: 'cpu' }, /--precision fp16 trains on CUDA only .*not on --device cpu/);
  await refused({ device: 'mps' }, /--device mps: PyTorch .* has no Apple MPS device/);
  await refused({ device: 'tpu' as never }, /--device takes auto, cuda, mps, cpu, not "tpu"/);
});

/** A port nothing listens on now, for the rendezvous. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

test('two machines under torchrun (--nnodes 2, c10d rendezvous on 127.0.0.1, gloo) train one run and resume it', { skip, timeout: 600_000 }, async () => {
  const endpoint = `127.0.0.1:${await freePort()}`;
  // Each "machine" runs the same command with its own run folder, as two hosts would.
  const machine = (name: string) =>
    collect({ kind: 'new', request: request({ outDir: mkdtempSync(join(tmpdir(), `resnet-${name}-`)), nnodes: 2, nprocPerNode: 1, rdzvEndpoint: endpoint, epochs: 2, trainLimit: 256 }) });
  const runs = await Promise.all([machine('node-a'), machine('node-b')]);
  for (const messages of runs) {
    const start = started(messages);
    assert.equal(start.device, '2 processes, cpu (gloo)');
    assert.match(start.backendReason, /2 processes x batch 16 = effective batch 32/);
    assert.equal(finished(messages).step, 16);
  }
  // Rank 0 (on one of the two) reports every step and writes the checkpoints; the other reports start and end.
  const [reporter, other] = batches(runs[0]).length > 0 ? [0, 1] : [1, 0];
  assert.deepEqual(
    batches(runs[reporter]).map((m) => m.step),
    Array.from({ length: 16 }, (_, i) => i + 1),
  );
  assert.deepEqual(batches(runs[other]), []);
  const losses = epochs(runs[reporter]).map((e) => e.trainLoss);
  assert.ok(losses[1] < losses[0], `loss went from ${losses[0]} to ${losses[1]}`);
  console.log(`torchrun, 2 nodes x 1 process on 127.0.0.1: epoch train losses ${losses.map((l) => l.toFixed(3)).join(', ')}`);
  // Resumed on both: the newest checkpoint is on the reporter's machine and travels to the other as bytes.
  const endpointAgain = `127.0.0.1:${await freePort()}`;
  const resume = (runDir: string) => collect({ kind: 'resume', runDir, epochs: 3, python: PYTHON, nnodes: 2, nprocPerNode: 1, rdzvEndpoint: endpointAgain });
  const resumed = await Promise.all([resume(finished(runs[0]).runDir), resume(finished(runs[1]).runDir)]);
  for (const messages of resumed) {
    assert.equal(started(messages).resumedAtStep, 16);
    assert.equal(finished(messages).step, 24);
  }
  const resumedSteps = resumed.flatMap((messages) => batches(messages).map((m) => m.step));
  assert.deepEqual(resumedSteps, [17, 18, 19, 20, 21, 22, 23, 24]);
});
