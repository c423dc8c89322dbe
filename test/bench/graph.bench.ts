/**
 * Architecture view benchmark (prints figures; not a test).
 *
 *   node --import tsx test/bench/graph.bench.ts [--edits 15] [--seconds 3] [--trace]
 *
 * 1. Redraw after an edit, ResNet-152 (examples/torchvision/resnet152.resnet): the language server
 *    (real, over stdio) gets a change and publishes its diagnostics; from then, the time for the
 *    graph request's round trip, and the page's time from receiving the graph to the end of the
 *    frame that shows it (headless Chromium, as the page tests serve it). Goal: their sum under
 *    100 ms. Also counted: how many nodes before the edit kept their place.
 * 2. Frame times, ResNet-1202: the view folded to stages, then with conv3_x (200 blocks) unfolded,
 *    panned and zoomed a step every frame for --seconds while requestAnimationFrame deltas are
 *    recorded. Goal: 60 frames a second (deltas of one vsync slot, 16.7 ms). `--trace` adds
 *    Chromium's own trace of the unfolded cases: each frame's time on the main thread, in raster,
 *    and in the compositor drawing the layers (test/bench/chromeTrace.ts).
 */
import { parseArgs } from 'node:util';
import { readExample } from '../helpers/examples';
import { LspTestClient } from '../server/lspClient';
import { ArchitectureGraphRequest } from '../../src/protocol/languageServer';
import { ArchitectureBrowser, buildArchitectureBundle, graphMessage } from '../webview/architectureHost';
import { browserMissing } from '../webview/browserHost';
import { traceFrames } from './chromeTrace';

const { values } = parseArgs({ options: { edits: { type: 'string', default: '15' }, seconds: { type: 'string', default: '3' }, trace: { type: 'boolean', default: false } } });
const edits = Number(values.edits);
const seconds = Number(values.seconds);

const missing = browserMissing();
if (missing) {
  console.log(`graph bench skipped: ${missing}`);
  process.exit(0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs: number[]) => Math.max(...xs);
const f = (n: number) => n.toFixed(1);

function frameStats(deltas: number[]): string {
  const sorted = [...deltas].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const late = deltas.filter((d) => d > 17.5).length;
  return `${deltas.length} frames in ${f(deltas.reduce((a, b) => a + b, 0) / 1000)} s, median ${f(q(0.5))} ms, p95 ${f(q(0.95))} ms, max ${f(sorted.at(-1) ?? NaN)} ms, ${late} late (over 17.5 ms)`;
}

// Runs in the page. A string: tsx would wrap inner functions in a helper the page lacks.
const PAGE_HELPERS = `
window.nextFrame = () => new Promise((done) => requestAnimationFrame(() => done(performance.now())));
window.showAndTime = async (message) => {
  const t0 = performance.now();
  window.postMessage(message, '*');
  await window.nextFrame();
  const shown = (await window.nextFrame()) - t0;
  return { shown, redraw: window.resnetArchitecture.lastRedrawMs, check: window.resnetArchitecture.lastCheckMs };
};
window.quietFrames = (ms) => new Promise((done) => {
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
window.panAndZoom = (ms) => new Promise((done) => {
  const view = window.resnetArchitecture;
  const start = view.stats.view;
  const deltas = [];
  const work = [];
  let last = 0;
  let i = 0;
  const end = performance.now() + ms;
  const tick = (t) => {
    if (last) deltas.push(t - last);
    last = t;
    const w0 = performance.now();
    i++;
    // Down the graph and back, zooming in and out: a person dragging and wheeling.
    const phase = i % 240;
    const y = start.y - (phase < 120 ? phase : 240 - phase) * 40;
    const scale = window.benchZoom === false ? start.scale : start.scale * (1 + 0.5 * Math.sin(i / 30));
    view.setView({ x: start.x, y, scale });
    work.push(performance.now() - w0);
    if (t < end) requestAnimationFrame(tick); else done({ deltas, work, drawn: view.stats.drawn, nodes: view.stats.nodes });
  };
  requestAnimationFrame(tick);
});
`;

console.log(`graph bench: ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, Chromium headless (${process.env.DASHBOARD_CHROMIUM ?? '/usr/bin/chromium'})`);

// ---- 1. Redraw after an edit ----
const source = readExample('torchvision/resnet152.resnet');
const client = await LspTestClient.start({ initializationOptions: { diagnosticsDelayMs: 0 } });
const uri = 'file:///bench/resnet152.resnet';
await client.open(uri, source);
const bundleDir = await buildArchitectureBundle();
const browser = await ArchitectureBrowser.launch(bundleDir);
try {
  const page = await browser.open({ viewport: { width: 1200, height: 900 } });
  await page.page.evaluate(PAGE_HELPERS);
  const first = await client.connection.sendRequest(ArchitectureGraphRequest, { uri });
  if (first.kind !== 'graph') throw new Error(first.message);
  await page.send({ type: 'graph', uri, fileName: 'resnet152.resnet', graph: first.graph, models: [...first.models] });
  const requestMs: number[] = [];
  const pageMs: number[] = [];
  const redrawMs: number[] = [];
  const checkMs: number[] = [];
  let kept = 0;
  let before = 0;
  for (let i = 0; i < edits; i++) {
    // An edit in the last stage (its width), as a person tries variants: what comes before stays.
    const edited = source.replace(/conv5_x(\s+)bottleneck\(512\)/, `conv5_x$1bottleneck(${i % 2 === 0 ? 384 : 512})`);
    await client.change(uri, edited);
    const t0 = performance.now();
    const result = await client.connection.sendRequest(ArchitectureGraphRequest, { uri });
    requestMs.push(performance.now() - t0);
    if (result.kind !== 'graph') throw new Error(result.message);
    const positions = async () =>
      page.page.evaluate(() => {
        const out: Record<string, string> = {};
        for (const el of document.querySelectorAll('svg .nodes [data-id]')) out[el.getAttribute('data-id') as string] = el.getAttribute('transform') ?? '';
        return out;
      });
    const old = await positions();
    const timed = (await page.page.evaluate((m) => (window as unknown as { showAndTime(m: unknown): Promise<{ shown: number; redraw: number; check: number }> }).showAndTime(m), {
      type: 'graph',
      uri,
      fileName: 'resnet152.resnet',
      graph: result.graph,
      models: [...result.models],
    })) as { shown: number; redraw: number; check: number };
    pageMs.push(timed.shown);
    checkMs.push(timed.check);
    redrawMs.push(timed.redraw);
    const now = await positions();
    for (const [id, transform] of Object.entries(old)) {
      if (id.startsWith('conv5_x') || id.startsWith('head') || id === 'output') continue;
      before++;
      if (now[id] === transform) kept++;
    }
  }
  const sum = requestMs.map((r, i) => r + pageMs[i]);
  console.log(`\n1. ResNet-152 redraw after an edit (${edits} edits of conv5_x's width; server diagnostics delay 0):`);
  console.log(`   graph request round trip: median ${f(median(requestMs))} ms, max ${f(max(requestMs))} ms (${JSON.stringify(first.graph).length.toLocaleString('en-US')} bytes of JSON)`);
  console.log(
    `   page, message to frame shown: median ${f(median(pageMs))} ms, max ${f(max(pageMs))} ms (message check: median ${f(median(checkMs))} ms; layout and DOM: median ${f(median(redrawMs))} ms)`,
  );
  console.log(`   sum: median ${f(median(sum))} ms, max ${f(max(sum))} ms — goal under 100 ms`);
  console.log(`   drawn nodes before the edit that kept their place: ${kept} of ${before}`);
  await page.close();

  // ---- 2. Frame times, ResNet-1202 ----
  const big = await browser.open({ viewport: { width: 1200, height: 900 } });
  await big.page.evaluate(PAGE_HELPERS);
  const message = graphMessage(readExample('cifar/resnet1202.resnet'));
  const firstShow = (await big.page.evaluate((m) => (window as unknown as { showAndTime(m: unknown): Promise<{ shown: number; redraw: number }> }).showAndTime(m), message)) as {
    shown: number;
    redraw: number;
  };
  const quiet = (await big.page.evaluate(() => (window as unknown as { quietFrames(ms: number): Promise<number[]> }).quietFrames(1000))) as number[];
  type Pan = { deltas: number[]; work: number[]; drawn: number; nodes: number };
  const pan = async () => (await big.page.evaluate((ms) => (window as unknown as { panAndZoom(ms: number): Promise<Pan> }).panAndZoom(ms), seconds * 1000)) as Pan;
  const folded = await pan();
  const t0 = Date.now();
  await big.page.evaluate(() => (window as unknown as { resnetArchitecture: { toggleStage(s: string): void } }).resnetArchitecture.toggleStage('conv3_x'));
  await big.frame();
  const unfoldMs = Date.now() - t0;
  // With --trace, Chromium's own account of the frames (tracing costs a little time itself).
  const traced = async (run: () => Promise<Pan>): Promise<[Pan, string[]]> => {
    if (!values.trace) return [await run(), []];
    let result: Pan | undefined;
    const lines = await traceFrames(
      big.page,
      () => result?.deltas.length ?? 0,
      async () => {
        result = await run();
      },
    );
    return [result as Pan, lines];
  };
  const [unfolded, unfoldedTrace] = await traced(pan);
  await big.page.evaluate(() => ((window as unknown as { benchZoom: boolean }).benchZoom = false));
  const [panOnly, panOnlyTrace] = await traced(pan);
  console.log(`\n2. ResNet-1202 (3,600+ layers), 1200×900 viewport:`);
  console.log(`   opens folded: message to frame shown ${f(firstShow.shown)} ms; quiet page: ${frameStats(quiet)}`);
  console.log(
    `   folded to stages (${folded.nodes} nodes), pan + zoom every frame: ${frameStats(folded.deltas)}; our work per frame median ${f(median(folded.work))} ms, max ${f(max(folded.work))} ms`,
  );
  console.log(`   unfolding conv3_x (200 blocks): ${unfoldMs} ms to the next frame`);
  console.log(
    `   conv3_x unfolded (${unfolded.nodes} nodes, ${unfolded.drawn} in the DOM), pan + zoom every frame: ${frameStats(unfolded.deltas)}; our work per frame median ${f(median(unfolded.work))} ms, max ${f(max(unfolded.work))} ms`,
  );
  console.log(`   the same, pan only (no zoom): ${frameStats(panOnly.deltas)}; our work per frame median ${f(median(panOnly.work))} ms, max ${f(max(panOnly.work))} ms`);
  for (const [what, lines] of [
    ['pan + zoom', unfoldedTrace],
    ['pan only', panOnlyTrace],
  ] as const) {
    if (lines.length > 0) console.log(`   trace, conv3_x unfolded, ${what}:\n${lines.map((l) => `     ${l}`).join('\n')}`);
  }
  await big.close();
} finally {
  await browser.close();
  await client.stop();
}
