// The extension ↔ dashboard messages: what passes the checks on arrival, and what is dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrainingMessage } from '../../src/protocol/training';
import { batchesOf, checkToDashboard, describeDropped, parseFromDashboard, parseToDashboard, summariesOf, toHistory, type FromDashboard, type ToDashboard } from '../../src/protocol/webview';

const describe = (value: unknown) => {
  const checked = checkToDashboard(value);
  return checked.ok ? 'ok' : checked.error;
};
import { scriptedRun } from './trainingStream';

const batch: TrainingMessage = { type: 'batch', step: 1, epoch: 0, loss: 2.3, accuracy: 0.1, lr: 0.1, imagesPerSec: 900 };

test('well-formed messages to the dashboard pass unchanged', () => {
  const messages: ToDashboard[] = [
    { type: 'runs', runsFolder: '/w/runs', runs: [{ runDir: '/w/runs/a', name: 'a', model: 'resnet20', dataset: 'cifar10', status: 'finished', step: 10, testAccuracy: 0.9, resumable: true }] },
    { type: 'runHistory', runDir: '/w/runs/a', ...toHistory([batch]) },
    { type: 'runHistory', runDir: '/w/runs/a', batches: toHistory([]).batches, messages: [] },
    { type: 'runProgress', runDir: '/w/runs/a', messages: [batch], etaSeconds: 12 },
    { type: 'runProgress', runDir: '/w/runs/a', messages: [] },
    { type: 'session', state: 'running', runDir: '/w/runs/a' },
    { type: 'session', state: 'idle' },
    { type: 'runError', runDir: '/w/runs/a', message: 'gone' },
  ];
  for (const message of messages) assert.equal(parseToDashboard(message), message);
});

test('malformed messages to the dashboard are refused', () => {
  const bad: unknown[] = [
    null,
    undefined,
    'runs',
    42,
    [],
    {},
    { type: 'nope' },
    { type: 'toString' },
    { type: '__proto__' },
    { type: 'runs', runsFolder: '/w', runs: [{ runDir: '/w/a' }] },
    { type: 'runs', runsFolder: '/w', runs: 'all' },
    { type: 'runHistory', runDir: '/w/a', messages: [{ ...batch, loss: null }] },
    { type: 'runHistory', runDir: '/w/a', ...toHistory([]), messages: [{ type: 'batch' }] },
    { type: 'runHistory', runDir: '/w/a', ...toHistory([]), batches: { step: [1], epoch: [0], loss: [1], accuracy: [1], lr: [1], imagesPerSec: [1] } },
    { type: 'runHistory', runDir: '/w/a', ...toHistory([]), batches: { ...toHistory([batch]).batches, loss: new Float32Array(1) } },
    { type: 'runHistory', runDir: '/w/a', ...toHistory([]), batches: { ...toHistory([batch]).batches, epoch: new Float64Array(2) } },
    { type: 'runHistory', runDir: '/w/a', ...toHistory([]), batches: { step: new Float64Array(1) } },
    { type: 'runProgress', runDir: 7, messages: [] },
    { type: 'runProgress', runDir: '/w/a', messages: [], etaSeconds: 'soon' },
    { type: 'session', state: 'sleeping' },
    { type: 'session', state: 'running', runDir: 3 },
  ];
  for (const value of bad) assert.equal(parseToDashboard(value), undefined, JSON.stringify(value));
});

test('messages from the dashboard are checked the same way', () => {
  const good: FromDashboard[] = [
    { type: 'ready' },
    { type: 'refreshRuns' },
    { type: 'loadRuns', runDirs: ['/w/a', '/w/b'] },
    { type: 'stop' },
    { type: 'resume', runDir: '/w/a' },
    { type: 'revealRun', runDir: '/w/a' },
    { type: 'exportPng', fileName: 'loss.png', dataUrl: 'data:image/png;base64,iVBORw0KGgo=' },
    { type: 'exportCsv', fileName: 'loss.csv', csv: 'step,loss\n1,2\n' },
    { type: 'exportStepsCsv', fileName: 'loss.csv', runDirs: ['/w/a'] },
    { type: 'log', level: 'warn', message: 'dropped' },
  ];
  for (const message of good) assert.equal(parseFromDashboard(message), message);
  const bad: unknown[] = [
    { type: 'loadRuns', runDirs: [1] },
    { type: 'resume' },
    { type: 'exportPng', fileName: 'x.png', dataUrl: 'data:text/html;base64,PGgxPg==' },
    { type: 'exportPng', fileName: 'x.png', dataUrl: 'https://example.com/x.png' },
    { type: 'exportCsv', fileName: 'x.csv' },
    { type: 'exportStepsCsv', fileName: 'x.csv', runDirs: '/w/a' },
    { type: 'log', level: 'error', message: 'x' },
    { type: 'runs', runsFolder: '/w', runs: [] },
  ];
  for (const value of bad) assert.equal(parseFromDashboard(value), undefined, JSON.stringify(value));
});

test('a history splits into batch columns and the other messages, in order, and back', () => {
  const { messages } = scriptedRun({ stepsPerEpoch: 3, epochs: 2 });
  const history = toHistory(messages);
  assert.deepEqual(Array.from(history.batches.step), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(
    history.messages,
    messages.filter((m) => m.type !== 'batch'),
  );
  assert.deepEqual(
    batchesOf(history.batches),
    messages.filter((m) => m.type === 'batch'),
  );
});

test('a dropped message is described briefly, whatever it is', () => {
  assert.equal(describeDropped({ type: 'x' }), '{"type":"x"}');
  assert.equal(describeDropped(undefined), 'undefined');
  const long = describeDropped({ text: 'a'.repeat(1000) });
  assert.ok(long.length < 260);
  assert.match(long, /… \(1011 characters\)$/);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(describeDropped(cyclic), '[object Object]');
  assert.equal(describeDropped(10n), '10');
});

test("a history's summaries are checked against its columns: their levels, not every step", () => {
  const run = scriptedRun({ runDir: '/w/runs/a', stepsPerEpoch: 20, epochs: 3 });
  const history = toHistory(run.messages);
  const summaries = summariesOf(history.batches);
  assert.equal(summaries.consecutiveSteps, true);
  const good = { type: 'runHistory', runDir: '/w/runs/a', ...history, summaries };
  assert.equal(parseToDashboard(good), good);
  const shorter = { ...good, summaries: { ...summaries, lr: summariesOf({ ...history.batches, lr: history.batches.lr.subarray(0, 16) }).lr } };
  assert.equal(parseToDashboard(shorter), undefined);
  assert.match(describe(shorter), /field "summaries": Invalid summary: 1 levels for 60 values, expected 2/);
  assert.equal(parseToDashboard({ ...good, summaries: { ...summaries, loss: { lows: [[0]], highs: [[0]] } } }), undefined, 'typed arrays only');
  // With the smoothed loss: as long as the steps, its summary fitting it.
  const smoothed = summariesOf(history.batches, 0.9);
  assert.equal(smoothed.smoothed?.values.length, 60);
  assert.equal(parseToDashboard({ ...good, summaries: smoothed })?.type, 'runHistory');
  const cut = { ...good, summaries: { ...smoothed, smoothed: { ...(smoothed.smoothed as NonNullable<typeof smoothed.smoothed>), values: new Float64Array(59) } } };
  assert.match(describe(cut), /Invalid summary: 59 smoothed values for 60 steps/);
});

test('a step chart asks the extension for what it draws, and the answer is checked by its shape (issue 21)', () => {
  const request: FromDashboard = {
    type: 'stepsRequest',
    id: 3,
    chart: 'loss',
    runs: [{ runDir: '/w/runs/a', perX: 1 }],
    series: ['loss', 'smoothed'],
    smoothing: 0.6,
    x0: 1,
    width: 12.5,
    columns: 800,
    from: 10,
    to: 9000,
  };
  assert.equal(parseFromDashboard(request), request);
  for (const bad of [
    { ...request, id: -1 },
    { ...request, chart: 'metric' },
    { ...request, series: ['accuracy'] },
    { ...request, width: 0 },
    { ...request, columns: Number.POSITIVE_INFINITY },
    { ...request, runs: [{ runDir: '/w/runs/a', perX: 0 }] },
    { ...request, smoothing: 1 },
  ])
    assert.equal(parseFromDashboard(bad), undefined, JSON.stringify(bad));
  const answer: ToDashboard = {
    type: 'steps',
    id: 3,
    chart: 'loss',
    series: ['loss', 'smoothed'],
    runs: [{ runDir: '/w/runs/a', step: Float64Array.of(1, 2), values: [Float64Array.of(2.3, 2.2), Float64Array.of(2.3, 2.25)], end: 2, smoothingState: { last: 0.9, startShare: 0.36 } }],
  };
  assert.equal(parseToDashboard(answer), answer);
  assert.match(describe({ ...answer, runs: [{ ...answer.runs[0], values: [Float64Array.of(2.3)] }] }), /one column per series/);
  assert.match(describe({ ...answer, runs: [{ ...answer.runs[0], values: [Float64Array.of(2.3, 2.2), [2.3, 2.25]] }] }), /Float64Array/);
});
