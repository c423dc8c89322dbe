// The run folder under attack and accident, with real training (the tiny model on synthetic data,
// in the worker process where it matters): the lock (two resumes at once, a SIGKILLed holder, a
// finished run), damaged checkpoints (truncated, changed, NaN, a negative step, `{}` in
// latest.json) with the fall back to the one before, an unwritable folder, an edited batch size,
// and config.json never choosing a program.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BatchMessage, StartedMessage, TrainingMessage, TrainRequest } from '../../src/protocol/training';
import { train, type TrainStart } from '../../src/training/tfjs/trainer';
import { launchWorker } from '../../src/training/worker/launch';
import { readRunConfig, runPaths, writeChecksums } from '../../src/training/runFolder/runFolder';
import { resumedRequest } from '../../src/training/pytorch/runFolder';
import { lockHolder, lockRun } from '../../src/training/runFolder/runLock';
import { TINY_MODEL } from '../helpers/models';
import { collect } from '../helpers/trainRun';

function request(overrides: Partial<TrainRequest> = {}): TrainRequest {
  return {
    sourceText: TINY_MODEL,
    sourcePath: 'tiny.resnet',
    modelName: 'tiny',
    dataset: 'synthetic',
    backend: 'wasm',
    outDir: mkdtempSync(join(tmpdir(), 'resnet-runfolder-')),
    trainLimit: 192,
    seed: 7,
    ...overrides,
  };
}

async function failure(start: TrainStart): Promise<{ message: string; messages: TrainingMessage[] }> {
  const messages: TrainingMessage[] = [];
  try {
    await train(start, { emit: (m) => messages.push(m), shouldStop: () => false });
  } catch (error) {
    return { message: (error as Error).message, messages };
  }
  assert.fail('expected the run to be refused');
}

const startedOf = (ms: readonly TrainingMessage[]) => ms.find((m): m is StartedMessage => m.type === 'started') as StartedMessage;
const runDirOf = (ms: readonly TrainingMessage[]) => startedOf(ms).runDir;

function batchSteps(runDir: string): number[] {
  return readFileSync(runPaths(runDir).metrics, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TrainingMessage)
    .filter((m): m is BatchMessage => m.type === 'batch')
    .map((m) => m.step);
}

/** A finished two-epoch run: checkpoints at steps 6 and 12. Each damage test works on a copy. */
let baseRun: string | undefined;
async function copyOfFinishedRun(): Promise<string> {
  baseRun ??= runDirOf(await collect({ kind: 'new', request: request() }));
  const copy = join(mkdtempSync(join(tmpdir(), 'resnet-damaged-')), 'run');
  cpSync(baseRun, copy, { recursive: true });
  return copy;
}
const step12 = (runDir: string) => join(runPaths(runDir).checkpoints, 'step-00000012');

test('two resumes of one run at once: the second is refused, saying who trains it, and metrics.jsonl has no duplicate steps', { timeout: 300_000 }, async () => {
  const runDir = runDirOf(await collect({ kind: 'new', request: request({ epochs: 1 }) }));
  // The second starts while the first trains (after its first step), and the first goes on until
  // the second has given up: they overlap for sure, however slow the machine.
  const first: TrainingMessage[] = [];
  const second: TrainingMessage[] = [];
  let secondPid: number | undefined;
  let firstWorker: ReturnType<typeof launchWorker> | undefined;
  let secondExited: Promise<number | null> | undefined;
  firstWorker = launchWorker({ type: 'resume', runDir, epochs: 50 }, (m) => {
    first.push(m);
    if (m.type === 'batch' && m.step === 7) {
      const worker = launchWorker({ type: 'resume', runDir, epochs: 50 }, (n) => second.push(n));
      secondPid = worker.process.pid;
      secondExited = worker.exited.then((code) => {
        firstWorker?.stop();
        return code;
      });
    }
  });
  await firstWorker.exited;
  await secondExited;
  assert.ok(secondPid !== undefined && secondPid !== firstWorker.process.pid);
  assert.deepEqual(
    second.map((m) => m.type),
    ['failed'],
    'the second trains nothing',
  );
  const failed = second[0];
  assert.match(failed?.type === 'failed' ? failed.message : '', new RegExp(`run ${runDir} is being trained by pid ${firstWorker.process.pid} since \\d{4}-\\d\\d-\\d\\dT`));
  const end = first[first.length - 1];
  assert.ok(end.type === 'finished' && end.stopped, 'the first stops gracefully once the second gave up');
  const steps = batchSteps(runDir);
  assert.deepEqual(
    steps,
    Array.from({ length: steps.length }, (_, i) => i + 1),
  );
  assert.equal(existsSync(runPaths(runDir).lock), false, 'the lock is released at the end');
});

test('a lock left by a SIGKILLed worker does not block the resume; while it lived, it was named', { timeout: 300_000 }, async () => {
  const messages: TrainingMessage[] = [];
  let refusal = '';
  let worker: ReturnType<typeof launchWorker> | undefined;
  const killed = new Promise<void>((resolve) => {
    worker = launchWorker({ type: 'start', request: request({ epochs: 3 }) }, (m) => {
      messages.push(m);
      if (m.type === 'batch' && m.step === 2) {
        void failure({ kind: 'resume', runDir: runDirOf(messages) }).then((f) => (refusal = f.message));
      }
      // After the first checkpoint (step 6), kill it without a chance to clean up.
      if (m.type === 'batch' && m.step === 8) {
        worker?.process.kill('SIGKILL');
        resolve();
      }
    });
  });
  await killed;
  await worker?.exited;
  const runDir = runDirOf(messages);
  assert.match(refusal, new RegExp(`is being trained by pid ${worker?.process.pid} since`));
  assert.ok(existsSync(runPaths(runDir).lock), 'the killed worker left its lock behind');
  const resumed = await collect({ kind: 'resume', runDir });
  assert.equal(startedOf(resumed).resumedAtStep, 6);
  assert.equal(resumed[resumed.length - 1].type, 'finished');
  assert.deepEqual(
    batchSteps(runDir),
    Array.from({ length: 18 }, (_, i) => i + 1),
  );
  assert.equal(existsSync(runPaths(runDir).lock), false);
});

test('resuming a finished run says it is finished and how to train it longer', { timeout: 300_000 }, async () => {
  const runDir = await copyOfFinishedRun();
  const { message, messages } = await failure({ kind: 'resume', runDir });
  assert.match(message, /is finished: it trained all 12 steps \(2 epochs\); to train it longer, resume with more --epochs or --max-steps/);
  assert.equal(messages.length, 0);
  // With more epochs it goes on.
  const longer = await collect({ kind: 'resume', runDir, maxSteps: 13 });
  assert.equal(startedOf(longer).resumedAtStep, 12);
});

/** Damages the copy's newest checkpoint, resumes one step past the checkpoint it falls back to, and returns the started message. */
async function resumeDamaged(damage: (runDir: string) => void, expectedStep = 6): Promise<StartedMessage> {
  const runDir = await copyOfFinishedRun();
  damage(runDir);
  const messages = await collect({ kind: 'resume', runDir, maxSteps: expectedStep + 1 });
  const started = startedOf(messages);
  assert.equal(started.resumedAtStep, expectedStep);
  assert.equal(messages[messages.length - 1].type, 'finished');
  return started;
}

test('a truncated weights file is named, and the run falls back to the checkpoint before it', { timeout: 300_000 }, async () => {
  const started = await resumeDamaged((runDir) => {
    const file = join(step12(runDir), 'weights.bin');
    writeFileSync(file, readFileSync(file).subarray(0, 1000));
  });
  assert.match(started.warnings?.join('\n') ?? '', /step-00000012\/weights\.bin is 1000 bytes where \d+ were written \(truncated\); resuming from .*step-00000006 instead/);
});

test('weights of the right size set to 1e30 fail their checksum; set to NaN (checksums rewritten) they fail the finite check', { timeout: 300_000 }, async () => {
  const fill = (runDir: string, value: number) => {
    const file = join(step12(runDir), 'weights.bin');
    writeFileSync(file, Buffer.from(new Float32Array(readFileSync(file).byteLength / 4).fill(value).buffer));
  };
  const huge = await resumeDamaged((runDir) => fill(runDir, 1e30));
  assert.match(huge.warnings?.join('\n') ?? '', /step-00000012\/weights\.bin is not what was written \(its sha256 differs from .*checksums\.json\)/);
  const nan = await resumeDamaged((runDir) => {
    fill(runDir, Number.NaN);
    writeChecksums(step12(runDir), ['weights.bin', 'optimizer.bin', 'state.json']);
  });
  assert.match(nan.warnings?.join('\n') ?? '', /step-00000012\/weights\.bin holds NaN at value 0/);
});

test('a negative step in state.json is refused naming the file and the field', { timeout: 300_000 }, async () => {
  const started = await resumeDamaged((runDir) => {
    const file = join(step12(runDir), 'state.json');
    const state = JSON.parse(readFileSync(file, 'utf8')) as { position: { step: number } };
    state.position.step = -3;
    writeFileSync(file, JSON.stringify(state));
    writeChecksums(step12(runDir), ['weights.bin', 'optimizer.bin', 'state.json']);
  });
  assert.match(started.warnings?.join('\n') ?? '', /step-00000012\/state\.json: "position\.step" must be a whole number of at least 0, not -3/);
});

test('`{}` in latest.json is named; the newest whole checkpoint is used and latest.json points at it again', { timeout: 300_000 }, async () => {
  let runDir = '';
  const started = await resumeDamaged((dir) => {
    runDir = dir;
    writeFileSync(runPaths(dir).latest, '{}');
  }, 12);
  assert.match(started.warnings?.join('\n') ?? '', /checkpoints\/latest\.json: has no "checkpoint"; the pointer is damaged; resuming from .*step-00000012 instead/);
  assert.equal((JSON.parse(readFileSync(runPaths(runDir).latest, 'utf8')) as { checkpoint: string }).checkpoint, 'step-00000013');
});

test('when no checkpoint is whole, the resume is refused naming each damaged file', { timeout: 300_000 }, async () => {
  const runDir = await copyOfFinishedRun();
  for (const step of ['step-00000006', 'step-00000012']) writeFileSync(join(runPaths(runDir).checkpoints, step, 'optimizer.bin'), '');
  const { message } = await failure({ kind: 'resume', runDir, epochs: 3 });
  assert.match(message, /no checkpoint of .* is whole: .*step-00000012\/optimizer\.bin is 0 bytes.*step-00000006\/optimizer\.bin is 0 bytes.*Start a new run/);
});

test('a folder that cannot be written is refused before the first epoch, not after it', { timeout: 300_000 }, async () => {
  const runDir = await copyOfFinishedRun();
  // Root writes anywhere, so a directory where metrics.jsonl should be stands for an unwritable file.
  rmSync(runPaths(runDir).metrics);
  mkdirSync(runPaths(runDir).metrics);
  const { message, messages } = await failure({ kind: 'resume', runDir, epochs: 3 });
  assert.match(message, /cannot write .*metrics\.jsonl \(EISDIR.*\); the run could not save its progress/);
  assert.equal(messages.length, 0, 'nothing trained');
  if (process.getuid?.() !== 0) {
    const readOnly = await copyOfFinishedRun();
    chmodSync(runPaths(readOnly).checkpoints, 0o555);
    const refused = await failure({ kind: 'resume', runDir: readOnly, epochs: 3 });
    chmodSync(runPaths(readOnly).checkpoints, 0o755);
    assert.match(refused.message, /cannot write .*checkpoints \(EACCES/);
  }
  const outDir = join(mkdtempSync(join(tmpdir(), 'resnet-notdir-')), 'a-file');
  writeFileSync(outDir, 'not a folder');
  assert.match((await failure({ kind: 'new', request: request({ outDir }) })).message, /cannot create a run folder in .*a-file \(ENOTDIR.*choose another folder for runs/);
});

test("a batch size edited in config.json cannot make a resume run past the run's end: it is refused, saying what to put back", { timeout: 300_000 }, async () => {
  const runDir = await copyOfFinishedRun();
  const config = JSON.parse(readFileSync(runPaths(runDir).config, 'utf8')) as Record<string, unknown>;
  writeFileSync(runPaths(runDir).config, JSON.stringify({ ...config, batchSize: 96 }));
  const { message } = await failure({ kind: 'resume', runDir, epochs: 3 });
  assert.match(message, /step-00000012 was trained with batches of 32 .* now give 96; put batchSize 32 back in .*config\.json/);
  writeFileSync(runPaths(runDir).config, JSON.stringify({ ...config, batchSize: -1 }));
  assert.match((await failure({ kind: 'resume', runDir, epochs: 3 })).message, /config\.json: "batchSize" must be a whole number of at least 1, not -1/);
});

test('config.json names no program: a saved python and backend folders are ignored on resume, and not written', { timeout: 120_000 }, async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'resnet-config-'));
  const runDir = join(outDir, 'run');
  mkdirSync(runDir);
  const hostile = { ...request({ outDir }), engine: 'pytorch', python: '/tmp/evil/python', backendDirs: ['/tmp/evil'] };
  writeFileSync(runPaths(runDir).config, JSON.stringify(hostile));
  const config = readRunConfig(runDir) as Record<string, unknown>;
  assert.equal('python' in config, false);
  assert.equal('backendDirs' in config, false);
  assert.equal(resumedRequest({ kind: 'resume', runDir }).python, undefined);
  assert.equal(resumedRequest({ kind: 'resume', runDir, python: '/usr/bin/python3' }).python, '/usr/bin/python3');
  // A new run does not write them either.
  const fresh = runDirOf(await collect({ kind: 'new', request: request({ epochs: 1, trainLimit: 32, backendDirs: ['/somewhere'] }) }));
  const saved = JSON.parse(readFileSync(runPaths(fresh).config, 'utf8')) as Record<string, unknown>;
  assert.equal('backendDirs' in saved, false);
  assert.equal(saved.modelName, 'tiny');
});

test("the lock: a live holder is named, a dead or reused pid and a junk file are stale, another host's lock says how to clear it", () => {
  const runDir = mkdtempSync(join(tmpdir(), 'resnet-lock-'));
  const lockFile = runPaths(runDir).lock;
  const held = lockRun(runDir);
  assert.throws(() => lockRun(runDir), new RegExp(`run ${runDir} is being trained by pid ${process.pid} since \\d{4}-`));
  assert.equal(lockHolder(runDir)?.pid, process.pid);
  held.release();
  assert.equal(existsSync(lockFile), false);
  // A process that has exited.
  const exited = spawnSync(process.execPath, ['-e', '0']);
  writeFileSync(lockFile, JSON.stringify({ pid: exited.pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
  assert.equal(lockHolder(runDir), undefined);
  lockRun(runDir).release();
  // This very pid, but started at another time: a later process that was given the dead one's pid.
  if (existsSync('/proc/self/stat')) {
    writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', processStart: '1' }));
    lockRun(runDir).release();
  }
  // Half a lock (a crash while it was written).
  writeFileSync(lockFile, '{"pid":');
  lockRun(runDir).release();
  // Another machine's process cannot be checked from here.
  writeFileSync(lockFile, JSON.stringify({ pid: 4242, host: 'other-machine', startedAt: '2026-01-01T00:00:00.000Z' }));
  assert.throws(() => lockRun(runDir), /being trained by pid 4242 on other-machine since 2026-01-01T00:00:00\.000Z; .*delete .*run\.lock/);
});
