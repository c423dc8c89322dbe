// The architecture view draws only what is near the viewport (and, zoomed out, no labels), yet
// exports the whole graph: ResNet-1202 with a stage of 200 blocks unfolded, in headless Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readExample } from '../helpers/examples';
import { ArchitectureBrowser, buildArchitectureBundle, graphMessage } from './architectureHost';
import { browserMissing, type DashboardPage } from './browserHost';
import { rmSync } from 'node:fs';

const skip = browserMissing() ?? false;
let browser: ArchitectureBrowser;
let bundleDir: string;

before(async () => {
  if (skip) return;
  bundleDir = await buildArchitectureBundle();
  browser = await ArchitectureBrowser.launch(bundleDir);
});

after(async () => {
  if (skip) return;
  await browser?.close();
  rmSync(bundleDir, { recursive: true, force: true });
});

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface PageView {
  stats: { nodes: number; drawn: number; view: { x: number; y: number; scale: number } };
  boxOf(id: string): Box | undefined;
  toggleStage(id: string): void;
}
const stats = (page: DashboardPage) => page.page.evaluate(() => (globalThis as unknown as { resnetArchitecture: PageView }).resnetArchitecture.stats);
const boxOf = (page: DashboardPage, id: string) => page.page.evaluate((i) => (globalThis as unknown as { resnetArchitecture: PageView }).resnetArchitecture.boxOf(i), id);
const inDom = (page: DashboardPage, id: string) => page.page.locator(`#arch-svg [data-id="${id}"]`).count();

/** ResNet-1202, conv3_x (200 blocks) unfolded, at the top of the graph. */
async function unfolded1202(): Promise<DashboardPage> {
  const page = await browser.open({ viewport: { width: 1000, height: 700 } });
  await page.send(graphMessage(readExample('cifar/resnet1202.resnet')));
  await page.page.locator('svg [data-toggle="conv3_x"]').click();
  await page.frame();
  return page;
}

test('nodes scrolled into view appear, and those scrolled away leave the DOM', { skip }, async () => {
  const page = await unfolded1202();
  const far = 'conv3_x.150.conv1';
  assert.equal(await inDom(page, far), 0, 'a block 150 blocks down is not drawn at the top');
  assert.equal(await inDom(page, 'input'), 1);
  const box = await boxOf(page, far);
  assert.ok(box, `${far} is laid out`);
  // Scroll down with the wheel, as a person does, until the node is in the middle of the canvas.
  const canvas = page.page.locator('#arch-canvas');
  const rect = (await canvas.boundingBox())!;
  await page.page.mouse.move(rect.x + rect.width / 2, rect.y + rect.height / 2);
  const { view: v } = await stats(page);
  let remaining = v.y + box.y * v.scale - rect.height / 2;
  while (remaining > 0) {
    const step = Math.min(remaining, 2000);
    await page.page.mouse.wheel(0, step);
    remaining -= step;
  }
  await page.frame();
  await page.frame();
  assert.equal(await inDom(page, far), 1, `${far} is drawn once scrolled into view`);
  const shown = (await page.page.locator(`#arch-svg [data-id="${far}"] rect`).boundingBox())!;
  assert.ok(shown.y >= rect.y && shown.y + shown.height <= rect.y + rect.height, `on screen: ${JSON.stringify(shown)} in ${JSON.stringify(rect)}`);
  assert.match((await page.page.locator(`#arch-svg [data-id="${far}"]`).textContent()) ?? '', /conv/);
  assert.equal(await inDom(page, 'input'), 0, 'the input, far above, left the DOM');
  const s = await stats(page);
  assert.ok(s.drawn < 300, `only what is near the viewport is in the DOM (${s.drawn} of ${s.nodes} nodes and their edges)`);
  // A click on the node that came into view selects it.
  await page.page.locator(`#arch-svg [data-id="${far}"]`).click();
  await page.frame();
  assert.equal(await page.page.evaluate(() => (globalThis as unknown as { resnetArchitecture: { selectedId?: string } }).resnetArchitecture.selectedId), far);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('zoomed out below readable text, only boxes and lines are drawn; stage toggles (written over the graph) and errors stay', { skip }, async () => {
  const page = await unfolded1202();
  const label = page.page.locator('#arch-svg [data-id="conv3_x.0.conv1"] text').first();
  assert.notEqual(await label.evaluate((t) => getComputedStyle(t).display), 'none');
  await page.page.locator('#arch-canvas').focus();
  for (let i = 0; i < 5; i++) await page.page.keyboard.press('-');
  await page.frame();
  const s = await stats(page);
  assert.ok(s.view.scale < 0.5, `zoomed out to ${s.view.scale}`);
  assert.equal(await label.evaluate((t) => getComputedStyle(t).display), 'none', 'a layer label is hidden');
  // The stage's own title is as small as the rest: its toggle is written over the graph at a readable size instead.
  assert.equal(await page.page.locator('#arch-svg .viewport [data-toggle="conv3_x"]').evaluate((t) => getComputedStyle(t).display), 'none');
  const title = page.page.locator('#arch-svg .stage-titles [data-toggle="conv3_x"]');
  assert.notEqual(await title.evaluate((t) => getComputedStyle(t).display), 'none', 'the toggle of an unfolded stage is kept, over the graph');
  assert.ok(((await title.boundingBox())?.height ?? 0) >= 12, 'at a readable size');
  assert.ok(s.drawn < 1200, `zoomed out, the DOM still holds only the window around the view (${s.drawn})`);
  // Zooming back in brings the labels back once the zoom pauses; while it goes on, they are hidden.
  // What the page shows while the view moves is read the moment the view's classes change (in a
  // mutation observer, before the motion's end can be timed out), not after a wait that must land
  // inside the pause.
  type ViewState = { classes: string[]; label?: string; outline?: string };
  await page.page.evaluate(() => {
    const viewport = document.querySelector('#arch-svg .viewport') as SVGGElement;
    const seen: ViewState[] = [];
    (globalThis as unknown as { viewStates: ViewState[] }).viewStates = seen;
    new MutationObserver(() => {
      // Found again each time: culling may have redrawn them.
      const label = viewport.querySelector('.node-layer text');
      const outline = viewport.querySelector('.group-block > rect');
      seen.push({ classes: [...viewport.classList], label: label ? getComputedStyle(label).display : undefined, outline: outline ? getComputedStyle(outline).strokeDasharray : undefined });
    }).observe(viewport, { attributes: true, attributeFilter: ['class'] });
  });
  for (let i = 0; i < 5; i++) await page.page.keyboard.press('+');
  await page.page.waitForFunction(() => document.querySelector('#arch-svg .viewport.zooming') === null, undefined, { timeout: 5000 });
  const seen = await page.page.evaluate(() => (globalThis as unknown as { viewStates: ViewState[] }).viewStates);
  // Zoomed back in to readable text while the zoom went on: no labels, and solid outlines.
  const zoomingIn = seen.filter((s) => s.classes.includes('zooming') && !s.classes.includes('coarse'));
  assert.ok(
    zoomingIn.some((s) => s.label !== undefined && s.outline !== undefined),
    `the view was seen zooming at a readable scale, with a label and an outline drawn: ${JSON.stringify(seen)}`,
  );
  for (const s of zoomingIn) {
    if (s.label !== undefined) assert.equal(s.label, 'none', `no labels while the zoom goes on: ${JSON.stringify(s)}`);
    if (s.outline !== undefined) assert.equal(s.outline, 'none', `blocks' dashed outlines are drawn solid while the view moves: ${JSON.stringify(s)}`);
  }
  const display = () => label.evaluate((t) => getComputedStyle(t).display);
  const dashes = () =>
    page.page
      .locator('#arch-svg .group-block > rect')
      .first()
      .evaluate((r) => getComputedStyle(r).strokeDasharray);
  assert.ok((await stats(page)).view.scale >= 0.5);
  assert.notEqual(await display(), 'none', 'labels are back once the zoom pauses');
  assert.notEqual(await dashes(), 'none', 'and the outlines dashed again');
  await page.close();
});

test('the exported SVG holds the whole graph with every label, whatever part is drawn and at any zoom', { skip }, async () => {
  const page = await unfolded1202();
  await page.page.locator('#arch-canvas').focus();
  for (let i = 0; i < 6; i++) await page.page.keyboard.press('-');
  await page.frame();
  const s = await stats(page);
  assert.ok(s.drawn < s.nodes, `culled on screen: ${s.drawn} drawn of ${s.nodes} nodes`);
  await page.page.click('#arch-export-svg');
  const posted = await page.posted();
  const svg = (posted.find((m) => m.type === 'exportSvg') as { svg: string } | undefined)?.svg;
  assert.ok(svg);
  const exported = await page.page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const ids = [...doc.querySelectorAll('.node[data-id]')].map((n) => n.getAttribute('data-id'));
    const labelled = [...doc.querySelectorAll('.node-layer')].filter((n) => (n.querySelector('text')?.textContent ?? '') !== '').length;
    return { ids, labelled, layers: doc.querySelectorAll('.node-layer').length, edges: doc.querySelectorAll('.edge').length, coarse: doc.querySelectorAll('.coarse').length };
  }, svg);
  assert.equal(exported.ids.length, s.nodes, 'every node laid out is in the export');
  assert.ok(exported.ids.includes('conv3_x.199.conv2') && exported.ids.includes('input') && exported.ids.includes('output'));
  assert.equal(exported.labelled, exported.layers, 'every layer keeps its label in the export');
  assert.ok(exported.edges >= s.nodes - 1, `${exported.edges} edges`);
  assert.equal(exported.coarse, 0, 'the export is at full detail');
  await page.close();
});
