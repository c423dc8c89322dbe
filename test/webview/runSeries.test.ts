// Folding a run's messages into chart columns: duplicates, resumption, epochs, the best point.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrainingMessage } from '../../src/protocol/training';
import { summariesOf, toHistory } from '../../src/protocol/webview';
import { DebiasedEma } from '../../src/core/metrics/smoothing';
import { chartWords, lossChart } from '../../webview/dashboard/chartData';
import { envelopeOf } from '../../webview/dashboard/envelope';
import { RunSeries } from '../../webview/dashboard/runSeries';
import { scriptedRun } from './trainingStream';

test("a run's messages become one point per step and per epoch", () => {
  const { messages, runDir } = scriptedRun({ stepsPerEpoch: 10, epochs: 3 });
  const run = new RunSeries(runDir);
  for (const m of messages) run.add(m);
  assert.equal(run.step.length, 30);
  assert.deepEqual([...run.step.slice(0, 3)], [1, 2, 3]);
  assert.equal(run.loss.length, 30);
  assert.equal(run.epochs.length, 3);
  assert.equal(run.lastCheckpointStep, 30);
  assert.equal(run.finished?.stopped, false);
  assert.equal(run.currentEpoch, 2);
});

test('a step seen twice (from the file, then live) counts once', () => {
  const { messages, runDir } = scriptedRun({ stepsPerEpoch: 10, epochs: 2 });
  const run = new RunSeries(runDir);
  for (const m of messages.slice(0, 15)) run.add(m);
  for (const m of messages.slice(5)) run.add(m);
  assert.deepEqual(
    [...run.step],
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  assert.equal(run.epochs.length, 2);
});

test('a resumed run drops what came after its checkpoint', () => {
  const first = scriptedRun({ stepsPerEpoch: 10, epochs: 4, untilStep: 25 });
  const run = new RunSeries(first.runDir);
  for (const m of first.messages) run.add(m);
  const rewrites = run.rewrites;
  const started = first.messages[0] as Extract<TrainingMessage, { type: 'started' }>;
  run.add({ ...started, resumedAtStep: 20 });
  assert.equal(run.lastStep, 20);
  assert.equal(run.epochs.length, 2);
  assert.ok(run.rewrites > rewrites, 'derived columns must be rebuilt');
  run.add({ type: 'batch', step: 21, epoch: 2, loss: 1, accuracy: 0.5, lr: 0.1, imagesPerSec: 10 });
  assert.equal(run.lastStep, 21);
});

test('the best point is the lowest validation error, else the lowest training error', () => {
  const run = new RunSeries('/r');
  const epoch = (e: number, train: number, val?: number): TrainingMessage => ({
    type: 'epoch',
    epoch: e,
    step: (e + 1) * 10,
    trainLoss: 1,
    trainAccuracy: train,
    ...(val === undefined ? {} : { valAccuracy: val }),
    seconds: 1,
  });
  run.add(epoch(0, 0.5));
  run.add(epoch(1, 0.7));
  assert.deepEqual([run.best?.epoch.epoch, run.best?.on], [1, 'training']);
  run.add(epoch(2, 0.9, 0.6));
  run.add(epoch(3, 0.95, 0.8));
  run.add(epoch(4, 0.97, 0.75));
  assert.deepEqual([run.best?.epoch.epoch, run.best?.on], [3, 'validation']);
  // An epoch reported again (after a resume) replaces the first report.
  run.add(epoch(3, 0.95, 0.5));
  assert.equal(run.epochs.length, 5);
  assert.equal(run.best?.epoch.epoch, 4);
});

test('a failure is kept for the header; a fresh history clears everything', () => {
  const run = new RunSeries('/r');
  run.add({ type: 'failed', message: 'out of memory: lower the batch size' });
  assert.equal(run.failure, 'out of memory: lower the batch size');
  run.clear();
  assert.equal(run.failure, undefined);
  assert.equal(run.step.length, 0);
});

test("a history's batch columns fold like the messages one by one", () => {
  const { messages, runDir } = scriptedRun({ stepsPerEpoch: 10, epochs: 3 });
  const oneByOne = new RunSeries(runDir);
  for (const m of messages) oneByOne.add(m);
  const history = toHistory(messages);
  const columns = new RunSeries(runDir);
  for (const m of history.messages) columns.add(m);
  columns.addBatches(history.batches);
  assert.deepEqual([columns.step, columns.loss, columns.lr, columns.epochs], [oneByOne.step, oneByOne.loss, oneByOne.lr, oneByOne.epochs]);
  // Appending the same columns again adds nothing; later steps are appended.
  columns.addBatches(history.batches);
  assert.equal(columns.step.length, 30);
  const f = (...values: number[]) => Float64Array.from(values);
  columns.addBatches({ step: f(29, 31), epoch: f(2, 3), loss: f(1, 2), accuracy: f(0, 1), lr: f(1, 1), imagesPerSec: f(5, 6) });
  assert.deepEqual([...columns.step.slice(-2)], [30, 31]);
  assert.equal(columns.imagesPerSec, 6);
});

/** The messages up to and including step `last` (and the epoch and checkpoint at it). */
function upTo(messages: readonly TrainingMessage[], last: number): TrainingMessage[] {
  return messages.filter((m) => m.type === 'started' || (m.type !== 'finished' && 'step' in m && m.step <= last));
}

test('a history read before the latest live steps were written keeps those steps (history after points)', () => {
  const { messages, runDir } = scriptedRun({ stepsPerEpoch: 10, epochs: 3 });
  const live = new RunSeries(runDir);
  for (const m of upTo(messages, 25)) live.add(m);
  // The file was read at step 17; the page had 25 steps live by the time it arrived.
  const history = toHistory(upTo(messages, 17));
  live.replaceHistory(history.messages, history.batches);
  assert.deepEqual(
    [...live.step],
    Array.from({ length: 25 }, (_, i) => i + 1),
  );
  assert.deepEqual(
    live.epochs.map((e) => e.epoch),
    [0, 1],
  );
  assert.equal(live.lastStep, 25);
  // The rest goes on live.
  for (const m of messages.slice(upTo(messages, 25).length)) live.add(m);
  assert.equal(live.step.length, 30);
  assert.ok(live.finished);
});

test('progress before history, and a history that holds it all: every step once', () => {
  const { messages, runDir } = scriptedRun({ stepsPerEpoch: 10, epochs: 2 });
  const run = new RunSeries(runDir);
  for (const m of upTo(messages, 12)) run.add(m);
  const history = toHistory(upTo(messages, 15));
  run.replaceHistory(history.messages, history.batches);
  assert.deepEqual(
    [...run.step],
    Array.from({ length: 15 }, (_, i) => i + 1),
  );
  assert.equal(run.epochs.length, 1);
});

test('a later record of a resumed run replaces steps it superseded; live steps after the resume stay', () => {
  const { messages, runDir } = scriptedRun({ stepsPerEpoch: 10, epochs: 3 });
  const started = messages[0];
  assert.ok(started?.type === 'started');
  const run = new RunSeries(runDir);
  // The whole first run, as read from its folder.
  const first = toHistory(upTo(messages, 30));
  run.replaceHistory(first.messages, first.batches);
  assert.equal(run.step.length, 30);
  // Resumed from step 20: its folder now ends at 20, then the new process's steps.
  const resumed: TrainingMessage = { ...started, resumedAtStep: 20 };
  const again = [...upTo(messages, 20), resumed, ...messages.filter((m) => m.type === 'batch' && m.step > 20 && m.step <= 24)];
  const record = toHistory(again);
  run.replaceHistory(record.messages, record.batches);
  assert.deepEqual(
    [...run.step],
    Array.from({ length: 24 }, (_, i) => i + 1),
    'steps 25…30 of the first process are gone',
  );
  // Live: the resumed process goes on to 27; a record read at 25 arrives after that.
  for (const m of messages.filter((m) => m.type === 'batch' && m.step > 24 && m.step <= 27)) run.add(m);
  const late = toHistory(again.concat(messages.filter((m) => m.type === 'batch' && m.step === 25)));
  run.replaceHistory(late.messages, late.batches);
  assert.deepEqual([...run.step.slice(-3)], [25, 26, 27]);
});

test("a history with the extension's summaries, then live steps and a resume: the summaries and smoothing taken extend as if built here", () => {
  const { messages, runDir } = scriptedRun({ stepsPerEpoch: 500, epochs: 4 });
  const cut = messages.findIndex((m) => m.type === 'batch' && m.step === 1500);
  const history = toHistory(messages.slice(0, cut));
  const run = new RunSeries(runDir);
  run.replaceHistory(history.messages, history.batches, summariesOf(history.batches, 0.6));
  for (const m of messages.slice(cut)) run.add(m);
  const walk = (y: ArrayLike<number>, from: number, to: number) => {
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i++) {
      if ((y[i] as number) < (y[lo] as number)) lo = i;
      if ((y[i] as number) > (y[hi] as number)) hi = i;
    }
    return { lo, hi };
  };
  const loss = run.loss;
  assert.equal(loss.length, 2000);
  for (const [a, b] of [
    [0, 2000],
    [17, 1999],
    [1490, 1530],
    [3, 1400],
  ] as const)
    assert.deepEqual(envelopeOf(loss).extremes(loss, a, b), walk(loss, a, b), `[${a}, ${b})`);
  // The smoothed loss from the extension, taken at the page's weight and extended with the live steps.
  const smoothed = lossChart(
    [{ run, label: 'r', color: 0 }],
    { xAxis: 'step', yScale: 'linear', metric: 'error', smoothing: 0.6 },
    chartWords(() => ''),
  ).tables[0]?.ys[1] as Float64Array;
  assert.deepEqual(Array.from(smoothed), Array.from(new DebiasedEma(0.6).extend(loss)));
  // A resume to step 1200 drops what came after; the steps that follow go on from it.
  run.add({ ...(messages[0] as Extract<TrainingMessage, { type: 'started' }>), resumedAtStep: 1200 });
  assert.equal(run.step.length, 1200);
  for (let step = 1201; step <= 1301; step++) run.add({ type: 'batch', step, epoch: 2, loss: 0.5, accuracy: 0.5, lr: 0.1, imagesPerSec: 100 });
  assert.deepEqual([run.step.length, run.step[1200], run.step[1300]], [1301, 1201, 1301]);
});
