// The dashboard's experiment view in headless Chromium, under its real HTML and CSP: every run of
// an experiment overlaid, coloured by variant (its seeds alike), plain nets dashed as in Fig. 6,
// and the results table (mean ± std over seeds, the best marked) with its CSV and Markdown export.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ExperimentResult } from '../../src/protocol/experiment';
import { toHistory, type RunSummary, type ToDashboard } from '../../src/protocol/webview';
import { browserMissing, buildDashboardBundle, DashboardBrowser, REPO_ROOT } from './browserHost';
import { scriptedRun, type Stream } from './trainingStream';

const skip = browserMissing() ?? false;
const ARTIFACTS = join(REPO_ROOT, '.test-artifacts', 'webview');
let browser: DashboardBrowser;
let bundleDir: string;

before(async () => {
  if (skip) return;
  bundleDir = await buildDashboardBundle();
  browser = await DashboardBrowser.launch(bundleDir);
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  if (skip) return;
  await browser?.close();
  rmSync(bundleDir, { recursive: true, force: true });
});

/** Two variants × two seeds; the plain net learns less (its `skill`), as Fig. 6 shows. */
const RUNS = [
  { variant: 'cifar_plain_n3', label: 'cifar_plain(n = 3)', plain: true, seed: 1, skill: 0.6 },
  { variant: 'cifar_plain_n3', label: 'cifar_plain(n = 3)', plain: true, seed: 2, skill: 0.55 },
  { variant: 'cifar_resnet_n3', label: 'cifar_resnet(n = 3)', plain: false, seed: 1, skill: 1 },
  { variant: 'cifar_resnet_n3', label: 'cifar_resnet(n = 3)', plain: false, seed: 2, skill: 0.95 },
];

function streams(): Stream[] {
  return RUNS.map((r, i) =>
    scriptedRun({ runDir: `/work/runs/fig6/2026-01-02-10-2${i}-00-fig6.${r.variant}`, model: `fig6.${r.variant}`, skill: r.skill, seed: 11 + i, epochs: 4, stepsPerEpoch: 20 }),
  );
}

function results(runs: readonly Stream[]): ExperimentResult[] {
  return RUNS.map((r, i) => {
    const epochs = runs[i].messages.filter((m) => m.type === 'epoch');
    const last = epochs[epochs.length - 1];
    const finished = runs[i].messages.find((m) => m.type === 'finished');
    return {
      variant: r.variant,
      label: r.label,
      model: `fig6.${r.variant}`,
      seed: r.seed,
      plain: r.plain,
      params: 269_722,
      macs: 40_551_680,
      status: 'finished',
      runDir: runs[i].runDir,
      finalTrainError: last?.type === 'epoch' ? 1 - last.trainAccuracy : undefined,
      testAccuracy: finished?.type === 'finished' ? finished.testAccuracy : undefined,
    };
  });
}

function summaries(runs: readonly Stream[]): RunSummary[] {
  return runs.map((s) => ({ runDir: s.runDir, name: s.runDir.split('/').pop() as string, model: 'm', dataset: 'cifar10', status: 'finished', step: 80, resumable: false }));
}

test('an experiment opens with every run overlaid, coloured by variant, plain nets dashed, and its results table', { skip }, async () => {
  const runs = streams();
  const page = await browser.open({ theme: 'dark', viewport: { width: 1200, height: 1400 } });
  await page.send({ type: 'runs', runsFolder: '/work/runs/fig6', runs: summaries(runs) } satisfies ToDashboard);
  await page.send({ type: 'experiment', experiment: 'fig6', results: results(runs) } satisfies ToDashboard);
  const asked = (await page.posted()).filter((m) => m.type === 'loadRuns').flatMap((m) => m.runDirs as string[]);
  assert.deepEqual([...asked].sort(), runs.map((s) => s.runDir).sort(), 'the page asks for every run of the experiment');
  for (const s of runs) await page.send({ type: 'runHistory', runDir: s.runDir, ...toHistory(s.messages) } satisfies ToDashboard);

  const series = await page.page.evaluate(() => {
    type Series = { label?: string; dash?: number[]; stroke?: unknown };
    type Plot = { series: Series[] };
    const dashboard = (globalThis as unknown as { resnetDashboard: { chart(n: string): { uplot?: Plot } } }).resnetDashboard;
    const plot = dashboard.chart('metric').uplot as Plot;
    return plot.series.slice(1).map((s, i) => ({
      label: String(s.label),
      dash: s.dash ?? null,
      stroke: typeof s.stroke === 'function' ? String((s.stroke as (u: Plot, i: number) => unknown)(plot, i + 1)) : String(s.stroke),
    }));
  });
  const trainLines = series.filter((s) => s.label.endsWith(' train'));
  assert.deepEqual(
    trainLines.map((s) => s.label),
    ['cifar_plain(n = 3) seed 1 train', 'cifar_plain(n = 3) seed 2 train', 'cifar_resnet(n = 3) seed 1 train', 'cifar_resnet(n = 3) seed 2 train'],
  );
  assert.equal(trainLines[0].stroke, trainLines[1].stroke, "a variant's seeds share its colour");
  assert.equal(trainLines[2].stroke, trainLines[3].stroke);
  assert.notEqual(trainLines[0].stroke, trainLines[2].stroke, 'each variant its own colour');
  const plainDash = JSON.stringify(trainLines[0].dash);
  assert.notEqual(plainDash, JSON.stringify(trainLines[2].dash), 'plain nets are drawn with another dash than residual ones');
  const loss = series.length > 0 ? await page.chart('loss') : undefined;
  assert.equal(loss?.labels.length, 8, 'raw and smoothed loss of all four runs');

  const rows = await page.page.locator('#experiment-table tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
  assert.equal(rows.length, 2, 'one row per variant');
  assert.deepEqual(
    rows.map((r) => r.slice(1, 6)),
    [
      ['cifar_plain(n = 3)', 'plain', '269.72k', '40.55M', '2/2'],
      ['cifar_resnet(n = 3)', 'residual', '269.72k', '40.55M', '2/2'],
    ],
  );
  for (const row of rows) assert.match(row[7], /^\d+\.\d\d ± \d+\.\d\d$/, 'test error as mean ± std over the seeds');
  const rs = results(runs);
  const testError = (variant: string) => rs.filter((r) => r.variant === variant).reduce((sum, r) => sum + (1 - (r.testAccuracy as number)), 0) / 2;
  const bestVariant = testError('cifar_plain_n3') < testError('cifar_resnet_n3') ? 0 : 1;
  assert.equal(rows[bestVariant][8], '★');
  assert.equal(rows[1 - bestVariant][8], '');
  assert.match((await page.page.locator('#experiment-title').textContent()) ?? '', /Experiment fig6: 4 of 4 runs finished/);
  assert.equal(await page.page.locator('#experiment .swatch.dashed').count(), 1, "the plain row's swatch is dashed");

  await page.page.locator('#experiment-csv').click();
  await page.page.locator('#experiment-md').click();
  await page.frame();
  const posted = await page.posted();
  const csv = posted.find((m) => m.type === 'exportCsv');
  assert.equal(csv?.fileName, 'fig6-results.csv');
  assert.match(String(csv?.csv), /^variant,label,kind,params,macs,finished,runs,train_error_mean/);
  assert.equal(String(csv?.csv).trim().split('\n').length, 3);
  const md = posted.find((m) => m.type === 'exportMarkdown');
  assert.match(String(md?.markdown), /\| (\*\*)?cifar_resnet\(n = 3\)(\*\*)? \| residual \|/);
  await page.page.screenshot({ path: join(ARTIFACTS, 'experiment-dark.png'), fullPage: true });
  assert.deepEqual(await page.cspViolations(), []);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a folder that is no experiment shows no experiment table; a malformed experiment message is dropped', { skip }, async () => {
  const page = await browser.open({ theme: 'light' });
  await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [] } satisfies ToDashboard);
  assert.equal(await page.page.locator('#experiment').isHidden(), true);
  await page.send({ type: 'experiment', experiment: 'fig6', results: [{ variant: 'a' }] });
  assert.equal(await page.page.locator('#experiment').isHidden(), true);
  assert.ok((await page.posted()).some((m) => m.type === 'log' && /dropped a malformed message/.test(String(m.message))));
  await page.close();
});

test('a queued run still training is read again at each update; a finished one is not', { skip }, async () => {
  const [done, live] = streams();
  const page = await browser.open({ theme: 'dark' });
  await page.send({ type: 'runs', runsFolder: '/work/runs/fig6', runs: summaries([done, live]) } satisfies ToDashboard);
  const all = results(streams());
  const update = (status: 'running' | 'finished') =>
    ({
      type: 'experiment',
      experiment: 'fig6',
      results: [
        { ...all[0], runDir: done.runDir },
        { ...all[1], runDir: live.runDir, status },
      ],
    }) satisfies ToDashboard;
  await page.send(update('running'));
  for (const s of [done, live]) await page.send({ type: 'runHistory', runDir: s.runDir, ...toHistory(s.messages.slice(0, 30)) } satisfies ToDashboard);
  const asks = async () => (await page.posted()).filter((m) => m.type === 'loadRuns').flatMap((m) => m.runDirs as string[]);
  const before = await asks();
  await page.send(update('running'));
  assert.deepEqual((await asks()).slice(before.length), [live.runDir], 'only the running run is asked for again');
  assert.match((await page.page.locator('#experiment-title').textContent()) ?? '', /1 of 2 runs finished/);
  await page.close();
});

test("the run list names an experiment's runs by variant and seed, in full", { skip }, async () => {
  const runs = streams();
  // As narrow as the dashboard gets in a third column: the list takes the whole width.
  const page = await browser.open({ theme: 'dark', viewport: { width: 420, height: 900 } });
  await page.send({ type: 'runs', runsFolder: '/work/runs/fig6', runs: summaries(runs) } satisfies ToDashboard);
  await page.send({ type: 'experiment', experiment: 'fig6', results: results(runs) } satisfies ToDashboard);
  const names = await page.page.locator('#run-list .run-name').evaluateAll((buttons) => buttons.map((b) => ({ text: b.textContent ?? '', cut: b.scrollWidth > b.clientWidth })));
  assert.deepEqual(
    names.map((n) => n.text),
    ['cifar_plain(n = 3) seed 1', 'cifar_plain(n = 3) seed 2', 'cifar_resnet(n = 3) seed 1', 'cifar_resnet(n = 3) seed 2'],
  );
  assert.deepEqual(
    names.filter((n) => n.cut),
    [],
    'no name is cut off',
  );
  await page.page.screenshot({ path: join(ARTIFACTS, 'experiment-run-list-narrow.png'), fullPage: true });
  await page.close();
});

test('an empty chart says why: no run ticked, or ticked runs with no epoch ended yet', { skip }, async () => {
  const runs = streams();
  const page = await browser.open({ theme: 'dark', viewport: { width: 1200, height: 1200 } });
  const empty = (name: string) => page.page.locator(`#chart-${name}`).evaluate((chart) => (chart.classList.contains('empty') ? getComputedStyle(chart, '::after').content.replace(/^"|"$/g, '') : ''));
  assert.match(await empty('metric'), /^No data yet: tick a run/);
  await page.send({ type: 'runs', runsFolder: '/work/runs/fig6', runs: summaries(runs) } satisfies ToDashboard);
  await page.send({ type: 'experiment', experiment: 'fig6', results: results(runs).map((r) => ({ ...r, status: 'running' as const })) } satisfies ToDashboard);
  // Every run ticked, each in its first epoch: steps, no epoch yet.
  for (const s of runs) {
    const firstSteps = s.messages.slice(
      0,
      s.messages.findIndex((m) => m.type === 'epoch'),
    );
    await page.send({ type: 'runHistory', runDir: s.runDir, ...toHistory(firstSteps) } satisfies ToDashboard);
  }
  assert.equal(await page.page.locator('#run-list vscode-checkbox[checked]').count(), 4, 'every run ticked');
  assert.match(await empty('metric'), /^No epoch has ended yet in the ticked runs/);
  assert.equal(await empty('loss'), '', 'the loss chart has its steps');
  await page.page.screenshot({ path: join(ARTIFACTS, 'experiment-no-epoch-yet.png'), fullPage: true });
  await page.close();
});

test("the experiment's table goes when the list shows another folder (a run of no experiment trains)", { skip }, async () => {
  const runs = streams();
  const page = await browser.open({ theme: 'dark' });
  await page.send({ type: 'runs', runsFolder: '/work/runs/fig6', runs: summaries(runs) } satisfies ToDashboard);
  await page.send({ type: 'experiment', experiment: 'fig6', results: results(runs) } satisfies ToDashboard);
  assert.equal(await page.page.locator('#experiment').isVisible(), true);
  // The experiment's folder listed again (a queued run moved on): the table stays.
  await page.send({ type: 'runs', runsFolder: '/work/runs/fig6', runs: summaries(runs) } satisfies ToDashboard);
  await page.send({ type: 'experiment', experiment: 'fig6', results: results(runs) } satisfies ToDashboard);
  assert.equal(await page.page.locator('#experiment').isVisible(), true);
  const other = scriptedRun({ runDir: '/work/runs/2026-01-03-09-00-00-resnet20', model: 'resnet20' });
  await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [] } satisfies ToDashboard);
  await page.send({ type: 'session', state: 'running', runDir: other.runDir } satisfies ToDashboard);
  assert.equal(await page.page.locator('#experiment').isHidden(), true);
  await page.close();
});
