// A test host for the architecture view: bundles webview/architecture with esbuild, serves it in
// headless Debian Chromium under the page's real HTML and CSP with the same fake VS Code API as the
// dashboard's host (browserHost.ts), and builds the graphs the language server would send, from
// the real analysis of the example files. Used by the page tests and the benchmark.
import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { analyze } from '../../src/core/analysis/analyze';
import { diffModels } from '../../src/core/diff/architectureDiff';
import { compareGraphs } from '../../src/core/diff/graphDiff';
import { architectureGraph } from '../../src/core/report/architectureGraph';
import type { Locale } from '../../src/core/l10n/locale';
import { architectureHtml } from '../../src/extension/architectureHtml';
import type { ToArchitecture } from '../../src/protocol/architecture';
import { CHROMIUM_PATH, DashboardPage, fakeVsCode, REPO_ROOT } from './browserHost';
import { THEMES, type ThemeName } from './themes';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const ORIGIN = 'https://architecture.test';

export async function buildArchitectureBundle(): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'resnet-architecture-'));
  await esbuild.build({
    absWorkingDir: REPO_ROOT,
    entryPoints: { architecture: 'webview/architecture/main.ts' },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    logLevel: 'silent',
  });
  return outdir;
}

export class ArchitectureBrowser {
  private constructor(
    private readonly context: BrowserContext,
    private readonly profileDir: string,
  ) {}

  /** `locale`: the language the extension writes the page's words in (resnet.language or the display language). */
  static async launch(bundleDir: string, locale: Locale = 'en'): Promise<ArchitectureBrowser> {
    const profileDir = mkdtempSync(join(tmpdir(), 'resnet-architecture-profile-'));
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1000, height: 800 },
      acceptDownloads: false,
    });
    const files: Record<string, { body: Buffer; type: string }> = {
      '/architecture.js': { body: readFileSync(join(bundleDir, 'architecture.js')), type: 'text/javascript' },
      '/architecture.css': { body: readFileSync(join(bundleDir, 'architecture.css')), type: 'text/css' },
    };
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin === ORIGIN && url.pathname === '/index.html') {
        const nonce = Math.random().toString(36).slice(2);
        return route.fulfill({
          status: 200,
          contentType: 'text/html',
          body: architectureHtml({ cspSource: ORIGIN, scriptUri: `${ORIGIN}/architecture.js`, styleUri: `${ORIGIN}/architecture.css`, nonce }, locale),
        });
      }
      const file = url.origin === ORIGIN ? files[url.pathname] : undefined;
      if (file) return route.fulfill({ status: 200, contentType: file.type, body: file.body });
      return route.abort('blockedbyclient');
    });
    return new ArchitectureBrowser(context, profileDir);
  }

  async open(options: { theme?: ThemeName; savedState?: unknown; viewport?: { width: number; height: number } } = {}): Promise<DashboardPage> {
    const page = await this.context.newPage();
    if (options.viewport) await page.setViewportSize(options.viewport);
    const theme = THEMES[options.theme ?? 'dark'];
    await page.addInitScript(fakeVsCode({ variables: theme.variables, bodyClass: theme.bodyClass, saved: options.savedState ?? null }));
    const wrapper = new DashboardPage(page);
    await page.goto(`${ORIGIN}/index.html`);
    try {
      await page.waitForFunction(() => (globalThis as { resnetArchitecture?: unknown }).resnetArchitecture !== undefined, undefined, { timeout: 10_000 });
    } catch (error) {
      throw new Error(`the architecture view did not start: ${wrapper.problems.join('; ') || (error as Error).message}`);
    }
    await wrapper.frame();
    return wrapper;
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profileDir, { recursive: true, force: true });
  }
}

/** The `graph` message the extension would send for a model of a source text. */
export function graphMessage(source: string, options: { model?: string; fileName?: string; batchSize?: number } = {}): Extract<ToArchitecture, { type: 'graph' }> {
  const analysis = analyze(source);
  const model = options.model === undefined ? analysis.models[0] : analysis.models.find((m) => m.name === options.model);
  if (!model) throw new Error(`no model ${options.model ?? ''}`);
  const fileName = options.fileName ?? `${model.name}.resnet`;
  return { type: 'graph', uri: `file:///work/${fileName}`, fileName, graph: architectureGraph(model, analysis.diagnostics, options.batchSize ?? 128), models: analysis.models.map((m) => m.name) };
}

/** The `diff` message for an old and a new source (their first models). */
export function diffMessage(oldSource: string, newSource: string, fileName = 'model.resnet'): Extract<ToArchitecture, { type: 'diff' }> {
  const a = analyze(oldSource);
  const b = analyze(newSource);
  const diff = diffModels(a.models[0], b.models[0], 128);
  const graph = compareGraphs(architectureGraph(a.models[0], a.diagnostics, 128), architectureGraph(b.models[0], b.diagnostics, 128), diff);
  return { type: 'diff', uri: `file:///work/${fileName}`, fileName, graph, diff, oldLabel: `${a.models[0].name} (HEAD)`, newLabel: b.models[0].name };
}
