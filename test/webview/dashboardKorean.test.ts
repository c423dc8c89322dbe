// The dashboard page in Korean, in headless Chromium under its real HTML and CSP: the words come
// from the extension (data-l10n, from the catalogue for the display language), none is left as a
// key or in English, and the page still starts without a CSP violation or an error.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pageStrings } from '../../src/extension/webviewHtml';
import { toHistory, type RunSummary, type ToDashboard } from '../../src/protocol/webview';
import { browserMissing, buildDashboardBundle, DashboardBrowser, REPO_ROOT } from './browserHost';

const ARTIFACTS = join(REPO_ROOT, '.test-artifacts', 'webview');
import { scriptedRun } from './trainingStream';

const skip = browserMissing() ?? false;
let browser: DashboardBrowser;
let bundleDir: string;

before(async () => {
  if (skip) return;
  bundleDir = await buildDashboardBundle();
  browser = await DashboardBrowser.launch(bundleDir, 'ko');
});

after(async () => {
  if (skip) return;
  await browser?.close();
  rmSync(bundleDir, { recursive: true, force: true });
});

test('the dashboard shows its words in Korean', { skip }, async () => {
  const dashboard = await browser.open();
  const page = dashboard.page;
  assert.equal(await page.getAttribute('html', 'lang'), 'ko');
  assert.equal((await page.textContent('#run-title'))?.trim(), '선택한 run 없음');
  assert.equal((await page.textContent('#stop'))?.trim(), '중지');
  assert.equal((await page.textContent('.runs-head h2'))?.trim(), 'run 목록');
  assert.match((await page.textContent('#run-list')) ?? '', /아직 run이 없습니다/);
  const text = (await page.textContent('body')) ?? '';
  // No key was left unresolved, and the English labels are gone.
  assert.doesNotMatch(text, /webview\.dashboard\./);
  for (const english of Object.values(pageStrings('en', 'dashboard')).filter((s) => !['MACs'].includes(s))) assert.ok(!text.includes(english), `still English: ${english}`);
  assert.deepEqual(await dashboard.cspViolations(), []);
  assert.deepEqual(dashboard.problems, []);
  await page.close();
});

test('what the dashboard writes as a run goes is Korean too: status, data, best error, the run list', { skip }, async () => {
  const stream = scriptedRun({ stepsPerEpoch: 20, epochs: 3 });
  const started = stream.messages.find((m) => m.type === 'started');
  const dashboard = await browser.open({ savedState: { selected: [stream.runDir] } });
  const page = dashboard.page;
  const run: RunSummary = {
    runDir: stream.runDir,
    name: stream.runDir.split('/').pop() as string,
    model: started?.type === 'started' ? started.model : 'model',
    dataset: 'cifar10',
    status: 'finished',
    step: 60,
    resumable: true,
    testAccuracy: 0.9,
  };
  await dashboard.send({ type: 'runs', runsFolder: '/work/runs', runs: [run] } satisfies ToDashboard);
  await dashboard.send({ type: 'runHistory', runDir: stream.runDir, ...toHistory(stream.messages) } satisfies ToDashboard);
  await page.locator('#run-list .run-name').first().click();
  await page.locator('#run-status', { hasText: '완료' }).waitFor({ timeout: 10_000 });
  assert.equal((await page.textContent('#fact-data'))?.trim(), 'cifar10, 이미지 45,000장, 배치 128');
  assert.equal((await page.textContent('#fact-best-label'))?.trim(), '최저 검증 오류율');
  assert.match((await page.textContent('#fact-best')) ?? '', /^\d+\.\d+% \(에폭 \d+\)$/);
  assert.equal((await page.textContent('#fact-eta'))?.trim(), '완료');
  const detail = (await page.textContent('#run-list .detail')) ?? '';
  assert.match(detail, /60 step 진행 · 테스트 오류율 10\.00%/);
  assert.match((await page.getAttribute('#run-list vscode-checkbox', 'aria-label')) ?? '', /겹쳐 보기$/);
  assert.doesNotMatch(`${await page.textContent('header')}${detail}`, /images|steps|test error|Best|finished|epoch/);
  // The charts: titles, axes, series and the drop-downs' choices.
  assert.deepEqual(await page.locator('.chart-title').allTextContents(), ['학습 손실', '오류율 (1 − 정확도)', '학습률', '층 응답', '그래디언트 흐름']);
  // The layer charts in Korean, for a person to look at: .test-artifacts/webview/layer-charts-ko.png.
  await page.locator('#card-responses').scrollIntoViewIfNeeded();
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'layer-charts-ko.png') });
  const loss = await dashboard.chart('loss');
  assert.ok(
    loss?.labels.every((l) => / (손실|스무딩)$/.test(l)),
    `loss series: ${loss?.labels.join(', ')}`,
  );
  const metric = await dashboard.chart('metric');
  assert.deepEqual(
    metric?.labels.map((l) => l.replace(/^.* (학습|검증|최고 \(검증\))$/, '$1')),
    ['학습', '검증', '최고 (검증)'],
  );
  // uPlot draws its axis labels on the canvas: read what it was given.
  const axes = await page.evaluate(() => {
    const host = (globalThis as unknown as { resnetDashboard: { chart(n: string): { uplot?: { axes: { label?: string }[] } } } }).resnetDashboard;
    return host.chart('loss').uplot?.axes.map((a) => a.label ?? '') ?? [];
  });
  assert.deepEqual(axes, ['스텝', '학습 손실']);
  assert.deepEqual(await page.locator('#x-axis vscode-option').allTextContents(), ['스텝', '에폭']);
  assert.deepEqual(await page.locator('#y-scale vscode-option').allTextContents(), ['선형', '로그']);
  assert.deepEqual(await page.locator('#metric vscode-option').allTextContents(), ['오류율 (1 − 정확도)', '정확도']);
  assert.deepEqual(dashboard.problems, []);
  await page.close();
});
