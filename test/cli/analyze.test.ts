// `resnet-studio analyze RUN...`, run from the built bundle on two real (tiny) TF.js runs: the table
// side by side, in Korean too, --step, --csv, --json, and clear messages for a folder that does not
// exist, a file, a folder that is no run, and a run recorded before layer statistics existed.
// Also: a layerStats message goes through metrics.jsonl and comes back the same.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import type { LayerStatsMessage } from '../../src/protocol/training';
import { appendMetric, readMetrics } from '../../src/training/runFolder/runFolder';
import { collect } from '../helpers/trainRun';

const CLI = resolve('dist/cli.cjs');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const net = (name: string, shortcut: string) => `model ${name} {
  input 8x8x3, classes 2
  shortcut ${shortcut}
  conv1 conv 3x3, 4, bn, relu
  s1    basic(4) x 1
  head  avgpool, fc 2
  train {
    batch 8
    iterations 3
    augment none
    layer_stats every 2, images 8
  }
}`;

const runs: string[] = [];
before(async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'resnet-analyze-'));
  for (const [name, shortcut] of [
    ['plain', 'none'],
    ['residual', 'A'],
  ] as const) {
    const messages = await collect({
      kind: 'new',
      request: { sourceText: net(name, shortcut), sourcePath: `${name}.resnet`, modelName: name, dataset: 'synthetic', outDir, trainLimit: 24, seed: 1, backend: 'wasm' },
    });
    const started = messages.find((m) => m.type === 'started');
    assert.ok(started?.type === 'started');
    runs.push(started.runDir);
  }
});

test('a layerStats message goes into metrics.jsonl and comes back the same', async () => {
  const runDir = mkdtempSync(join(tmpdir(), 'resnet-analyze-roundtrip-'));
  const message: LayerStatsMessage = { type: 'layerStats', step: 7, layers: [{ path: 'conv2_x.0.conv1', responseStd: 0.123456789, gradNorm: 1.5e-7 }] };
  appendMetric(runDir, message);
  const back = await readMetrics(runDir);
  assert.deepEqual(back, { messages: [message], skipped: 0 });
});

test('the table: each layer of both runs side by side at their latest step; --step picks an earlier one; Korean headings', () => {
  const r = cli('analyze', ...runs);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^\[1\] .*plain: plain, step 3$/);
  assert.match(lines[1] ?? '', /^\[2\] .*residual: residual, step 3$/);
  assert.match(lines[3] ?? '', /^Layer +\[1\] response std +\[1\] grad norm +\[2\] response std +\[2\] grad norm$/);
  assert.deepEqual(
    lines.slice(4).map((l) => l.split(/ +/)[0]),
    ['conv1.conv1', 's1.0.conv1', 's1.0.conv2', 'head.fc1'],
  );
  for (const line of lines.slice(4)) {
    const figures = line.split(/ +/).slice(1).map(Number);
    assert.equal(figures.length, 4, line);
    assert.ok(
      figures.every((x) => Number.isFinite(x) && x > 0),
      line,
    );
  }
  const early = cli('analyze', runs[0] as string, '--step', '2');
  assert.match(early.stdout, /plain: plain, step 2/);
  const korean = cli('analyze', runs[0] as string, '--lang', 'ko');
  assert.match(korean.stdout, /스텝 3/);
  assert.match(korean.stdout, /레이어 +\[1\] 응답 표준편차 +\[1\] 기울기 노름/);
});

test('--csv writes one line per run and layer; --json gives the same figures as metrics.jsonl', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'resnet-analyze-csv-')), 'stats.csv');
  const r = cli('analyze', ...runs, '--csv', file, '--json');
  assert.equal(r.code, 0, r.stderr);
  const csv = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(csv[0], 'run,model,step,layer,response_std,grad_norm');
  assert.equal(csv.length, 1 + 2 * 4);
  assert.match(csv[1] ?? '', /,plain,3,conv1\.conv1,[\d.e-]+,[\d.e-]+$/);
  const json = JSON.parse(r.stdout) as { runs: { run: string; model: string; step: number; layers: LayerStatsMessage['layers'] }[] };
  assert.deepEqual(
    json.runs.map((x) => [x.run, x.model, x.step]),
    [
      [runs[0], 'plain', 3],
      [runs[1], 'residual', 3],
    ],
  );
  const recorded = (await readMetrics(runs[1] as string)).messages.filter((m): m is LayerStatsMessage => m.type === 'layerStats').at(-1);
  assert.deepEqual(json.runs[1]?.layers, recorded?.layers);
});

test('bad folders: missing, a file, not a run, a run without layer statistics, a step never measured; --json still prints JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'resnet-analyze-bad-'));
  const missing = cli('analyze', join(dir, 'nope'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope does not exist: pass a run folder \(runs\/<time>-<model>\/, as `train` prints it\)/);
  const file = join(dir, 'file.txt');
  writeFileSync(file, 'x');
  assert.match(cli('analyze', file).stderr, /file\.txt is not a folder: pass a run folder/);
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  assert.match(cli('analyze', empty).stderr, /empty is not a run folder: .*metrics\.jsonl has no `started` message/);
  // A run recorded before layer statistics: its metrics.jsonl without them (read as any old run is).
  const old = join(dir, 'old');
  mkdirSync(old);
  const lines = readFileSync(join(runs[0] as string, 'metrics.jsonl'), 'utf8').split('\n');
  writeFileSync(join(old, 'metrics.jsonl'), lines.filter((l) => !l.includes('"layerStats"')).join('\n'));
  const none = cli('analyze', old);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /old has no layer statistics: it was trained before they were measured or with `layer_stats off`/);
  const step = cli('analyze', runs[0] as string, '--step', '1');
  assert.equal(step.code, 1);
  assert.match(step.stderr, /has no layer statistics at step 1; it has them at steps 2, 3/);
  const json = cli('analyze', join(dir, 'nope'), '--json');
  assert.match((JSON.parse(json.stdout) as { error: string }).error, /does not exist/);
  assert.match(cli('analyze', runs[0] as string, '--step', 'x').stderr, /--step takes a step number of at least 1, not "x"/);
});
