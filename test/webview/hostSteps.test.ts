// The page's side of the steps kept by the extension (webview/dashboard/hostSteps.ts), in Node
// against the real host-side store: a chart asks once per grid, an answer to an older request is
// dropped, and live steps past the answer are merged onto it (the smoothing going on from the
// extension's fold), so the merged columns equal what the store answers once it has them too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StepStore } from '../../src/core/metrics/stepStore';
import { stepsAnswer, type StepsRequest } from '../../src/protocol/webview';
import { HostSteps, type StepsWanted } from '../../webview/dashboard/hostSteps';
import { RunSeries } from '../../webview/dashboard/runSeries';

const RUN = '/runs/a';

test('a chart asks once per grid, drops answers to older requests, and merges live steps exactly onto the latest', () => {
  const n = 50;
  const loss = Float64Array.from({ length: n }, (_, i) => 2 / (1 + i / 10) + (i % 7) / 10);
  const step = Float64Array.from({ length: n }, (_, i) => i + 1);
  const lr = new Float64Array(n).fill(0.1);
  const store = new StepStore();
  store.load(RUN, step.slice(0, 40), loss.slice(0, 40), lr.slice(0, 40));
  const posted: StepsRequest[] = [];
  let clock = 0;
  const steps = new HostSteps(
    (r) => posted.push(r),
    () => clock,
  );
  const wanted: StepsWanted = { chart: 'loss', runs: [{ runDir: RUN, perX: 1 }], series: ['loss', 'smoothed'], smoothing: 0.6, x0: 1, width: 0.05, columns: 800 };
  steps.ask(wanted);
  steps.ask(wanted);
  assert.equal(posted.length, 1, 'the same view is asked for once');
  // Another view while the first is unanswered: held back (one request at a time) until the answer, or 2 s.
  steps.ask({ ...wanted, width: 0.06 });
  assert.equal(posted.length, 1);
  clock = 2500;
  steps.ask({ ...wanted, width: 0.06 });
  assert.deepEqual(
    posted.map((r) => r.id),
    [1, 2],
  );
  const run = new RunSeries(RUN);
  const runOf = () => run;
  assert.equal(steps.receive(stepsAnswer(store, posted[0] as StepsRequest), runOf), false, 'an answer to an older request is dropped');
  assert.equal(steps.table('loss', run, 1), undefined);
  assert.equal(steps.receive(stepsAnswer(store, posted[1] as StepsRequest), runOf), true);
  // Answered: the next view is asked for at once.
  steps.ask({ ...wanted, smoothing: 0.7 });
  assert.equal(posted.length, 3);
  steps.ask({ ...wanted, width: 0.06 });
  assert.equal(posted.length, 3, 'held back again');
  // Live steps 41…50 reach the page (and the store, as the panel's flush adds them).
  for (let i = 40; i < n; i++) {
    run.add({ type: 'batch', step: i + 1, epoch: 0, loss: loss[i] as number, accuracy: 0.5, lr: 0.1, imagesPerSec: 1 });
    store.run(RUN)?.append(i + 1, loss[i] as number, 0.1);
  }
  const table = steps.table('loss', run, 1);
  const fresh = stepsAnswer(store, posted[1] as StepsRequest).runs[0];
  assert.ok(table && fresh);
  assert.deepEqual(Array.from(table.x), Array.from(fresh.step));
  assert.deepEqual(Array.from(table.values('loss') ?? []), Array.from(fresh.values[0] ?? []));
  assert.deepEqual(Array.from(table.values('smoothed') ?? []), Array.from(fresh.values[1] ?? []), 'the smoothing goes on from the fold the extension sent');
  // On the epoch axis the answer (for step x) is not used.
  assert.equal(steps.table('loss', run, 10), undefined);
});
