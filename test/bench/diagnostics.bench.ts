// `node --import tsx test/bench/diagnostics.bench.ts [--source] [--default-gc]`: how long the
// language server takes from an edit (didChange) to its diagnostics (publishDiagnostics) on a
// generated 1,000-line file, over the real protocol, with the debounce off so the figure is the
// server's own work. By default it measures the server as it ships: bundled with esbuild (as
// `node esbuild.js` does) and started with the Node flags the extension uses. `--source` runs the
// TypeScript entry through tsx instead (slower: tsx keeps function names); `--default-gc` leaves
// the flags out. `--shift` makes every edit move the text after it (a space typed after a repeat
// count, then deleted), so the declarations below the edit stand one character further on or back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { DidChangeTextDocumentNotification } from 'vscode-languageserver-protocol/node';
import { analyze } from '../../src/core/analysis/analyze';
import { modelLayers } from '../../src/core/analysis/network';
import { SERVER_NODE_FLAGS } from '../../src/protocol/languageServer';
import { LspTestClient, repoRoot } from '../server/lspClient';

const TARGET_LINES = 1000;
const WARMUP_EDITS = 10;
const MEASURED_EDITS = 50;

/** One unit of a realistic file: a block of one's own, a CIFAR model, an ImageNet model, a template with two instances. */
function unit(i: number): string {
  return `// Unit ${i}: a block of one's own, used by a CIFAR network.
block pair${i}(width, stride = 1) {
  conv 3x3, width, stride stride
  bn, relu
  conv 3x3, width
  bn
  add shortcut
  relu
}

model cifar${i} {
  input 32x32x3, classes 10
  shortcut A

  conv1    conv 3x3, 16, bn, relu
  conv2_x  pair${i}(16) x 3
  conv3_x  pair${i}(32) x 3, stride 2
  conv4_x  pair${i}(64) x 3, stride 2
  head     avgpool, fc 10

  train {
    dataset cifar10
    batch 128
    sgd lr 0.1, momentum 0.9, weight_decay 1e-4
    decay 0.1 at 32k, 48k
    iterations 64k
    augment pad 4, crop 32, flip
  }
}

model imagenet${i} {
  input 224x224x3, classes 1000
  shortcut B
  downsample v1

  conv1    conv 7x7, 64, stride 2, bn, relu
           maxpool 3x3, stride 2
  conv2_x  bottleneck(64)   x 3
  conv3_x  bottleneck(128)  x 4, stride 2
  conv4_x  bottleneck(256)  x 6, stride 2
  conv5_x  bottleneck(512)  x 3, stride 2
  head     avgpool, fc 1000
}

model family${i}(n) {
  input 32x32x3, classes 10
  shortcut A

  conv1    conv 3x3, 16, bn, relu
  conv2_x  basic(16) x n
  conv3_x  basic(32) x n, stride 2
  conv4_x  basic(64) x n, stride 2
  head     avgpool, fc 10
}
model small${i} = family${i}(n = 3)
model deep${i} = family${i}(n = 9)

`;
}

function generatedFile(): string {
  let text = '';
  for (let i = 0; text.split('\n').length < TARGET_LINES; i++) text += unit(i);
  return text
    .split('\n')
    .slice(0, TARGET_LINES)
    .join('\n')
    .replace(/\n[^\n]*$/, '\n');
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function bundledServer(dir: string): Promise<string> {
  const outfile = join(dir, 'server.cjs');
  await esbuild.build({
    entryPoints: [join(repoRoot, 'src/server/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  });
  return outfile;
}

async function main(): Promise<void> {
  const fromSource = process.argv.includes('--source');
  const buildDir = mkdtempSync(join(tmpdir(), 'resnet-bench-'));
  const client = await LspTestClient.start({
    initializationOptions: { diagnosticsDelayMs: 0 },
    serverScript: fromSource ? undefined : await bundledServer(buildDir),
    execArgv: process.argv.includes('--default-gc') ? [] : SERVER_NODE_FLAGS,
  });
  try {
    let text = generatedFile();
    const analysis = analyze(text);
    const layers = analysis.models.reduce((sum, m) => sum + [...modelLayers(m)].length, 0);
    const uri = 'file:///bench/generated.resnet';
    const opened = await client.open(uri, text);
    if (opened.diagnostics.some((d) => d.severity === 1)) throw new Error(`the generated file has errors: ${JSON.stringify(opened.diagnostics[0])}`);

    // Each edit types one character: a repeat count `x 3` becomes `x 4` and back, in model after model.
    // With --shift, a space is typed after the count and then deleted: what follows moves.
    const shift = process.argv.includes('--shift');
    const sites = [...text.matchAll(/pair\d+\(32\) x (3)/g)].map((m) => (m.index ?? 0) + m[0].length - 1);
    const samples: number[] = [];
    let version = 1;
    for (let k = 0; k < WARMUP_EDITS + MEASURED_EDITS; k++) {
      const offset = shift ? sites[(k >> 1) % sites.length] + 1 : sites[k % sites.length];
      // Sites further on move by one while a space stands before them; they are found again.
      const typed = shift ? (text[offset] === ' ' ? '' : ' ') : text[offset] === '3' ? '4' : '3';
      const replaced = shift ? (typed === '' ? 1 : 0) : 1;
      const before = text.slice(0, offset);
      const line = before.split('\n').length - 1;
      const character = offset - (before.lastIndexOf('\n') + 1);
      text = before + typed + text.slice(offset + replaced);
      version++;
      const published = client.nextDiagnostics(uri, version);
      const started = performance.now();
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line, character }, end: { line, character: character + replaced } }, text: typed }],
      });
      await published;
      if (k >= WARMUP_EDITS) samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    const median = percentile(samples, 50);
    const p95 = percentile(samples, 95);
    const flags = process.argv.includes('--default-gc') ? 'default flags' : SERVER_NODE_FLAGS.join(' ');
    console.log(`didChange → publishDiagnostics, ${fromSource ? 'TypeScript entry through tsx' : 'bundled server (esbuild)'}, Node ${process.version}, ${flags}`);
    console.log(`file: ${text.split('\n').length} lines, ${analysis.models.length} models, ${layers.toLocaleString('en-US')} layers after expansion`);
    console.log(`edits: ${samples.length} measured after ${WARMUP_EDITS} warm-up edits, one character each${shift ? ', each moving the text after it' : ''}, debounce off`);
    console.log(`median ${median.toFixed(1)} ms · p95 ${p95.toFixed(1)} ms · min ${samples[0].toFixed(1)} ms · max ${samples[samples.length - 1].toFixed(1)} ms (goal: under 20 ms)`);
  } finally {
    await client.stop();
    rmSync(buildDir, { recursive: true, force: true });
  }
}

await main();
