/**
 * Dashboard benchmark (prints figures; not a test): the dashboard page in headless Chromium, as
 * the tests serve it (test/webview/browserHost.ts).
 *
 *   node --import tsx test/bench/dashboard.bench.ts [--points 100000] [--rate 1000] [--seconds 10] [--runs 1] [--append-all] [--trace] [--page-steps [--no-host-summaries]]
 *
 * By default the runs' steps stay on the extension's side (issue 21): a StepStore in Node (the
 * extension host's code, src/core/metrics/stepStore.ts) holds them, the page gets each history
 * without its steps and asks for what it draws; its requests reach Node through the test host's
 * bridge (browserHost.ts `serveSteps`) and the answers come back as messages, as the panel sends
 * them. Live steps come from Node too, a runProgress message every 100 ms, added to the store as
 * the panel adds them. `--page-steps` measures the way before it: every step in the page.
 *
 * 1. First render: a run's history of --points steps arrives in one message; timed from the
 *    message being posted to the end of the frame that shows it, and in parts (checking and
 *    folding the messages, building and drawing the charts).
 * 2. Appending: --rate steps a second, sent as the extension sends them (a message every 100 ms),
 *    for --seconds, while requestAnimationFrame deltas are recorded; a quiet page's frame times
 *    come first, for what the machine does without us. To the first run, or with --append-all
 *    to every run (--rate each).
 * 3. The page's memory after the appending: its JavaScript heap and the typed arrays' backing
 *    stores, after a full garbage collection (Chromium's DevTools protocol).
 * Each history comes as the extension sends it, with its min/max summaries and steps' order worked
 * out by the extension (`summariesOf`, before the clock starts: the host's work, not the page's);
 * `--no-host-summaries` sends the columns alone, as before issue 21's host summaries, and the page
 * builds them. The host's part is printed too: the summaries' size per run, and the time to build them.
 * `--trace` adds Chromium's own trace of the appending: each frame's time on the main thread, in
 * raster, and in the compositor drawing the layers (test/bench/chromeTrace.ts).
 * The charts' lines are drawn on a canvas of the page's own (webview/dashboard/seriesLayer.ts), rasterised
 * when it is copied onto uPlot's: "drawn" includes them; uPlot's own canvas (axes, grid, the copy) is
 * rasterised at the frame's commit, after. How each chart's lines were repainted is printed too.
 * Goals: first render under 50 ms; no frame over 16 ms while appending (a late frame shows as a
 * requestAnimationFrame delta of two vsync slots, 33 ms, instead of one).
 */
import { parseArgs } from 'node:util';
import { browserMissing, buildDashboardBundle, DashboardBrowser, hostSummariesScript, type DashboardPage } from '../webview/browserHost';
import { heldHistory, summariesOf, type BatchColumns } from '../../src/protocol/webview';
import { StepStore } from '../../src/core/metrics/stepStore';
import type { TrainingMessage } from '../../src/protocol/training';
import { traceFrames } from './chromeTrace';

const { values } = parseArgs({
  options: {
    points: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    runs: { type: 'string', default: '1' },
    'append-all': { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    'no-host-summaries': { type: 'boolean', default: false },
    'page-steps': { type: 'boolean', default: false },
    /** The loss smoothing weight the page starts with (its default: 0.6; 0 draws the raw loss alone). */
    smoothing: { type: 'string', default: '0.6' },
  },
});
const points = Number(values.points);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const runs = Number(values.runs);

const missing = browserMissing();
if (missing) {
  console.log(`dashboard bench skipped: ${missing}`);
  process.exit(0);
}

// Runs in the page. A string: tsx would wrap inner functions in a helper the page lacks.
const PAGE_HELPERS = `
window.benchRun = (runDir, from, to, spe) => {
  const messages = [];
  if (from === 1) messages.push({ type: 'started', runDir, model: 'resnet56', params: 855770, macs: 125485706, backend: 'wasm', backendReason: 'bench', device: 'CPU', dataset: 'cifar10', trainImages: 45000, batchSize: 128, stepsPerEpoch: spe, totalSteps: 10000000, epochs: 100000 });
  for (let step = from; step <= to; step++) {
    const loss = 0.2 + 2 * Math.exp(-step / 20000) + (Math.sin(step * 12.9898) * 43758.5453 % 1) * 0.2;
    messages.push({ type: 'batch', step, epoch: Math.floor((step - 1) / spe), loss, accuracy: 1 - loss / 2.6, lr: step < 32000 ? 0.1 : 0.01, imagesPerSec: 1000 });
    if (step % spe === 0) messages.push({ type: 'epoch', epoch: step / spe - 1, step, trainLoss: loss, trainAccuracy: 1 - loss / 2.6, valLoss: loss, valAccuracy: 1 - loss / 2.4, seconds: 30 });
  }
  return messages;
};
// A run's history as the extension sends it: batches as Float64Array columns, the rest as objects.
window.benchHistory = (runDir, n, spe) => {
  const all = window.benchRun(runDir, 1, n, spe);
  const steps = all.filter((m) => m.type === 'batch');
  const batches = {};
  for (const key of ['step', 'epoch', 'loss', 'accuracy', 'lr', 'imagesPerSec']) batches[key] = Float64Array.from(steps, (m) => m[key]);
  const summaries = window.withHostSummaries ? { summaries: window.hostSummaries(batches, 0.6) } : {};
  return { type: 'runHistory', runDir, batches, messages: all.filter((m) => m.type !== 'batch'), ...summaries };
};
// Every ArrayBuffer of a message (its typed arrays' and its summaries'), to transfer.
window.buffersOf = (m) => {
  const out = new Set();
  const walk = (x) => {
    if (ArrayBuffer.isView(x)) out.add(x.buffer);
    else if (x && typeof x === 'object') for (const v of Object.values(x)) walk(v);
  };
  walk({ batches: m.batches, summaries: m.summaries });
  return [...out];
};
window.nextFrame = () => new Promise((done) => requestAnimationFrame(() => done(performance.now())));
window.frameDeltas = (ms) => new Promise((done) => {
  const deltas = [];
  let last = 0;
  const end = performance.now() + ms;
  const tick = (t) => {
    if (last) deltas.push(t - last);
    last = t;
    if (t < end) requestAnimationFrame(tick); else done(deltas);
  };
  requestAnimationFrame(tick);
});
`;

interface FirstRender {
  /** From posting the message to the end of the draw (the wait for the frame included). */
  drawn: number;
  /** To the start of the next frame, when the drawn frame is on screen. */
  shown: number;
  receive: number;
  render: number;
  /** Steps in the loss chart's model, and the columns uPlot was given (decimated). */
  points: number;
  drawnPoints: number[];
}

function stats(deltas: number[]): string {
  const sorted = [...deltas].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  // Deltas sit on the 60 Hz vsync grid with ±0.1 ms of jitter: a frame that took longer than its
  // slot shows as a delta of two slots (33 ms) or more.
  const late = deltas.filter((d) => d > 17.5).length;
  const f = (n: number) => n.toFixed(1);
  // Where the late ones fell (frame number: delta), to tell a steady cost from a few long stalls.
  const where = deltas.flatMap((d, i) => (d > 17.5 ? [`${i}: ${d.toFixed(0)}`] : [])).slice(0, 40);
  return `${deltas.length} frames, median ${f(q(0.5))} ms, p99 ${f(q(0.99))} ms, max ${f(sorted[sorted.length - 1] ?? NaN)} ms, ${late} late (delta over 17.5 ms)${late > 0 ? ` [${where.join(', ')}]` : ''}`;
}

const bundleDir = await buildDashboardBundle();
const browser = await DashboardBrowser.launch(bundleDir);
if (!values['page-steps']) {
  try {
    await benchHostSteps(browser);
  } finally {
    await browser.close();
  }
  process.exit(0);
}
try {
  console.log(
    `dashboard bench: ${points.toLocaleString('en-US')} points × ${runs} run(s), then +${rate}/s for ${seconds} s; Chromium headless, ${process.env.DASHBOARD_CHROMIUM ?? '/usr/bin/chromium'}`,
  );
  const page = await browser.open({ theme: 'dark', viewport: { width: 1400, height: 1100 } });
  await page.page.evaluate(PAGE_HELPERS);
  await page.page.evaluate(await hostSummariesScript());
  await page.page.evaluate((on) => {
    (window as unknown as { withHostSummaries: boolean }).withHostSummaries = on;
  }, !values['no-host-summaries']);
  // The host's part, in Node: a run's summaries as the extension builds them for a history it sends.
  {
    const column = (f: (i: number) => number) => Float64Array.from({ length: points }, (_, i) => f(i + 1));
    const batches = {
      step: column((s) => s),
      epoch: column((s) => Math.floor((s - 1) / 391)),
      loss: column((s) => 0.2 + 2 * Math.exp(-s / 20000) + ((Math.sin(s * 12.9898) * 43758.5453) % 1) * 0.2),
      accuracy: column(() => 0.5),
      lr: column((s) => (s < 32000 ? 0.1 : 0.01)),
      imagesPerSec: column(() => 1000),
    };
    const t = performance.now();
    // At the page's default smoothing weight, which the page asks with.
    const summaries = summariesOf(batches, 0.6);
    const ms = performance.now() - t;
    const levels = [summaries.loss, summaries.lr, ...(summaries.smoothed ? [summaries.smoothed.levels] : [])];
    const bytes = levels.reduce((sum, l) => sum + [...l.lows, ...l.highs].reduce((a, x) => a + x.byteLength, 0), 0);
    console.log(
      `host summaries (extension host, Node): ${(bytes / 2 ** 20).toFixed(2)} MiB a run of ${points.toLocaleString('en-US')} steps (min/max levels of the loss, smoothed loss and learning rate), ${((bytes * runs) / 2 ** 20).toFixed(2)} MiB for ${runs}, plus the smoothed loss itself (${((summaries.smoothed?.values.byteLength ?? 0) / 2 ** 20).toFixed(1)} MiB a run); built with the smoothing in ${ms.toFixed(0)} ms a run; ${values['no-host-summaries'] ? 'NOT sent (--no-host-summaries)' : 'sent with each history'}`,
    );
  }
  const runDirs = await showBenchRuns(page);

  // 1. First render, end to end: post, let the page take it, wait for the frame that shows it.
  const first = (await page.page.evaluate(
    async ([dirs, n]) => {
      const w = window as unknown as {
        benchHistory(d: string, n: number, s: number): { runDir: string };
        nextFrame(): Promise<number>;
        resnetDashboard: { receive(m: unknown): void; render(): void; chart(n: string): { model?: { x: unknown[] }; uplot?: { data: unknown[][] } } };
      };
      const histories = (dirs as string[]).map((runDir) => w.benchHistory(runDir, n as number, 391));
      await w.nextFrame();
      // When the page's render (and uPlot's drawing, a microtask after it) ends.
      const d = w.resnetDashboard as unknown as Record<string, () => void>;
      const render = d.render.bind(d);
      let drawnAt: number | undefined;
      d.render = () => {
        render();
        queueMicrotask(() => (drawnAt ??= performance.now()));
      };
      const t0 = performance.now();
      // Their ArrayBuffers transferred, not cloned, as VS Code hands a message's ArrayBuffers to a webview.
      for (const h of histories) window.postMessage(h, '*', (w as unknown as { buffersOf(m: unknown): ArrayBuffer[] }).buffersOf(h));
      // The page renders on the frame after the messages; wait until the loss chart has them all,
      // then for the next frame: the one that drew them has ended.
      let shown: number | undefined;
      while (shown === undefined) {
        await w.nextFrame();
        const model = w.resnetDashboard.chart('loss').model;
        if (drawnAt !== undefined && model && model.x.length >= (n as number)) shown = (await w.nextFrame()) - t0;
      }
      const drawn = (drawnAt as number) - t0;
      // In parts, on the same page again (so warmer): check and fold (receive, its render held
      // back), then build and draw (render, and uPlot's microtask).
      const again = (dirs as string[]).map((runDir) => w.benchHistory(runDir, n as number, 391));
      d.render = () => undefined;
      const r0 = performance.now();
      for (const h of again) w.resnetDashboard.receive(h);
      const r1 = performance.now();
      d.render = render;
      w.resnetDashboard.render();
      await new Promise<void>((done) => queueMicrotask(done));
      const r2 = performance.now();
      const loss = w.resnetDashboard.chart('loss');
      return { drawn, shown, receive: r1 - r0, render: r2 - r1, points: loss.model?.x.length ?? 0, drawnPoints: loss.uplot?.data.map((c) => c.length) ?? [] };
    },
    [runDirs, points] as const,
  )) as FirstRender;
  console.log(
    `first render of ${points.toLocaleString('en-US')} points × ${runs}: drawn ${first.drawn.toFixed(1)} ms after postMessage (goal < 50 ms), on screen at the next frame, ${first.shown.toFixed(1)} ms`,
  );
  console.log(
    `  in parts (same data again, warmer): checking + folding the message ${first.receive.toFixed(1)} ms, building + drawing the three charts ${first.render.toFixed(1)} ms; the rest of the first is the structured clone, dispatch, and a colder JIT`,
  );
  console.log(`  loss chart: ${first.points.toLocaleString('en-US')} steps, drawn from ${first.drawnPoints[0]?.toLocaleString('en-US')} points per series (min/max per pixel column)`);

  // 2. Frame times: a quiet page first, then while appending.
  const quiet = (await page.page.evaluate((ms) => (window as unknown as { frameDeltas(ms: number): Promise<number[]> }).frameDeltas(ms), 3000)) as number[];
  console.log(`quiet page (3 s, no messages): ${stats(quiet)}`);
  type Appending = { deltas: number[]; renders: number[]; updates: number[]; appended: number };
  let appending: Appending | undefined;
  const append = async () => {
    appending = (await page.page.evaluate(
      async ([dirs, start, perSecond, secs]) => {
        const w = window as unknown as {
          benchRun(d: string, a: number, b: number, s: number): unknown[];
          frameDeltas(ms: number): Promise<number[]>;
          resnetDashboard: { render(): void; chart(n: string): { update(...args: unknown[]): void } };
        };
        const perFlush = Math.round((perSecond as number) / 10);
        let next = (start as number) + 1;
        // Time spent in the page's render, from a wrapper: how much of each frame the dashboard takes.
        const renders: number[] = [];
        // Of which the charts' updates (decimating, aligning, handing uPlot its data); the rest of a
        // render builds the chart models (aligning the runs, smoothing) and the header.
        const updates: number[] = [];
        let inUpdates = 0;
        const charts = ['loss', 'metric', 'lr'].map((n) => w.resnetDashboard.chart(n));
        const updateOriginals = charts.map((c) => c.update);
        charts.forEach((c, i) => {
          c.update = (...args: unknown[]) => {
            const t = performance.now();
            updateOriginals[i].apply(c, args);
            inUpdates += performance.now() - t;
          };
        });
        const d = w.resnetDashboard as unknown as Record<string, () => void>;
        const original = d.render.bind(d);
        d.render = () => {
          const t = performance.now();
          inUpdates = 0;
          original();
          updates.push(inUpdates);
          // Queued after uPlot's own drawing microtask, so it counts that too.
          queueMicrotask(() => renders.push(performance.now() - t));
        };
        const timer = setInterval(() => {
          for (const dir of dirs as string[]) window.postMessage({ type: 'runProgress', runDir: dir, messages: w.benchRun(dir, next, next + perFlush - 1, 391), etaSeconds: 100 }, '*');
          next += perFlush;
        }, 100);
        const deltas = await w.frameDeltas((secs as number) * 1000);
        clearInterval(timer);
        d.render = original;
        charts.forEach((c, i) => (c.update = updateOriginals[i]));
        return { deltas, renders, updates, appended: next - (start as number) - 1 };
      },
      [values['append-all'] ? runDirs : runDirs.slice(0, 1), points, rate, seconds] as const,
    )) as Appending;
  };
  let traceLines: string[] = [];
  if (values.trace) traceLines = await traceFrames(page.page, () => appending?.deltas.length ?? 0, append);
  else await append();
  if (!appending) throw new Error('the appending phase returned nothing');
  console.log(
    `appending ${rate}/s to ${values['append-all'] ? `each of the ${runs} runs` : 'the first run'} for ${seconds} s (${appending.appended.toLocaleString('en-US')} points, ${(points + appending.appended).toLocaleString('en-US')} at the end): ${stats(appending.deltas)}`,
  );
  const sortedRenders = [...appending.renders].sort((a, b) => a - b);
  console.log(
    `  dashboard render per redraw: ${appending.renders.length} redraws, median ${(sortedRenders[Math.floor(sortedRenders.length / 2)] ?? NaN).toFixed(1)} ms, max ${(sortedRenders[sortedRenders.length - 1] ?? NaN).toFixed(1)} ms (uPlot's drawing included)`,
  );
  const sortedUpdates = [...appending.updates].sort((a, b) => a - b);
  console.log(
    `    of which the three charts' updates (decimate, align, uPlot setData): median ${(sortedUpdates[Math.floor(sortedUpdates.length / 2)] ?? NaN).toFixed(1)} ms, max ${(sortedUpdates[sortedUpdates.length - 1] ?? NaN).toFixed(1)} ms; the rest builds the chart models and the header`,
  );
  // 3. Memory: what the page holds once garbage is collected.
  const cdp = await page.page.context().newCDPSession(page.page);
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  console.log(
    `page memory after a full GC: JS heap ${mib(heap.usedSize)}, typed arrays' backing stores ${heap.backingStorageSize === undefined ? 'not reported' : mib(heap.backingStorageSize)} (the bench's own copies of the histories are dropped by then)`,
  );
  if (traceLines.length > 0) console.log(`  trace of the appending:\n${traceLines.map((l) => `    ${l}`).join('\n')}`);
  if (page.problems.length > 0) console.log(`page problems: ${page.problems.join('; ')}`);
} finally {
  await browser.close();
}

/** The bench's runs listed, the first one live, all ticked (as a person would): their folders. */
async function showBenchRuns(page: DashboardPage): Promise<string[]> {
  const runDirs = Array.from({ length: runs }, (_, i) => `/bench/runs/2026-01-01-00-00-0${i}-resnet56`);
  await page.send({
    type: 'runs',
    runsFolder: '/bench/runs',
    runs: runDirs.map((runDir) => ({ runDir, name: runDir.split('/').pop(), model: 'resnet56', dataset: 'cifar10', status: 'running', step: 0, resumable: false })),
  });
  await page.send({ type: 'session', state: 'running', runDir: runDirs[0] });
  for (const runDir of runDirs.slice(1)) await page.page.locator(`li[data-run-dir="${runDir}"] vscode-checkbox`).click();
  await page.frame();
  return runDirs;
}

/** The benchmark's run, step by step, as the page's `benchRun` makes it (in Node: the extension's side). */
function stepMessages(runDir: string, from: number, to: number, spe: number): TrainingMessage[] {
  const messages: TrainingMessage[] = [];
  if (from === 1)
    messages.push({
      type: 'started',
      runDir,
      model: 'resnet56',
      params: 855770,
      macs: 125485706,
      backend: 'wasm',
      backendReason: 'bench',
      device: 'CPU',
      dataset: 'cifar10',
      trainImages: 45000,
      batchSize: 128,
      stepsPerEpoch: spe,
      totalSteps: 10000000,
      epochs: 100000,
    });
  for (let step = from; step <= to; step++) {
    const loss = 0.2 + 2 * Math.exp(-step / 20000) + ((Math.sin(step * 12.9898) * 43758.5453) % 1) * 0.2;
    messages.push({ type: 'batch', step, epoch: Math.floor((step - 1) / spe), loss, accuracy: 1 - loss / 2.6, lr: step < 32000 ? 0.1 : 0.01, imagesPerSec: 1000 });
    if (step % spe === 0) messages.push({ type: 'epoch', epoch: step / spe - 1, step, trainLoss: loss, trainAccuracy: 1 - loss / 2.6, valLoss: loss, valAccuracy: 1 - loss / 2.4, seconds: 30 });
  }
  return messages;
}

/** A history's columns and its other messages, as the panel reads them from metrics.jsonl (columns, not messages: a million objects a run would not fit the bench's heap six times). */
function benchColumns(runDir: string, n: number, spe: number): { batches: BatchColumns; messages: TrainingMessage[] } {
  const column = () => new Float64Array(n);
  const batches = { step: column(), epoch: column(), loss: column(), accuracy: column(), lr: column(), imagesPerSec: column() };
  const messages: TrainingMessage[] = [];
  const chunk = 100_000;
  for (let from = 1; from <= n; from += chunk) {
    for (const m of stepMessages(runDir, from, Math.min(n, from + chunk - 1), spe)) {
      if (m.type !== 'batch') {
        messages.push(m);
        continue;
      }
      const i = m.step - 1;
      batches.step[i] = m.step;
      batches.epoch[i] = m.epoch;
      batches.loss[i] = m.loss;
      batches.accuracy[i] = m.accuracy;
      batches.lr[i] = m.lr;
      batches.imagesPerSec[i] = m.imagesPerSec;
    }
  }
  return { batches, messages };
}

/** The way of issue 21: the steps in a StepStore in Node, the page asking for what it draws. */
async function benchHostSteps(browser: DashboardBrowser): Promise<void> {
  const spe = 391;
  console.log(
    `dashboard bench (steps kept by the extension's side): ${points.toLocaleString('en-US')} points × ${runs} run(s), then +${rate}/s for ${seconds} s; Chromium headless, ${process.env.DASHBOARD_CHROMIUM ?? '/usr/bin/chromium'}`,
  );
  const page = await browser.open({ theme: 'dark', viewport: { width: 1400, height: 1100 }, savedState: { smoothing: Number(values.smoothing) } });
  await page.page.evaluate(PAGE_HELPERS);
  const store = new StepStore();
  let requests = 0;
  await page.serveSteps(store, () => requests++);
  const runDirs = await showBenchRuns(page);

  // The host's part: the histories into the store (as the panel does on reading them), timed, and what it holds.
  const histories: ToDashboardMessage[] = [];
  const before = process.memoryUsage().arrayBuffers;
  let loadMs = 0;
  for (const runDir of runDirs) {
    const { batches, messages } = benchColumns(runDir, points, spe);
    const t = performance.now();
    histories.push(heldHistory(store, runDir, runDir, batches, messages));
    loadMs += performance.now() - t;
  }
  // The smoothed loss at the page's default weight, built on its first request: built here first, to count it.
  for (const runDir of runDirs) store.run(runDir)?.pick({ grid: { x0: 1, width: points / 1000, columns: 1000 }, perX: 1, series: ['smoothed'], smoothing: Number(values.smoothing) || 0.6 });
  global.gc?.();
  const measured = process.memoryUsage().arrayBuffers - before;
  console.log(
    `host store (extension host, Node): ${(store.bytes / 2 ** 20).toFixed(1)} MiB for ${runs} run(s) of ${points.toLocaleString('en-US')} steps by its own count (${(store.bytes / runs / 2 ** 20).toFixed(1)} MiB a run: loss, learning rate and smoothed loss columns and their min/max summaries; steps 1…n shared), ArrayBuffers grown by ${(measured / 2 ** 20).toFixed(0)} MiB${global.gc ? '' : ' (without --expose-gc: garbage included)'}; loading the histories ${loadMs.toFixed(0)} ms in all`,
  );

  // 1. First render: the histories reach the page (their steps left out); it asks for each step chart's
  // points; timed from each answer reaching the page to the end of the draw it causes.
  // Timed around the page's `receive` (checking the message, taking it, and drawing: an answer is drawn at once).
  await page.page.evaluate(`(() => {
    const d = window.resnetDashboard;
    const receive = d.receive.bind(d);
    const render = d.render.bind(d);
    window.__answers = [];
    let rendering = 0;
    d.render = () => {
      const t = performance.now();
      render();
      rendering += performance.now() - t;
    };
    d.receive = (m) => {
      if (!m || m.type !== 'steps') return receive(m);
      const t = performance.now();
      rendering = 0;
      receive(m);
      // After uPlot's drawing, a microtask queued before this one.
      queueMicrotask(() => window.__answers.push({ total: performance.now() - t, render: rendering }));
    };
  })()`);
  const t0 = performance.now();
  for (const h of histories) await page.sendTyped(h);
  await page.settle();
  const endToEnd = performance.now() - t0;
  const answers = (await page.page.evaluate('window.__answers')) as { total: number; render: number }[];
  const loss = (await page.page.evaluate(
    `(() => { const c = window.resnetDashboard.chart('loss'); return { held: Number(document.querySelector('#chart-loss').dataset.points), drawn: c.uplot ? c.uplot.data.map((x) => x.length) : [] }; })()`,
  )) as { held: number; drawn: number[] };
  console.log(
    `first render of ${points.toLocaleString('en-US')} points × ${runs}: ${answers.length} answers drawn, each ${answers.map((a) => a.total.toFixed(1)).join(', ')} ms from reaching the page to drawn (goal < 50 ms; of which the dashboard's render and uPlot ${answers.map((a) => a.render.toFixed(1)).join(', ')} ms)`,
  );
  console.log(
    `  end to end through the test host's bridge (histories sent, requests to Node, answers back, drawn): ${endToEnd.toFixed(0)} ms; ${requests} requests; the loss chart holds ${loss.held.toLocaleString('en-US')} points and drew ${loss.drawn[0]?.toLocaleString('en-US')} per series`,
  );

  // 2. Frame times: a quiet page, then while Node appends live steps and sends them, as the panel does.
  const quiet = (await page.page.evaluate((ms) => (window as unknown as { frameDeltas(ms: number): Promise<number[]> }).frameDeltas(ms), 3000)) as number[];
  console.log(`quiet page (3 s, no messages): ${stats(quiet)}`);
  await page.page.evaluate(`(() => {
    const d = window.resnetDashboard;
    const render = d.__proto__.render;
    window.__renders = [];
    window.__updates = { loss: [], metric: [], lr: [] };
    // How the lines were drawn before the appending (seriesLayer.ts counts them): subtracted after.
    window.__lineDrawsBefore = Object.fromEntries(['loss', 'metric', 'lr'].map((n) => [n, { ...d.chart(n).lineDraws }]));
    for (const name of ['loss', 'metric', 'lr']) {
      const chart = d.chart(name);
      const update = chart.update.bind(chart);
      chart.update = (...args) => {
        const t = performance.now();
        const redrawn = update(...args);
        window.__updates[name].push(performance.now() - t);
        window.__doing.push(name + (redrawn ? '' : ' (unchanged)'));
        return redrawn;
      };
    }
    const counts = () => ['loss', 'metric', 'lr'].map((n) => ({ ...d.chart(n).lineDraws }));
    d.render = () => {
      const t = performance.now();
      window.__doing = [];
      const before = counts();
      render.call(d);
      // After uPlot's drawing (a microtask queued before this one): how each chart's lines were drawn.
      queueMicrotask(() => {
        counts().forEach((now, c) => {
          for (const kind of Object.keys(now)) if (now[kind] > before[c][kind]) window.__doing.push(['loss', 'metric', 'lr'][c] + ' lines: ' + kind);
        });
        window.__renders.push({ ms: performance.now() - t, doing: window.__doing.join(', ') });
      });
    };
  })()`);
  const appendTo = values['append-all'] ? runDirs : runDirs.slice(0, 1);
  const perFlush = Math.round(rate / 10);
  let next = points + 1;
  const requestsBefore = requests;
  // The page posts the live messages to itself from a timer, as the --page-steps way does (a
  // message through the bridge costs the page more than VS Code's postMessage); Node adds the same
  // steps to the store on its own timer, as the panel's flush does.
  const hostTimer = setInterval(() => {
    for (const runDir of appendTo) for (const m of stepMessages(runDir, next, next + perFlush - 1, spe)) if (m.type === 'batch') store.run(runDir)?.append(m.step, m.loss, m.lr);
    next += perFlush;
  }, 100);
  let appending: { deltas: number[]; appended: number } | undefined;
  const append = async () => {
    appending = (await page.page.evaluate(
      async ([dirs, start, per, ms]) => {
        const w = window as unknown as { benchRun(d: string, a: number, b: number, s: number): unknown[]; frameDeltas(ms: number): Promise<number[]> };
        let from = (start as number) + 1;
        const timer = setInterval(() => {
          for (const dir of dirs as string[]) window.postMessage({ type: 'runProgress', runDir: dir, messages: w.benchRun(dir, from, from + (per as number) - 1, 391), etaSeconds: 100 }, '*');
          from += per as number;
        }, 100);
        const frames = await w.frameDeltas(ms as number);
        clearInterval(timer);
        return { deltas: frames, appended: from - (start as number) - 1 };
      },
      [appendTo, points, perFlush, seconds * 1000] as const,
    )) as { deltas: number[]; appended: number };
  };
  let traceLines: string[] = [];
  if (values.trace) traceLines = await traceFrames(page.page, () => appending?.deltas.length ?? 0, append);
  else await append();
  if (!appending) throw new Error('the appending phase returned nothing');
  const { deltas, appended } = appending;
  clearInterval(hostTimer);
  await page.settle();
  const timedRenders = (await page.page.evaluate('window.__renders')) as { ms: number; doing: string }[];
  const renders = timedRenders.map((r) => r.ms).sort((a, b) => a - b);
  const slowest = [...timedRenders].sort((a, b) => b.ms - a.ms).slice(0, 3);
  console.log(
    `appending ${rate}/s to ${values['append-all'] ? `each of the ${runs} runs` : 'the first run'} for ${seconds} s (${appended.toLocaleString('en-US')} points, ${(points + appended).toLocaleString('en-US')} at the end): ${stats(deltas)}; ${requests - requestsBefore} requests to the host meanwhile`,
  );
  console.log(
    `  dashboard render per redraw: ${renders.length} redraws, median ${(renders[Math.floor(renders.length / 2)] ?? NaN).toFixed(1)} ms, max ${(renders[renders.length - 1] ?? NaN).toFixed(1)} ms (uPlot's drawing included); the slowest: ${slowest.map((r) => `${r.ms.toFixed(1)} ms (${r.doing || 'no chart'})`).join('; ')}`,
  );
  const updates = (await page.page.evaluate('window.__updates')) as Record<string, number[]>;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  console.log(
    `    each chart's update (decimate, align, uPlot setData): ${Object.entries(updates)
      .map(([name, xs]) => `${name} ${xs.length}× median ${median(xs).toFixed(1)} ms`)
      .join(', ')}`,
  );
  const lineDraws = (await page.page.evaluate(
    `Object.fromEntries(['loss', 'metric', 'lr'].map((n) => [n, Object.fromEntries(Object.entries(window.resnetDashboard.chart(n).lineDraws).map(([k, v]) => [k, v - window.__lineDrawsBefore[n][k]]).filter(([, v]) => v > 0))]))`,
  )) as Record<string, Record<string, number>>;
  console.log(
    `    the lines repainted (seriesLayer.ts): ${Object.entries(lineDraws)
      .map(
        ([name, kinds]) =>
          `${name} ${
            Object.entries(kinds)
              .map(([kind, n]) => `${n} ${kind}`)
              .join(' + ') || 'none'
          }`,
      )
      .join(', ')} (full: every line at once; spread: a frame of every line repainted over frames; tail: right of the first changed point; none: nothing new)`,
  );

  // 3. Memory: what the page holds once garbage is collected.
  const cdp = await page.page.context().newCDPSession(page.page);
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  console.log(`page memory after a full GC: JS heap ${mib(heap.usedSize)}, typed arrays' backing stores ${heap.backingStorageSize === undefined ? 'not reported' : mib(heap.backingStorageSize)}`);
  if (traceLines.length > 0) console.log(`  trace of the appending:\n${traceLines.map((l) => `    ${l}`).join('\n')}`);
  if (page.problems.length > 0) console.log(`page problems: ${page.problems.join('; ')}`);
}

type ToDashboardMessage = ReturnType<typeof heldHistory>;
