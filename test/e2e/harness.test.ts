/**
 * Proves the end-to-end harness with the throwaway probe extension (test/e2e/probe/): packages it,
 * installs it into a temp extensions dir, starts code-server on a temp folder with an a.resnet
 * file, and checks in Chromium what the probe contributes: language mode, diagnostic (Problems
 * panel), hover, code lens, inlay hints and a command; then Restricted Mode and trusting.
 *
 * Run: node --import tsx --test test/e2e/harness.test.ts
 * Skips (with the reason) when `bash .ci/setup-e2e.sh` has not been run on this machine.
 * Screenshots: .test-artifacts/e2e/.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { skipUnless } from '../helpers/needs';
import {
  REPO_ROOT,
  closeWorkbench,
  e2eAvailable,
  hoverAt,
  installVsix,
  makeTempDir,
  notifications,
  openFileFromExplorer,
  openProblemsPanel,
  openWorkbench,
  packageExtension,
  pollUntil,
  readCodeLenses,
  readInlayHints,
  removeTempDir,
  runCommand,
  screenshot,
  startCodeServer,
  statusBarItems,
  trustWorkspace,
  waitForStatusBarItem,
  withFailureReport,
  type CodeServerHandle,
} from './harness';

const PROBE_DIR = path.join(REPO_ROOT, 'test', 'e2e', 'probe');
const SAMPLE = ['network demo', '  conv 3x3 16', '  block basic 16', '  head fc 10', ''].join('\n');

const availability = e2eAvailable();
const skip = availability.ok ? false : skipUnless(availability.reason);

describe('e2e harness (code-server + Chromium, probe extension)', { skip, timeout: 300_000 }, () => {
  let work = '';
  let extensionsDir = '';
  let folder = '';
  let cs: CodeServerHandle | undefined;
  let page: Page | undefined;
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)}s`;

  before(async () => {
    work = makeTempDir('harness-test');
    const vsix = packageExtension(PROBE_DIR, path.join(work, 'probe.vsix'));
    extensionsDir = path.join(work, 'extensions');
    installVsix(vsix, extensionsDir);
    assert.ok(
      fs.readdirSync(extensionsDir).some((d) => d.startsWith('resnet-studio-test.resnet-e2e-probe-')),
      'probe installed into the extensions dir',
    );
    folder = path.join(work, 'ws');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'a.resnet'), SAMPLE);
    cs = await startCodeServer({ folder, extensionsDir });
    page = await openWorkbench(cs.url);
  });

  after(async () => {
    if (page !== undefined) await closeWorkbench(page).catch(() => undefined);
    if (cs !== undefined) await cs.stop();
    if (work !== '') await removeTempDir(work);
  });

  const ctx = (): { page: Page; cs: CodeServerHandle } => {
    assert.ok(page !== undefined && cs !== undefined, 'workbench started');
    return { page, cs };
  };

  it('opens a.resnet from the Explorer in the resnet language', async (t) => {
    const { page, cs } = ctx();
    await withFailureReport(t, page, cs, 'open-file', async () => {
      assert.match(await page.title(), /code-server/);
      await openFileFromExplorer(page, 'a.resnet');
      // "Plain Text" at first, "ResNet" once the extension host has registered the probe's language.
      const items = await waitForStatusBarItem(page, 'ResNet');
      assert.ok(items.includes('ResNet'));
      // The probe activated on its language (the trap: it did not without this activation event).
      await pollUntil(
        "the probe's activation in the extension host log",
        async () => cs.extensionHostLog(),
        (log) => /_doActivateExtension resnet-studio-test\.resnet-e2e-probe.*onLanguage:resnet/.test(log),
        10_000,
      );
      t.diagnostic(`file open at ${elapsed()}`);
    });
  });

  it("shows the probe's diagnostic in the Problems panel", async (t) => {
    const { page, cs } = ctx();
    await withFailureReport(t, page, cs, 'problems', async () => {
      const markers = await openProblemsPanel(page, { waitFor: 'PROBE-DIAG' });
      const marker = markers.find((m) => m.message.includes('PROBE-DIAG'));
      assert.ok(marker !== undefined);
      assert.deepEqual(
        { severity: marker.severity, message: marker.message, source: marker.source, line: marker.line, column: marker.column, file: marker.file },
        { severity: 'warning', message: 'PROBE-DIAG: shortcut shape mismatch', source: 'resnet-probe', line: 2, column: 1, file: 'a.resnet' },
      );
      await screenshot(page, 'harness-problems');
    });
  });

  it("shows the probe's hover (keyboard and mouse)", async (t) => {
    const { page, cs } = ctx();
    await withFailureReport(t, page, cs, 'hover', async () => {
      const byKeyboard = await hoverAt(page, 3, 'block', { waitFor: 'PROBE-HOVER' });
      assert.match(byKeyboard, /PROBE-HOVER: block at 3:3/);
      const byMouse = await hoverAt(page, 2, 5, { via: 'mouse', waitFor: 'PROBE-HOVER' });
      assert.match(byMouse, /PROBE-HOVER: conv at 2:5/);
      assert.match(byMouse, /PROBE-DIAG/, 'the mouse hover over the squiggle shows the diagnostic too');
      const shot = await screenshot(page, 'harness-hover');
      t.diagnostic(`screenshot: ${shot}`);
      await page.keyboard.press('Escape');
    });
  });

  it('reads code lenses and inlay hints from the DOM', async (t) => {
    const { page, cs } = ctx();
    await withFailureReport(t, page, cs, 'lens-hints', async () => {
      const lenses = await readCodeLenses(page, { waitFor: 'PROBE-LENS' });
      assert.deepEqual(lenses, [{ line: 1, text: 'PROBE-LENS: 5 lines', items: ['PROBE-LENS: 5 lines'] }]);
      const hints = await readInlayHints(page, { waitFor: 'PROBE-HINT:4' });
      assert.deepEqual(
        hints,
        [1, 2, 3, 4].map((line) => ({ line, text: `PROBE-HINT:${line}`, kind: 'type' })),
      );
    });
  });

  it('runs a command from the command palette (F1)', async (t) => {
    const { page, cs } = ctx();
    await withFailureReport(t, page, cs, 'command', async () => {
      await runCommand(page, 'ResNet Probe: Say Hello');
      const shown = await notifications(page, { waitFor: 'PROBE-COMMAND' });
      assert.ok(
        shown.some((n) => n.includes('PROBE-COMMAND: hello from the probe')),
        JSON.stringify(shown),
      );
      await screenshot(page, 'harness-command');
      t.diagnostic(`all checks done at ${elapsed()}`);
    });
  });

  it('starts in Restricted Mode without trust, and trustWorkspace() enables the extension', async (t) => {
    const restricted = await startCodeServer({ folder, extensionsDir, trust: false });
    let restrictedPage: Page | undefined;
    try {
      restrictedPage = await openWorkbench(restricted.url);
      const p = restrictedPage;
      await withFailureReport(t, p, restricted, 'trust', async () => {
        await waitForStatusBarItem(p, 'Restricted Mode');
        await trustWorkspace(p);
        assert.ok(!(await statusBarItems(p)).includes('Restricted Mode'));
        await openFileFromExplorer(p, 'a.resnet');
        await readCodeLenses(p, { waitFor: 'PROBE-LENS' });
      });
    } finally {
      if (restrictedPage !== undefined) await closeWorkbench(restrictedPage);
      await restricted.stop();
    }
  });
});
