// Where a browser benchmark's frames go: Chromium's own trace (over the DevTools protocol) summed
// per frame into the page's main-thread work (script, style, layout, paint, commit), raster, and
// the compositor drawing the layers on screen. With software rendering, the last one grows with
// the area of the layers drawn and does not show in any figure the page can measure itself.
import type { Page } from 'playwright-core';

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly dur?: number;
}

/** Trace events whose time is summed, by the part of a frame they stand for. */
const PARTS: readonly [string, readonly string[]][] = [
  ['main thread, one frame (BeginMainFrame)', ['ProxyMain::BeginMainFrame']],
  ['  of which script in requestAnimationFrame', ['FireAnimationFrame']],
  ['  of which style and layout', ['UpdateLayoutTree', 'Layout']],
  ['  of which paint and layerize', ['Paint', 'Layerize']],
  ['  of which commit to the compositor', ['ProxyMain::BeginMainFrame::commit']],
  ['raster (worker threads)', ['RasterTask']],
  ['compositor drawing the frame (DrawAndSwap)', ['Display::DrawAndSwap']],
];

/** Runs `during` under a trace and returns a few lines: each part's time per frame shown. */
export async function traceFrames(page: Page, frames: () => number, during: () => Promise<void>): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => {
    // The protocol types events loosely; these fields are what Chromium writes.
    for (const event of e.value as unknown as TraceEvent[]) events.push(event);
  });
  const complete = new Promise<void>((done) => cdp.once('Tracing.tracingComplete', () => done()));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,cc,viz', transferMode: 'ReportEvents' });
  await during();
  await cdp.send('Tracing.end');
  await complete;
  await cdp.detach();
  const n = Math.max(1, frames());
  return PARTS.map(([label, names]) => {
    let ms = 0;
    for (const e of events) if (e.ph === 'X' && e.dur !== undefined && names.includes(e.name)) ms += e.dur / 1000;
    return `${label}: ${(ms / n).toFixed(1)} ms per frame`;
  });
}
