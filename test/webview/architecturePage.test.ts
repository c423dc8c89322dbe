// The architecture view in headless Chromium, under its real HTML and CSP, fed the graphs the
// language server sends (built here by the same core functions from the example files).
// Screenshots go to .test-artifacts/webview/.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { after, before, test } from 'node:test';
import { graphItems } from '../../src/core/report/architectureGraph';
import { analyze } from '../../src/core/analysis/analyze';
import { modelLayers } from '../../src/core/analysis/network';
import { parseFromArchitecture } from '../../src/protocol/architecture';
import { readExample } from '../helpers/examples';
import { BROKEN_SHORTCUT_MODEL, RES2NET_MODEL } from '../helpers/models';
import { until } from '../helpers/until';
import { ArchitectureBrowser, buildArchitectureBundle, diffMessage, graphMessage } from './architectureHost';
import { browserMissing, REPO_ROOT, type DashboardPage } from './browserHost';
import { THEMES } from './themes';

const skip = browserMissing() ?? false;
const ARTIFACTS = join(REPO_ROOT, '.test-artifacts', 'webview');
let browser: ArchitectureBrowser;
let bundleDir: string;

before(async () => {
  if (skip) return;
  bundleDir = await buildArchitectureBundle();
  browser = await ArchitectureBrowser.launch(bundleDir);
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  if (skip) return;
  await browser?.close();
  rmSync(bundleDir, { recursive: true, force: true });
});

interface Stats {
  nodes: number;
  drawn: number;
  folded: string[];
  view: { x: number; y: number; scale: number };
}
const stats = (page: DashboardPage) => page.page.evaluate(() => (globalThis as unknown as { resnetArchitecture: { stats: Stats } }).resnetArchitecture.stats);
const selectedId = (page: DashboardPage) => page.page.evaluate(() => (globalThis as unknown as { resnetArchitecture: { selectedId?: string } }).resnetArchitecture.selectedId);
const node = (page: DashboardPage, id: string) => page.page.locator(`svg [data-id="${id}"]`);

test('the page loads under its CSP in every theme, says it is ready, and draws ResNet-50', { skip }, async () => {
  for (const theme of ['dark', 'light', 'high-contrast'] as const) {
    const page = await browser.open({ theme });
    assert.deepEqual(await page.posted(), [{ type: 'ready' }]);
    const message = graphMessage(readExample('imagenet/resnet50.resnet'));
    await page.send(message);
    const s = await stats(page);
    // Every layer, an addition per residual block, the input and the output.
    const items = message.graph.stages.flatMap((st) => [...graphItems(st.items)]);
    assert.equal(s.nodes, items.filter((i) => i.kind === 'layer').length + items.filter((i) => i.kind === 'block' && i.shortcut !== 'none').length + 2);
    assert.deepEqual(s.folded, []);
    assert.ok(s.drawn > 0 && s.drawn < 2 * s.nodes);
    await page.page.screenshot({ path: join(ARTIFACTS, `architecture-resnet50-${theme}.png`) });
    assert.equal(await node(page, 'conv2_x.0.shortcut.conv1').count(), 1, 'the projection of the first block of a stage');
    assert.match((await page.page.locator('#arch-totals').textContent()) ?? '', /25,557,032 params · 3,857,973,248 MACs/);
    await page.page.screenshot({ path: join(ARTIFACTS, `architecture-resnet50-${theme}.png`) });
    assert.deepEqual(await page.cspViolations(), []);
    assert.deepEqual(page.problems, []);
    await page.close();
  }
});

test('ResNet-1202 opens folded to its stages; a stage of 200 blocks unfolds and folds by click', { skip }, async () => {
  const page = await browser.open();
  const message = graphMessage(readExample('cifar/resnet1202.resnet'));
  await page.send(message);
  let s = await stats(page);
  assert.deepEqual(s.folded.sort(), message.graph.stages.map((st) => st.id).sort());
  assert.equal(s.nodes, message.graph.stages.length + 2, 'one node per stage, input and output');
  await page.page.screenshot({ path: join(ARTIFACTS, 'architecture-resnet1202-folded.png') });
  // Unfold conv3_x (200 basic blocks) with its toggle, as a person clicks it.
  await page.page.locator('svg [data-toggle="conv3_x"]').click();
  await page.frame();
  s = await stats(page);
  assert.ok(!s.folded.includes('conv3_x'));
  const blocks = message.graph.stages.find((st) => st.id === 'conv3_x')!.items.length;
  assert.equal(blocks, 200);
  assert.ok(s.nodes > 200 * 7, `${s.nodes} nodes laid out`);
  assert.ok(s.drawn < 400, `only what is near the viewport is in the DOM (${s.drawn})`);
  await page.page.locator('svg [data-toggle="conv3_x"]').click();
  await page.frame();
  assert.ok((await stats(page)).folded.includes('conv3_x'));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('two-way selection: the cursor selects the node, a click asks the editor to move the cursor', { skip }, async () => {
  const page = await browser.open();
  const source = readExample('cifar/resnet20.resnet');
  await page.send(graphMessage(source));
  // `conv1    conv 3x3, 16, bn, relu` is line 6: the cursor on `bn` (column 26) selects the BN layer.
  const lines = source.split('\n');
  const line = lines.findIndex((l) => l.includes('conv1    conv 3x3')) + 1;
  await page.send({ type: 'cursor', line, column: lines[line - 1].indexOf('bn') + 1 });
  assert.equal(await selectedId(page), 'conv1.bn1');
  assert.equal(await page.page.locator('svg .node.selected').getAttribute('data-id'), 'conv1.bn1');
  // On the stage label: the stage.
  await page.send({ type: 'cursor', line, column: 1 });
  assert.equal(await selectedId(page), 'conv1');
  // On `conv3_x  basic(32) x 3, stride 2`: the first block of the call.
  const conv3 = lines.findIndex((l) => l.includes('conv3_x')) + 1;
  await page.send({ type: 'cursor', line: conv3, column: 12 });
  assert.equal(await selectedId(page), 'conv3_x.0');

  await page.send({ type: 'cursor', line, column: 1 });
  await node(page, 'conv1.relu1').click();
  await page.frame();
  const posted = (await page.posted()).filter((m) => m.type === 'reveal');
  assert.deepEqual(posted.at(-1), { type: 'reveal', line, column: lines[line - 1].indexOf('relu') + 1 });
  assert.ok(parseFromArchitecture(posted.at(-1)), "what the page sends passes the extension's check");
  assert.equal(await selectedId(page), 'conv1.relu1');

  // Hover shows the figures the text hover shows.
  await node(page, 'conv1.conv1').hover();
  const tip = (await page.page.locator('#arch-tooltip').textContent()) ?? '';
  assert.match(tip, /conv 3×3, 16 · conv1\.conv1/);
  assert.match(tip, /32×32×3 → 32×32×16/);
  assert.match(tip, /Params: 432 \(0\.2% of resnet20\)/);
  // The first convolution keeps only the input batch, which the step's memory counts apart.
  assert.match(tip, /Activations for training, batch 128 \(float32, what autograd keeps\): 0 B/);
  await page.close();
});

test('keyboard: arrows move the selection, Enter goes to the text, Left folds the stage', { skip }, async () => {
  const page = await browser.open();
  await page.send(graphMessage(readExample('cifar/resnet20.resnet')));
  await page.page.locator('#arch-canvas').focus();
  await page.page.keyboard.press('ArrowDown');
  assert.equal(await selectedId(page), 'input');
  await page.page.keyboard.press('ArrowDown');
  assert.equal(await selectedId(page), 'conv1.conv1');
  await page.page.keyboard.press('ArrowDown');
  assert.equal(await selectedId(page), 'conv1.bn1');
  await page.page.keyboard.press('Enter');
  assert.equal((await page.posted()).filter((m) => m.type === 'reveal').length, 1);
  await page.page.keyboard.press('ArrowLeft');
  await page.frame();
  assert.deepEqual((await stats(page)).folded, ['conv1']);
  assert.equal(await selectedId(page), 'conv1', 'folding a stage selects it');
  await page.page.keyboard.press('ArrowRight');
  await page.frame();
  assert.deepEqual((await stats(page)).folded, []);
  assert.match((await page.page.locator('#arch-status').textContent()) ?? '', /stage conv1/);
  await page.close();
});

test('an error shows on its node: the addition that cannot add, in red, with the message', { skip }, async () => {
  const page = await browser.open({ theme: 'light' });
  await page.send(graphMessage(BROKEN_SHORTCUT_MODEL));
  await page.send({ type: 'cursor', line: 8, column: 12 });
  const add = node(page, 'conv3_x.0+');
  assert.equal(await add.count(), 1);
  assert.match((await add.textContent()) ?? '', /shortcut adds 56×56×64 to 28×28×128/);
  const fill = await add.locator('circle').getAttribute('fill');
  assert.equal(fill, THEMES.light.variables['--vscode-errorForeground'], "the theme's error colour");
  await add.locator('circle').hover({ force: true });
  assert.match((await page.page.locator('#arch-tooltip').textContent()) ?? '', /Error: shortcut adds 56×56×64 to 28×28×128/);
  await page.page.screenshot({ path: join(ARTIFACTS, 'architecture-error-light.png') });
  await page.close();
});

test("a split draws its groups, a cascade's additions and the concatenation (‖); a gated network draws too", { skip }, async () => {
  // Tall enough that the renderer, which draws what is in view, draws the whole of stage s1.
  const page = await browser.open({ theme: 'dark', viewport: { width: 1600, height: 3000 } });
  await page.send(graphMessage(RES2NET_MODEL));
  for (const id of ['s1.1.convs.0', 's1.1.convs.2', 's1.1.split1.cascade1', 's1.1.split1.cascade2', 's1.0.pool']) assert.equal(await node(page, id).count(), 1, id);
  const concat = node(page, 's1.1.split1‖');
  assert.equal(await concat.count(), 1);
  assert.equal((await concat.textContent())?.trim(), '‖');
  await page.page.screenshot({ path: join(ARTIFACTS, 'architecture-split-dark.png') });
  // SE-ResNet-50: its gates' joins (×) pass the page's message check and are drawn.
  await page.send(graphMessage(readExample('modern/se-resnet50.resnet')));
  assert.match((await page.page.locator('#arch-totals').textContent()) ?? '', /28,088,024 params/);
  assert.deepEqual(await page.cspViolations(), []);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the metric switch recolours nodes and the legend', { skip }, async () => {
  const page = await browser.open();
  await page.send(graphMessage(readExample('cifar/resnet20.resnet')));
  const fc = async () => node(page, 'conv1.conv1').locator('rect').getAttribute('fill');
  const byMacs = await fc();
  await page.page.selectOption('#arch-metric', 'params');
  await page.frame();
  assert.notEqual(await fc(), byMacs);
  assert.match((await page.page.locator('#arch-legend').textContent()) ?? '', /^Params per layer/);
  await page.page.selectOption('#arch-metric', 'activationBytes');
  await page.frame();
  assert.match((await page.page.locator('#arch-legend').textContent()) ?? '', /^Activation memory per layer: 0 .* MiB/);
  await page.close();
});

test('measured times (a profile --json document) colour the layers and stages; times for another model say how to get them', { skip }, async () => {
  const page = await browser.open();
  const source = readExample('cifar/resnet20.resnet');
  await page.send(graphMessage(source));
  const fill = async (id: string) => node(page, id).locator('rect').getAttribute('fill');
  // Same MACs, so the same colour by MACs; measured, one is ten times slower.
  assert.equal(await fill('conv2_x.0.conv1'), await fill('conv2_x.0.conv2'));
  const model = analyze(source).models[0];
  const layers = [...modelLayers(model)].map((l) => ({ path: l.path, forwardMs: l.path === 'conv2_x.0.conv2' ? 4 : 0.4, backwardMs: l.path === 'conv2_x.0.conv2' ? 6 : 0.6 }));
  await page.send({ type: 'timings', timings: { model: model.name, engine: 'tfjs', device: 'wasm, CPU', batch: 8, layers } });
  await page.frame();
  assert.equal(await page.page.locator('#arch-metric').inputValue(), 'time');
  assert.notEqual(await fill('conv2_x.0.conv1'), await fill('conv2_x.0.conv2'));
  assert.match((await page.page.locator('#arch-legend').textContent()) ?? '', /^TF\.js on wasm, CPU, batch 8, forward \+ backward\. Measured time per layer: 0 .*10\.000 ms/);
  await node(page, 'conv2_x.0.conv2').hover();
  assert.match((await page.page.locator('#arch-tooltip').textContent()) ?? '', /Measured on TF\.js, batch 8: 10\.000 ms forward \+ backward/);
  await page.send({ type: 'timings', timings: { model: 'resnet56', device: 'cpu', batch: 8, layers: [] } });
  await page.frame();
  assert.match((await page.page.locator('#arch-legend').textContent()) ?? '', /^No measured times for resnet20: run `resnet-studio profile FILE --model resnet20 --json > times\.json`/);
  await page.close();
});

test("a run's layer statistics (issue 24) colour the layers by response std or gradient norm; the tooltip gives both; another model's say how to get them", { skip }, async () => {
  const page = await browser.open();
  const source = readExample('cifar/resnet20.resnet');
  await page.send(graphMessage(source));
  const fill = async (id: string) => node(page, id).locator('rect').getAttribute('fill');
  assert.equal(await fill('conv2_x.0.conv1'), await fill('conv2_x.0.conv2'));
  const model = analyze(source).models[0];
  const layers = [...modelLayers(model)]
    .filter((l) => l.spec.op === 'conv' || l.spec.op === 'fc')
    .map((l) => ({ path: l.path, responseStd: l.path === 'conv2_x.0.conv2' ? 2 : 0.5, gradNorm: l.path === 'conv2_x.0.conv1' ? 0.3 : 0.01 }));
  await page.send({ type: 'layerStats', model: model.name, run: 'resnet20 · 12-06 14:00', step: 391, layers });
  await page.frame();
  assert.equal(await page.page.locator('#arch-metric').inputValue(), 'responseStd');
  // The larger response is drawn hotter; the BN after it has no statistic and keeps the plain fill.
  assert.notEqual(await fill('conv2_x.0.conv1'), await fill('conv2_x.0.conv2'));
  assert.match((await page.page.locator('#arch-legend').textContent()) ?? '', /^resnet20 · 12-06 14:00, step 391\. Response std \(Fig\. 7\) per layer: 0 .*2\.000 \(the largest\)/);
  await node(page, 'conv2_x.0.conv2').hover();
  assert.match((await page.page.locator('#arch-tooltip').textContent()) ?? '', /Step 391 of resnet20 · 12-06 14:00: response std 2\.000, gradient norm 0\.01000/);
  await page.page.selectOption('#arch-metric', 'gradNorm');
  await page.frame();
  assert.match((await page.page.locator('#arch-legend').textContent()) ?? '', /Gradient norm per layer: 0 .*0\.3000 \(the largest\)/);
  const byNorm = [await fill('conv2_x.0.conv1'), await fill('conv2_x.0.conv2')];
  assert.notEqual(byNorm[0], byNorm[1]);
  await page.send({ type: 'layerStats', model: 'resnet56', run: 'other', step: 1, layers: [] });
  await page.frame();
  assert.match((await page.page.locator('#arch-legend').textContent()) ?? '', /^No layer statistics for resnet20: train it/);
  await page.close();
});

test('a layer clicked in the dashboard (layerStats with select) is selected, its folded stage opened, and revealed in the editor', { skip }, async () => {
  const page = await browser.open();
  const source = readExample('cifar/resnet20.resnet');
  await page.send(graphMessage(source));
  await page.page.click('#arch-fold');
  await page.frame();
  assert.deepEqual((await stats(page)).folded, ['conv1', 'conv2_x', 'conv3_x', 'conv4_x', 'head']);
  const model = analyze(source).models[0];
  const layer = [...modelLayers(model)].find((l) => l.path === 'conv3_x.1.conv2');
  assert.ok(layer);
  await page.send({ type: 'layerStats', model: model.name, run: 'resnet20', step: 7, layers: [{ path: layer.path, responseStd: 1, gradNorm: 0.1 }], select: layer.path });
  await page.frame();
  assert.equal(await selectedId(page), 'conv3_x.1.conv2');
  assert.ok(!(await stats(page)).folded.includes('conv3_x'), 'its stage unfolded');
  const reveal = (await page.posted()).filter((m) => m.type === 'reveal').at(-1);
  assert.deepEqual(reveal, { type: 'reveal', line: layer.range.startLine, column: layer.range.startColumn });
  await page.close();
});

test('export: an SVG document of the whole graph and a PNG, both sent to the extension', { skip }, async () => {
  const page = await browser.open({ theme: 'light' });
  await page.send(graphMessage(readExample('imagenet/resnet18.resnet')));
  await page.page.click('#arch-export-svg');
  await page.page.click('#arch-export-png');
  await page.page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'exportPng'), undefined, { timeout: 20_000 });
  const posted = await page.posted();
  const svg = posted.find((m) => m.type === 'exportSvg') as { svg: string; fileName: string } | undefined;
  assert.ok(svg);
  assert.equal(svg.fileName, 'resnet18.svg');
  assert.ok(parseFromArchitecture(svg));
  // The whole graph, not only the part on screen: the last layer is in it.
  assert.match(svg.svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg.svg, /fc 1000/);
  assert.match(svg.svg, /resnet18 · 11,689,512 params/);
  const png = posted.find((m) => m.type === 'exportPng') as { dataUrl: string } | undefined;
  assert.ok(png && parseFromArchitecture(png));
  const bytes = Buffer.from(png.dataUrl.slice(png.dataUrl.indexOf(',') + 1), 'base64');
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  assert.ok(height > width && height > 2000, `${width}×${height}: the tall graph at twice the size`);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(ARTIFACTS, 'architecture-export-resnet18.png'), bytes);
  writeFileSync(join(ARTIFACTS, 'architecture-export-resnet18.svg'), svg.svg);
  assert.deepEqual(await page.cspViolations(), []);
  await page.close();
});

test('diff mode: added green, removed red, changed amber, and a table of the changes', { skip }, async () => {
  const page = await browser.open();
  await page.send(diffMessage(readExample('imagenet/resnet50.resnet'), readExample('torchvision/resnet50.resnet'), 'resnet50.resnet'));
  assert.match((await page.page.locator('#arch-totals').textContent()) ?? '', /Δ MACs \+231,211,008/);
  const rows = page.page.locator('#arch-table tbody tr');
  assert.equal(await rows.count(), 15);
  assert.deepEqual(await page.page.locator('#arch-table tbody tr[data-change="changed"]').count(), 15);
  // A row shows its node: the stage unfolds (it is already), the node is selected and revealed.
  await page.page.locator('#arch-table tr[data-path="conv4_x.0.conv2"]').click();
  await page.frame();
  assert.equal(await selectedId(page), 'conv4_x.0.conv2');
  const changed = node(page, 'conv4_x.0.conv2').locator('rect');
  assert.equal(await changed.getAttribute('stroke'), THEMES.dark.variables['--vscode-charts-yellow'], 'amber (charts-yellow)');
  await page.page.screenshot({ path: join(ARTIFACTS, 'architecture-diff-v1-v15.png') });

  await page.send(diffMessage(readExample('imagenet/resnet34.resnet'), readExample('imagenet/resnet18.resnet'), 'resnet18.resnet'));
  assert.equal(await page.page.locator('#arch-table tbody tr[data-change="removed"]').count(), 8);
  await page.page.locator('#arch-table tr[data-path="conv2_x.2"]').click();
  await page.frame();
  const removed = node(page, 'conv2_x.2.conv1').locator('rect');
  assert.equal(await removed.getAttribute('stroke'), THEMES.dark.variables['--vscode-charts-red'], 'red (charts-red)');
  const revealsOfRemoved = (await page.posted()).filter((m) => m.type === 'reveal').length;
  assert.equal(revealsOfRemoved, 1, 'a removed block has no text to go to: only the first click revealed');
  await page.page.screenshot({ path: join(ARTIFACTS, 'architecture-diff-34-18.png') });
  await page.page.click('#arch-live');
  assert.deepEqual((await page.posted()).at(-1), { type: 'followCursor' });
  await page.close();
});

test('restored after a reload: folded stages, metric and view come back; bad messages are dropped', { skip }, async () => {
  const first = await browser.open();
  const message = graphMessage(readExample('cifar/resnet56.resnet'));
  await first.send(message);
  await first.page.locator('svg [data-toggle="conv2_x"]').click();
  await first.page.selectOption('#arch-metric', 'params');
  await first.page.locator('#arch-canvas').focus();
  await first.page.keyboard.press('-');
  await first.frame();
  const before = await stats(first);
  // The page saves its state a moment after the view stops moving: wait for the save of this view.
  const saved = await until('the state saved with the zoomed view', async () => {
    const state = (await first.savedState()) as { view?: unknown } | null;
    return isDeepStrictEqual(state?.view, before.view) ? state : undefined;
  });
  await first.close();

  const second = await browser.open({ savedState: saved });
  await second.send(message);
  const after = await stats(second);
  assert.deepEqual(after.folded, ['conv2_x']);
  assert.deepEqual(after.view, before.view);
  assert.equal(await second.page.locator('#arch-metric').inputValue(), 'params');
  assert.deepEqual((saved as { uri?: string }).uri, message.uri);

  await second.send({ type: 'graph', graph: { model: 'x' } }, { type: 'cursor', line: -1, column: 1 });
  const logs = (await second.posted()).filter((m) => m.type === 'log');
  assert.equal(logs.length, 2);
  assert.match(String(logs[0].message), /dropped a malformed message/);
  assert.deepEqual(second.problems, []);
  await second.close();
});
