// "ResNet: Run Experiment" under Node, as the extension registers it (src/extension/training.ts),
// with a fake `vscode`, the real language server over JSON-RPC planning the runs, and the CLI's
// queue (src/training/experiment/queue.ts) with real worker processes: the setting
// resnet.experiment.parallel trains N runs at a time (each in its own worker), 1 one after another.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DashboardDeps } from '../../src/extension/training/dashboardPanel';
import { Commands } from '../../src/protocol/languageServer';
import { DASHBOARD_VIEW_TYPE } from '../../src/protocol/webview';
import { until } from '../helpers/until';
import { LspTestClient } from '../server/lspClient';
import { REPO_ROOT } from './browserHost';

register('./vscodeLoader.ts', import.meta.url);
const fake = await import('./fakeVscode');
const { registerTrainingCommands } = await import('../../src/extension/training');
const { SETTINGS, experimentParallel, MAX_PARALLEL_RUNS } = await import('../../src/extension/training/settings');

/** Two variants long enough (a few seconds each) that two runs at a time overlap, and one at a time cannot. */
const SOURCE = (experiment: string) => `model tiny(n) {
  input 16x16x3, classes 4
  shortcut A
  conv1    conv 3x3, 8, bn, relu
  conv2_x  basic(8) x n
  head     avgpool, fc 4
  train {
    dataset synthetic
    batch 32
    iterations 48
    augment none
  }
}

experiment ${experiment} {
  grid tiny(n = 1, 2)
}
`;

const root = mkdtempSync(join(tmpdir(), 'resnet-experiment-command-'));
const logs: string[] = [];
let disposables: { dispose(): void }[] = [];
let server: LspTestClient;

before(async () => {
  server = await LspTestClient.start();
  fake.workspace.workspaceFolders = [{ uri: fake.Uri.file(root) }];
  disposables = registerTrainingCommands(context as never, server.connection, extensionLog);
});

/** The workspace's state, kept across a reload as VS Code keeps it. */
const workspaceState = new Map<string, unknown>();
const context = {
  extensionUri: fake.Uri.file(REPO_ROOT),
  globalStorageUri: fake.Uri.file(join(root, 'storage')),
  workspaceState: { get: (key: string) => workspaceState.get(key), update: async (key: string, value: unknown) => void workspaceState.set(key, value) },
};
const extensionLog = {
  ...Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error'].map((level) => [level, (text: string) => logs.push(`${level} ${text}`)])),
  show: () => undefined,
} as unknown as DashboardDeps['log'];

after(async () => {
  for (const d of disposables) d.dispose();
  await server.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Runs the experiment `name` from the editor with `parallel` in the settings; the order its runs started and finished in. */
async function runExperiment(name: string, parallel: unknown): Promise<string[]> {
  const file = join(root, `${name}.resnet`);
  writeFileSync(file, SOURCE(name));
  fake.workspace.settings = { [SETTINGS.backend]: 'wasm', [SETTINGS.experimentParallel]: parallel };
  fake.recorded.modalAnswers.push('Start');
  const from = logs.length;
  await fake.commands.executeCommand(Commands.runExperiment, { uri: fake.Uri.file(file).toString(), experiment: name });
  assert.deepEqual(fake.recorded.errors, [], 'no error shown');
  const events = logs.slice(from).flatMap((line) => {
    const m = new RegExp(`^info experiment ${name}: (tiny_n\\d) (started|finished)`).exec(line);
    return m ? [`${m[2]} ${m[1]}`] : [];
  });
  const results = readFileSync(join(root, 'runs', name, 'results.md'), 'utf8');
  // results.md is not opened raw beside the dashboard: a notification offers its rendered preview.
  assert.deepEqual(
    fake.recorded.shownDocuments.filter((d) => d.path.endsWith('results.md')),
    [],
  );
  const ended = fake.recorded.infos.find((m) => m.message.startsWith(`Experiment ${name}: 2 of 2 runs finished.`));
  assert.deepEqual(ended?.actions, ['Open Results']);
  // Both runs finished (the best variant's label is in bold).
  assert.match(results, /\| (\*\*)?tiny\(n = 1\)(\*\*)? \| residual \|.*\| 1\/1 \|/);
  assert.match(results, /\| (\*\*)?tiny\(n = 2\)(\*\*)? \| residual \|.*\| 1\/1 \|/);
  return events;
}

test('resnet.experiment.parallel 1 (the default): the runs train one after another', { timeout: 300_000 }, async () => {
  const events = await runExperiment('one_at_a_time', 1);
  assert.deepEqual(events, ['started tiny_n1', 'finished tiny_n1', 'started tiny_n2', 'finished tiny_n2']);
  assert.match(fake.recorded.infos.filter((m) => m.message.startsWith('Run experiment')).at(-1)?.detail ?? '', /Runs at a time: 1 \(setting resnet\.experiment\.parallel\)/);
});

test('resnet.experiment.parallel 2: both runs train at once, each in its own worker, with the queue the CLI uses', { timeout: 300_000 }, async () => {
  const events = await runExperiment('two_at_a_time', 2);
  assert.deepEqual(events.slice(0, 2).sort(), ['started tiny_n1', 'started tiny_n2'], `both started before either finished: ${events.join(', ')}`);
  assert.deepEqual(events.slice(2).sort(), ['finished tiny_n1', 'finished tiny_n2']);
  assert.match(fake.recorded.infos.filter((m) => m.message.startsWith('Run experiment')).at(-1)?.detail ?? '', /Runs at a time: 2 \(setting resnet\.experiment\.parallel\)/);
});

test('a setting that is no whole number from 1 up reads as 1; more than the most is capped', () => {
  const read = (value: unknown) => {
    fake.workspace.settings = value === undefined ? {} : { [SETTINGS.experimentParallel]: value };
    return experimentParallel();
  };
  assert.equal(read(undefined), 1);
  assert.equal(read(3), 3);
  for (const bad of [0, -2, 2.5, '4', null, Number.NaN]) assert.equal(read(bad), 1, String(bad));
  assert.equal(read(1000), MAX_PARALLEL_RUNS);
  fake.workspace.settings = {};
});

test('package.json contributes resnet.experiment.parallel (default 1, 1 … the most), and Restricted Mode ignores it in workspace settings', () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { type?: string; default?: unknown; minimum?: number; maximum?: number }> } };
    capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
  };
  const setting = manifest.contributes.configuration.properties[SETTINGS.experimentParallel];
  assert.deepEqual({ type: setting?.type, default: setting?.default, minimum: setting?.minimum, maximum: setting?.maximum }, { type: 'integer', default: 1, minimum: 1, maximum: MAX_PARALLEL_RUNS });
  assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(SETTINGS.experimentParallel));
});

test("the dashboard's Stop stops the experiment's queue; after a reload the dashboard lists the experiment's runs again, and Run Experiment resumes it to the end", { timeout: 600_000 }, async () => {
  const name = 'stopped_from_dashboard';
  const file = join(root, `${name}.resnet`);
  writeFileSync(file, SOURCE(name).replace('iterations 48', 'iterations 1000'));
  fake.workspace.settings = { [SETTINGS.backend]: 'wasm', [SETTINGS.experimentParallel]: 1 };
  fake.recorded.modalAnswers.push('Start');
  const done = fake.commands.executeCommand(Commands.runExperiment, { uri: fake.Uri.file(file).toString(), experiment: name });
  await until(`${name}'s first run to start`, () => logs.some((l) => l.startsWith(`info experiment ${name}: tiny_n1 started`)), { timeoutMs: 60_000 });
  const panel = fake.recorded.panels.at(-1);
  assert.ok(panel, 'the dashboard is open');
  panel.webview.receive({ type: 'ready' });
  const sessions = () => panel.webview.posted.filter((m): m is { type: 'session'; state: string } => (m as { type?: string }).type === 'session');
  assert.equal(sessions().at(-1)?.state, 'running', "the page's Stop is enabled while the queue trains");
  panel.webview.receive({ type: 'stop' });
  assert.equal(sessions().at(-1)?.state, 'stopping');
  await done;
  const runs = (JSON.parse(readFileSync(join(root, 'runs', name, 'experiment.json'), 'utf8')) as { runs: { status: string }[] }).runs;
  assert.ok(
    runs.every((r) => r.status !== 'finished'),
    `no run trained to its end: ${JSON.stringify(runs)}`,
  );
  assert.equal(sessions().at(-1)?.state, 'idle', 'the queue ended');

  // A reload: the panel is restored by a new extension host, which knows only the workspace's state.
  panel.dispose();
  for (const d of disposables) d.dispose();
  disposables = registerTrainingCommands(context as never, server.connection, extensionLog);
  const restored = new fake.FakePanel(DASHBOARD_VIEW_TYPE, {});
  await fake.recorded.serializerOf.get(DASHBOARD_VIEW_TYPE)?.deserializeWebviewPanel(restored, {});
  restored.webview.receive({ type: 'ready' });
  const listed = restored.webview.posted.find((m): m is { type: 'runs'; runsFolder: string; runs: { name: string }[] } => (m as { type?: string }).type === 'runs');
  assert.equal(listed?.runsFolder, join(root, 'runs', name));
  assert.ok(
    listed?.runs.some((r) => r.name.endsWith('tiny_n1')),
    JSON.stringify(listed),
  );

  // Run Experiment again, from the editor: it asks to resume, continues the stopped run from its
  // checkpoint and trains the rest.
  fake.recorded.modalAnswers.push('Resume');
  const resumedFrom = logs.length;
  await fake.commands.executeCommand(Commands.runExperiment, { uri: fake.Uri.file(file).toString(), experiment: name });
  assert.match(fake.recorded.infos.find((m) => m.message.startsWith(`Resume experiment ${name}`))?.message ?? '', /^Resume experiment stopped_from_dashboard: 2 runs\?$/);
  const after = (JSON.parse(readFileSync(join(root, 'runs', name, 'experiment.json'), 'utf8')) as { runs: { status: string }[] }).runs;
  assert.deepEqual(
    after.map((r) => r.status),
    ['finished', 'finished'],
  );
  assert.ok(
    logs.slice(resumedFrom).some((l) => /^info experiment stopped_from_dashboard: tiny_n1 (started|resumed)/.test(l)),
    logs.slice(resumedFrom).join('\n'),
  );
});
