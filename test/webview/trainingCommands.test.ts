// "ResNet: Train Model" end to end under Node, as the extension registers it (src/extension/
// training.ts), with a fake `vscode`, the real language server over JSON-RPC answering which models
// the file has, and the real worker (its TypeScript source under tsx): the picks, the recipe, the
// run, its status bar, notification and log; a second run asked about; Cancel stopping gracefully
// and the dashboard resuming the run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DashboardDeps } from '../../src/extension/training/dashboardPanel';
import { until as untilHolds } from '../helpers/until';
import { LspTestClient } from '../server/lspClient';
import { REPO_ROOT } from './browserHost';

register('./vscodeLoader.ts', import.meta.url);
const fake = await import('./fakeVscode');
const { registerTrainingCommands, TRAINING_COMMANDS } = await import('../../src/extension/training');

const MODELS = `model tiny {
  input 8x8x1, classes 4
  shortcut A
  conv1    conv 3x3, 8, bn, relu
  conv2_x  basic(8) x 1
  head     avgpool, fc 4
  train {
    dataset synthetic
    batch 32
    epochs 2
    validation 64
    augment none
  }
}

model slow {
  input 8x8x1, classes 4
  shortcut A
  conv1    conv 3x3, 8, bn, relu
  conv2_x  basic(8) x 2
  head     avgpool, fc 4
  train {
    dataset synthetic
    batch 16
    epochs 40
    augment none
  }
}
`;

const root = mkdtempSync(join(tmpdir(), 'resnet-commands-'));
const file = join(root, 'models.resnet');
const logs: string[] = [];
let disposables: { dispose(): void }[] = [];
let server: LspTestClient;

before(async () => {
  server = await LspTestClient.start();
  writeFileSync(file, MODELS);
  fake.workspace.workspaceFolders = [{ uri: fake.Uri.file(root) }];
  fake.workspace.settings = { 'resnet.training.backend': 'wasm' };
  const document = new fake.FakeDocument(fake.Uri.file(file));
  fake.window.activeTextEditor = { document };
  const state = new Map<string, unknown>();
  const context = {
    extensionUri: fake.Uri.file(REPO_ROOT),
    globalStorageUri: fake.Uri.file(join(root, 'storage')),
    workspaceState: { get: (key: string) => state.get(key), update: async (key: string, value: unknown) => void state.set(key, value) },
  };
  const log = Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error'].map((level) => [level, (text: string) => logs.push(`${level} ${text}`)]));
  disposables = registerTrainingCommands(context as never, server.connection, { ...log, show: () => undefined } as unknown as DashboardDeps['log']);
});

after(async () => {
  for (const d of disposables) d.dispose();
  await server.stop();
  rmSync(root, { recursive: true, force: true });
});

const run = (command: string, ...args: unknown[]) => fake.commands.executeCommand(command, ...args);

/** Waits for a state of the run (it trains for real: minutes at most); on a timeout, says the log's end. */
const until = <T>(what: string, probe: () => T) =>
  untilHolds(what, probe, {
    timeoutMs: 300_000,
    intervalMs: 50,
    detail: () =>
      `log:\n${logs
        .filter((l) => !/^info epoch/.test(l))
        .slice(-25)
        .join('\n')}`,
  });

const statusBar = () => fake.recorded.statusBarItems[0];

test('in Restricted Mode training is refused, and says why', async () => {
  fake.workspace.isTrusted = false;
  const shown = fake.recorded.errors.length + fake.recorded.warnings.length + fake.recorded.infos.length;
  await run(TRAINING_COMMANDS.trainModel);
  fake.workspace.isTrusted = true;
  assert.equal(fake.recorded.errors.length + fake.recorded.warnings.length + fake.recorded.infos.length, shown + 1, 'the trust check runs once, with one message');
  assert.match(fake.recorded.errors.at(-1) ?? '', /Restricted Mode: it runs code on files from this workspace and writes run folders/);
  assert.equal(fake.recorded.quickPicks.length, 0, 'nothing was asked');
});

test('train: pick the model and the data, see the recipe, watch it run to the end', async () => {
  fake.recorded.pickAnswers.push('tiny', 'Synthetic');
  fake.recorded.modalAnswers.push('Start');
  await run(TRAINING_COMMANDS.trainModel);
  assert.deepEqual(
    fake.recorded.quickPicks.map((p) => p.title),
    ['Train which model?', 'Train tiny on which data?'],
  );
  assert.deepEqual(fake.recorded.quickPicks[0].labels, ['tiny', 'slow']);
  assert.equal(fake.recorded.quickPicks[1].labels[0], 'Synthetic', "the recipe's data set first");
  const confirm = fake.recorded.infos.at(-1);
  assert.match(confirm?.message ?? '', /^Train tiny \(\d+ layers\)\?$/);
  assert.match(confirm?.detail ?? '', /Data: synthetic images\nBatch: 32\n.*Validation: 64 training images held out\n.*Backend: wasm\nRun folder in: .*runs$/s);

  // A second run while this one goes is asked about, not started.
  fake.recorded.pickAnswers.push('tiny', 'Synthetic');
  fake.recorded.modalAnswers.push('Start', undefined);
  await run(TRAINING_COMMANDS.trainModel);
  assert.match(fake.recorded.warnings.at(-1)?.message ?? '', /^tiny is still training .*Stop it and start tiny\?$/);

  await run(TRAINING_COMMANDS.openDashboard);
  const page = fake.recorded.panels.at(-1)?.webview;
  assert.ok(page);
  page.receive({ type: 'ready' });

  await until('the run to finish', () => fake.recorded.infos.some((i) => /^Training tiny finished: test error/.test(i.message)));
  const runs = readdirSync(join(root, 'runs'));
  assert.equal(runs.length, 1, 'one run, not two');
  assert.ok(existsSync(join(root, 'runs', runs[0], 'metrics.jsonl')));
  assert.ok(
    statusBar().texts.some((t) => /^\$\(sync~spin\) tiny · epoch \d\/2 · loss \d\.\d{3}/.test(t)),
    statusBar().texts.join('\n'),
  );
  assert.match(statusBar().text, /^\$\(check\) tiny done · test error/);
  const notification = fake.recorded.progress.at(-1);
  assert.equal(notification?.title, 'Training tiny');
  assert.ok(notification?.done);
  assert.ok(logs.some((l) => /^info training tiny in .*: wasm on CPU/.test(l)));
  assert.ok(logs.some((l) => /^info epoch 2: loss .*validation error/.test(l)));
  const sent = page.posted as { type: string; state?: string }[];
  assert.ok(sent.some((m) => m.type === 'runProgress'));
  assert.equal(sent.filter((m) => m.type === 'session').at(-1)?.state, 'idle');
  fake.recorded.panels.at(-1)?.dispose();
});

// The worker reads its 'stop' between steps (the training loop yields to the event loop there).
test('Cancel in the notification stops the run, with a checkpoint', { timeout: 300_000 }, async () => {
  fake.recorded.pickAnswers.push('slow', 'Synthetic');
  fake.recorded.modalAnswers.push('Start');
  await run(TRAINING_COMMANDS.trainModel);
  const notification = fake.recorded.progress.at(-1);
  await until('the first steps', () => /slow · epoch \d+\/40 · loss/.test(statusBar().text));
  notification?.cancel();
  assert.ok(logs.some((l) => /^info stopping slow after its current step/.test(l)));
  await until('the end', () => fake.recorded.infos.some((i) => /^Training slow (stopped|finished)/.test(i.message)));
  assert.ok(
    fake.recorded.infos.some((i) => /^Training slow stopped at step \d+; its checkpoint can be resumed/.test(i.message)),
    'stopped early, not finished',
  );
});

test('a crashed run is listed as resumable, and the dashboard resumes it to the end', { timeout: 600_000 }, async () => {
  const before = new Set(existsSync(join(root, 'runs')) ? readdirSync(join(root, 'runs')) : []);
  const logsBefore = logs.length;
  const infosBefore = fake.recorded.infos.length;
  fake.recorded.pickAnswers.push('slow', 'Synthetic');
  fake.recorded.modalAnswers.push('Start');
  await run(TRAINING_COMMANDS.trainModel);
  await until('two epochs', () => logs.slice(logsBefore).some((l) => /^info epoch 2: /.test(l)));
  // The crash: the worker (this process's child; not the language server, also one) is killed outright.
  const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /worker[\\/]main\.ts|worker\.cjs/.test(line))
    .map((line) => Number.parseInt(line, 10))
    .filter(Boolean);
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // `ps` itself, gone already
    }
  }
  await until('the crash report', () => fake.recorded.errors.some((e) => /^The training worker was killed by SIGKILL \(out of memory, or killed by hand\) before finishing slow/.test(e)));
  const runDir = join(root, 'runs', readdirSync(join(root, 'runs')).find((n) => !before.has(n)) as string);

  await run(TRAINING_COMMANDS.openDashboard);
  const page = fake.recorded.panels.at(-1)?.webview;
  assert.ok(page);
  const postedBefore = page.posted.length;
  page.receive({ type: 'ready' });
  // The dashboard opened when the run started; the list of runs it answers "ready" with is what it shows now.
  type RunsList = { type: string; runs: { runDir: string; status: string; resumable: boolean }[] };
  const list = await until('the list of runs', () => (page.posted.slice(postedBefore) as RunsList[]).find((m) => m.type === 'runs'));
  const listed = list.runs.find((r) => r.runDir === runDir);
  assert.deepEqual([listed?.status, listed?.resumable], ['incomplete', true]);
  page.receive({ type: 'resume', runDir });
  await until('the resumed run to finish', () => fake.recorded.infos.slice(infosBefore).some((i) => /^Training slow finished/.test(i.message)));
  assert.ok(logs.includes(`info resuming ${runDir}`));
  assert.ok(logs.some((l) => /^info training slow in .*slow: wasm/.test(l)));
  await run(TRAINING_COMMANDS.stopTraining);
  assert.equal(fake.recorded.infos.at(-1)?.message, 'No training is running.');
});

test('a long recipe offers a quick check first, with both estimates from the last run; the quick check trains 200 steps and ends', { timeout: 300_000 }, async () => {
  const infosBefore = fake.recorded.infos.length;
  const before = new Set(readdirSync(join(root, 'runs')));
  fake.recorded.pickAnswers.push('slow', 'Synthetic');
  fake.recorded.modalAnswers.push('Quick Check (200 steps)');
  await run(TRAINING_COMMANDS.trainModel);
  const confirm = fake.recorded.infos.slice(infosBefore).find((i) => /^Train slow/.test(i.message));
  // 40 epochs of 512 synthetic images at batch 16; the earlier runs here measured this machine's speed.
  assert.match(
    confirm?.detail ?? '',
    /\nQuick check: 200 steps, about (\d+m \d\ds|\d+s) \(at the speed of your last run\)\nThe recipe as written: 1,280 steps, about (\d+m \d\ds|\d+s|\d+h \d\dm) \(at the speed of your last run\)\n/,
  );
  await until('the quick check to finish', () => fake.recorded.infos.slice(infosBefore).some((i) => /^Training slow finished/.test(i.message)));
  const runDir = join(root, 'runs', readdirSync(join(root, 'runs')).find((n) => !before.has(n)) as string);
  const steps = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"type":"batch"')).length;
  assert.equal(steps, 200);
});
