// The real command line, run as a child process from the built bundle (npm test builds first).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { torchMissing } from '../helpers/python';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['dist/cli.cjs', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'resnet-cli-'));
const bad = join(dir, 'bad.resnet');
writeFileSync(bad, 'model m {\n  input 32x32x3, classes 10\n  shortcut identity\n  s basic(16) x 2, stride 2\n  head avgpool, fc 10\n}\n');

test('check: clean files exit 0', () => {
  const r = cli('check', 'examples/cifar/resnet20.resnet', 'examples/imagenet/resnet50.resnet');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /2 files checked: 0 errors/);
});

test('check: errors as file:line:col: error: message, exit 1', () => {
  const r = cli('check', bad);
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:5: error: shortcut adds 32×32×3 to 16×16×16`, 'm'));
});

test('check: warnings alone exit 0', () => {
  const r = cli('check', 'examples/cifar/plain56.resnet');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /plain56\.resnet:2:7: warning: plain network with 56 layers/);
});

test('check: an unreadable file exits 2 and says which and why', () => {
  const r = cli('check', join(dir, 'missing.resnet'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read .*missing\.resnet: no such file/);
  const d = cli('check', dir);
  assert.equal(d.code, 2);
  assert.match(d.stderr, /is a directory/);
});

test('stats --json has the documented shape and the reference figures', () => {
  const r = cli('stats', 'examples/torchvision/resnet50.resnet', '--json', '--batch', '32');
  assert.equal(r.code, 0);
  const doc = JSON.parse(r.stdout) as {
    models: {
      name: string;
      input: number[];
      totals: Record<string, number>;
      stages: { name: string; outputShape: number[] }[];
      layers: { path: string; kind: string; outputShape: number[]; params: number; macs: number; line: number }[];
    }[];
  };
  const m = doc.models[0];
  assert.equal(m.name, 'resnet50');
  assert.deepEqual(m.input, [224, 224, 3]);
  assert.deepEqual(Object.keys(m.totals).sort(), ['activationBytes', 'compute', 'macs', 'memory', 'nonTrainable', 'params', 'tfjsMemory']);
  assert.equal(
    m.totals.params,
    m.layers.reduce((a, l) => a + l.params, 0),
  );
  assert.equal(
    m.totals.macs,
    m.layers.reduce((a, l) => a + l.macs, 0),
  );
  // The paper's Table 1 output sizes (https://arxiv.org/abs/1512.03385): 56, 28, 14, 7, then 1×1
  // after the average pool; conv1's stage here ends with the max pool, which Table 1 lists under conv2_x.
  assert.deepEqual(
    m.stages.map((s) => s.outputShape[0]),
    [56, 56, 28, 14, 7, 1],
  );
  assert.deepEqual(Object.keys(m.layers[0]).sort(), ['kind', 'line', 'macs', 'outputShape', 'params', 'path']);
  assert.equal(m.layers[0].line, 7);
});

test('stats table: layers, stage subtotals, totals, memory; --model and --input', () => {
  const r = cli('stats', 'examples/cifar/family.resnet', '--model', 'resnet32', '--input', '64x64x3');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^resnet32: input 64×64×3/);
  assert.match(r.stdout, /conv4_x \(stage total\)\s+16×16×64/);
  // Params do not depend on the input size: ResNet-32's row of test/fixtures/reference-figures.md
  // (PyTorch; the paper's Table 6 prints 0.46M).
  assert.match(r.stdout, /Trainable params:\s+464,154/);
  assert.match(r.stdout, /Activations for training, batch 128/);
  const missing = cli('stats', 'examples/cifar/family.resnet', '--model', 'resnet33');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no model named resnet33; its models: resnet20, resnet32, resnet44, resnet56/);
});

test('bad command lines get a message and the help, never a stack trace', () => {
  for (const args of [['stats', 'x.resnet', '--input', '3x3'], ['stats', '--bogus'], ['frobnicate'], ['stats', 'a', 'b']]) {
    const r = cli(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^resnet-studio: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  for (const command of ['check', 'stats']) {
    const h = cli(command, '--help');
    assert.equal(h.code, 0);
    assert.match(h.stdout, new RegExp(`^Usage: resnet-studio ${command}`));
  }
});

test('train --json: one message per line, the last a finished message with the test accuracy', () => {
  const out = mkdtempSync(join(tmpdir(), 'resnet-cli-runs-'));
  const r = cli('train', 'examples/mnist/resnet8.resnet', '--dataset', 'synthetic', '--max-steps', '3', '--batch-size', '16', '--backend', 'wasm', '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; testAccuracy?: number; step?: number });
  assert.equal(lines[0].type, 'started');
  assert.deepEqual(
    lines.filter((l) => l.type === 'batch').map((l) => l.step),
    [1, 2, 3],
  );
  const last = lines[lines.length - 1];
  assert.equal(last.type, 'finished');
  assert.equal(typeof last.testAccuracy, 'number');
});

test('train: the progress view on a non-terminal, and bad arguments as messages', () => {
  const out = mkdtempSync(join(tmpdir(), 'resnet-cli-runs-'));
  const r = cli('train', 'examples/mnist/resnet8.resnet', '--dataset', 'synthetic', '--max-steps', '2', '--batch-size', '16', '--backend', 'wasm', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  // Not published anywhere: by hand from the conventions of reference-figures.md, 75,002 params
  // (conv1 3·3·1·16 + 2·16; conv2_x 2·(3·3·16·16 + 2·16); conv3_x 3·3·16·32 + 3·3·32·32 + 4·32;
  // conv4_x 3·3·32·64 + 3·3·64·64 + 4·64; fc 64·10 + 10) and 9,145,216 MACs (28·28·16·9 +
  // 2·28·28·16·16·9 + 14·14·32·(16 + 32)·9 + 7·7·64·(32 + 64)·9 + 640).
  assert.match(r.stdout, /^training resnet8 \(75k params, 9\.15M MACs\) on synthetic/m);
  assert.match(r.stdout, /^backend: wasm, CPU \(WebAssembly/m);
  assert.match(r.stdout, /^finished after 2 steps in .*: test accuracy \d+\.\d\d% \(loss /m);
  for (const [args, message] of [
    [['--backend', 'gpu'], /--backend takes auto, tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu, not "gpu"/],
    [['--dataset', 'imagenet'], /--dataset takes mnist, cifar10, synthetic/],
    [['--epochs', '0'], /--epochs takes a whole number of at least 1/],
  ] as const) {
    const bad = cli('train', 'examples/mnist/resnet8.resnet', ...args);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, message);
  }
  const failed = cli('train', 'examples/mnist/resnet8.resnet', '--dataset', 'cifar10', '--out', out);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /training failed: CIFAR-10 needs a data folder/);
  const broken = cli('train', bad);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /shortcut adds .*\nfix these errors before training/s);
});

test('lsp --stdio answers initialize as a language server; without --stdio it says how to run it', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['dist/cli.cjs', 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
  child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  const reply = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('"capabilities"')) resolve(text);
    });
    setTimeout(() => reject(new Error(`no reply: ${text}`)), 20_000);
  });
  child.kill();
  assert.match(reply, /"hoverProvider":true/);
  assert.match(reply, /"inlayHintProvider"/);
  const bare = cli('lsp');
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /resnet-studio lsp --stdio/);
});

test('train: a recipe that names `engine pytorch` trains with PyTorch; --engine overrides it', {
  skip: torchMissing(),
}, () => {
  const file = join(dir, 'pt.resnet');
  writeFileSync(file, readFileSync('examples/mnist/resnet8.resnet', 'utf8').replace('epochs 3', 'epochs 3\n    engine pytorch'));
  const out = mkdtempSync(join(tmpdir(), 'resnet-cli-runs-'));
  const pt = cli('train', file, '--dataset', 'synthetic', '--max-steps', '2', '--python', '/usr/bin/python3', '--out', out, '--json');
  assert.equal(pt.code, 0, pt.stderr);
  assert.equal((JSON.parse(pt.stdout.split('\n')[0]) as { backend: string }).backend, 'pytorch');
  const tfjs = cli('train', file, '--engine', 'tfjs', '--dataset', 'synthetic', '--max-steps', '1', '--backend', 'wasm', '--out', out, '--json');
  assert.equal(tfjs.code, 0, tfjs.stderr);
  assert.equal((JSON.parse(tfjs.stdout.split('\n')[0]) as { backend: string }).backend, 'wasm');
});
