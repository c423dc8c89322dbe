// The README's promise, run as written: `npm run demo` analyzes the paper's models and trains
// the small MNIST network; the package's `bin` is the built CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

test('package.json: the bin and the main entry are files the build makes', () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string>; main: string; scripts: Record<string, string> };
  assert.equal(manifest.bin['resnet-studio'], './dist/cli.cjs');
  assert.ok(existsSync(manifest.bin['resnet-studio']), 'npm test builds before testing');
  assert.ok(existsSync(manifest.main));
  assert.match(readFileSync(manifest.bin['resnet-studio'], 'utf8').slice(0, 20), /^#!\/usr\/bin\/env node/);
  assert.match(manifest.scripts.demo, /dist\/cli\.cjs demo$/);
});

test('npm run demo: every paper model with its figures, then MNIST trained to at least 95%', { timeout: 900_000 }, () => {
  const r = spawnSync('npm', ['run', 'demo'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  // Rows of test/fixtures/reference-figures.md (ResNet-50 paper v1, CIFAR ResNet-1202 option A), with their sources there.
  assert.match(r.stdout, /imagenet\/resnet50\.resnet\s+resnet50\s+224×224×3\s+50\s+25,557,032\s+3,857,973,248/);
  assert.match(r.stdout, /cifar\/resnet1202\.resnet\s+resnet1202\s+32×32×3\s+1202\s+19,421,274\s+2,829,238,912/);
  assert.match(r.stdout, /^resnet20: input 32×32×3, 10 classes, shortcut A, 20 layers$/m);
  const accuracy = /finished after 375 steps in .*: test accuracy (\d+\.\d+)%/.exec(r.stdout);
  assert.ok(accuracy, r.stdout.slice(-2000));
  // 95%: the README's promise for the demo, not a published figure.
  assert.ok(Number(accuracy[1]) >= 95, `${accuracy[1]}%`);
});
