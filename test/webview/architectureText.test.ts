// The architecture view's text stays inside its boxes, in headless Chromium under the page's real
// HTML and CSP, in English and Korean: every label of ResNet-50 (folded, unfolded, in part), of a
// zero-padding shortcut and of an error, as the browser lays the text out; the diff view keeps the
// graph on screen when a stage unfolds; the exported SVG holds its whole title; the zoom stops where
// the whole graph fits; Fit shows the whole graph; zoomed out, the stage titles stay readable; the
// tooltip does not outlive a wheel scroll. Screenshots go to .test-artifacts/webview/.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Locale } from '../../src/core/l10n/locale';
import { readExample } from '../helpers/examples';
import { BROKEN_SHORTCUT_MODEL } from '../helpers/models';
import { ArchitectureBrowser, buildArchitectureBundle, diffMessage, graphMessage } from './architectureHost';
import { browserMissing, REPO_ROOT, type DashboardPage } from './browserHost';

const skip = browserMissing() ?? false;
const ARTIFACTS = join(REPO_ROOT, '.test-artifacts', 'webview');
const browsers = new Map<Locale, ArchitectureBrowser>();
let bundleDir: string;

before(async () => {
  if (skip) return;
  bundleDir = await buildArchitectureBundle();
  for (const locale of ['en', 'ko'] as const) browsers.set(locale, await ArchitectureBrowser.launch(bundleDir, locale));
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  if (skip) return;
  for (const b of browsers.values()) await b.close();
  rmSync(bundleDir, { recursive: true, force: true });
});

const open = (locale: Locale, viewport?: { width: number; height: number }) => browsers.get(locale)!.open(viewport ? { viewport } : {});

interface View {
  x: number;
  y: number;
  scale: number;
}
interface PageView {
  stats: { view: View; folded: string[] };
  setView(view: View): void;
  boxOf(id: string): { x: number; y: number; width: number; height: number } | undefined;
}
const pageView = (page: DashboardPage) => page.page.evaluate(() => (globalThis as unknown as { resnetArchitecture: PageView }).resnetArchitecture.stats);
const setView = async (page: DashboardPage, view: View) => {
  await page.page.evaluate((v) => (globalThis as unknown as { resnetArchitecture: PageView }).resnetArchitecture.setView(v), view);
  await settled(page);
};
const boxOf = (page: DashboardPage, id: string) => page.page.evaluate((i) => (globalThis as unknown as { resnetArchitecture: PageView }).resnetArchitecture.boxOf(i), id);

/** Drawn, and not in the middle of a zoom (labels are hidden while one goes on). */
async function settled(page: DashboardPage): Promise<void> {
  await page.frame();
  await page.page.waitForFunction(() => document.querySelector('#arch-svg .viewport.zooming') === null, undefined, { timeout: 5000 });
  await page.frame();
}

type Rect = { left: number; top: number; right: number; bottom: number };
const rectOf = (page: DashboardPage, selector: string): Promise<Rect> =>
  page.page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
  });

/**
 * Every label drawn under `root`, checked against the boxes as the browser lays them out: a node's
 * text inside its node, a box's title inside its box, no text across any box's border (inside or
 * outside it), none over a node that is not its own, none over another text. An error message
 * beside its addition belongs to the block around it. Plain JavaScript: the page runs it as is.
 */
const CHECK_TEXTS = `(root) => {
  const tol = 0.75;
  const box = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; };
  const inside = (a, b) => a.left >= b.left - tol && a.right <= b.right + tol && a.top >= b.top - tol && a.bottom <= b.bottom + tol;
  const apart = (a, b) => a.right <= b.left + tol || a.left >= b.right - tol || a.bottom <= b.top + tol || a.top >= b.bottom - tol;
  const scope = document.querySelector(root);
  const nodes = [...scope.querySelectorAll('.node')].map((el) => ({ el, box: box(el.querySelector('rect, circle')) }));
  const groups = [...scope.querySelectorAll('.group')].map((el) => ({ el, box: box(el.querySelector(':scope > rect')) }));
  const texts = [...scope.querySelectorAll('text')].filter((t) => t.textContent && getComputedStyle(t).display !== 'none').map((el) => ({ el, box: box(el) }));
  const problems = [];
  const name = (t) => JSON.stringify(t.el.textContent);
  for (const t of texts) {
    const node = t.el.closest('.node');
    const group = t.el.closest('.group');
    if (node && !t.el.classList.contains('error-text')) {
      const own = nodes.find((n) => n.el === node);
      if (!inside(t.box, own.box)) problems.push(name(t) + ' leaves its node ' + node.dataset.id);
    }
    if (group) {
      const own = groups.find((g) => g.el === group);
      if (!inside(t.box, own.box)) problems.push(name(t) + ' leaves its box ' + group.dataset.id);
    }
    for (const n of nodes) if (n.el !== node && !apart(t.box, n.box)) problems.push(name(t) + ' lies over node ' + n.el.dataset.id);
    for (const g of groups) if (!inside(t.box, g.box) && !apart(t.box, g.box)) problems.push(name(t) + ' crosses the border of ' + g.el.dataset.id);
  }
  for (let i = 0; i < texts.length; i++)
    for (let j = i + 1; j < texts.length; j++) if (!apart(texts[i].box, texts[j].box)) problems.push(name(texts[i]) + ' overlaps ' + name(texts[j]));
  return { problems, texts: texts.map((t) => t.el.textContent) };
}`;

async function checkTexts(page: DashboardPage, root: string): Promise<{ problems: string[]; texts: string[] }> {
  return page.page.evaluate(`(${CHECK_TEXTS})(${JSON.stringify(root)})`);
}

/** Walks the view down the whole graph at scale 1, checking the text at each screen; returns the texts seen. */
async function checkWholeGraph(page: DashboardPage, what: string): Promise<Set<string>> {
  const canvas = await rectOf(page, '#arch-canvas');
  const output = await boxOf(page, 'output');
  assert.ok(output);
  const seen = new Set<string>();
  for (let top = 0; top < output.y + output.height; top += canvas.bottom - canvas.top - 40) {
    await setView(page, { x: 20, y: -top, scale: 1 });
    const { problems, texts } = await checkTexts(page, '#arch-svg .viewport');
    assert.deepEqual(problems, [], `${what}, at y ${top}`);
    for (const t of texts) seen.add(t);
  }
  return seen;
}

for (const locale of ['en', 'ko'] as const) {
  test(`${locale}: every label of ResNet-50 lies inside its box, folded, unfolded and in part`, { skip }, async () => {
    const page = await open(locale);
    await page.send(graphMessage(readExample('imagenet/resnet50.resnet')));
    await page.page.click('#arch-fold');
    await settled(page);
    await page.page.screenshot({ path: join(ARTIFACTS, `architecture-text-folded-${locale}.png`) });
    const folded = [...(await checkWholeGraph(page, 'folded'))].join('\n');
    assert.match(folded, locale === 'ko' ? /블록 6개 · 28×28×512 → 14×14×1024/ : /6 blocks · 28×28×512 → 14×14×1024/);
    assert.match(folded, locale === 'ko' ? /레이어 4개 · / : /4 layers · /);
    await page.page.click('#arch-unfold');
    const unfolded = await checkWholeGraph(page, 'unfolded');
    assert.ok(unfolded.has('identity · 56×56×256') && unfolded.has('fc 1000'), `${unfolded.size} different texts checked`);
    await page.page.click('#arch-fold');
    await setView(page, { x: 20, y: 12, scale: 1 });
    // One stage open among folded ones: its shortcut labels (identity, projection) stay in its box.
    await page.page.locator('svg [data-toggle="conv4_x"]').click();
    await settled(page);
    await page.page.screenshot({ path: join(ARTIFACTS, `architecture-text-conv4-${locale}.png`) });
    await checkWholeGraph(page, 'conv4_x unfolded');
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}

test('a zero-padding shortcut (option A), a gate inside a block and an addition that cannot add keep their labels in their boxes', { skip }, async () => {
  const page = await open('en');
  await page.send(graphMessage(readExample('cifar/resnet20.resnet')));
  assert.match([...(await checkWholeGraph(page, 'resnet20'))].join('\n'), /zero-pad A \(\/2, \+16 ch\) · 32×32×16/);
  await page.send(graphMessage(readExample('modern/se-resnet50.resnet')));
  await page.page.click('#arch-fold');
  await setView(page, { x: 20, y: 12, scale: 1 });
  await page.page.locator('svg [data-toggle="conv2_x"]').click();
  assert.match([...(await checkWholeGraph(page, 'se-resnet50, conv2_x'))].join('\n'), /gate: input × factor · 56×56×256/);
  await page.send(graphMessage(BROKEN_SHORTCUT_MODEL));
  await checkWholeGraph(page, 'broken');
  await setView(page, { x: 20, y: -((await boxOf(page, 'conv3_x'))?.y ?? 0), scale: 1 });
  assert.match((await page.page.locator('#arch-svg .error-text').textContent()) ?? '', /shortcut adds 56×56×64 to 28×28×128/);
  await page.page.screenshot({ path: join(ARTIFACTS, 'architecture-text-error.png') });
  await page.close();
});

test('unfolding a stage in the diff view keeps the whole width of the graph on screen', { skip }, async () => {
  const page = await open('en', { width: 600, height: 800 });
  await page.send(diffMessage(readExample('imagenet/resnet34.resnet'), readExample('imagenet/resnet50.resnet'), 'resnet50.resnet'));
  const within = async (what: string) => {
    const canvas = await rectOf(page, '#arch-canvas');
    const graph = await rectOf(page, '#arch-svg .viewport');
    assert.ok(graph.left >= canvas.left && graph.right <= canvas.right, `${what}: the graph ${JSON.stringify(graph)} within the canvas ${JSON.stringify(canvas)}`);
    const stage = await rectOf(page, '#arch-svg .group[data-id="conv3_x"] > rect');
    assert.ok(stage.top < canvas.bottom && stage.bottom > canvas.top, `${what}: the stage unfolded is on screen`);
  };
  await page.page.click('#arch-fold');
  await page.page.click('#arch-fit');
  await settled(page);
  await page.page.locator('svg [data-toggle="conv3_x"]').click();
  await settled(page);
  await within('after Fit');
  await page.page.screenshot({ path: join(ARTIFACTS, 'architecture-text-diff-unfolded.png') });
  // Folded again, at full size in the middle of the canvas, as after a Fit of a narrower graph: unfolding widens it.
  await page.page.locator('svg [data-toggle="conv3_x"]').click();
  await settled(page);
  const canvas = await rectOf(page, '#arch-canvas');
  await setView(page, { x: (canvas.right - canvas.left - 230) / 2, y: 12, scale: 1 });
  await page.page.locator('svg [data-toggle="conv3_x"]').click();
  await settled(page);
  await within('at full size');
  assert.deepEqual(page.problems, []);
  await page.close();
});

for (const locale of ['en', 'ko'] as const) {
  test(`${locale}: the exported SVG and PNG hold the whole title, and the SVG's viewBox every text`, { skip }, async () => {
    const page = await open(locale);
    await page.send(graphMessage(readExample('imagenet/resnet50.resnet')));
    // Folded, the graph is narrower than its title.
    await page.page.click('#arch-fold');
    await page.page.click('#arch-export-svg');
    await page.page.click('#arch-export-png');
    await page.page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'exportPng'), undefined, { timeout: 20_000 });
    const posted = await page.posted();
    const svg = (posted.find((m) => m.type === 'exportSvg') as { svg: string } | undefined)?.svg;
    assert.ok(svg);
    // Drawn in the page at its own size (one unit a pixel), alone, where the browser lays its text out.
    const shown = await page.page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const holder = document.createElement('div');
      holder.id = 'exported';
      holder.style.cssText = 'position: fixed; left: 0; top: 0; z-index: 10; background: white';
      holder.append(document.importNode(doc.documentElement, true));
      document.body.append(holder);
      const root = holder.querySelector('svg')!;
      const frame = root.getBoundingClientRect();
      const [, , w = 0, h = 0] = (root.getAttribute('viewBox') ?? '').split(' ').map(Number);
      const outside = [...root.querySelectorAll('text')]
        .filter((t) => {
          const r = t.getBoundingClientRect();
          return r.left < frame.left - 0.5 || r.top < frame.top - 0.5 || r.right > frame.left + w + 0.5 || r.bottom > frame.top + h + 0.5;
        })
        .map((t) => t.textContent);
      return { heading: root.querySelector(':scope > text')?.textContent ?? '', outside, width: w, texts: root.querySelectorAll('text').length };
    }, svg);
    const words = locale === 'ko' ? /^resnet50 · 파라미터 25,557,032 · MACs 3,857,973,248$/ : /^resnet50 · 25,557,032 params · 3,857,973,248 MACs$/;
    assert.match(shown.heading, words);
    assert.deepEqual(shown.outside, [], `every text within the viewBox (${shown.texts} texts)`);
    const { problems } = await checkTexts(page, '#exported > svg > g');
    assert.deepEqual(problems, [], 'and inside its box in the export too');
    await page.page.screenshot({ path: join(ARTIFACTS, `architecture-text-export-${locale}.png`) });
    const png = posted.find((m) => m.type === 'exportPng') as { dataUrl: string } | undefined;
    assert.ok(png);
    const bytes = Buffer.from(png.dataUrl.slice(png.dataUrl.indexOf(',') + 1), 'base64');
    assert.equal(bytes.readUInt32BE(16), Math.floor(shown.width * 2), 'the PNG is the SVG at twice the size, title included');
    await page.close();
  });
}

/** The graph's size in layout units, from what is drawn when all of it is on screen. */
const graphSize = (page: DashboardPage) =>
  page.page.evaluate(() => {
    const b = (document.querySelector('#arch-svg .viewport') as SVGGElement).getBBox();
    return { width: b.width, height: b.height };
  });

async function ctrlWheel(page: DashboardPage, notches: number, deltaY: number): Promise<void> {
  const canvas = await rectOf(page, '#arch-canvas');
  await page.page.mouse.move((canvas.left + canvas.right) / 2, (canvas.top + canvas.bottom) / 2);
  await page.page.keyboard.down('Control');
  for (let i = 0; i < notches; i++) await page.page.mouse.wheel(0, deltaY);
  await page.page.keyboard.up('Control');
  await settled(page);
}

test('Fit shows the whole graph, its width and its height', { skip }, async () => {
  const page = await open('en');
  await page.send(graphMessage(readExample('imagenet/resnet50.resnet')));
  await page.page.click('#arch-fit');
  await settled(page);
  const canvas = await rectOf(page, '#arch-canvas');
  const graph = await rectOf(page, '#arch-svg .viewport');
  assert.ok(
    graph.left >= canvas.left && graph.right <= canvas.right && graph.top >= canvas.top && graph.bottom <= canvas.bottom,
    `the graph ${JSON.stringify(graph)} within the canvas ${JSON.stringify(canvas)}`,
  );
  assert.ok(graph.bottom - graph.top > 0.9 * (canvas.bottom - canvas.top), 'and as large as the canvas lets it be');
  await page.close();
});

test('five Ctrl+wheel notches out stop where the whole graph fits; zooming in stops at a readable size', { skip }, async () => {
  const page = await open('en');
  await page.send(graphMessage(readExample('imagenet/resnet50.resnet')));
  const canvas = await rectOf(page, '#arch-canvas');
  const fits = (size: { width: number; height: number }) => Math.min(1, (canvas.right - canvas.left - 24) / size.width, (canvas.bottom - canvas.top - 24) / size.height);
  // Folded, the whole graph fits at full size: there is nothing to zoom out to.
  await page.page.click('#arch-fold');
  await settled(page);
  const folded = fits(await graphSize(page));
  await ctrlWheel(page, 5, 100);
  let { scale } = (await pageView(page)).view;
  assert.ok(scale >= 0.98 * folded, `scale ${scale}, the whole graph fits at ${folded}`);
  // Unfolded, at Fit: five notches more leave it there.
  await page.page.click('#arch-unfold');
  await page.page.click('#arch-fit');
  await settled(page);
  const unfolded = fits(await graphSize(page));
  await ctrlWheel(page, 5, 100);
  scale = (await pageView(page)).view.scale;
  assert.ok(scale >= 0.98 * unfolded, `scale ${scale}, the whole graph fits at ${unfolded}`);
  await page.page.screenshot({ path: join(ARTIFACTS, 'architecture-text-zoomed-out.png') });
  await ctrlWheel(page, 40, -100);
  scale = (await pageView(page)).view.scale;
  assert.ok(scale <= 4 && scale >= 2, `zoomed in to ${scale}`);
  await page.close();
});

for (const locale of ['en', 'ko'] as const) {
  test(`${locale}: zoomed out to the whole graph, every stage's title stays readable`, { skip }, async () => {
    const page = await open(locale);
    const message = graphMessage(readExample('imagenet/resnet50.resnet'));
    await page.send(message);
    // The whole graph's height on the canvas (what Fit does, set here apart from Fit's own test).
    const canvas = await rectOf(page, '#arch-canvas');
    const output = (await boxOf(page, 'output'))!;
    const scale = (canvas.bottom - canvas.top - 24) / (output.y + output.height + 14);
    assert.ok(scale < 0.5, 'zoomed out below readable layer labels');
    await setView(page, { x: (canvas.right - canvas.left) / 2, y: 12, scale });
    const titles = await page.page.evaluate(() =>
      [...document.querySelectorAll('#arch-svg text')]
        .filter((t) => getComputedStyle(t).display !== 'none')
        .map((t) => {
          const r = t.getBoundingClientRect();
          return { text: t.textContent ?? '', left: r.left, top: r.top, right: r.right, bottom: r.bottom };
        }),
    );
    for (const stage of message.graph.stages) {
      const title = titles.find((t) => t.text.includes(stage.name));
      assert.ok(title, `a title for ${stage.name}`);
      assert.ok(title.bottom - title.top >= 12, `${stage.name}'s title is ${title.bottom - title.top} px high`);
      assert.ok(title.left >= canvas.left && title.right <= canvas.right && title.top >= canvas.top && title.bottom <= canvas.bottom, `${stage.name}'s title is on screen`);
    }
    await page.page.screenshot({ path: join(ARTIFACTS, `architecture-text-fit-${locale}.png`) });
    // A click on a stage's title folds it, as at full size.
    await page.page.locator('#arch-svg .stage-titles [data-toggle="conv3_x"]').click();
    await settled(page);
    assert.deepEqual((await pageView(page)).folded, ['conv3_x']);
    await page.close();
  });
}

test('a wheel scroll or zoom hides the tooltip of the node that was under the pointer', { skip }, async () => {
  const page = await open('en');
  await page.send(graphMessage(readExample('imagenet/resnet50.resnet')));
  const tip = page.page.locator('#arch-tooltip');
  for (const zoom of [false, true]) {
    await page.page.locator('svg [data-id="conv2_x.0.conv1"]').hover();
    assert.equal(await tip.isVisible(), true, 'the tooltip shows on hover');
    assert.match((await tip.textContent()) ?? '', /conv2_x\.0\.conv1/);
    if (zoom) await page.page.keyboard.down('Control');
    await page.page.mouse.wheel(0, 300);
    if (zoom) await page.page.keyboard.up('Control');
    await settled(page);
    assert.equal(await tip.isVisible(), false, `hidden after a wheel ${zoom ? 'zoom' : 'scroll'}: ${await tip.textContent()}`);
    await page.page.click('#arch-fit');
    await setView(page, { x: 20, y: 12, scale: 1 });
  }
  await page.close();
});
