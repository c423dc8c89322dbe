// The dashboard page in Korean, in headless Chromium under its real HTML and CSP: the words come
// from the extension (data-l10n, from the catalogue for the display language), none is left as a
// key or in English, and the page still starts without a CSP violation or an error.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { pageStrings } from '../../src/extension/webviewHtml';
import { browserMissing, buildDashboardBundle, DashboardBrowser } from './browserHost';

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
