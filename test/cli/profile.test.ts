// `resnet-studio profile` on a small model with real PyTorch and with the TF.js engine (the real
// training worker on wasm): one row per layer of the analyzer, in order, with its MACs, positive
// forward and backward times and the achieved rate; bad flags get a message. The PyTorch case is
// skipped, saying why, without a Python with torch.
import assert from 'node:assert/strict';
import { fork, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/core/analysis/analyze';
import { modelLayers } from '../../src/core/analysis/network';
import type { LayerTiming } from '../../src/cli/profile';
import { readProfileDocument } from '../../src/protocol/profile';
import { readExample } from '../helpers/examples';
import { torchPython } from '../helpers/torchPeer';

/** The built CLI (node esbuild.js), as users run it; killed after 4 minutes (a profile that never ends is a failure, not a hang). */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['dist/cli.cjs', ...args], { encoding: 'utf8', timeout: 240_000, killSignal: 'SIGKILL' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A `profile --json` document of resnet8 at batch 2: every layer of the analyzer in order, its MACs, positive times, the rate computed from them. */
function everyLayerTimed(stdout: string, engine: string) {
  const doc = JSON.parse(stdout) as { model: string; engine: string; device: string; batch: number; layers: LayerTiming[] };
  const model = analyze(readExample('mnist/resnet8.resnet')).models[0];
  assert.equal(doc.model, model.name);
  assert.equal(doc.engine, engine);
  assert.equal(doc.batch, 2);
  assert.deepEqual(
    doc.layers.map((l) => l.path),
    [...modelLayers(model)].map((l) => l.path),
    'layers complete and in order',
  );
  assert.deepEqual(
    doc.layers.map((l) => l.macs),
    [...modelLayers(model)].map((l) => l.cost.macs),
  );
  for (const l of doc.layers) {
    assert.ok(l.forwardMs > 0, `${l.path} forward`);
    assert.ok(l.backwardMs > 0, `${l.path} backward`);
    if (l.macs > 0) assert.ok(Math.abs(l.forwardGmacPerS - (l.macs * doc.batch) / (l.forwardMs * 1e6)) < 1e-9, `${l.path} rate`);
  }
  return doc;
}

test('profile --json: every layer, in order, with its MACs and positive forward and backward times', { timeout: 300_000 }, (t) => {
  const { python, why } = torchPython();
  if (!python) {
    t.skip(why);
    return;
  }
  const r = cli('profile', 'examples/mnist/resnet8.resnet', '--batch', '2', '--repeats', '2', '--python', python, '--json');
  assert.equal(r.code, 0, r.stderr);
  const doc = everyLayerTimed(r.stdout, 'pytorch');
  assert.match(doc.device, /^(cpu|cuda)/);
  const table = cli('profile', 'examples/mnist/resnet8.resnet', '--batch', '2', '--repeats', '1', '--python', python);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^resnet8: PyTorch on (cpu|cuda), batch 2/);
  // 1,806,336 MACs: by hand, 28·28·16·16·3·3 (a 3×3 conv of 16 on 16 channels at 28×28); published nowhere.
  assert.match(table.stdout, /conv2_x\.0\.conv1\s+conv 3×3, 16\s+1,806,336\s+\d+\.\d{3}\s+\d+\.\d{3}\s+\d+\.\d{2}/);
});

test('profile --engine tfjs --json: every layer on wasm, in order, with its MACs and positive times', { timeout: 300_000 }, () => {
  const r = cli('profile', 'examples/mnist/resnet8.resnet', '--engine', 'tfjs', '--backend', 'wasm', '--batch', '2', '--repeats', '2', '--json');
  assert.equal(r.code, 0, r.stderr);
  const doc = everyLayerTimed(r.stdout, 'tfjs');
  assert.match(doc.device, /^wasm, CPU \(WebAssembly/);
  // The architecture view reads this document back (ResNet: Colour Architecture by Measured Time…).
  assert.equal(readProfileDocument(r.stdout, 'times.json').layers.length, doc.layers.length);
  assert.throws(() => readProfileDocument('{"model":"m"', 'times.json'), /^Error: times\.json is not JSON .*; make it with `resnet-studio profile FILE --json > times\.json`/);
  assert.throws(
    () => readProfileDocument(JSON.stringify({ ...doc, layers: [{ path: 'a', forwardMs: -1, backwardMs: 1 }] }), 'times.json'),
    /times\.json is not a `resnet-studio profile --json` document: field "layers\.0\.forwardMs"/,
  );
  const table = cli('profile', 'examples/mnist/resnet8.resnet', '--engine', 'tfjs', '--backend', 'wasm', '--batch', '2', '--repeats', '1');
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^resnet8: TF\.js on wasm, CPU \(WebAssembly, \d+ threads?\), batch 2/);
  assert.match(table.stdout, /conv2_x\.0\.conv1\s+conv 3×3, 16\s+1,806,336\s+\d+\.\d{3}\s+\d+\.\d{3}\s+\d+\.\d{2}/);
});

test('the worker answers a malformed profile command with a message, not a crash', { timeout: 60_000 }, async () => {
  const child = fork('dist/worker.cjs', [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const reply = await new Promise<unknown>((resolve) => {
    child.on('message', resolve);
    child.send({ type: 'profile', sourceText: '', modelName: 'x', batch: 0, repeats: 1, backend: 'wasm', backendDirs: [] });
  });
  await new Promise((resolve) => child.on('exit', resolve));
  assert.equal((reply as { type: string }).type, 'profileFailed');
  assert.match((reply as { message: string }).message, /malformed profile command \(field "batch"/);
});

test('profile: bad engines, backends and numbers get a message', () => {
  const engine = cli('profile', 'examples/mnist/resnet8.resnet', '--engine', 'jax');
  assert.equal(engine.code, 2);
  assert.match(engine.stderr, /--engine takes pytorch or tfjs, not "jax"/);
  const backend = cli('profile', 'examples/mnist/resnet8.resnet', '--engine', 'tfjs', '--backend', 'tpu');
  assert.equal(backend.code, 2);
  assert.match(backend.stderr, /--backend takes auto, tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu, not "tpu"/);
  const pytorchBackend = cli('profile', 'examples/mnist/resnet8.resnet', '--backend', 'wasm');
  assert.equal(pytorchBackend.code, 2);
  assert.match(pytorchBackend.stderr, /--backend picks a TF\.js backend; use it with --engine tfjs/);
  const batch = cli('profile', 'examples/mnist/resnet8.resnet', '--batch', '0');
  assert.equal(batch.code, 2);
  assert.match(batch.stderr, /--batch takes a whole number from 1 to 1,048,576, not "0"/);
});

test('profile: every count is bounded, with a message naming the option and its bounds (issue 18, item 8)', () => {
  // `--batch 1e20` was taken as 10^20 (then a TypeError); `--repeats 1e9` ran until killed.
  for (const [args, message] of [
    [['--batch', '1e20'], /--batch takes a whole number from 1 to 1,048,576, not "1e20"/],
    [['--batch', '100000000000000000000'], /--batch takes a whole number from 1 to 1,048,576, not "100000000000000000000"/],
    [['--batch', '2000000'], /--batch takes a whole number from 1 to 1,048,576, not "2000000"/],
    [['--repeats', '1e9'], /--repeats takes a whole number from 1 to 1,000, not "1e9"/],
    [['--repeats', '1000000000'], /--repeats takes a whole number from 1 to 1,000, not "1000000000"/],
    [['--time-limit', '0'], /--time-limit takes a whole number from 1 to 86,400, not "0"/],
  ] as const) {
    for (const engine of ['pytorch', 'tfjs']) {
      const r = spawnSync(process.execPath, ['dist/cli.cjs', 'profile', 'examples/mnist/resnet8.resnet', '--engine', engine, ...args], { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
      assert.equal(r.status, 2, `${engine} ${args.join(' ')}: ${r.signal ?? ''} ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /TypeError|\n\s+at /);
    }
  }
});

test('profile --engine tfjs stops at its time limit, kills the worker and says so', { timeout: 120_000 }, () => {
  const started = Date.now();
  const r = cli('profile', 'examples/mnist/resnet8.resnet', '--engine', 'tfjs', '--backend', 'cpu', '--repeats', '1000', '--time-limit', '2', '--json');
  assert.ok(Date.now() - started < 60_000, `${Date.now() - started} ms`);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /profiling resnet8 took longer than its time limit, 2 s, and was stopped; use a smaller --batch, fewer --repeats, or a longer --time-limit/);
  assert.deepEqual(JSON.parse(r.stdout), { error: 'profiling resnet8 took longer than its time limit, 2 s, and was stopped; use a smaller --batch, fewer --repeats, or a longer --time-limit' });
});

test('profile with PyTorch stops at its time limit too', { timeout: 120_000 }, (t) => {
  const { python, why } = torchPython();
  if (!python) {
    t.skip(why);
    return;
  }
  const started = Date.now();
  const r = cli('profile', 'examples/mnist/resnet8.resnet', '--batch', '256', '--repeats', '1000', '--time-limit', '2', '--python', python);
  assert.ok(Date.now() - started < 60_000, `${Date.now() - started} ms`);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /profiling resnet8 took longer than its time limit, 2 s, and was stopped/);
});

test('profile runs PyTorch isolated: a module on PYTHONPATH named as the standard library is not imported', { timeout: 120_000 }, (t) => {
  const { python, why } = torchPython();
  if (!python) {
    t.skip(why);
    return;
  }
  const planted = mkdtempSync(join(tmpdir(), 'resnet-profile-planted-'));
  const marker = join(planted, 'ran');
  writeFileSync(join(planted, 'statistics.py'), `open(${JSON.stringify(marker)}, 'w').write('imported')\nfrom importlib import import_module\n`);
  const r = spawnSync(process.execPath, ['dist/cli.cjs', 'profile', 'examples/mnist/resnet8.resnet', '--engine', 'pytorch', '--python', python, '--batch', '2', '--repeats', '1'], {
    encoding: 'utf8',
    timeout: 110_000,
    env: { ...process.env, PYTHONPATH: planted },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(existsSync(marker), false, 'the planted statistics.py ran');
});
