// The experiment queue with real worker processes on synthetic data, through the real CLI
// (dist/cli.cjs; `node esbuild.js` first): killed mid-experiment and resumed, nothing is retrained
// and nothing lost; a diverging variant is recorded and the rest still train; --json ends with
// experimentFinished; --order random is the same for the same seed.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ExperimentFinishedSchema, ExperimentStateSchema } from '../../src/protocol/experiment';
import * as v from 'valibot';
import { createExperiment, orderRuns, readState as readQueueState, writeState } from '../../src/training/experiment/state';
import { runEngine } from '../../src/training/experiment/queue';
import { engineOfRun } from '../../src/training/runFolder/runFolder';
import { PYTHON, torchMissing } from '../helpers/python';

const CLI = join(process.cwd(), 'dist/cli.cjs');

/** A template whose learning rate is a parameter: `r = 1000000` diverges within a few steps. */
const SOURCE = (steps: number, rates: string) => `
model tiny(r, n = 1) {
  input 8x8x3, classes 4
  shortcut A
  conv1    conv 3x3, 4, bn, relu
  conv2_x  basic(4) x n
  head     avgpool, fc 4
  train {
    dataset synthetic
    batch 32
    sgd lr r, momentum 0.9
    iterations ${steps}
    augment none
  }
}
experiment sweep {
  grid tiny(r = ${rates})
}
`;

interface Line {
  readonly type: string;
  readonly run?: string;
  readonly variant?: string;
  readonly [key: string]: unknown;
}

function parseLines(text: string): Line[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}

function readState(dir: string) {
  return v.parse(ExperimentStateSchema, JSON.parse(readFileSync(join(dir, 'experiment.json'), 'utf8')));
}

test('killed mid-experiment and resumed: finished runs are not retrained, the interrupted one resumes from its checkpoint, nothing is lost', { timeout: 600_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'experiment-kill-'));
  const file = join(work, 'sweep.resnet');
  // 64 steps = 4 epochs of 16 (512 synthetic images, batch 32): a checkpoint after each epoch.
  writeFileSync(file, SOURCE(64, '0.05, 0.02, 0.01'));
  const out = join(work, 'runs');
  const child = spawn(process.execPath, [CLI, 'experiment', file, '--backend', 'wasm', '--out', out, '--json'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let text = '';
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const killed = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      // Kill the queue and its worker once the second run has a checkpoint past its first epoch.
      const lines = parseLines(text);
      if (lines.some((l) => l.type === 'checkpoint' && l.run === 'tiny_r0.02' && (l.epoch as number) >= 1)) {
        process.kill(-(child.pid as number), 'SIGKILL');
        resolve();
      }
    });
    child.on('exit', () => resolve());
    child.on('error', reject);
  });
  await killed;
  // The queue and its worker are gone, their output closed, before their files are read.
  await closed;
  const before = parseLines(text);
  assert.ok(
    before.some((l) => l.type === 'finished' && l.run === 'tiny_r0.05'),
    'the first run finished before the kill',
  );
  const dir = join(out, 'sweep');
  const stateBefore = readState(dir);
  assert.deepEqual(
    stateBefore.runs.map((r) => r.status),
    ['finished', 'running', 'pending'],
  );
  const firstDir = stateBefore.runs[0].runDir as string;
  const firstMetrics = readFileSync(join(firstDir, 'metrics.jsonl'), 'utf8');

  const resumed = spawnSync(process.execPath, [CLI, 'experiment', '--resume', dir, '--json'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(
    resumed.status,
    0,
    `${resumed.stderr}\n${resumed.stdout
      .split('\n')
      .filter((l) => /failed|experimentFinished/.test(l))
      .join('\n')}`,
  );
  const lines = parseLines(resumed.stdout);
  const started = lines.filter((l) => l.type === 'started');
  assert.deepEqual(
    started.map((l) => l.run),
    ['tiny_r0.02', 'tiny_r0.01'],
    'the finished run is not trained again',
  );
  assert.ok((started[0].resumedAtStep as number) >= 16, `the interrupted run resumes from its checkpoint (step ${String(started[0].resumedAtStep)})`);
  assert.equal(started[1].resumedAtStep, undefined, 'the run that never started starts from scratch');
  assert.equal(started[0].runDir, stateBefore.runs[1].runDir, 'in its own run folder');
  assert.equal(readFileSync(join(firstDir, 'metrics.jsonl'), 'utf8'), firstMetrics, "the finished run's record is untouched");
  const last = v.parse(ExperimentFinishedSchema, lines[lines.length - 1]);
  assert.deepEqual(
    last.results.map((r) => [r.variant, r.status]),
    [
      ['tiny_r0.05', 'finished'],
      ['tiny_r0.02', 'finished'],
      ['tiny_r0.01', 'finished'],
    ],
  );
  for (const r of last.results) {
    assert.ok(r.testAccuracy !== undefined && r.testAccuracy >= 0 && r.testAccuracy <= 1);
    assert.ok(r.finalTrainError !== undefined && r.finalTrainError >= 0 && r.finalTrainError <= 1);
    assert.ok(r.runDir && existsSync(join(r.runDir, 'model')), 'each run saved its final model');
  }
  // The resumed run's metrics hold every step once: what it trained before the kill and after.
  const steps = readFileSync(join(stateBefore.runs[1].runDir as string, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; step?: number })
    .filter((m) => m.type === 'batch')
    .map((m) => m.step);
  assert.deepEqual(
    steps,
    Array.from({ length: 64 }, (_, i) => i + 1),
  );
  assert.ok(existsSync(join(dir, 'results.csv')) && existsSync(join(dir, 'results.md')));
  // Fig. 7 beside Fig. 6: each variant's last layer statistics (after its last step), every measured layer.
  const markdown = readFileSync(join(dir, 'results.md'), 'utf8');
  const panel = markdown.slice(markdown.indexOf('## Layer responses (Fig. 7)'));
  assert.ok(panel.startsWith('## Layer responses (Fig. 7)'), markdown);
  assert.match(panel, /at step 64/);
  assert.match(panel, new RegExp(`^\\| layer \\| ${last.results.map((r) => r.label.replace(/[()|.*+?]/g, '\\$&')).join(' \\| ')} \\|$`, 'm'));
  const rows = (text: string) => text.split('\n').filter((l) => /^\| \d+ \|/.test(l));
  const [inOrder, sorted] = panel.split('Sorted, largest first:').map(rows);
  // conv1 and the block's two convolutions (Fig. 7 plots convolutions: not the fc); each variant's sorted column is its column sorted.
  assert.equal(inOrder?.length, 3);
  const column = (lines: readonly string[], k: number) => lines.map((l) => Number(l.split('|')[k + 2]));
  for (let k = 0; k < last.results.length; k++)
    assert.deepEqual(
      column(sorted ?? [], k),
      [...column(inOrder ?? [], k)].sort((a, b) => b - a),
    );
});

test('a diverging variant is recorded as failed with its message and the queue goes on; --json gives every message its variant', { timeout: 600_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'experiment-fail-'));
  const file = join(work, 'sweep.resnet');
  writeFileSync(file, SOURCE(16, '1000000000, 0.05'));
  const r = spawnSync(process.execPath, [CLI, 'experiment', file, '--backend', 'wasm', '--out', join(work, 'runs'), '--parallel', '2', '--json'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 1, 'a failed run makes the exit code 1');
  const lines = parseLines(r.stdout);
  for (const l of lines.slice(0, -1)) {
    assert.equal(l.experiment, 'sweep');
    assert.ok(l.variant === 'tiny_r1000000000' || l.variant === 'tiny_r0.05', JSON.stringify(l));
  }
  const failed = lines.find((l) => l.type === 'failed');
  assert.equal(failed?.variant, 'tiny_r1000000000');
  assert.match(String(failed?.message), /diverged/);
  const last = v.parse(ExperimentFinishedSchema, lines[lines.length - 1]);
  assert.deepEqual(
    last.results.map((x) => [x.variant, x.status]),
    [
      ['tiny_r1000000000', 'failed'],
      ['tiny_r0.05', 'finished'],
    ],
  );
  assert.match(last.results[0].message ?? '', /diverged/);
  assert.deepEqual(Object.keys(last.results[1]).sort(), ['finalTrainError', 'label', 'macs', 'model', 'params', 'plain', 'runDir', 'status', 'testAccuracy', 'variant'].sort());
  // Resuming a queue with nothing left to train retrains nothing and gives the same results.
  const again = spawnSync(process.execPath, [CLI, 'experiment', '--resume', join(work, 'runs', 'sweep'), '--json'], { encoding: 'utf8', timeout: 120_000 });
  const againLines = parseLines(again.stdout);
  assert.equal(againLines.filter((l) => l.type === 'started').length, 0);
  assert.deepEqual(v.parse(ExperimentFinishedSchema, againLines[againLines.length - 1]).results, last.results);
});

test('the CLI refuses what it cannot run with a message: errors in a variant, bad flags, a folder that is no experiment', () => {
  const work = mkdtempSync(join(tmpdir(), 'experiment-cli-'));
  const bad = join(work, 'bad.resnet');
  writeFileSync(bad, `model net(k) {\n  input 8x8x3, classes 4\n  conv1 conv k x k, 8, pad 0, bn, relu\n  head avgpool, fc 4\n}\nexperiment e {\n  grid net(k = 3, 9)\n}\n`);
  const r = spawnSync(process.execPath, [CLI, 'experiment', bad, '--out', join(work, 'runs')], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.resnet:7:\d+: error: variant net\(k = 9\): /);
  assert.ok(!existsSync(join(work, 'runs', 'e')), 'nothing was queued');
  const help = spawnSync(process.execPath, [CLI, 'experiment', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--parallel N/);
  const order = spawnSync(process.execPath, [CLI, 'experiment', bad, '--seed', '3'], { encoding: 'utf8' });
  assert.notEqual(order.status, 0);
  const notExperiment = spawnSync(process.execPath, [CLI, 'experiment', '--resume', work], { encoding: 'utf8' });
  assert.match(notExperiment.stderr, /is not an experiment folder/);
});

test('--order random shuffles the runs the same way for the same seed, and differently for another', () => {
  const runs = Array.from({ length: 8 }, (_, i) => i);
  const a = orderRuns(runs, { order: 'random', orderSeed: 7 });
  assert.deepEqual(orderRuns(runs, { order: 'random', orderSeed: 7 }), a);
  assert.notDeepEqual(a, runs);
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    runs,
    'every run once',
  );
  assert.notDeepEqual(orderRuns(runs, { order: 'random', orderSeed: 8 }), a);
  assert.deepEqual(orderRuns(runs, { order: 'listed' }), runs);
});

/** An experiment of one model, `sweep.a`: the plan the tests below queue (a state file's models are names of its source). */
const ONE_MODEL = `model a {
  input 8x8x3, classes 4
  conv1 conv 3x3, 4, bn, relu
  head avgpool, fc 4
}
experiment sweep {
  models a
}
`;

test('a second experiment of the same name is not started over the first: resume it instead', () => {
  const out = mkdtempSync(join(tmpdir(), 'experiment-twice-'));
  const plan = { experiment: 'sweep', sourcePath: 'x.resnet', sourceText: ONE_MODEL, runs: [{ key: 'a', variant: 'a', label: 'a', model: 'sweep.a', plain: false, params: 1, macs: 1 }] };
  const dir = createExperiment(plan, { dataset: 'synthetic', backend: 'wasm', order: 'listed' }, out);
  assert.throws(() => createExperiment(plan, { dataset: 'synthetic', backend: 'wasm', order: 'listed' }, out), /already holds experiment sweep: resume it with --resume/);
  assert.equal(readState(dir).runs[0].status, 'pending');
});

test("a run folder named in experiment.json is always one of the experiment folder's own: a path elsewhere is not followed", () => {
  const out = mkdtempSync(join(tmpdir(), 'experiment-paths-'));
  const plan = { experiment: 'sweep', sourcePath: 'x.resnet', sourceText: ONE_MODEL, runs: [{ key: 'a', variant: 'a', label: 'a', model: 'sweep.a', plain: false, params: 1, macs: 1 }] };
  const dir = createExperiment(plan, { dataset: 'synthetic', backend: 'wasm', order: 'listed' }, out);
  const state = readQueueState(dir);
  writeState(dir, { ...state, runs: state.runs.map((r) => ({ ...r, status: 'running' as const, runDir: '/somewhere/else/2026-12-01-run-a' })) });
  assert.equal(readQueueState(dir).runs[0]?.runDir, join(dir, '2026-12-01-run-a'));
  writeState(dir, { ...state, runs: state.runs.map((r) => ({ ...r, runDir: '/tmp/..' })) });
  assert.throws(() => readQueueState(dir), /run a names no run folder \("\/tmp\/\.\."\); the experiment folder is damaged/);
});

/** Two variants, one whose recipe says `engine pytorch` and one that says nothing (TF.js). */
const ENGINES = `
model on_torch(n) {
  input 8x8x3, classes 4
  shortcut A
  conv1    conv 3x3, 4, bn, relu
  conv2_x  basic(4) x n
  head     avgpool, fc 4
  train {
    dataset synthetic
    batch 32
    iterations 8
    augment none
    engine pytorch
  }
}
model on_tfjs(n) {
  input 8x8x3, classes 4
  shortcut A
  conv1    conv 3x3, 4, bn, relu
  conv2_x  basic(4) x n
  head     avgpool, fc 4
  train {
    dataset synthetic
    batch 32
    iterations 8
    augment none
  }
}
experiment engines {
  grid on_torch(n = 1)
  grid on_tfjs(n = 1)
}
`;

test("each variant trains on its recipe's engine: `engine pytorch` on PyTorch, the rest on TF.js; --engine puts every run on one", { skip: torchMissing() ?? false, timeout: 600_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'experiment-engines-'));
  const file = join(work, 'engines.resnet');
  writeFileSync(file, ENGINES);
  const r = spawnSync(process.execPath, [CLI, 'experiment', file, '--backend', 'wasm', '--python', PYTHON, '--out', join(work, 'runs'), '--json'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const started = parseLines(r.stdout).filter((l) => l.type === 'started');
  assert.deepEqual(
    started.map((l) => [l.variant, l.backend]),
    [
      ['on_torch_n1', 'pytorch'],
      ['on_tfjs_n1', 'wasm'],
    ],
  );
  const state = readState(join(work, 'runs', 'engines'));
  assert.deepEqual(
    state.runs.map((run) => [run.key, run.engine, run.status, engineOfRun(run.runDir ?? '')]),
    [
      ['on_torch_n1', 'pytorch', 'finished', 'pytorch'],
      ['on_tfjs_n1', undefined, 'finished', 'tfjs'],
    ],
  );
  // --engine tfjs overrides the recipe for every run, as the editor's resnet.training.engine does.
  const forced = spawnSync(process.execPath, [CLI, 'experiment', file, '--engine', 'tfjs', '--backend', 'wasm', '--out', join(work, 'forced'), '--json'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(forced.status, 0, forced.stderr);
  assert.deepEqual(
    parseLines(forced.stdout)
      .filter((l) => l.type === 'started')
      .map((l) => l.backend),
    ['wasm', 'wasm'],
  );
});

test("the engine of a queued run: the queue's setting, else the run's recipe's, else TF.js for a named backend, else auto", () => {
  assert.equal(runEngine({ backend: 'auto' }, {}), 'auto');
  assert.equal(runEngine({ backend: 'wasm' }, {}), 'tfjs');
  assert.equal(runEngine({ backend: 'auto' }, { engine: 'pytorch' }), 'pytorch');
  assert.equal(runEngine({ engine: 'tfjs', backend: 'auto' }, { engine: 'pytorch' }), 'tfjs');
  assert.equal(runEngine({ engine: 'pytorch', backend: 'auto' }, {}), 'pytorch');
});
