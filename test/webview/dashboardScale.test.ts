// The dashboard page in headless Chromium at the scale of real training: a run of 1,000,000 steps.
// What the loss chart draws is checked against a brute-force walk over the raw steps: in every
// pixel column of the plot, the lowest and highest loss drawn are the lowest and highest of the
// steps under that column, at full zoom-out and at two zoomed ranges; a spike of a single step
// stays visible; zoomed to 100 steps, every one of them is drawn.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { StepStore } from '../../src/core/metrics/stepStore';
import type { TrainingMessage } from '../../src/protocol/training';
import { heldHistory, type BatchColumns, type RunSummary } from '../../src/protocol/webview';
import { browserMissing, buildDashboardBundle, DashboardBrowser, hostSummariesScript } from './browserHost';

const skip = browserMissing() ?? false;
const STEPS = 1_000_000;
const SPIKE_STEP = 654_321;
const RUN_DIR = '/work/runs/2026-01-06-10-00-00-resnet50';

let browser: DashboardBrowser;
let bundleDir: string;
let hostScript: string;
/** The full zoom-out's x and smoothed loss as the first of the two ways drew them. */
let smoothedDrawn: number[][] | undefined;

before(async () => {
  if (skip) return;
  bundleDir = await buildDashboardBundle();
  hostScript = await hostSummariesScript();
  browser = await DashboardBrowser.launch(bundleDir);
});

after(async () => {
  if (skip) return;
  await browser?.close();
  rmSync(bundleDir, { recursive: true, force: true });
});

// Runs in the page (a string: tsx would wrap inner functions in a helper the page lacks). The run's
// history is built there, as the extension sends it (columns of Float64Array), and kept in
// `window.raw` for the brute-force check.
/** The run's steps, made the same way in Node (the extension's side) and in the page (for the brute-force check). */
const MAKE_LONG_RUN = `(n, spikeStep) => {
  const step = new Float64Array(n), epoch = new Float64Array(n), loss = new Float64Array(n);
  const accuracy = new Float64Array(n), lr = new Float64Array(n), imagesPerSec = new Float64Array(n).fill(1000);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    step[i] = i + 1;
    epoch[i] = Math.floor(i / 5000);
    // Only + * /: rounded alike everywhere (Node's and Chromium's Math.exp differ in the last bit).
    loss[i] = 0.2 + 2 / (1 + (i + 1) / 100000) + (seed / 4294967296) * 0.3;
    accuracy[i] = 1 - loss[i] / 3;
    lr[i] = i < 500000 ? 0.1 : 0.01;
  }
  loss[spikeStep - 1] = 50;
  return { step, epoch, loss, accuracy, lr, imagesPerSec };
}`;
const makeLongRun = new Function(`return ${MAKE_LONG_RUN}`)() as (n: number, spikeStep: number) => BatchColumns;
const started = (runDir: string, n: number): TrainingMessage => ({
  type: 'started',
  runDir,
  model: 'resnet50',
  params: 25557032,
  macs: 4089184256,
  backend: 'wasm',
  backendReason: 'test',
  device: 'CPU',
  dataset: 'imagenet',
  trainImages: 1281167,
  batchSize: 256,
  stepsPerEpoch: 5000,
  totalSteps: n,
  epochs: n / 5000,
});

const PAGE_SCRIPT = `
window.makeLongRun = ${MAKE_LONG_RUN};
window.keepRaw = (n, spikeStep) => {
  const { step, loss } = window.makeLongRun(n, spikeStep);
  window.raw = { step, loss };
};
window.sendLongRun = (runDir, n, spikeStep, withSummaries) => {
  const batches = window.makeLongRun(n, spikeStep);
  const { step, loss } = batches;
  window.raw = { step, loss };
  const started = { type: 'started', runDir, model: 'resnet50', params: 25557032, macs: 4089184256, backend: 'wasm', backendReason: 'test', device: 'CPU', dataset: 'imagenet', trainImages: 1281167, batchSize: 256, stepsPerEpoch: 5000, totalSteps: n, epochs: n / 5000 };
  // As the extension sends it (its min/max summaries and the steps' order worked out there), or without.
  const summaries = withSummaries ? { summaries: window.hostSummaries(batches, 0.6) } : {};
  window.postMessage({ type: 'runHistory', runDir, batches, messages: [started], ...summaries }, '*');
};
// What uPlot's own drag-zoom does on mouse up: a selection (the chart then keeps the zoom), then the scale.
window.zoomTo = (min, max) => {
  const u = window.resnetDashboard.chart('loss').uplot;
  const left = u.valToPos(min, 'x');
  u.setSelect({ left, top: 0, width: Math.max(1, u.valToPos(max, 'x') - left), height: u.bbox.height / devicePixelRatio }, true);
  u.setScale('x', { min, max });
};
// Per pixel column of the plot (column = floor((x - min) / ((max - min) / width)), width in CSS
// pixels), the raw steps' lowest and highest loss against the drawn points' ones.
// upTo: the last step the page was sent (a live run's later steps are not drawn yet).
// series: which of the loss chart's series (1: the first run's loss); rawKey: where its raw steps are.
window.checkEnvelope = (upTo = Infinity, series = 1, rawKey = 'raw') => {
  const u = window.resnetDashboard.chart('loss').uplot;
  const { min, max } = u.scales.x;
  const columns = u.bbox.width / devicePixelRatio;
  const w = (max - min) / columns;
  const col = (x) => Math.floor((x - min) / w);
  const raw = new Map();
  const { step, loss } = window[rawKey];
  for (let i = 0; i < step.length; i++) {
    if (step[i] < min || step[i] > max || step[i] > upTo) continue;
    const c = col(step[i]);
    const r = raw.get(c);
    if (!r) raw.set(c, { lo: loss[i], hi: loss[i] });
    else { if (loss[i] < r.lo) r.lo = loss[i]; if (loss[i] > r.hi) r.hi = loss[i]; }
  }
  const [xs, ys] = [u.data[0], u.data[series]];
  const drawn = new Map();
  const wrong = [];
  let inRange = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    // Overlaid runs are aligned on the union of their x: another run's point is a gap here.
    if (ys[i] == null) continue;
    // Every drawn point is a raw step as it was logged.
    if (ys[i] !== loss[x - 1]) wrong.push('step ' + x + ' drawn at ' + ys[i] + ', logged ' + loss[x - 1]);
    if (x < min || x > max) continue;
    inRange++;
    const c = col(x);
    const d = drawn.get(c);
    if (!d) drawn.set(c, { lo: ys[i], hi: ys[i] });
    else { if (ys[i] < d.lo) d.lo = ys[i]; if (ys[i] > d.hi) d.hi = ys[i]; }
  }
  for (const [c, r] of raw) {
    const d = drawn.get(c);
    if (!d || d.lo !== r.lo || d.hi !== r.hi) wrong.push('column ' + c + ': raw ' + r.lo + '…' + r.hi + ', drawn ' + (d ? d.lo + '…' + d.hi : 'nothing'));
  }
  return { min, max, columns, rawColumns: raw.size, drawnPoints: xs.length, inRange, wrong: wrong.slice(0, 5), wrongCount: wrong.length };
};
`;

interface EnvelopeCheck {
  min: number;
  max: number;
  columns: number;
  rawColumns: number;
  drawnPoints: number;
  inRange: number;
  wrong: string[];
  wrongCount: number;
}

// Two ways the page gets a run: its steps kept by the extension (issue 21), the page served by the
// real host-side store (src/core/metrics/stepStore.ts, through stepsAnswer as the panel answers) and
// holding only what it draws; and a history with every step (a run the page holds itself), summarised by the page.
for (const source of ['host', 'page'] as const) {
  test(`a run of 1,000,000 steps, ${source === 'host' ? 'kept by the extension and asked for per pixel grid' : 'held and summarised by the page'}: each pixel column draws the exact min and max of its steps, at any zoom`, {
    skip,
    timeout: 180_000,
  }, async () => {
    const page = await browser.open({ savedState: { selected: [RUN_DIR] }, viewport: { width: 1400, height: 1100 } });
    await page.page.evaluate(PAGE_SCRIPT);
    await page.page.evaluate(hostScript);
    const run: RunSummary = { runDir: RUN_DIR, name: RUN_DIR.split('/').pop() as string, model: 'resnet50', dataset: 'imagenet', status: 'finished', step: STEPS, resumable: false };
    await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [run] });
    if (source === 'host') {
      const store = new StepStore();
      await page.serveSteps(store);
      await page.page.evaluate(([n, spike]) => (window as unknown as { keepRaw(n: number, s: number): void }).keepRaw(n, spike), [STEPS, SPIKE_STEP] as const);
      await page.sendTyped(heldHistory(store, RUN_DIR, RUN_DIR, makeLongRun(STEPS, SPIKE_STEP), [started(RUN_DIR, STEPS)]));
      await page.settle();
      // The page holds what it draws, not the million steps.
      const points = Number(await page.page.locator('#chart-loss').getAttribute('data-points'));
      assert.ok(points > 1000 && points < 20_000, `${points} points held by the loss chart; ${JSON.stringify((await page.posted()).map((m) => m.type))} ${page.problems} ${page.warnings}`);
      assert.ok((await page.posted()).some((m) => m.type === 'stepsRequest' && m.chart === 'loss'));
    } else {
      await page.page.evaluate(([dir, n, spike, h]) => (window as unknown as { sendLongRun(d: string, n: number, s: number, h: boolean): void }).sendLongRun(dir, n, spike, h), [
        RUN_DIR,
        STEPS,
        SPIKE_STEP,
        false,
      ] as const);
      await page.frame();
      assert.equal(await page.page.locator('#chart-loss').getAttribute('data-points'), String(STEPS));
    }
    const check = () => page.page.evaluate(() => (window as unknown as { checkEnvelope(): EnvelopeCheck }).checkEnvelope());
    const zoom = async (min: number, max: number) => {
      await page.page.evaluate(([a, b]) => (window as unknown as { zoomTo(a: number, b: number): void }).zoomTo(a, b), [min, max] as const);
      await page.settle();
    };

    // Full zoom-out: the whole run, the envelope exact, at most 6 points per pixel column (its first
    // and last, and the lowest and highest of the raw and of the smoothed loss).
    const whole = await check();
    assert.equal(whole.min, 1, 'the x scale starts at the first step');
    assert.ok(whole.max >= STEPS && whole.max <= 1 + (STEPS - 1) * 1.04, `the x scale spans the run, a little past its end: ${whole.max}`);
    assert.deepEqual(whole.wrong, [], `${whole.wrongCount} columns or points off`);
    assert.ok(whole.rawColumns > 500 && whole.drawnPoints <= 6 * whole.rawColumns, `${whole.drawnPoints} points drawn for ${whole.rawColumns} columns`);
    // The spike of one step among a million is drawn, at its height.
    const x = (await page.column('loss', 0)) as number[];
    const y = (await page.column('loss', 1)) as number[];
    assert.equal(y[x.indexOf(SPIKE_STEP)], 50, 'the one-step spike is drawn');
    // The smoothed loss (the default weight, 0.6): the extension's picks draw the same points as the page's own smoothing.
    const smoothed = [x, (await page.column('loss', 2)) as number[]];
    if (smoothedDrawn) assert.deepEqual(smoothed, smoothedDrawn, 'the smoothed loss drawn the same either way');
    smoothedDrawn = smoothed;

    // Two zoomed ranges, still far more steps than pixels, not on whole steps.
    for (const [min, max] of [
      [200_000.5, 700_000.25],
      [123_456.7, 140_000.3],
    ] as const) {
      await zoom(min, max);
      const zoomed = await check();
      assert.deepEqual([zoomed.min, zoomed.max], [min, max]);
      assert.deepEqual(zoomed.wrong, [], `${min}…${max}: ${zoomed.wrongCount} columns or points off`);
      assert.ok(zoomed.inRange <= 6 * zoomed.rawColumns, `${min}…${max}: decimated, ${zoomed.inRange} points for ${zoomed.rawColumns} columns`);
    }

    // Zoomed to 100 steps: every one of them is drawn.
    await zoom(500_001, 500_100);
    const hundred = await check();
    assert.deepEqual(hundred.wrong, []);
    const shown = ((await page.column('loss', 0)) as number[]).filter((s) => s >= 500_001 && s <= 500_100);
    assert.deepEqual(
      shown,
      Array.from({ length: 100 }, (_, i) => 500_001 + i),
      'every step of the 100',
    );
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}

test('live steps of a run kept by the extension are merged into the last pixel columns exactly, asking the extension again only when the grid moves, redrawn at most twice a second at this scale', {
  skip,
  timeout: 120_000,
}, async () => {
  // Past half a million steps shown, so live steps redraw the charts twice a second at most.
  const n = 600_000;
  const total = n + 7000;
  const page = await browser.open({ savedState: { selected: [RUN_DIR], smoothing: 0 }, viewport: { width: 1400, height: 1100 } });
  await page.page.evaluate(PAGE_SCRIPT);
  const run: RunSummary = { runDir: RUN_DIR, name: RUN_DIR.split('/').pop() as string, model: 'resnet50', dataset: 'imagenet', status: 'running', step: n, resumable: false };
  await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [run] });
  const store = new StepStore();
  await page.serveSteps(store);
  // The page's copy of every step, for the brute-force check; the extension has the first n, the rest come live.
  await page.page.evaluate(([count, spike]) => (window as unknown as { keepRaw(n: number, s: number): void }).keepRaw(count, spike), [total, n + 300] as const);
  const all = makeLongRun(total, n + 300);
  const history = {
    step: all.step.slice(0, n),
    epoch: all.epoch.slice(0, n),
    loss: all.loss.slice(0, n),
    accuracy: all.accuracy.slice(0, n),
    lr: all.lr.slice(0, n),
    imagesPerSec: all.imagesPerSec.slice(0, n),
  };
  await page.sendTyped(heldHistory(store, RUN_DIR, RUN_DIR, history, [started(RUN_DIR, total)]));
  await page.settle();
  const requests = async () => (await page.posted()).filter((m) => m.type === 'stepsRequest' && m.chart === 'loss').length;
  const asked = await requests();
  let sent = n;
  const check = () => page.page.evaluate((upTo) => (window as unknown as { checkEnvelope(upTo: number): EnvelopeCheck }).checkEnvelope(upTo), sent);
  assert.deepEqual((await check()).wrong, []);
  // As the panel's flush: each lot into the store, then to the page.
  const sendLive = async (from: number, to: number) => {
    for (let lot = from; lot < to; lot += 100) {
      const messages: TrainingMessage[] = [];
      for (let i = lot; i < Math.min(to, lot + 100); i++) {
        const step = all.step[i] as number;
        store.run(RUN_DIR)?.append(step, all.loss[i] as number, all.lr[i] as number);
        messages.push({ type: 'batch', step, epoch: all.epoch[i] as number, loss: all.loss[i] as number, accuracy: all.accuracy[i] as number, lr: all.lr[i] as number, imagesPerSec: 1000 });
      }
      await page.send({ type: 'runProgress', runDir: RUN_DIR, messages });
      sent = Math.min(to, lot + 100);
    }
    // The last live steps are drawn within half a second.
    await new Promise((wait) => setTimeout(wait, 600));
    await page.settle();
  };
  // 500 steps, the spike among them: still inside the padded end (606,209), so no new request; the envelope exact.
  await sendLive(n, n + 500);
  assert.equal(await requests(), asked, 'no request while the grid stands');
  const merged = await check();
  assert.deepEqual(merged.wrong, [], `${merged.wrongCount} columns or points off after merging live steps`);
  const x = (await page.column('loss', 0)) as number[];
  assert.equal(x[x.length - 1], n + 500, 'the last live step is drawn');
  assert.equal(((await page.column('loss', 1)) as number[])[x.indexOf(n + 300)], 50, 'the live spike is drawn');
  // Past the padded end the grid moves: the page asks again, and the answer is exact too.
  await sendLive(n + 500, total);
  assert.ok((await requests()) > asked, 'asked again once the run passed the padded end');
  const moved = await check();
  assert.deepEqual(moved.wrong, [], `${moved.wrongCount} columns or points off after the grid moved`);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("two overlaid runs of other lengths, both kept by the extension: each run's pixel columns draw the exact min and max of its steps", { skip, timeout: 120_000 }, async () => {
  const other = '/work/runs/2026-01-06-11-00-00-resnet50';
  const [n, m] = [300_000, 180_000];
  const page = await browser.open({ savedState: { selected: [RUN_DIR, other], smoothing: 0 }, viewport: { width: 1400, height: 1100 } });
  await page.page.evaluate(PAGE_SCRIPT);
  const summary = (runDir: string, step: number): RunSummary => ({
    runDir,
    name: runDir.split('/').pop() as string,
    model: 'resnet50',
    dataset: 'imagenet',
    status: 'finished',
    step,
    resumable: false,
  });
  await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [summary(RUN_DIR, n), summary(other, m)] });
  const store = new StepStore();
  await page.serveSteps(store);
  await page.page.evaluate(
    ([a, b]) => {
      const w = window as unknown as { keepRaw(n: number, s: number): void; raw: unknown; rawOther: unknown };
      w.keepRaw(b, 1000);
      w.rawOther = w.raw;
      w.keepRaw(a, 250_000);
    },
    [n, m] as const,
  );
  await page.sendTyped(heldHistory(store, RUN_DIR, RUN_DIR, makeLongRun(n, 250_000), [started(RUN_DIR, n)]));
  await page.sendTyped(heldHistory(store, other, other, makeLongRun(m, 1000), [started(other, m)]));
  await page.settle();
  const check = (series: number, rawKey: string) =>
    page.page.evaluate(([s, k]) => (window as unknown as { checkEnvelope(u: number, s: number, k: string): EnvelopeCheck }).checkEnvelope(Number.POSITIVE_INFINITY, s, k), [series, rawKey] as const);
  for (const [min, max] of [
    [undefined, undefined],
    [150_000.5, 260_000.25],
  ] as const) {
    if (min !== undefined && max !== undefined) {
      await page.page.evaluate(([a, b]) => (window as unknown as { zoomTo(a: number, b: number): void }).zoomTo(a, b), [min, max] as const);
      await page.settle();
    }
    const first = await check(1, 'raw');
    const second = await check(2, 'rawOther');
    assert.deepEqual(first.wrong, [], `the longer run, ${min}…${max}: ${first.wrongCount} off`);
    assert.deepEqual(second.wrong, [], `the shorter run, ${min}…${max}: ${second.wrongCount} off`);
    assert.ok(first.rawColumns > 500 && second.rawColumns > 100);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("on a log axis the page asks for each column's lowest positive loss: a column holding losses of zero still draws its lowest drawable one", { skip, timeout: 120_000 }, async () => {
  const n = 200_000;
  const column = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  // Losses of exactly zero every 300 steps (a float32 loss rounded to 0); the run's lowest positive loss beside one of them.
  const lowest = 0.001;
  const history: BatchColumns = {
    step: column((i) => i + 1),
    epoch: column((i) => Math.floor(i / 1000)),
    loss: column((i) => (i % 300 === 299 ? 0 : i === 150_001 ? lowest : 0.3 + 0.2 * Math.abs(Math.sin(i * 0.37)))),
    accuracy: column(() => 0.5),
    lr: column(() => 0.1),
    imagesPerSec: column(() => 1000),
  };
  const page = await browser.open({ savedState: { selected: [RUN_DIR], smoothing: 0, yScale: 'log' }, viewport: { width: 1400, height: 1100 } });
  const run: RunSummary = { runDir: RUN_DIR, name: RUN_DIR.split('/').pop() as string, model: 'resnet50', dataset: 'imagenet', status: 'finished', step: n, resumable: false };
  await page.send({ type: 'runs', runsFolder: '/work/runs', runs: [run] });
  const store = new StepStore();
  await page.serveSteps(store);
  await page.sendTyped(heldHistory(store, RUN_DIR, RUN_DIR, history, [started(RUN_DIR, n)]));
  await page.settle();
  const asked = (await page.posted()).filter((m) => m.type === 'stepsRequest' && m.chart === 'loss');
  assert.ok(asked.length > 0 && asked.every((m) => m.positive === true), 'asked with the log axis');
  const drawn = (await page.column('loss', 1)) as (number | null)[];
  assert.ok(drawn.length < 10_000, `decimated (${drawn.length} points)`);
  assert.ok(drawn.includes(lowest), 'the lowest positive loss is drawn though its column holds zeros');
  assert.ok(!drawn.some((v) => v !== null && v <= 0), 'nothing of zero or less on the log axis');
  assert.deepEqual(page.problems, []);
  await page.close();
});
