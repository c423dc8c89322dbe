// The PyTorch engine end to end, with real Python processes: the embedded MNIST to ≥ 95%, a
// 2-process torchrun (gloo) run, resume after an epoch and after a graceful stop (exactly where it
// left off), and the messages a person gets for a Python without torch and other bad input.
// Skipped, saying why, when no Python with torch is at hand (RESNET_STUDIO_PYTHON, default /usr/bin/python3).
// Resumes pass the Python again: a run folder never chooses the program (docs/run-folder.md).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BatchMessage, EpochMessage, FinishedMessage, StartedMessage, TrainingMessage } from '../../src/protocol/training';
import { TrainingError } from '../../src/training/runSetup';
import { lockRun } from '../../src/training/runFolder/runLock';
import { padCropFlipImage } from '../../src/training/data/augment';
import { findPython } from '../../src/training/pytorch/python';
import { RUNNER_SOURCE } from '../../src/training/pytorch/runnerSource';
import type { PyTorchRequest, PyTorchStart } from '../../src/training/pytorch/request';
import { pytorchStartFor } from '../../src/training/pytorch/dispatch';
import { parseRunnerLine, runnerArguments, trainWithPyTorch } from '../../src/training/pytorch/trainWithPyTorch';
import { readExample } from '../helpers/examples';
import { TINY_MODEL } from '../helpers/models';
import { PYTHON, torchMissing } from '../helpers/python';

const skip = torchMissing();
if (skip) console.log(`skipping the PyTorch engine tests: ${skip}`);

const tiny = TINY_MODEL;

function request(overrides: Partial<PyTorchRequest> = {}): PyTorchRequest {
  return {
    sourceText: tiny,
    sourcePath: 'tiny.resnet',
    modelName: 'tiny',
    dataset: 'synthetic',
    backend: 'auto',
    outDir: mkdtempSync(join(tmpdir(), 'resnet-pytorch-')),
    trainLimit: 192,
    seed: 7,
    python: PYTHON,
    // One thread a process: the test machine's cores are shared.
    threads: 1,
    ...overrides,
  };
}

async function collect(start: PyTorchStart, stopAfterStep?: number): Promise<TrainingMessage[]> {
  const messages: TrainingMessage[] = [];
  await trainWithPyTorch(start, {
    emit: (m) => messages.push(m),
    shouldStop: () => stopAfterStep !== undefined && messages.some((m) => m.type === 'batch' && m.step >= stopAfterStep),
  });
  return messages;
}

const batches = (ms: readonly TrainingMessage[]) => ms.filter((m): m is BatchMessage => m.type === 'batch');
const epochs = (ms: readonly TrainingMessage[]) => ms.filter((m): m is EpochMessage => m.type === 'epoch');
const started = (ms: readonly TrainingMessage[]) => ms.find((m): m is StartedMessage => m.type === 'started') as StartedMessage;
const finished = (ms: readonly TrainingMessage[]) => ms.find((m): m is FinishedMessage => m.type === 'finished') as FinishedMessage;

test('resnet8 reaches at least 95% on the embedded MNIST with PyTorch in 3 epochs; the run folder is complete', { skip, timeout: 600_000 }, async () => {
  const wallStart = Date.now();
  const messages = await collect({
    kind: 'new',
    request: request({ sourceText: readExample('mnist/resnet8.resnet'), sourcePath: 'examples/mnist/resnet8.resnet', modelName: 'resnet8', dataset: 'mnist', trainLimit: undefined, seed: undefined }),
  });
  const start = started(messages);
  assert.equal(start.backend, 'pytorch');
  assert.equal(start.device, 'cpu');
  assert.equal(start.dataset, 'mnist');
  assert.deepEqual([start.trainImages, start.batchSize, start.stepsPerEpoch, start.epochs, start.totalSteps], [8000, 64, 125, 3, 375]);
  assert.equal(start.params, 75_002);
  const end = finished(messages);
  console.log(
    `MNIST resnet8 with PyTorch (1 CPU thread): test accuracy ${(end.testAccuracy * 100).toFixed(2)}% after ${end.step} steps; ${end.seconds.toFixed(1)} s in the engine, ${((Date.now() - wallStart) / 1000).toFixed(1)} s in all`,
  );
  assert.ok(end.testAccuracy >= 0.95, `test accuracy ${end.testAccuracy}`);
  assert.equal(end.stopped, false);
  // The milestone at epoch 2 divides the rate by ten.
  assert.deepEqual([...new Set(batches(messages).map((b) => b.lr))], [0.1, 0.1 * 0.1]);
  assert.equal(batches(messages).find((b) => b.step === 251)?.lr, 0.1 * 0.1);
  const [first, , last] = epochs(messages);
  assert.ok(last.trainLoss < first.trainLoss / 3, `train loss ${first.trainLoss} → ${last.trainLoss}`);

  const runDir = end.runDir;
  const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as PyTorchRequest;
  assert.equal(config.engine, 'pytorch');
  const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, messages.length);
  assert.deepEqual(readdirSync(join(runDir, 'checkpoints')).sort(), ['latest.json', 'step-00000125.safetensors', 'step-00000250.safetensors', 'step-00000375.safetensors']);
  for (const file of ['model/model.pt', 'model/model.py', 'pytorch/model.py', 'pytorch/runner.py', 'pytorch/plan.json']) assert.ok(existsSync(join(runDir, file)), file);
  assert.ok(!existsSync(join(runDir, 'pytorch', 'stop-requested')));
});

test('two processes under torchrun (DDP, gloo) split the batch, report once, learn and resume', { skip, timeout: 600_000 }, async () => {
  const messages = await collect({ kind: 'new', request: request({ nprocPerNode: 2, epochs: 3, trainLimit: 256 }) });
  const start = started(messages);
  assert.equal(start.device, '2 processes, cpu (gloo)');
  assert.match(start.backendReason, /2 processes x batch 16 = effective batch 32, lr 0\.05/);
  assert.deepEqual([start.batchSize, start.stepsPerEpoch, start.totalSteps], [32, 8, 24]);
  // Only rank 0 reports: one message per step, one started, one finished.
  assert.deepEqual(
    batches(messages).map((b) => b.step),
    Array.from({ length: 24 }, (_, i) => i + 1),
  );
  assert.equal(messages.filter((m) => m.type === 'started' || m.type === 'finished').length, 2);
  const losses = epochs(messages).map((e) => e.trainLoss);
  console.log(`torchrun, 2 processes on synthetic data: epoch train losses ${losses.map((l) => l.toFixed(3)).join(', ')}; test accuracy ${(finished(messages).testAccuracy * 100).toFixed(1)}%`);
  assert.ok(losses[2] < losses[0], `loss went from ${losses[0]} to ${losses[2]}`);
  // Every image of the epoch counted once per process share (DistributedSampler: 128 each).
  assert.equal((epochs(messages)[0].trainAccuracy * 256) % 1, 0);
  // Resumed under torchrun too: the checkpoint is read once and handed to both processes.
  const resumed = await collect({ kind: 'resume', runDir: finished(messages).runDir, epochs: 4, python: PYTHON });
  assert.equal(started(resumed).resumedAtStep, 24);
  assert.deepEqual(
    batches(resumed).map((b) => b.step),
    [25, 26, 27, 28, 29, 30, 31, 32],
  );
  assert.ok(epochs(resumed)[0].trainLoss < losses[0]);
});

test("resume after an epoch continues from the checkpoint's step, as an uninterrupted run", { skip, timeout: 600_000 }, async () => {
  const base = request();
  const whole = await collect({ kind: 'new', request: { ...base, outDir: mkdtempSync(join(tmpdir(), 'resnet-pytorch-')) } });
  const first = await collect({ kind: 'new', request: { ...base, epochs: 1 } });
  const end = finished(first);
  assert.equal(end.step, 6);
  const resumed = await collect({ kind: 'resume', runDir: end.runDir, epochs: 2, python: PYTHON });
  assert.equal(started(resumed).resumedAtStep, 6);
  assert.deepEqual(
    batches(resumed).map((b) => b.step),
    [7, 8, 9, 10, 11, 12],
  );
  assert.equal(finished(resumed).step, 12);
  // Same data order, augmentation, weights and momentum: the same losses as the run that never stopped.
  const expected = batches(whole).slice(6);
  batches(resumed).forEach((b, i) => assert.ok(Math.abs(b.loss - expected[i].loss) < 1e-5, `step ${b.step}: ${b.loss} vs ${expected[i].loss}`));
  assert.ok(Math.abs(finished(resumed).testLoss - finished(whole).testLoss) < 1e-5);
});

test('a graceful stop mid-epoch checkpoints that step; resume finishes the epoch exactly', { skip, timeout: 600_000 }, async () => {
  // Long enough epochs (30 steps) that the stop, asked for after step 3, lands within the first.
  const base = request({ epochs: 2, trainLimit: 960 });
  const whole = await collect({ kind: 'new', request: base });
  const stoppedRun = await collect({ kind: 'new', request: { ...base, outDir: mkdtempSync(join(tmpdir(), 'resnet-pytorch-')) } }, 3);
  const end = finished(stoppedRun);
  assert.equal(end.stopped, true);
  // The runner is another process: it stops after the step it is on when the request arrives.
  assert.ok(end.step >= 3 && end.step < 30, `stopped at step ${end.step}`);
  assert.deepEqual(
    stoppedRun.filter((m) => m.type === 'checkpoint').map((m) => m.type === 'checkpoint' && m.step),
    [end.step],
  );
  const resumed = await collect({ kind: 'resume', runDir: end.runDir, python: PYTHON });
  assert.equal(started(resumed).resumedAtStep, end.step);
  assert.equal(batches(resumed)[0].step, end.step + 1);
  assert.equal(finished(resumed).step, 60);
  const wholeLoss = new Map(batches(whole).map((b) => [b.step, b.loss]));
  for (const b of batches(resumed)) assert.ok(Math.abs(b.loss - (wholeLoss.get(b.step) as number)) < 1e-5, `step ${b.step}: ${b.loss} vs ${wholeLoss.get(b.step)}`);
  // The first epoch's averages include the steps before the stop.
  const [epochResumed] = epochs(resumed);
  const [epochWhole] = epochs(whole);
  assert.ok(Math.abs(epochResumed.trainLoss - epochWhole.trainLoss) < 1e-5, `${epochResumed.trainLoss} vs ${epochWhole.trainLoss}`);
  // metrics.jsonl reads as one run: the stopped part, then the resumed part.
  const steps = readFileSync(join(end.runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TrainingMessage)
    .filter((m): m is BatchMessage => m.type === 'batch')
    .map((m) => m.step);
  assert.deepEqual(
    steps,
    Array.from({ length: 60 }, (_, i) => i + 1),
  );
});

test('recipe semantics: warm-up, Adam, milestones in iterations, a validation hold-out', { skip, timeout: 300_000 }, async () => {
  const source = tiny.replace(
    /  train \{[\s\S]*\}\n\}$/,
    `  train {
    batch 32
    adam lr 0.01
    iterations 12
    decay 0.5 at 8
    warmup 3, lr 0.001
    validation 32
    augment none
    normalize none
  }
}`,
  );
  const messages = await collect({ kind: 'new', request: request({ sourceText: source }) });
  const start = started(messages);
  // 192 images, 32 held out: 160 left, 5 steps an epoch. As in the TF.js engine, 12 iterations
  // stop at exactly 12 steps, in the third epoch; the milestone is at iteration 8.
  assert.deepEqual([start.trainImages, start.stepsPerEpoch, start.epochs, start.totalSteps], [160, 5, 3, 12]);
  assert.deepEqual(
    batches(messages).map((b) => b.lr),
    [...Array(3).fill(0.001), ...Array(5).fill(0.01), ...Array(4).fill(0.005)],
  );
  for (const e of epochs(messages)) assert.ok(e.valLoss !== undefined && e.valAccuracy !== undefined && e.valAccuracy >= 0 && e.valAccuracy <= 1);
  assert.deepEqual(
    epochs(messages).map((e) => e.step),
    [5, 10],
  );
});

test('bad input gets a message naming the problem and the fix', { skip, timeout: 120_000 }, async () => {
  const fails = async (start: PyTorchStart, pattern: RegExp) => {
    await assert.rejects(collect(start), (error: unknown) => {
      // Engine problems are PyTorchEngineErrors; those shared with the TF.js engine (the model, the data) TrainingErrors.
      assert.ok(error instanceof TrainingError, `not a TrainingError: ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    });
  };
  await fails({ kind: 'new', request: request({ python: join(tmpdir(), 'no-such-python') }) }, /--python .*no-such-python: no such program; pass the path of a Python that has PyTorch/);
  await fails({ kind: 'new', request: request({ nprocPerNode: 0 }) }, /--nproc-per-node takes a whole number of at least 1, not 0/);
  await fails({ kind: 'new', request: request({ nnodes: 2 }) }, /--nnodes 2 needs --rdzv-endpoint HOST:PORT/);
  await fails({ kind: 'new', request: request({ modelName: 'nope' }) }, /tiny\.resnet has no model named nope; its models: tiny/);
  await fails({ kind: 'resume', runDir: mkdtempSync(join(tmpdir(), 'resnet-pytorch-')) }, /is not a run folder \(it has no config\.json\)/);
  // A failed start leaves no run folder behind.
  const outDir = mkdtempSync(join(tmpdir(), 'resnet-pytorch-'));
  await fails({ kind: 'new', request: request({ outDir, python: join(tmpdir(), 'no-such-python') }) }, /no such program/);
  assert.deepEqual(readdirSync(outDir), []);
  // A run stopped before its first checkpoint cannot be resumed.
  writeFileSync(join(outDir, 'config.json'), JSON.stringify(request({ engine: 'pytorch' })));
  await fails({ kind: 'resume', runDir: outDir, python: PYTHON }, /has no checkpoint yet .* start a new run instead/);
});

test('a Python without torch is named, with how to install torch or which Python to pass', { timeout: 120_000 }, () => {
  const noTorch = ['python3', '/usr/bin/python3.11', '/root/.pyenv/shims/python3'].find((p) => {
    try {
      findPython(p);
      return false;
    } catch (error) {
      return /has no torch/.test((error as Error).message);
    }
  });
  if (!noTorch) {
    console.log('no Python without torch on this machine to test the message with');
    return;
  }
  assert.throws(() => findPython(noTorch), /^PyTorchEngineError: this Python \(.+, Python 3[.\d]+\) has no torch: install it \(pip install torch, or Debian's python3-torch\) or pass --python \S+$/);
});

test('runner lines: messages are validated; NaN travels as a string and comes back a number', () => {
  const batch = parseRunnerLine('{"type":"batch","step":3,"epoch":0,"loss":"NaN","accuracy":0.5,"lr":0.1,"imagesPerSec":10}');
  assert.ok(batch?.type === 'batch' && Number.isNaN(batch.loss));
  assert.equal(parseRunnerLine('{"type":"batch","step":3}'), undefined);
  assert.equal(parseRunnerLine('Setting OMP_NUM_THREADS environment variable'), undefined);
});

test('torchrun gets the processes, machines and rendezvous as given; one process runs plain Python; every Python starts isolated', () => {
  const torch2 = { torch: '2.11.0', version: '3.12.3', executable: '/venv/bin/python' };
  const isolated = ['-I', '-u', '-X', 'utf8'];
  assert.deepEqual(runnerArguments({ modelName: 'resnet50' }, torch2, 'runner.py', 'plan.json'), [...isolated, 'runner.py', 'plan.json']);
  assert.deepEqual(runnerArguments({ modelName: 'resnet50', nprocPerNode: 8 }, torch2, 'runner.py', 'plan.json'), [
    ...isolated,
    '-m',
    'torch.distributed.run',
    '--nnodes=1',
    '--nproc_per_node=8',
    '--standalone',
    // torchrun starts each process as this command, as it is: the same Python, isolated too.
    '--no_python',
    '/venv/bin/python',
    ...isolated,
    'runner.py',
    'plan.json',
  ]);
  assert.deepEqual(runnerArguments({ modelName: 'resnet50', nprocPerNode: 8, nnodes: 2, rdzvEndpoint: '10.0.0.1:29400' }, torch2, 'runner.py', 'plan.json'), [
    ...isolated,
    '-m',
    'torch.distributed.run',
    '--nnodes=2',
    '--nproc_per_node=8',
    '--rdzv_backend=c10d',
    '--rdzv_endpoint=10.0.0.1:29400',
    '--rdzv_id=resnet-studio-resnet50',
    '--no_python',
    '/venv/bin/python',
    ...isolated,
    'runner.py',
    'plan.json',
  ]);
  // Debian's torch 1.13 under Python 3.11 needs its stream flags spelled out (see streamWorkaround).
  assert.deepEqual(runnerArguments({ modelName: 'm', nprocPerNode: 2 }, { torch: '1.13.0a0', version: '3.11.2', executable: '/usr/bin/python3' }, 'r.py', 'p.json').slice(9, 11), [
    '--redirects=9:1',
    '--tee=9:1',
  ]);
});

test('worker commands go to the PyTorch engine when the request or the run folder says so', () => {
  const pytorch = request({ engine: 'pytorch' });
  assert.deepEqual(pytorchStartFor({ type: 'start', request: pytorch }), { kind: 'new', request: pytorch });
  assert.equal(pytorchStartFor({ type: 'start', request: request() }), undefined);
  const runDir = mkdtempSync(join(tmpdir(), 'resnet-pytorch-'));
  assert.equal(pytorchStartFor({ type: 'resume', runDir }), undefined);
  writeFileSync(join(runDir, 'config.json'), JSON.stringify({ ...pytorch }));
  assert.deepEqual(pytorchStartFor({ type: 'resume', runDir, epochs: 3 }), {
    kind: 'resume',
    runDir,
    epochs: 3,
    maxSteps: undefined,
    python: undefined,
    nprocPerNode: undefined,
    nnodes: undefined,
    rdzvEndpoint: undefined,
    threads: undefined,
    device: undefined,
    precision: undefined,
    channelsLast: undefined,
  });
  writeFileSync(join(runDir, 'config.json'), JSON.stringify(request()));
  assert.equal(pytorchStartFor({ type: 'resume', runDir }), undefined);
});

test("the runner crops and mirrors exactly as the TF.js engine's augmentation defines it", { skip, timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'resnet-pytorch-'));
  writeFileSync(join(dir, 'runner.py'), RUNNER_SOURCE);
  const [h, w, c] = [5, 4, 3];
  const image = Float32Array.from({ length: h * w * c }, (_, i) => i + 1);
  const cases = [
    [0, 0, false],
    [2, 2, false],
    [4, 1, true],
    [3, 0, true],
    [1, 4, false],
  ] as const;
  const script = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(dir)})
from runner import crop_at
image = torch.tensor(json.loads(sys.argv[1]), dtype=torch.float32).view(1, ${h}, ${w}, ${c}).permute(0, 3, 1, 2)
cases = json.loads(sys.argv[2])
batch = image.expand(len(cases), -1, -1, -1)
out = crop_at(batch, 2, torch.tensor([y for y, x, m in cases]), torch.tensor([x for y, x, m in cases]), torch.tensor([m for y, x, m in cases]))
print(json.dumps(out.permute(0, 2, 3, 1).reshape(len(cases), -1).tolist()))`;
  const run = spawnSync(PYTHON, ['-c', script, JSON.stringify([...image]), JSON.stringify(cases)], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const crops = JSON.parse(run.stdout) as number[][];
  cases.forEach(([y, x, mirror], i) => assert.deepEqual(crops[i], [...padCropFlipImage(image, [h, w, c], 2, y, x, mirror)], `offset ${y},${x} mirror ${mirror}`));
});

test('the run folder of a PyTorch run: locked while trained, finished when done, a checkpoint that fails its checksums passed over', { skip, timeout: 300_000 }, async () => {
  const runDir = finished(await collect({ kind: 'new', request: request() })).runDir;
  await assert.rejects(collect({ kind: 'resume', runDir, python: PYTHON }), /is finished: it trained all 12 steps \(2 epochs\); to train it longer, resume with more --epochs or --max-steps/);
  const lock = lockRun(runDir);
  await assert.rejects(collect({ kind: 'resume', runDir, python: PYTHON, epochs: 3 }), new RegExp(`is being trained by pid ${process.pid} since`));
  lock.release();
  // A checkpoint whose tensor bytes no longer match the SHA-256 in its header (docs/run-folder.md): step 12 altered, step 6 whole.
  const altered = join(runDir, 'checkpoints', 'step-00000012.safetensors');
  const bytes = readFileSync(altered);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(altered, bytes);
  const resumed = await collect({ kind: 'resume', runDir, python: PYTHON, maxSteps: 7 });
  assert.equal(started(resumed).resumedAtStep, 6);
  assert.match(
    started(resumed).warnings?.join('\n') ?? '',
    /step-00000012\.safetensors is damaged \(its tensor bytes do not match their checksum\).*resuming from .*step-00000006\.safetensors instead/,
  );
  assert.deepEqual(
    batches(resumed).map((b) => b.step),
    [7],
  );
});
