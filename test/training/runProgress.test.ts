// The one fold of a run's messages (src/training/runProgress.ts) and its three renderings: the
// CLI's progress line, the editor's status text and the dashboard's header figures agree on the
// step, the epoch and the ETA, which none of them computes on its own any more.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressView } from '../../src/cli/progress';
import { RunProgress as EditorProgress } from '../../src/extension/training/runProgress';
import type { TrainingMessage } from '../../src/protocol/training';
import { RunProgress } from '../../src/training/runProgress';
import { RunSeries } from '../../webview/dashboard/runSeries';
import { scriptedRun } from '../webview/trainingStream';

test('the CLI, the editor and the dashboard render the same fold: step, epoch, and an ETA without the first step', () => {
  let now = 0;
  const printed: string[] = [];
  const cli = new ProgressView({ print: (l) => printed.push(l), error: (l) => printed.push(l) }, { isTTY: true, write: (t) => void printed.push(t) }, () => now);
  const editor = new EditorProgress(() => now);
  const dashboard = new RunSeries('/r');
  const show = (m: TrainingMessage) => {
    cli.show(m);
    editor.add(m);
    dashboard.add(m);
  };
  const { messages } = scriptedRun({ stepsPerEpoch: 50, epochs: 2 });
  const batches = messages.filter((m) => m.type === 'batch');
  show(messages[0]);
  // The first step includes compiling kernels: it took 60 s here, and is not the pace.
  now = 60_000;
  show(batches[0]);
  assert.match(printed.at(-1) ?? '', /ETA --:--/, 'no pace yet after one step');
  now = 70_000;
  for (const b of batches.slice(1, 10)) show(b); // 9 steps in 10 s
  const eta = (90 * 10) / 9;
  assert.ok(Math.abs((editor.etaSeconds() as number) - eta) < 1e-9);
  assert.match(printed.at(-1) ?? '', /^\repoch 1\/2 \[#{2}-{22}\]  10%  .* ETA 1:40\x1b\[K$/);
  assert.match(editor.describe(), /ETA 1m 40s$/);
  assert.deepEqual([dashboard.lastStep, dashboard.currentEpoch, dashboard.progress.fraction], [editor.step, editor.epoch, editor.fraction]);
  assert.deepEqual([editor.step, editor.epoch, editor.fraction], [10, 0, 0.1]);
});

test('the fold counts a step reported twice once, and a resume starts from its checkpoint', () => {
  const progress = new RunProgress(() => 0);
  const { messages } = scriptedRun({ stepsPerEpoch: 10, epochs: 3, untilStep: 25 });
  for (const m of messages) progress.add(m);
  assert.equal(progress.step, 25);
  assert.equal(progress.epoch, 2);
  progress.add(messages.find((m) => m.type === 'batch' && m.step === 12) as TrainingMessage);
  assert.equal(progress.step, 25, 'an old step does not move it back');
  const started = messages[0] as Extract<TrainingMessage, { type: 'started' }>;
  progress.add({ ...started, resumedAtStep: 20 });
  assert.deepEqual([progress.step, progress.epoch, progress.etaSeconds()], [20, 2, undefined]);
  assert.equal(progress.lastCheckpointStep, 20);
  progress.add({ type: 'failed', message: 'disk full' });
  assert.equal(progress.failure, 'disk full');
  progress.clear();
  assert.deepEqual([progress.step, progress.started, progress.failure], [0, undefined, undefined]);
});

test('the CLI progress lines in Korean (LANG=ko_KR.UTF-8 or --lang ko): the same figures, Korean words', () => {
  const render = (locale: 'en' | 'ko') => {
    const printed: string[] = [];
    let now = 0;
    const view = new ProgressView({ print: (l) => printed.push(l), error: (l) => printed.push(l), locale }, { isTTY: false, write: () => undefined }, () => now);
    for (const m of scriptedRun({ stepsPerEpoch: 5, epochs: 2 }).messages) {
      now += 1000;
      view.show(m);
    }
    return printed;
  };
  const [ko, en] = [render('ko'), render('en')];
  assert.match(ko[0], /^resnet20 학습 중 \(파라미터 272\.47k, MACs 40\.81M\): cifar10, 이미지 45000장, 배치 128, 2 에폭 \(10 step\)$/);
  assert.match(en[0], /^training resnet20 \(272\.47k params, 40\.81M MACs\) on cifar10, 45000 images, batch 128, 2 epochs \(10 steps\)$/);
  assert.match(ko[2], /^run 폴더: /);
  assert.ok(
    ko.some((l) => /^에폭 1: 학습 손실 \d\.\d{4}, 정확도 \d+\.\d{2}%/.test(l)),
    ko.join('\n'),
  );
  assert.ok(
    ko.some((l) => /^\d+ step 만에 끝남 \(.+\): 테스트 정확도 \d+\.\d{2}% \(손실 \d\.\d{4}\)$/.test(l)),
    ko.join('\n'),
  );
  for (const line of ko) assert.doesNotMatch(line, /\b(training|epoch|finished|accuracy|loss)\b/, line);
  // Progress-bar lines are printed every 5 s of wall-clock time, so their number varies between runs.
  const figures = (lines: string[]) =>
    lines
      .filter((l) => !/\[[#-]+\]/.test(l))
      .join('\n')
      .match(/\d+(?:[.,]\d+)*/g);
  assert.deepEqual(figures(ko), figures(en));
});
