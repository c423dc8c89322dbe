// The charts' lines as the series layer draws them (webview/dashboard/seriesLayer.ts): its vertices
// per pixel column keep what every point would draw, and a chart that grew live, repainted only in
// its last columns (and, when the scales moved, over a few frames), shows the same pixels as a
// chart drawn from the same steps at once, in Chromium.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { TrainingMessage } from '../../src/protocol/training';
import { toHistory, type ToDashboard } from '../../src/protocol/webview';
import { dashedPath, pixelVertices, type DashSink } from '../../webview/dashboard/seriesLayer';
import { browserMissing, buildDashboardBundle, DashboardBrowser, type DashboardPage } from './browserHost';

test('per pixel column the vertices keep the first, lowest, highest and last point, in order; gaps are spanned', () => {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const n = 20_000;
  // 20,000 points over about 700 pixel columns, unevenly spaced, some missing.
  const x = Float64Array.from({ length: n }, (_, i) => 10 + (i * 700) / n + random() * 0.01);
  const y = Array.from({ length: n }, (_, i) => (i % 97 === 5 ? null : 100 + 50 * Math.sin(i / 300) + 20 * random()));
  const out = new Float64Array(2 * n);
  const count = pixelVertices(x, y as unknown as ArrayLike<number>, 0, n, out);
  assert.ok(count < n / 4, `far fewer vertices than points (${count} of ${n})`);
  const byColumn = new Map<number, number[]>();
  y.forEach((v, i) => {
    if (v === null) return;
    const c = Math.round(x[i] as number);
    byColumn.set(c, [...(byColumn.get(c) ?? []), i]);
  });
  const vertexColumns = new Map<number, { xs: number[]; ys: number[] }>();
  for (let k = 0; k < count; k++) {
    const vx = out[2 * k] as number;
    const c = Math.round(vx);
    const entry = vertexColumns.get(c) ?? { xs: [], ys: [] };
    entry.xs.push(vx);
    entry.ys.push(out[2 * k + 1] as number);
    vertexColumns.set(c, entry);
    if (k > 0) assert.ok(vx >= (out[2 * k - 2] as number), 'vertices go left to right');
  }
  assert.equal(vertexColumns.size, byColumn.size, 'a vertex in every column that has a point');
  for (const [c, indices] of byColumn) {
    const values = indices.map((i) => y[i] as number);
    const v = vertexColumns.get(c);
    assert.ok(v, `column ${c} drawn`);
    assert.ok(v.ys.length <= 4, `at most four vertices in column ${c}`);
    assert.equal(Math.min(...v.ys), Math.min(...values), `column ${c}: the lowest point`);
    assert.equal(Math.max(...v.ys), Math.max(...values), `column ${c}: the highest point`);
    assert.equal(v.ys[0], values[0], `column ${c}: the first point`);
    assert.equal(v.ys.at(-1), values.at(-1), `column ${c}: the last point`);
  }
});

test('dashes drawn from part-way along a line are the very dashes drawn there from its start, on the pattern', () => {
  // A zigzag of 200 vertices, 3 to 12 pixels apart.
  const count = 200;
  const vertices = new Float64Array(2 * count);
  for (let k = 0; k < count; k++) {
    vertices[2 * k] = 10 + k * 5 + (k % 3);
    vertices[2 * k + 1] = 100 + (k % 2 ? 7 : -4) + k * 0.3;
  }
  const dashAt = new Float64Array(count);
  for (let k = 1; k < count; k++)
    dashAt[k] = (dashAt[k - 1] as number) + Math.hypot((vertices[2 * k] as number) - (vertices[2 * k - 2] as number), (vertices[2 * k + 1] as number) - (vertices[2 * k - 1] as number));
  const traced = { vertices, count, dashAt };
  const pattern = [6, 4];
  const pieces = (start: number) => {
    const out: number[][] = [];
    const sink: DashSink = { moveTo: (x, y) => out.push([x, y]), lineTo: (x, y) => (out.at(-1) as number[]).push(x, y) };
    dashedPath(traced, start, pattern, sink);
    return out;
  };
  const whole = pieces(0);
  const drawn = whole.reduce((sum, [x0, y0, x1, y1]) => sum + Math.hypot((x1 as number) - (x0 as number), (y1 as number) - (y0 as number)), 0);
  const length = dashAt[count - 1] as number;
  assert.ok(Math.abs(drawn - length * 0.6) < 6, `six tenths of the line is dashes (${drawn.toFixed(1)} of ${length.toFixed(1)})`);
  for (const piece of whole) assert.ok(Math.hypot((piece[2] as number) - (piece[0] as number), (piece[3] as number) - (piece[1] as number)) <= 6 + 1e-9, 'no piece longer than a dash');
  // From vertex 120 on: the same pieces as the whole line's from the piece that starts at or after vertex 120.
  const part = pieces(120);
  const from = whole.findIndex((p) => (p[0] as number) >= (vertices[240] as number));
  assert.deepEqual(part.slice(part.length - (whole.length - from)), whole.slice(from));
  assert.ok(part.length - (whole.length - from) <= 1, 'at most the dash across vertex 120 is cut there');
});

const skip = browserMissing() ?? false;
let browser: DashboardBrowser;
let bundleDir: string;

before(async () => {
  if (skip) return;
  bundleDir = await buildDashboardBundle();
  browser = await DashboardBrowser.launch(bundleDir);
});

after(async () => {
  if (skip) return;
  await browser?.close();
  rmSync(bundleDir, { recursive: true, force: true });
});

const RUN = '/work/runs/2026-12-06-layer';
const STEPS_PER_EPOCH = 200;

/** A run's messages from step `from` to `to`: a noisy falling loss, an epoch every 200 steps; `dip` steps have a far lower loss. */
function steps(from: number, to: number, dip: ReadonlySet<number> = new Set()): TrainingMessage[] {
  const messages: TrainingMessage[] = [];
  if (from === 1)
    messages.push({
      type: 'started',
      runDir: RUN,
      model: 'resnet20',
      params: 272474,
      macs: 40551050,
      backend: 'wasm',
      backendReason: 'test',
      device: 'CPU',
      dataset: 'cifar10',
      trainImages: 45000,
      batchSize: 128,
      stepsPerEpoch: STEPS_PER_EPOCH,
      totalSteps: 40000,
      epochs: 200,
    });
  for (let step = from; step <= to; step++) {
    const noise = (Math.sin(step * 12.9898) * 43758.5453) % 1;
    const loss = dip.has(step) ? 0.05 : 0.4 + 1.8 * Math.exp(-step / 6000) + 0.25 * noise;
    messages.push({ type: 'batch', step, epoch: Math.floor((step - 1) / STEPS_PER_EPOCH), loss, accuracy: 0.5, lr: step < 15000 ? 0.1 : 0.01, imagesPerSec: 900 });
    if (step % STEPS_PER_EPOCH === 0) {
      const epoch = step / STEPS_PER_EPOCH - 1;
      messages.push({
        type: 'epoch',
        epoch,
        step,
        trainLoss: loss,
        trainAccuracy: 0.9 - 0.4 * Math.exp(-epoch / 30) + 0.03 * noise,
        valAccuracy: 0.88 - 0.4 * Math.exp(-epoch / 30) + 0.04 * Math.cos(epoch),
        valLoss: loss,
        seconds: 20,
      });
    }
  }
  return messages;
}

async function showRun(page: DashboardPage, live: boolean, history: readonly TrainingMessage[]): Promise<void> {
  await page.send({
    type: 'runs',
    runsFolder: '/work/runs',
    runs: [{ runDir: RUN, name: 'layer', model: 'resnet20', dataset: 'cifar10', status: live ? 'running' : 'finished', step: 0, resumable: false }],
  } satisfies ToDashboard);
  if (live) await page.send({ type: 'session', state: 'running', runDir: RUN } satisfies ToDashboard);
  await page.send({ type: 'runHistory', runDir: RUN, ...toHistory(history) } satisfies ToDashboard);
  await page.frame();
}

/** The chart's canvas (axes, grid, lines) as RGBA bytes, once the page has drawn everything it has. */
async function pixels(page: DashboardPage, chart: 'loss' | 'metric' | 'lr'): Promise<number[]> {
  for (let i = 0; i < 10; i++) await page.frame();
  return page.page.evaluate((name) => {
    const dashboard = (globalThis as unknown as { resnetDashboard: { chart(n: string): { canvas?: HTMLCanvasElement } } }).resnetDashboard;
    const canvas = dashboard.chart(name).canvas as HTMLCanvasElement;
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    return Array.from(ctx.getImageData(0, 0, canvas.width, canvas.height).data);
  }, chart);
}

/**
 * How two canvases' pixels differ, in premultiplied colour (what the canvas holds; read back, a
 * faint pixel's colour is divided by its alpha and a level of alpha looks like many of colour):
 * how many pixels differ, and by how many levels of 255 at most.
 */
function difference(a: readonly number[], b: readonly number[]): { pixels: number; levels: number } {
  assert.equal(a.length, b.length, 'canvases of one size');
  let pixels = 0;
  let levels = 0;
  for (let i = 0; i < a.length; i += 4) {
    let most = 0;
    for (let c = 0; c < 4; c++) {
      const pa = c === 3 ? (a[i + 3] as number) : ((a[i + c] as number) * (a[i + 3] as number)) / 255;
      const pb = c === 3 ? (b[i + 3] as number) : ((b[i + c] as number) * (b[i + 3] as number)) / 255;
      most = Math.max(most, Math.abs(pa - pb));
    }
    if (most > 0) pixels++;
    levels = Math.max(levels, most);
  }
  return { pixels, levels };
}

test('a chart grown by live steps, its lines repainted only at their end (and over frames when a new lowest loss moved the scale), shows the pixels of the same steps drawn at once', {
  skip,
  timeout: 120_000,
}, async () => {
  const history = 20_000;
  const end = 23_000;
  // A new lowest loss part-way: the y scale moves under live steps.
  const dip = new Set([21_650]);
  // One page at a time: a page behind another gets no animation frames.
  const live = await browser.open({ theme: 'dark' });
  const grown: Record<string, number[]> = {};
  try {
    await showRun(live, true, steps(1, history));
    for (let from = history + 1; from <= end; from += 100) {
      await live.send({ type: 'runProgress', runDir: RUN, messages: steps(from, from + 99, dip), etaSeconds: 60 } satisfies ToDashboard);
    }
    const draws = (await live.page.evaluate(() => {
      const dashboard = (globalThis as unknown as { resnetDashboard: { chart(n: string): { lineDraws: Record<string, number> } } }).resnetDashboard;
      return Object.fromEntries(['loss', 'metric', 'lr'].map((n) => [n, { ...dashboard.chart(n).lineDraws }]));
    })) as Record<(typeof CHARTS)[number], Record<string, number>>;
    const seen = JSON.stringify(draws);
    // 30 batches of live steps, 15 epochs' ends.
    for (const chart of CHARTS) assert.ok((draws[chart].tail ?? 0) >= (chart === 'metric' ? 5 : 15), `live steps repainted the ${chart} chart's last columns only: ${seen}`);
    // Passing the padded end every 512 steps and the new lowest loss move the scales.
    assert.ok((draws.loss.spread ?? 0) > 0 && (draws.metric.spread ?? 0) > 0, `as the run grew past its scales, every line was repainted over frames: ${seen}`);
    for (const chart of CHARTS) grown[chart] = await pixels(live, chart);
  } finally {
    await live.close();
  }
  const whole = await browser.open({ theme: 'dark' });
  try {
    await showRun(whole, true, steps(1, end, dip));
    for (const chart of CHARTS) {
      const [a, b] = [grown[chart] as number[], await pixels(whole, chart)];
      const lit = b.filter((v, i) => i % 4 === 3 && v > 0).length;
      assert.ok(lit > 1000, `the ${chart} chart has something drawn (${lit} pixels)`);
      const { pixels: differing, levels } = difference(a, b);
      console.log(`# ${chart} chart: ${differing} of ${a.length / 4} pixels differ, by ${levels.toFixed(1)} levels of 255 at most`);
      // One-pixel lines (the raw loss) repaint exactly; a wider line's strokes started part-way
      // along can round a level differently where strokes overlap (seen: up to 1.2 levels, on a few pixels).
      assert.ok(levels <= 2, `the ${chart} chart grown live looks as drawn at once (${differing} pixels differ, by up to ${levels.toFixed(1)} levels)`);
      if (chart === 'loss') assert.equal(differing, 0, 'the loss chart grown live is the same pixels as drawn at once');
    }
  } finally {
    await whole.close();
  }
});

const CHARTS = ['loss', 'metric', 'lr'] as const;
