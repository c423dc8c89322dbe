// `resnet-studio diff`, run as a child process from the built bundle, on the paper's examples and on
// a git repository the test makes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { skipUnless } from '../helpers/needs';

const CLI = resolve('dist/cli.cjs');

function cli(args: string[], cwd = process.cwd()) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Totals {
  params: number;
  nonTrainable: number;
  macs: number;
  activationBytes: number;
  memory: { activationsBytes: number };
}
interface Figures {
  part: 'block' | 'layer';
  kind: string;
  outputShape: number[];
  params: number;
  macs: number;
  line: number;
}
interface DiffJson {
  old: { name: string; totals: Totals };
  new: { name: string; totals: Totals };
  delta: { params: number; macs: number; activationBytes: number };
  stages: { name: string; delta: { params: number; macs: number; activationBytes: number } }[];
  changes: { path: string; change: 'added' | 'removed' | 'changed'; old?: Figures; new?: Figures }[];
}

function diffJson(...args: string[]): DiffJson {
  const r = cli(['diff', ...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as DiffJson;
}

function statsTotals(file: string, ...args: string[]): Totals {
  const r = cli(['stats', file, '--json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { models: { totals: Totals }[] }).models[0].totals;
}

/** The deltas must add up: per stage to the total, and the totals to what `stats --json` says. */
function assertConsistent(d: DiffJson, oldFile: string, newFile: string) {
  assert.deepEqual(d.old.totals, statsTotals(oldFile));
  assert.deepEqual(d.new.totals, statsTotals(newFile));
  // Activations: what autograd keeps (totals.memory.activationsBytes), the figure every view shows.
  const totalOf = (t: Totals, key: 'params' | 'macs' | 'activationBytes') => (key === 'activationBytes' ? t.memory.activationsBytes : t[key]);
  for (const key of ['params', 'macs', 'activationBytes'] as const) {
    assert.equal(d.delta[key], totalOf(d.new.totals, key) - totalOf(d.old.totals, key), key);
    assert.equal(
      d.stages.reduce((a, s) => a + s.delta[key], 0),
      d.delta[key],
      `stages sum to the total ${key}`,
    );
  }
}

test('diff --json: paper v1 vs torchvision v1.5 ResNet-50: only strides move, MACs +231,211,008, params equal', () => {
  const oldFile = 'examples/imagenet/resnet50.resnet';
  const newFile = 'examples/torchvision/resnet50.resnet';
  const d = diffJson(oldFile, newFile);
  assert.deepEqual(Object.keys(d).sort(), ['changes', 'delta', 'new', 'old', 'stages']);
  assert.deepEqual(Object.keys(d.delta).sort(), ['activationBytes', 'macs', 'params']);
  assertConsistent(d, oldFile, newFile);
  // 4,089,184,256 − 3,857,973,248: the torchvision v1.5 and paper v1 ResNet-50 rows of
  // test/fixtures/reference-figures.md (PyTorch; torchvision prints 4.09 G, the paper 3.8 ×10⁹).
  assert.equal(d.delta.macs, 231_211_008);
  assert.equal(d.delta.params, 0);
  assert.ok(
    d.changes.every((c) => c.change === 'changed'),
    'nothing added or removed',
  );
  // Every layer whose description changed is a convolution whose stride moved: the same text
  // once the `/2` is taken out.
  const described = d.changes.filter((c) => c.old!.kind !== c.new!.kind);
  assert.deepEqual(
    described.map((c) => c.path),
    ['conv3_x.0.conv1', 'conv3_x.0.conv2', 'conv4_x.0.conv1', 'conv4_x.0.conv2', 'conv5_x.0.conv1', 'conv5_x.0.conv2'],
  );
  for (const c of described) assert.equal(c.old!.kind.replace('/2', ''), c.new!.kind.replace('/2', ''), c.path);
  // The first 1×1 no longer halves the size, so its output (and the BN and ReLU after it) grows.
  const conv1 = d.changes.find((c) => c.path === 'conv3_x.0.conv1')!;
  assert.deepEqual(
    [conv1.old!.outputShape, conv1.new!.outputShape],
    [
      [28, 28, 128],
      [56, 56, 128],
    ],
  );
  assert.deepEqual(
    d.stages.filter((s) => s.delta.macs !== 0).map((s) => s.name),
    ['conv3_x', 'conv4_x', 'conv5_x'],
  );
});

test('diff: the text form shows the totals, the stages that moved and each change', () => {
  const r = cli(['diff', 'examples/imagenet/resnet50.resnet', 'examples/torchvision/resnet50.resnet']);
  assert.equal(r.code, 0, r.stderr);
  // The two ResNet-50 rows of test/fixtures/reference-figures.md and their difference; the 1×1
  // 256 → 128 conv at 56×56 instead of 28×28, by hand: (56·56 − 28·28)·128·256 = 77,070,336.
  assert.match(r.stdout, /^MACs\s+3,857,973,248\s+4,089,184,256\s+\+231,211,008$/m);
  assert.match(r.stdout, /^ {2}~ conv3_x\.0\.conv1 {2}conv 1×1\/2, 128 → conv 1×1, 128, shape 28×28×128 → 56×56×128, MACs \+77,070,336$/m);
  assert.match(r.stdout, /Changes \(0 added, 0 removed, 15 changed\)/);
});

test('diff: ResNet-18 vs ResNet-34 adds whole blocks; 34 vs 18 removes them, in place', () => {
  const a = 'examples/imagenet/resnet18.resnet';
  const b = 'examples/imagenet/resnet34.resnet';
  const up = diffJson(a, b);
  assertConsistent(up, a, b);
  const added = up.changes.filter((c) => c.change === 'added').map((c) => c.path);
  // Table 1: [2,2,2,2] → [3,4,6,3] basic blocks; a whole added block is one change, not its layers.
  assert.deepEqual(added, ['conv2_x.2', 'conv3_x.2', 'conv3_x.3', 'conv4_x.2', 'conv4_x.3', 'conv4_x.4', 'conv4_x.5', 'conv5_x.2']);
  assert.ok(up.changes.every((c) => c.change === 'added'));
  assert.ok(up.delta.params > 0 && up.delta.macs > 0);
  const down = diffJson(b, a);
  assert.deepEqual(
    down.changes.map((c) => [c.path, c.change]),
    added.map((p) => [p, 'removed']),
  );
  assert.equal(down.delta.macs, -up.delta.macs);
});

test('diff: plain vs residual: the same layers, shortcuts added', () => {
  const a = 'examples/imagenet/plain18.resnet';
  const b = 'examples/imagenet/resnet18.resnet';
  const d = diffJson(a, b);
  assertConsistent(d, a, b);
  const blocks = d.changes.filter((c) => c.old?.part === 'block');
  assert.equal(blocks.length, 8, 'every block gains a shortcut');
  assert.ok(blocks.every((c) => c.old!.kind === 'basic, no shortcut'));
  assert.deepEqual(new Set(blocks.map((c) => c.new!.kind)), new Set(['basic, identity shortcut', 'basic, projection shortcut']));
  // Option B: a projection where the shape changes (3 stages), identity elsewhere.
  assert.deepEqual(
    d.changes.filter((c) => c.change === 'added' && c.path.endsWith('shortcut.conv1')).map((c) => c.path),
    ['conv3_x.0.shortcut.conv1', 'conv4_x.0.shortcut.conv1', 'conv5_x.0.shortcut.conv1'],
  );
});

test('diff: option A vs B (CIFAR ResNet-20): projections replace zero-padding, with their params', () => {
  const a = 'examples/cifar/resnet20.resnet';
  const b = 'examples/cifar/resnet20-b.resnet';
  const d = diffJson(a, b);
  assertConsistent(d, a, b);
  assert.deepEqual([d.old.name, d.new.name], ['resnet20', 'resnet20_b']);
  const added = d.changes.filter((c) => c.change === 'added');
  assert.equal(
    d.delta.params,
    added.reduce((s, c) => s + c.new!.params, 0),
    'the new params are exactly the projections',
  );
  assert.deepEqual(
    d.changes.filter((c) => c.change === 'changed').map((c) => [c.path, c.old!.kind, c.new!.kind]),
    [
      ['conv3_x.0', 'basic, zero-padding shortcut (A)', 'basic, projection shortcut'],
      ['conv4_x.0', 'basic, zero-padding shortcut (A)', 'basic, projection shortcut'],
    ],
  );
});

test('diff: two models of one file with --old-model/--new-model; several models need a choice', () => {
  const file = 'examples/cifar/family.resnet';
  const many = cli(['diff', file, file]);
  assert.equal(many.code, 2);
  assert.match(many.stderr, /has \d+ models \(.*\); choose one with --model or --old-model/);
  const names = (JSON.parse(cli(['stats', file, '--json']).stdout) as { models: { name: string }[] }).models.map((m) => m.name);
  const d = diffJson(file, file, '--old-model', names[0], '--new-model', names[1]);
  assert.deepEqual([d.old.name, d.new.name], [names[0], names[1]]);
  const missing = cli(['diff', file, file, '--model', 'nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /has no model named nope; its models: /);
  const both = cli(['diff', file, file, '--model', names[0], '--old-model', names[1]]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /either --model NAME or --old-model A --new-model B/);
});

test('diff: a model against itself has no changes and zero deltas', () => {
  const d = diffJson('examples/imagenet/resnet101.resnet', 'examples/imagenet/resnet101.resnet', '--input', '160x160x3', '--batch', '8');
  assert.deepEqual(d.changes, []);
  assert.deepEqual(d.delta, { params: 0, macs: 0, activationBytes: 0 });
  assert.deepEqual(d.old.totals, statsTotals('examples/imagenet/resnet101.resnet', '--input', '160x160x3', '--batch', '8'));
});

test('diff: REV:PATH reads the file as git holds it, in a repository the test makes', (t) => {
  const noGit = skipUnless(spawnSync('git', ['--version']).status === 0 ? undefined : 'git is not installed');
  if (noGit) return t.skip(noGit);
  const repo = mkdtempSync(join(tmpdir(), 'resnet-diff-git-'));
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  git('init', '-q');
  const model = (blocks: number) =>
    `model net {\n  input 32x32x3, classes 10\n  shortcut A\n  conv1 conv 3x3, 16, bn, relu\n  s1 basic(16) x ${blocks}\n  s2 basic(32) x 2, stride 2\n  head avgpool, fc 10\n}\n`;
  writeFileSync(join(repo, 'net.resnet'), model(2));
  git('add', 'net.resnet');
  git('commit', '-q', '-m', 'two blocks');
  writeFileSync(join(repo, 'net.resnet'), model(3));
  git('commit', '-q', '-am', 'three blocks');
  writeFileSync(join(repo, 'net.resnet'), model(4));

  const r = cli(['diff', 'HEAD~1:net.resnet', 'net.resnet', '--json'], repo);
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout) as DiffJson;
  assert.deepEqual(
    d.changes.map((c) => [c.path, c.change]),
    [
      ['s1.2', 'added'],
      ['s1.3', 'added'],
    ],
  );
  const text = cli(['diff', 'HEAD~1:net.resnet', 'HEAD:net.resnet'], repo);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^net \(HEAD~1:net\.resnet\) → net \(HEAD:net\.resnet\)$/m);
  assert.match(text.stdout, /^ {2}\+ s1\.2 {2}basic, identity shortcut/m);

  // A revision that could be read as an option is refused before git runs.
  const option = cli(['diff', '--', '--output=/tmp/x:net.resnet', 'net.resnet'], repo);
  assert.equal(option.code, 2);
  assert.match(option.stderr, /a revision may not start with "-"/);
  const unknown = cli(['diff', 'nosuchbranch:net.resnet', 'net.resnet'], repo);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /cannot read nosuchbranch:net\.resnet from git: .*nosuchbranch/);
  const missingPath = cli(['diff', 'HEAD:other.resnet', 'net.resnet'], repo);
  assert.equal(missingPath.code, 2);
  assert.match(missingPath.stderr, /cannot read HEAD:other\.resnet from git: path 'other\.resnet' does not exist in 'HEAD'/);
});

test('diff: wrong arguments get a message and the usage', () => {
  const one = cli(['diff', 'examples/cifar/resnet20.resnet']);
  assert.equal(one.code, 2);
  assert.match(one.stderr, /diff takes two files, got 1\n\nUsage: resnet-studio diff/);
  const missing = cli(['diff', 'examples/cifar/nope.resnet', 'examples/cifar/resnet20.resnet']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read examples\/cifar\/nope\.resnet: no such file/);
});
