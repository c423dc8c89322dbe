// The dashboard page in headless Chromium, under its real HTML and CSP, fed training messages
// as the extension sends them. Screenshots go to .test-artifacts/webview/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TrainingMessage } from '../../src/protocol/training';
import { toHistory, type RunSummary, type ToDashboard } from '../../src/protocol/webview';
import { debiasedEma } from '../../src/core/metrics/smoothing';
import { formatBytes } from '../../src/core/report/numbers';
import { browserMissing, buildDashboardBundle, DashboardBrowser, REPO_ROOT, type DashboardPage } from './browserHost';
import { THEMES } from './themes';
import { realRun, scriptedRun, type Stream } from './trainingStream';

const skip = browserMissing() ?? false;
const ARTIFACTS = join(REPO_ROOT, '.test-artifacts', 'webview');

let browser: DashboardBrowser;
let bundleDir: string;
let workDir: string;
let stream: Stream;

before(async () => {
  if (skip) return;
  workDir = mkdtempSync(join(tmpdir(), 'resnet-dashboard-run-'));
  bundleDir = await buildDashboardBundle();
  const real = realRun(workDir);
  if ('reason' in real) {
    console.log(`# using a scripted stream: ${real.reason}`);
    stream = scriptedRun();
  } else {
    stream = real;
  }
  console.log(`# training messages: ${stream.source}`);
  browser = await DashboardBrowser.launch(bundleDir);
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  if (skip) return;
  await browser?.close();
  rmSync(bundleDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
});

const count = (messages: readonly TrainingMessage[], type: TrainingMessage['type']) => messages.filter((m) => m.type === type).length;

function summary(s: Stream, status: RunSummary['status'], extra: Partial<RunSummary> = {}): RunSummary {
  const started = s.messages.find((m) => m.type === 'started');
  const last = [...s.messages].reverse().find((m) => m.type === 'batch');
  return {
    runDir: s.runDir,
    name: s.runDir.split('/').pop() as string,
    model: started?.type === 'started' ? started.model : 'model',
    dataset: started?.type === 'started' ? started.dataset : '',
    status,
    step: last?.type === 'batch' ? last.step : 0,
    resumable: true,
    ...extra,
  };
}

/** Sends a run live, as the extension does: the session starts, then progress in batches. */
async function playLive(page: DashboardPage, s: Stream, chunk = 10): Promise<void> {
  await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [summary(s, 'running')] } satisfies ToDashboard);
  await page.send({ type: 'session', state: 'running', runDir: s.runDir } satisfies ToDashboard);
  // The page asks for the run's history when it learns of it; the file is still empty.
  const asked = (await page.posted()).find((m) => m.type === 'loadRuns');
  assert.deepEqual(asked?.runDirs, [s.runDir]);
  await page.send({ type: 'runHistory', runDir: s.runDir, ...toHistory([]) } satisfies ToDashboard);
  for (let i = 0; i < s.messages.length; i += chunk) {
    await page.send({ type: 'runProgress', runDir: s.runDir, messages: s.messages.slice(i, i + chunk), etaSeconds: 95 } satisfies ToDashboard);
  }
}

async function setSelect(page: DashboardPage, id: string, value: string): Promise<void> {
  // As a person does: open the drop-down, pick the option.
  await page.page.locator(`#${id}`).click();
  await page.page.locator(`#${id}`).getByRole('option', { name: value, exact: true }).click();
  await page.frame();
}

test('the page loads under its CSP, in every theme, and says it is ready', { skip }, async () => {
  for (const theme of ['dark', 'light', 'high-contrast'] as const) {
    const page = await browser.open({ theme });
    assert.deepEqual(await page.posted(), [{ type: 'ready' }]);
    assert.deepEqual(await page.cspViolations(), []);
    assert.deepEqual(page.problems, []);
    await page.close();
  }
});

test('every chunk of a live run is drawn as it arrives, whatever the order of list, session, history and progress', { skip }, async () => {
  const s = scriptedRun({ stepsPerEpoch: 20, epochs: 3 });
  const batches = s.messages.filter((m) => m.type === 'batch').length;
  const chunks: TrainingMessage[][] = [];
  for (let i = 0; i < s.messages.length; i += 9) chunks.push(s.messages.slice(i, i + 9));
  const stepsIn = (messages: readonly TrainingMessage[]) => messages.filter((m) => m.type === 'batch').length;
  const orders: Record<string, (page: DashboardPage) => Promise<void>> = {
    // The first run of a window: progress reaches the page before it knows of the run, then the list,
    // the session, and a history read from the file when it had the first chunk only.
    'progress before history': async (page) => {
      await page.send({ type: 'runProgress', runDir: s.runDir, messages: chunks[0] ?? [] } satisfies ToDashboard);
      await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [summary(s, 'running')] } satisfies ToDashboard);
      await page.send({ type: 'session', state: 'running', runDir: s.runDir } satisfies ToDashboard);
    },
    // Points arrive live, then a history read before the second chunk was written.
    'history after points': async (page) => {
      await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [summary(s, 'running')] } satisfies ToDashboard);
      await page.send({ type: 'session', state: 'running', runDir: s.runDir } satisfies ToDashboard);
      await page.send({ type: 'runProgress', runDir: s.runDir, messages: chunks[0] ?? [] } satisfies ToDashboard);
    },
    // The session names a run the list does not have yet.
    'a run not yet listed': async (page) => {
      await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [] } satisfies ToDashboard);
      await page.send({ type: 'session', state: 'running', runDir: s.runDir } satisfies ToDashboard);
      await page.send({ type: 'runProgress', runDir: s.runDir, messages: chunks[0] ?? [] } satisfies ToDashboard);
    },
  };
  for (const [order, begin] of Object.entries(orders)) {
    const page = await browser.open({ theme: 'dark' });
    await begin(page);
    const asked = (await page.posted()).find((m) => m.type === 'loadRuns');
    assert.deepEqual(asked?.runDirs, [s.runDir], `${order}: the page asks for the run's history`);
    let sent = stepsIn(chunks[0] ?? []);
    let drawn = (await page.chart('loss'))?.lengths[0] ?? 0;
    assert.equal(drawn, sent, `${order}: the first chunk is drawn`);
    for (const [i, chunk] of chunks.slice(1).entries()) {
      await page.send({ type: 'runProgress', runDir: s.runDir, messages: chunk, etaSeconds: 60 } satisfies ToDashboard);
      // The history arrives between the second and third chunks, read when the file had the first one.
      if (i === 1) await page.send({ type: 'runHistory', runDir: s.runDir, ...toHistory(chunks[0] ?? []) } satisfies ToDashboard);
      sent += stepsIn(chunk);
      const now = (await page.chart('loss'))?.lengths ?? [];
      assert.deepEqual(now, [sent, sent, sent], `${order}: after chunk ${i + 2}, every step so far is drawn (x, raw and smoothed loss)`);
      assert.ok(sent === drawn || (now[0] ?? 0) > drawn, `${order}: the chart grew`);
      drawn = now[0] ?? 0;
      assert.equal((await page.chart('lr'))?.lengths[0], sent, `${order}: the learning rate too`);
    }
    assert.equal(sent, batches);
    assert.deepEqual(page.problems, []);
    await page.close();
  }
});

test('a live run fills the plots and the header', { skip }, async () => {
  const page = await browser.open({ theme: 'dark' });
  await playLive(page, stream, 7);
  const batches = count(stream.messages, 'batch');
  const epochs = count(stream.messages, 'epoch');
  const loss = await page.chart('loss');
  assert.ok(loss);
  assert.deepEqual(loss.lengths, [batches, batches, batches], 'x, raw loss and smoothed loss, one point per step');
  const metric = await page.chart('metric');
  assert.ok(metric);
  assert.equal(metric.lengths[0], epochs, 'one point per epoch');
  assert.deepEqual(
    metric.labels.map((l) => l.split(' ').pop()),
    ['train', 'validation', 'val.'],
    'train and validation error and the best point',
  );
  const lr = await page.chart('lr');
  assert.equal(lr?.lengths[0], batches);

  const started = stream.messages.find((m) => m.type === 'started');
  assert.ok(started?.type === 'started');
  assert.match((await page.page.locator('#run-title').textContent()) ?? '', new RegExp(started.model));
  assert.equal(await page.page.locator('#fact-step').textContent(), `${started.totalSteps} / ${started.totalSteps}`);
  assert.equal(await page.page.locator('#fact-eta').textContent(), '1m 35s');
  assert.match((await page.page.locator('#fact-backend').textContent()) ?? '', new RegExp(started.backend));
  assert.match((await page.page.locator('#fact-best').textContent()) ?? '', /%/);
  // The measured peak memory of a step, from the first epoch, with the estimate on hover.
  const measured = stream.messages.find((m) => m.type === 'epoch' && m.peakStepBytes !== undefined);
  assert.ok(measured?.type === 'epoch' && measured.peakStepBytes !== undefined && measured.estimatedStepBytes !== undefined, 'the first epoch carries the measurement');
  assert.equal(await page.page.locator('#fact-memory').textContent(), formatBytes(measured.peakStepBytes));
  assert.equal(
    await page.page.locator('#fact-memory').getAttribute('title'),
    `the measured peak memory of a training step (its first epoch); stats estimates ${formatBytes(measured.estimatedStepBytes)}`,
  );
  // The best point (lowest validation error) is marked exactly once.
  const best = (await page.column('metric', 3)).filter((v) => v !== null);
  const validation = (await page.column('metric', 2)).filter((v): v is number => v !== null);
  assert.deepEqual(best, [Math.min(...validation)]);
  await page.page.screenshot({ path: join(ARTIFACTS, 'live-dark.png'), fullPage: true });
  assert.deepEqual(await page.cspViolations(), []);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('smoothing is the debiased EMA, and the slider changes it', { skip }, async () => {
  const page = await browser.open({ savedState: { selected: [stream.runDir], smoothing: 0.6 } });
  await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [summary(stream, 'finished')] } satisfies ToDashboard);
  await page.send({ type: 'runHistory', runDir: stream.runDir, ...toHistory(stream.messages) } satisfies ToDashboard);
  const raw = (await page.column('loss', 1)) as number[];
  const expect = (weight: number) => debiasedEma(raw, weight);
  const close = (a: (number | null)[], b: number[]) => a.every((v, i) => Math.abs((v as number) - b[i]) < 1e-9);
  assert.ok(close(await page.column('loss', 2), expect(0.6)), 'the restored smoothing, 0.6');

  const slider = page.page.locator('#smoothing');
  await slider.fill('0.95');
  await page.frame();
  assert.ok(close(await page.column('loss', 2), expect(0.95)));
  assert.equal(await page.page.locator('#smoothing-value').textContent(), '0.95');
  assert.equal(((await page.savedState()) as { smoothing: number }).smoothing, 0.95, 'kept for the next reload');

  await slider.fill('0');
  await page.frame();
  assert.equal((await page.chart('loss'))?.labels.length, 1, 'no smoothing: the raw curve alone');
  await page.close();
});

test('x by step or by epoch, y linear or log', { skip }, async () => {
  const page = await browser.open({ savedState: { selected: [stream.runDir] } });
  await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [summary(stream, 'finished')] } satisfies ToDashboard);
  await page.send({ type: 'runHistory', runDir: stream.runDir, ...toHistory(stream.messages) } satisfies ToDashboard);
  const started = stream.messages.find((m) => m.type === 'started');
  assert.ok(started?.type === 'started');
  assert.equal((await page.chart('loss'))?.lastX, started.totalSteps);

  await setSelect(page, 'x-axis', 'epoch');
  assert.equal((await page.chart('loss'))?.lastX, started.totalSteps / started.stepsPerEpoch);
  assert.equal((await page.chart('metric'))?.lastX, started.epochs);

  assert.equal((await page.chart('loss'))?.yDistr, 1);
  await setSelect(page, 'y-scale', 'log');
  assert.equal((await page.chart('loss'))?.yDistr, 3);
  assert.equal((await page.chart('lr'))?.yDistr, 3);
  await setSelect(page, 'metric', 'accuracy');
  assert.match((await page.page.locator('#card-metric .chart-title').textContent()) ?? '', /Accuracy/);
  assert.deepEqual(await page.savedState(), { xAxis: 'epoch', yScale: 'log', metric: 'accuracy', smoothing: 0.6, selected: [stream.runDir], colors: { [stream.runDir]: 0 } });
  await page.close();
});

test('Stop posts a stop, Resume a resume of the focused run, the link a reveal', { skip }, async () => {
  const page = await browser.open();
  const running = scriptedRun({ untilStep: 120 });
  await playLive(page, running, 50);
  assert.equal(await page.page.locator('#fact-eta').textContent(), '1m 35s');
  await page.page.locator('#stop').click();
  assert.deepEqual((await page.posted()).at(-1), { type: 'stop' });
  await page.send({ type: 'session', state: 'stopping', runDir: running.runDir } satisfies ToDashboard);
  assert.equal(await page.page.locator('#stop').textContent(), 'Stopping…');

  // The worker stopped: the run has a checkpoint and can continue.
  await page.send({
    type: 'runProgress',
    runDir: running.runDir,
    messages: [{ type: 'finished', runDir: running.runDir, step: 120, epoch: 2, stopped: true, testLoss: 1, testAccuracy: 0.6, seconds: 30 }],
  } satisfies ToDashboard);
  await page.send({ type: 'session', state: 'idle', runDir: running.runDir } satisfies ToDashboard);
  await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [summary(running, 'stopped')] } satisfies ToDashboard);
  assert.equal(await page.page.locator('#run-status').textContent(), 'stopped');
  await page.page.locator('#resume').click();
  assert.deepEqual((await page.posted()).at(-1), { type: 'resume', runDir: running.runDir });
  await page.page.locator('#reveal').click();
  assert.deepEqual((await page.posted()).at(-1), { type: 'revealRun', runDir: running.runDir });
  await page.close();
});

test('malformed messages are dropped and logged, and change nothing', { skip }, async () => {
  const page = await browser.open();
  await playLive(page, stream, 20);
  const before = await page.chart('loss');
  const postedBefore = (await page.posted()).length;
  const bad = [
    { type: 'runProgress', runDir: stream.runDir, messages: [{ type: 'batch', step: 'ten' }] },
    { type: 'runProgress', runDir: 42, messages: [] },
    { type: 'launchMissiles' },
    'just a string',
    null,
  ];
  await page.send(...bad);
  assert.deepEqual(await page.chart('loss'), before);
  const logs = (await page.posted()).slice(postedBefore);
  assert.equal(logs.length, bad.length);
  for (const log of logs) {
    assert.equal(log.type, 'log');
    assert.equal(log.level, 'warn');
    assert.match(String(log.message), /dropped a malformed message/);
  }
  assert.equal(page.warnings.filter((w) => /dropped a malformed message/.test(w)).length, bad.length);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("runs overlay side by side, like the paper's Fig. 6", { skip }, async () => {
  const runs = [
    scriptedRun({ runDir: '/work/runs/2026-01-02-10-00-00-plain20', model: 'plain20', skill: 0.8, seed: 1 }),
    scriptedRun({ runDir: '/work/runs/2026-01-02-11-00-00-plain56', model: 'plain56', skill: 0.6, seed: 2 }),
    scriptedRun({ runDir: '/work/runs/2026-01-02-12-00-00-resnet20', model: 'resnet20', skill: 0.9, seed: 3 }),
    scriptedRun({ runDir: '/work/runs/2026-01-02-13-00-00-resnet56', model: 'resnet56', skill: 1, seed: 4 }),
  ];
  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    const page = await browser.open({ theme, savedState: { smoothing: 0.8 } });
    await page.send({ type: 'runs', runsFolder: '/work/runs', runs: runs.map((r) => summary(r, 'finished', { testAccuracy: 0.9 })) } satisfies ToDashboard);
    for (const run of runs) {
      await page.page.locator(`li[data-run-dir="${run.runDir}"] vscode-checkbox`).click();
      await page.frame();
      const asked = (await page.posted()).at(-1);
      assert.deepEqual(asked, { type: 'loadRuns', runDirs: [run.runDir], smoothing: 0.8 });
      await page.send({ type: 'runHistory', runDir: run.runDir, ...toHistory(run.messages) } satisfies ToDashboard);
    }
    const metric = await page.chart('metric');
    assert.equal(metric?.labels.length, 12, 'train, validation and best for each of 4 runs');
    assert.equal((await page.chart('loss'))?.labels.length, 8);
    await page.page.screenshot({ path: join(ARTIFACTS, `overlay-${theme}.png`), fullPage: true });
    if (theme === 'light') {
      // Unticking a run takes it off the charts.
      await page.page.locator(`li[data-run-dir="${runs[0].runDir}"] vscode-checkbox`).click();
      await page.frame();
      assert.equal((await page.chart('metric'))?.labels.length, 9);
    }
    assert.deepEqual(await page.cspViolations(), []);
    assert.deepEqual(page.problems, []);
    await page.close();
  }
});

test('exports the chart as PNG and its data as CSV', { skip }, async () => {
  const page = await browser.open({ theme: 'light', savedState: { selected: [stream.runDir] } });
  await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [summary(stream, 'finished')] } satisfies ToDashboard);
  await page.send({ type: 'runHistory', runDir: stream.runDir, ...toHistory(stream.messages) } satisfies ToDashboard);
  await page.page.locator('vscode-button[data-chart="metric"][data-export="csv"]').click();
  const csv = (await page.posted()).at(-1);
  assert.equal(csv?.type, 'exportCsv');
  assert.match(String(csv?.fileName), /^metric-.*\.csv$/);
  const lines = String(csv?.csv).trim().split('\n');
  assert.match(lines[0], /^step,.* train,.* validation,/);
  assert.equal(lines.length, 1 + count(stream.messages, 'epoch'));
  // The loss chart's CSV is every raw step, which the extension writes from the run folder.
  await page.page.locator('vscode-button[data-chart="loss"][data-export="csv"]').click();
  const steps = (await page.posted()).at(-1);
  assert.equal(steps?.type, 'exportStepsCsv');
  assert.match(String(steps?.fileName), /^loss-.*\.csv$/);
  assert.deepEqual(steps?.runDirs, [stream.runDir]);

  await page.page.locator('vscode-button[data-chart="loss"][data-export="png"]').click();
  const png = (await page.posted()).at(-1);
  assert.equal(png?.type, 'exportPng');
  const bytes = Buffer.from(String(png?.dataUrl).split(',')[1], 'base64');
  assert.deepEqual([...bytes.subarray(1, 4)], [...Buffer.from('PNG')]);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(ARTIFACTS, 'export-loss-light.png'), bytes);
  await page.close();
});

test('after a reload the page asks again for the runs it showed', { skip }, async () => {
  const other = scriptedRun({ runDir: '/work/runs/2026-01-02-09-00-00-resnet32', model: 'resnet32' });
  const page = await browser.open({ savedState: { selected: [stream.runDir, other.runDir, '/work/runs/deleted-since'], focused: other.runDir, xAxis: 'epoch', smoothing: 'garbage' } });
  await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [summary(stream, 'finished'), summary(other, 'finished')] } satisfies ToDashboard);
  const posted = await page.posted();
  assert.deepEqual(posted.at(-1), { type: 'loadRuns', runDirs: [stream.runDir, other.runDir], smoothing: 0.6 }, 'a deleted run is forgotten (the smoothing weight, not kept, is the default)');
  await page.send({ type: 'runHistory', runDir: other.runDir, ...toHistory(other.messages) } satisfies ToDashboard);
  assert.match((await page.page.locator('#run-title').textContent()) ?? '', /resnet32/);
  const state = (await page.savedState()) as { xAxis: string; smoothing: number; selected: string[] };
  assert.equal(state.xAxis, 'epoch');
  assert.equal(state.smoothing, 0.6, 'damaged state falls back to the default');
  await page.close();
});

test('a long run is drawn from a few points per pixel, finer where zoomed', { skip }, async () => {
  const long = scriptedRun({ runDir: '/work/runs/2026-01-05-10-00-00-resnet110', model: 'resnet110', stepsPerEpoch: 400, epochs: 50 });
  const page = await browser.open({ savedState: { selected: [long.runDir] } });
  await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [summary(long, 'finished')] } satisfies ToDashboard);
  await page.send({ type: 'runHistory', runDir: long.runDir, ...toHistory(long.messages) } satisfies ToDashboard);
  const whole = await page.chart('loss');
  assert.ok(whole && whole.lengths[0] < 20_000 / 2 && whole.lengths[0] > 500, `${whole?.lengths[0]} points drawn of 20,000`);
  assert.equal(await page.page.locator('#chart-loss').getAttribute('data-points'), '20000');

  // Drag across a tenth of the plot: the points drawn are those of that range, more finely.
  const over = page.page.locator('#chart-loss .u-over');
  const box = await over.boundingBox();
  assert.ok(box);
  const y = box.y + box.height / 2;
  await page.page.mouse.move(box.x + box.width * 0.4, y);
  await page.page.mouse.down();
  await page.page.mouse.move(box.x + box.width * 0.45, y, { steps: 5 });
  await page.page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
  await page.page.mouse.up();
  await page.frame();
  const x = (await page.column('loss', 0)) as number[];
  assert.ok(x[0] > 7000 && (x.at(-1) as number) < 11_000, `zoomed to ${x[0]}…${x.at(-1)}`);
  assert.equal(x.length, (x.at(-1) as number) - x[0] + 1, 'every step of the range, none skipped');

  // Live data does not undo the zoom; a double click does.
  await page.send({ type: 'runProgress', runDir: long.runDir, messages: [{ type: 'batch', step: 20_001, epoch: 50, loss: 0.3, accuracy: 0.9, lr: 0.001, imagesPerSec: 900 }] } satisfies ToDashboard);
  assert.ok((((await page.column('loss', 0)) as number[]).at(-1) as number) < 11_000);
  await over.dblclick({ position: { x: box.width / 2, y: box.height / 2 } });
  await page.frame();
  const reset = (await page.column('loss', 0)) as number[];
  assert.deepEqual([reset[0], reset.at(-1)], [1, 20_001]);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the charts follow a theme change at once', { skip }, async () => {
  const page = await browser.open({ theme: 'dark', savedState: { selected: [stream.runDir] } });
  await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [summary(stream, 'finished')] } satisfies ToDashboard);
  await page.send({ type: 'runHistory', runDir: stream.runDir, ...toHistory(stream.messages) } satisfies ToDashboard);
  const stroke = () =>
    page.page.evaluate(() => {
      type Plot = { series: { stroke?: (u: unknown, i: number) => string }[] };
      const plot = (globalThis as unknown as { resnetDashboard: { chart(n: string): { uplot?: Plot } } }).resnetDashboard.chart('loss').uplot as Plot;
      return plot.series[2].stroke?.(plot, 2);
    });
  assert.equal(await stroke(), THEMES.dark.variables['--vscode-charts-blue']);
  // As VS Code does it: new variables on <html>, a new class on <body>.
  await page.page.evaluate((variables) => {
    for (const [name, value] of Object.entries(variables)) document.documentElement.style.setProperty(name, value);
    document.body.classList.replace('vscode-dark', 'vscode-light');
  }, THEMES.light.variables);
  await page.frame();
  assert.equal(await stroke(), THEMES.light.variables['--vscode-charts-blue']);
  await page.page.screenshot({ path: join(ARTIFACTS, 'theme-switched-light.png'), fullPage: true });
  await page.close();
});

/** A layer chart's uPlot columns and series labels, as drawn. */
async function layerChartData(page: DashboardPage, name: 'responses' | 'gradients'): Promise<{ data: (number | null)[][]; labels: string[]; yDistr: number; dashed: boolean[] }> {
  return page.page.evaluate((chartName) => {
    type Plot = { data: ArrayLike<number | null>[]; series: { label?: string; dash?: number[] }[]; scales: Record<string, { distr?: number }> };
    const dashboard = (globalThis as unknown as { resnetDashboard: { layerChart(n: string): { uplot?: Plot } } }).resnetDashboard;
    const plot = dashboard.layerChart(chartName).uplot;
    if (!plot) return { data: [], labels: [], yDistr: 0, dashed: [] };
    return {
      data: plot.data.map((c) => Array.from(c)),
      labels: plot.series.slice(1).map((s) => String(s.label ?? '')),
      yDistr: plot.scales.y?.distr ?? 1,
      dashed: plot.series.slice(1).map((s) => (s.dash?.length ?? 0) > 0),
    };
  }, name);
}

test("Layer responses (the paper's Fig. 7) and Gradient flow: one line per run, sorted on request, a step chosen on the slider, a click reveals the layer", { skip }, async () => {
  const plain = scriptedRun({ runDir: '/work/runs/2026-01-02-10-00-00-plain20', model: 'plain20', skill: 0.3, seed: 1, epochs: 3 });
  const residual = scriptedRun({ runDir: '/work/runs/2026-01-02-12-00-00-resnet20', model: 'resnet20', skill: 1, seed: 3, epochs: 3 });
  const experiment = (s: Stream, variant: string, isPlain: boolean) => ({ variant, label: variant, model: variant, plain: isPlain, params: 1, macs: 1, status: 'finished' as const, runDir: s.runDir });
  const page = await browser.open({ theme: 'light', savedState: { selected: [plain.runDir, residual.runDir] } });
  await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [summary(plain, 'finished'), summary(residual, 'finished')] } satisfies ToDashboard);
  // As the Fig. 6 experiment shows them: the plain net dashed.
  await page.send({ type: 'experiment', experiment: 'fig6', results: [experiment(plain, 'plain20', true), experiment(residual, 'resnet20', false)] } satisfies ToDashboard);
  for (const s of [plain, residual]) await page.send({ type: 'runHistory', runDir: s.runDir, ...toHistory(s.messages) } satisfies ToDashboard);
  await page.frame();
  const lastStats = (s: Stream) => [...s.messages].reverse().find((m) => m.type === 'layerStats');
  const plainLast = lastStats(plain);
  assert.ok(plainLast?.type === 'layerStats');
  let responses = await layerChartData(page, 'responses');
  assert.deepEqual(responses.labels, ['plain20', 'resnet20']);
  assert.deepEqual(responses.dashed, [true, false]);
  assert.deepEqual(
    responses.data[0],
    plainLast.layers.map((_, i) => i + 1),
  );
  assert.deepEqual(
    responses.data[1],
    plainLast.layers.map((l) => l.responseStd),
  );
  // Sorted, descending: the paper's lower panel.
  await page.page.locator('#responses-sorted').check();
  await page.frame();
  responses = await layerChartData(page, 'responses');
  assert.deepEqual(
    responses.data[1],
    plainLast.layers.map((l) => l.responseStd).sort((a, b) => b - a),
  );
  assert.equal(((await page.savedState()) as { sortedResponses?: boolean }).sortedResponses, true);
  // Gradient flow: log axis, the latest measurement; the slider's first stop is step 1's.
  let gradients = await layerChartData(page, 'gradients');
  assert.equal(gradients.yDistr, 3);
  assert.deepEqual(
    gradients.data[1],
    plainLast.layers.map((l) => l.gradNorm),
  );
  assert.match((await page.page.locator('#gradients-step-value').textContent()) ?? '', /\(latest\)/);
  await page.page.locator('#gradients-step').fill('0');
  await page.frame();
  const first = plain.messages.find((m) => m.type === 'layerStats');
  assert.ok(first?.type === 'layerStats');
  gradients = await layerChartData(page, 'gradients');
  assert.deepEqual(
    gradients.data[1],
    first.layers.map((l) => l.gradNorm),
  );
  assert.equal(await page.page.locator('#gradients-step-value').textContent(), String(first.step));
  await page.page.screenshot({ path: join(ARTIFACTS, 'layer-stats-light.png'), fullPage: true });
  // A click on a point asks the extension to show that layer, with the measurement it was drawn from.
  const chart = page.page.locator('#chart-responses .u-over');
  const box = await chart.boundingBox();
  assert.ok(box);
  await page.page.mouse.move(box.x + 2, box.y + box.height / 2);
  await page.page.mouse.click(box.x + 2, box.y + box.height / 2);
  const reveal = (await page.posted()).find((m) => m.type === 'revealLayer') as { runDir: string; path: string; step: number; label: string } | undefined;
  assert.ok(reveal, 'a click posts revealLayer');
  assert.ok([plain.runDir, residual.runDir].includes(reveal.runDir));
  assert.equal(reveal.step, plainLast.step);
  assert.ok(plainLast.layers.some((l) => l.path === reveal.path));
  assert.deepEqual(await page.cspViolations(), []);
  assert.deepEqual(page.problems, []);
  await page.close();
});
