// The architecture view in Korean, in headless Chromium under its real HTML and CSP: what the page
// writes about the graph (the node tooltip, the colour legend, the comparison table) comes from the
// Korean catalogue, with the same figures as in English.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { readExample } from '../helpers/examples';
import { ArchitectureBrowser, buildArchitectureBundle, diffMessage, graphMessage } from './architectureHost';
import { browserMissing } from './browserHost';

const skip = browserMissing() ?? false;
let browser: ArchitectureBrowser;
let bundleDir: string;

before(async () => {
  if (skip) return;
  bundleDir = await buildArchitectureBundle();
  browser = await ArchitectureBrowser.launch(bundleDir, 'ko');
});

after(async () => {
  if (skip) return;
  await browser?.close();
  rmSync(bundleDir, { recursive: true, force: true });
});

test('the tooltip, the legend and the comparison table in Korean', { skip }, async () => {
  const page = await browser.open();
  await page.send(graphMessage(readExample('cifar/resnet20.resnet')));
  await page.page.locator('svg [data-id="conv1.conv1"]').hover();
  const tip = (await page.page.locator('#arch-tooltip').textContent()) ?? '';
  assert.match(tip, /파라미터: 432 \(resnet20의 0\.2%\)/);
  // The first convolution keeps only the input batch, which the step's memory counts apart.
  assert.match(tip, /학습용 activation, 배치 128 \(float32, autograd가 보관하는 것\): 0 B/);
  assert.doesNotMatch(tip, /Params|Activations|line \d/);
  const legend = (await page.page.locator('#arch-legend').textContent()) ?? '';
  assert.match(legend, /^레이어당 MACs: 0 .* \(모델의 [\d.]+%\); shortcut은 파란 점선$/);

  await page.send(diffMessage(readExample('imagenet/resnet34.resnet'), readExample('imagenet/resnet18.resnet'), 'resnet18.resnet'));
  await page.frame();
  const table = page.page.locator('#arch-table');
  assert.match((await table.locator('h2').textContent()) ?? '', /^바뀐 곳: 추가 \d+개, 삭제 \d+개, 변경 \d+개$/);
  assert.deepEqual((await table.locator('thead th').allTextContents()).slice(1), ['경로', '이전', '새 버전', 'Δ 파라미터', 'Δ MACs']);
  assert.deepEqual(page.problems, []);
  await page.close();
});
