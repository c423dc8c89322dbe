// A test host for the dashboard page: bundles webview/dashboard with esbuild into a temporary
// folder, and serves it in headless Debian Chromium (playwright-core) under the page's real HTML
// and Content Security Policy, from a made-up origin, with a fake `acquireVsCodeApi` that records
// what the page posts, and a VS Code theme's CSS variables. Used by the tests and the benchmark.
import type { Locale } from '../../src/core/l10n/locale';
import * as esbuild from 'esbuild';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { dashboardHtml } from '../../src/extension/training/dashboardHtml';
import type { StepStore } from '../../src/core/metrics/stepStore';
import { checkFromDashboard, stepsAnswer } from '../../src/protocol/webview';
import { THEMES, type ThemeName } from './themes';
import { skipUnless } from '../helpers/needs';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM_PATH = process.env.DASHBOARD_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const ORIGIN = 'https://dashboard.test';

/** Why the browser tests cannot run here, or undefined when they can. */
/** Why the page tests cannot run here (skip reason), or undefined; in CI, an error. */
export function browserMissing(): string | undefined {
  return skipUnless(existsSync(CHROMIUM_PATH) ? undefined : `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium, or set DASHBOARD_CHROMIUM)`);
}

/** Bundles the page as the extension ships it (dashboard.js and dashboard.css) into a new temporary folder. */
export async function buildDashboardBundle(options: { minify?: boolean } = {}): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'resnet-dashboard-'));
  await esbuild.build({
    absWorkingDir: REPO_ROOT,
    entryPoints: { dashboard: 'webview/dashboard/main.ts' },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: options.minify ?? true,
    logLevel: 'silent',
  });
  return outdir;
}

/**
 * A script for the page (page.evaluate) that gives it what the extension computes for a history:
 * `window.hostSummaries(batches)`, the same `summariesOf` the extension's panel sends, so the tests
 * and the benchmark can build a history message in the page as the extension would.
 */
export async function hostSummariesScript(): Promise<string> {
  const result = await esbuild.build({
    absWorkingDir: REPO_ROOT,
    stdin: { contents: `import { summariesOf } from './src/protocol/webview';\nwindow.hostSummaries = summariesOf;\n`, resolveDir: REPO_ROOT, loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return (result.outputFiles[0] as esbuild.OutputFile).text;
}

export interface OpenOptions {
  readonly theme?: ThemeName;
  /** What the fake `getState()` returns: the state of an earlier page. */
  readonly savedState?: unknown;
  readonly viewport?: { readonly width: number; readonly height: number };
}

export class DashboardBrowser {
  private constructor(
    private readonly context: BrowserContext,
    private readonly profileDir: string,
  ) {}

  /** `locale`: the display language the extension would write the page's words in. */
  static async launch(bundleDir: string, locale: Locale = 'en'): Promise<DashboardBrowser> {
    const profileDir = mkdtempSync(join(tmpdir(), 'resnet-dashboard-profile-'));
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 1000 },
    });
    const files: Record<string, { body: Buffer; type: string }> = {
      '/dashboard.js': { body: readFileSync(join(bundleDir, 'dashboard.js')), type: 'text/javascript' },
      '/dashboard.css': { body: readFileSync(join(bundleDir, 'dashboard.css')), type: 'text/css' },
    };
    // Nothing leaves the machine: the page's own files are served here, anything else fails.
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin === ORIGIN && url.pathname === '/index.html') {
        const nonce = Math.random().toString(36).slice(2);
        const html = dashboardHtml({ cspSource: ORIGIN, scriptUri: `${ORIGIN}/dashboard.js`, styleUri: `${ORIGIN}/dashboard.css`, nonce }, locale);
        return route.fulfill({ status: 200, contentType: 'text/html', body: html });
      }
      const file = url.origin === ORIGIN ? files[url.pathname] : undefined;
      if (file) return route.fulfill({ status: 200, contentType: file.type, body: file.body });
      return route.abort('blockedbyclient');
    });
    return new DashboardBrowser(context, profileDir);
  }

  async open(options: OpenOptions = {}): Promise<DashboardPage> {
    const page = await this.context.newPage();
    if (options.viewport) await page.setViewportSize(options.viewport);
    const theme = THEMES[options.theme ?? 'dark'];
    await page.addInitScript(fakeVsCode({ variables: theme.variables, bodyClass: theme.bodyClass, saved: options.savedState ?? null }));
    const dashboard = new DashboardPage(page);
    await page.goto(`${ORIGIN}/index.html`);
    try {
      await page.waitForFunction(() => (globalThis as { resnetDashboard?: unknown }).resnetDashboard !== undefined, undefined, { timeout: 10_000 });
    } catch (error) {
      throw new Error(`the dashboard did not start: ${dashboard.problems.join('; ') || (error as Error).message}`);
    }
    await dashboard.frame();
    return dashboard;
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profileDir, { recursive: true, force: true });
  }
}

/** Runs in the page: makes the Float64Arrays of an encoded message again and posts it (a string: see fakeVsCode). */
const DECODE_AND_POST = `window.__decodeAndPost = (message) => {
  const decode = (v) => {
    if (Array.isArray(v)) return v.map(decode);
    if (v && typeof v === 'object') {
      if (typeof v.__f64 === 'string') {
        const bytes = Uint8Array.from(atob(v.__f64), (c) => c.charCodeAt(0));
        return new Float64Array(bytes.buffer);
      }
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
    }
    return v;
  };
  window.postMessage(decode(message), '*');
}`;

interface FakeWindow {
  __posted: unknown[];
  __cspViolations: string[];
  __savedState: unknown;
}

/**
 * Runs in the page before its scripts: what VS Code's webview host provides. A string, not a
 * function: tsx would wrap the function's inner functions in a helper the page does not have.
 */
export function fakeVsCode(setup: { variables: Record<string, string>; bodyClass: string; saved: unknown }): string {
  return `(() => {
  const setup = ${JSON.stringify(setup)};
  window.__posted = [];
  window.__cspViolations = [];
  window.__savedState = setup.saved;
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
  // VS Code sets the theme's variables on <html> and its kind as a class of <body>.
  const applyTheme = () => {
    if (!document.documentElement) return false;
    for (const [name, value] of Object.entries(setup.variables)) document.documentElement.style.setProperty(name, value);
    return true;
  };
  const addBodyClass = () => {
    if (!document.body) return false;
    document.body.classList.add(setup.bodyClass);
    return true;
  };
  if (!(applyTheme() && addBodyClass())) {
    const observer = new MutationObserver(() => {
      if (applyTheme() && addBodyClass()) observer.disconnect();
    });
    observer.observe(document, { childList: true, subtree: true });
  }
  let state = setup.saved;
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage: (message) => {
        window.__posted.push(JSON.parse(JSON.stringify(message)));
        // A test serving the page from the extension's host-side code (serveSteps) hears it too.
        if (window.__toHost) window.__toHost(JSON.parse(JSON.stringify(message)));
      },
      getState: () => state,
      setState: (next) => {
        state = next;
        window.__savedState = JSON.parse(JSON.stringify(next));
      },
    });
  };
})();`;
}

export interface ChartInfo {
  /** Length of each data column (x first) as last drawn on the canvas: what the person sees, not what the page holds. */
  readonly lengths: number[];
  readonly labels: string[];
  /** uPlot's y distribution: 1 linear, 3 log. */
  readonly yDistr: number;
  readonly lastX: number | null;
}

export class DashboardPage {
  /** Uncaught errors and console errors. */
  readonly problems: string[] = [];
  readonly warnings: string[] = [];

  constructor(readonly page: Page) {
    page.on('pageerror', (error) => this.problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`console.error: ${message.text()}`);
      if (message.type() === 'warning') this.warnings.push(message.text());
    });
  }

  /** Delivers a message as VS Code does: a `message` event on the window. */
  async send(...messages: unknown[]): Promise<void> {
    await this.page.evaluate((all) => {
      for (const m of all) window.postMessage(m, '*');
    }, messages);
    await this.frame();
  }

  /** Answers to the page's step requests on their way to it (serveSteps). */
  private delivering: Promise<void> = Promise.resolve();
  private undelivered = 0;

  /**
   * Serves the page's step requests (issue 21) from `store`, in Node, with the code the extension's
   * panel answers with (`stepsAnswer`): the page in Chromium talks to the real host-side store.
   * `onRequest` hears each request first (the benchmark times them).
   */
  async serveSteps(store: StepStore, onRequest?: (request: { id: number; chart: string }) => void): Promise<void> {
    await this.page.exposeBinding('__toHost', (_source, raw: unknown) => {
      const checked = checkFromDashboard(raw);
      if (!checked.ok || checked.value.type !== 'stepsRequest') return;
      onRequest?.(checked.value);
      const answer = stepsAnswer(store, checked.value);
      this.undelivered++;
      this.delivering = this.delivering.then(async () => {
        await this.sendTyped(answer);
        this.undelivered--;
      });
    });
  }

  /**
   * Delivers a message holding Float64Arrays (each sent as its bytes in base64, made a Float64Array
   * again in the page before it is posted: what VS Code hands a webview is typed arrays).
   */
  async sendTyped(message: unknown): Promise<void> {
    const encode = (v: unknown): unknown => {
      if (v instanceof Float64Array) return { __f64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
      if (Array.isArray(v)) return v.map(encode);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
      return v;
    };
    await this.page.evaluate(DECODE_AND_POST);
    await this.page.evaluate((m) => (window as unknown as { __decodeAndPost(m: unknown): void }).__decodeAndPost(m), encode(message));
  }

  /** Waits until every answer asked for so far is delivered and drawn (and those they led to). */
  async settle(): Promise<void> {
    for (let round = 0; round < 20; round++) {
      await this.frame();
      await this.delivering;
      await this.frame();
      if (this.undelivered === 0) return;
    }
  }

  /** Waits until queued messages are handled and the next frame is drawn. */
  async frame(): Promise<void> {
    await this.page.evaluate(() => new Promise<void>((done) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => done())), 0)));
  }

  async posted(): Promise<{ type: string; [key: string]: unknown }[]> {
    return this.page.evaluate(() => (window as unknown as FakeWindow).__posted as { type: string }[]);
  }

  async savedState(): Promise<unknown> {
    return this.page.evaluate(() => (window as unknown as FakeWindow).__savedState);
  }

  async cspViolations(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as FakeWindow).__cspViolations);
  }

  async chart(name: 'loss' | 'metric' | 'lr'): Promise<ChartInfo | undefined> {
    return this.page.evaluate((chartName) => {
      type Plot = { data: ArrayLike<number | null>[]; series: { label?: string }[]; scales: Record<string, { distr?: number }> };
      const dashboard = (globalThis as unknown as { resnetDashboard: { chart(n: string): { uplot?: Plot; drawn: readonly number[] } } }).resnetDashboard;
      const chart = dashboard.chart(chartName);
      const plot = chart.uplot;
      if (!plot) return undefined;
      const x = plot.data[0];
      return {
        lengths: [...chart.drawn],
        labels: plot.series.slice(1).map((s) => String(s.label ?? '')),
        yDistr: plot.scales.y.distr ?? 1,
        lastX: x.length > 0 ? x[x.length - 1] : null,
      };
    }, name);
  }

  /** One data column of a chart (0 is x). */
  async column(name: 'loss' | 'metric' | 'lr', index: number): Promise<(number | null)[]> {
    return this.page.evaluate(
      ([chartName, i]) => {
        const dashboard = (globalThis as unknown as { resnetDashboard: { chart(n: string): { uplot?: { data: ArrayLike<number | null>[] } } } }).resnetDashboard;
        return Array.from(dashboard.chart(chartName as string).uplot?.data[i as number] ?? []);
      },
      [name, index] as const,
    );
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}
