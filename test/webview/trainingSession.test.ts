// The extension's one training worker, with a fake launcher: what its listeners hear and when;
// and the progress (ETA) it keeps.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { TrainingMessage, WorkerCommand } from '../../src/protocol/training';
import { RunProgress, formatDuration } from '../../src/extension/training/runProgress';
import { TrainingSession, type Launch } from '../../src/extension/training/trainingSession';
import { scriptedRun } from './trainingStream';

function fakeLauncher() {
  const worker: { send?: (m: TrainingMessage) => void; exit?: (code: number) => void; stops: number; command?: WorkerCommand; malformed?: (v: unknown, reason: string) => void } = { stops: 0 };
  const launch: Launch = (command, onMessage, options = {}) => {
    worker.command = command;
    worker.send = onMessage;
    worker.malformed = options.onMalformed;
    const exited = new Promise<number>((resolve) => {
      worker.exit = resolve;
    });
    return { process: new EventEmitter() as never, stop: () => void worker.stops++, exited };
  };
  return { launch, worker };
}

test('listeners hear the start, the messages, the stop and the end, in order', async () => {
  const { launch, worker } = fakeLauncher();
  const heard: string[] = [];
  const warnings: string[] = [];
  const session = new TrainingSession(
    {
      message: (runDir, m) => heard.push(`message ${m.type} ${runDir ?? '-'}`),
      state: (state, runDir, _p, code) => heard.push(`state ${state} ${runDir ?? '-'}${code === undefined ? '' : ` ${code}`}`),
      log: (level, text) => level === 'warn' && warnings.push(text),
    },
    launch,
  );
  const { messages, runDir } = scriptedRun({ stepsPerEpoch: 2, epochs: 2 });
  const done = session.start({ type: 'start', request: { sourceText: '', sourcePath: 'a.resnet', modelName: 'resnet20', dataset: 'synthetic', backend: 'auto', outDir: '/w/runs' } }, 'resnet20');
  assert.equal(session.state, 'running');
  assert.throws(() => session.start({ type: 'resume', runDir }, 'again'), /still training/);
  worker.send?.(messages[0]);
  worker.send?.(messages[1]);
  worker.malformed?.({ type: 'batch', loss: null }, 'field "step": Invalid key');
  assert.equal(session.stop(), true);
  assert.equal(session.stop(), false, 'one stop request is enough');
  assert.equal(session.state, 'stopping');
  worker.exit?.(0);
  assert.equal(await done, 0);
  assert.equal(session.state, 'idle');
  assert.equal(worker.stops, 1);
  assert.deepEqual(heard, ['state running -', `message started ${runDir}`, `state running ${runDir}`, `message batch ${runDir}`, `state stopping ${runDir}`, `state idle ${runDir} exited (code 0)`]);
  assert.match(warnings[0], /malformed message, dropped: \{"type":"batch","loss":null\}/);
  assert.match(warnings[0], /\(field "step": Invalid key\)$/, 'the reason is logged');
});

test('the ETA is the pace since the first step, applied to the steps left', () => {
  let now = 0;
  const progress = new RunProgress(() => now);
  const { messages } = scriptedRun({ stepsPerEpoch: 50, epochs: 2 });
  const batches = messages.filter((m) => m.type === 'batch');
  progress.add(messages[0]);
  assert.equal(progress.etaSeconds(), undefined);
  assert.equal(progress.describe(), 'epoch 1/2');
  progress.add(batches[0]);
  now = 10_000;
  for (const b of batches.slice(1, 10)) progress.add(b); // 9 steps in 10 s
  assert.equal(progress.step, 10);
  assert.ok(Math.abs((progress.etaSeconds() as number) - (90 * 10) / 9) < 1e-9);
  assert.equal(progress.fraction, 0.1);
  assert.match(progress.describe(), /^epoch 1\/2 · loss \d\.\d{3} · ETA 1m 40s$/);
  // The status bar and notification in Korean (resnet.language or VS Code's display language).
  assert.match(progress.describe('ko'), /^에폭 1\/2 · 손실 \d\.\d{3} · 남은 시간 1m 40s$/);
});

test('durations read naturally', () => {
  assert.equal(formatDuration(12.3), '12s');
  assert.equal(formatDuration(245), '4m 05s');
  assert.equal(formatDuration(3725), '1h 02m');
});
