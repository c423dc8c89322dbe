// The extension side of the dashboard, under Node with a fake `vscode`: the page it serves, and
// how it answers the page (only runs it listed; exports saved where the person says).
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { TrainingMessage } from '../../src/protocol/training';
import type { DashboardDeps } from '../../src/extension/training/dashboardPanel';
import { RunProgress } from '../../src/extension/training/runProgress';
import type { TrainingSession } from '../../src/extension/training/trainingSession';
import { until } from '../helpers/until';
import { scriptedRun } from './trainingStream';

register('./vscodeLoader.ts', import.meta.url);
const fake = await import('./fakeVscode');
const { DashboardPanel } = await import('../../src/extension/training/dashboardPanel');

const root = mkdtempSync(join(tmpdir(), 'resnet-panel-'));
after(() => rmSync(root, { recursive: true, force: true }));
const runsFolder = join(root, 'runs');
const run = scriptedRun({ runDir: join(runsFolder, '2026-01-01-10-00-00-resnet20'), stepsPerEpoch: 4, epochs: 2 });
mkdirSync(run.runDir, { recursive: true });
writeFileSync(join(run.runDir, 'config.json'), JSON.stringify({ modelName: 'resnet20', dataset: 'cifar10' }));
writeFileSync(join(run.runDir, 'metrics.jsonl'), `${run.messages.map((m) => JSON.stringify(m)).join('\n')}\n{"type":"bat`);

function setup() {
  const logs: string[] = [];
  const resumed: string[] = [];
  let stops = 0;
  const session = { state: 'idle', runDir: undefined, stop: () => ++stops > 0 } as unknown as TrainingSession;
  const log = {
    info: (t: string) => logs.push(`info ${t}`),
    warn: (t: string) => logs.push(`warn ${t}`),
    error: (t: string) => logs.push(`error ${t}`),
  } as unknown as DashboardDeps['log'];
  const deps: DashboardDeps = {
    extensionUri: fake.Uri.file('/ext') as never,
    session,
    log,
    runsFolder: () => runsFolder,
    resume: async (runDir) => void resumed.push(runDir),
    experimentQueue: () => undefined,
  };
  const panel = DashboardPanel.show(deps);
  const fakePanel = fake.recorded.panels.at(-1) as InstanceType<typeof fake.FakePanel>;
  const webview = fakePanel.webview;
  return { panel, fakePanel, webview, logs, resumed, stops: () => stops, deps };
}

test('one panel, under a strict CSP, loading only from the bundle folder', () => {
  const { fakePanel, webview, deps, panel } = setup();
  assert.deepEqual(fakePanel.options, { enableScripts: true, localResourceRoots: [fake.Uri.joinPath(fake.Uri.file('/ext'), 'dist', 'webview')] });
  const nonce = /script-src 'nonce-([^']+)'/.exec(webview.html)?.[1];
  assert.ok(nonce && nonce.length >= 16);
  assert.match(webview.html, new RegExp(`<script nonce="${nonce.replace(/[+/=]/g, '\\$&')}" src="file:///ext/dist/webview/dashboard.js">`));
  assert.match(webview.html, /href="file:\/\/\/ext\/dist\/webview\/dashboard.css"/);
  // Shown again: the same panel comes forward.
  assert.equal(DashboardPanel.show(deps), panel);
  assert.equal(fakePanel.revealed, 1);
  panel.dispose();
  assert.equal(DashboardPanel.open, undefined);
  assert.ok(fakePanel.disposed);
});

test('the page gets the runs and their histories, and nothing outside them', async () => {
  const { webview, logs, panel } = setup();
  webview.receive({ type: 'ready' });
  await until('the runs and the session', () => webview.posted.length >= 2);
  const [runs, session] = webview.posted as { type: string; runs?: { runDir: string; status: string }[] }[];
  assert.equal(runs.type, 'runs');
  assert.deepEqual(
    runs.runs?.map((r) => [r.runDir, r.status]),
    [[run.runDir, 'finished']],
  );
  assert.deepEqual(session, { type: 'session', state: 'idle' });

  webview.receive({ type: 'loadRuns', runDirs: [run.runDir, '/etc'] });
  await until('the history and the refusal', () => webview.posted.length >= 4);
  const [history, refused] = webview.posted.slice(2) as { type: string; batches?: { step: Float64Array }; messages?: TrainingMessage[]; stepsOnHost?: unknown }[];
  assert.equal(history.type, 'runHistory');
  // The steps stay with the extension (issue 21): the page gets the last one, and where they are.
  assert.deepEqual(Array.from(history.batches?.step ?? []), [8]);
  assert.deepEqual(history.stepsOnHost, { count: 8, first: 1, last: 8 });
  assert.equal(history.messages?.length, run.messages.filter((m) => m.type !== 'batch').length);
  assert.deepEqual(refused, { type: 'runError', runDir: '/etc', message: '/etc is not in the runs folder (any more).' });
  assert.ok(
    logs.some((l) => /^info .*skipped 1 line/.test(l)),
    'the cut-off line is logged',
  );
  assert.ok(logs.some((l) => /^warn dashboard: asked to load \/etc/.test(l)));

  webview.receive({ type: 'loadRuns', runDirs: 'all' });
  webview.receive({ type: 'exportPng', fileName: 'x.png', dataUrl: 'javascript:alert(1)' });
  assert.equal(logs.filter((l) => /dropped a malformed message from the page/.test(l)).length, 2);
  assert.ok(
    logs.some((l) => /from the page \(field "runDirs": Invalid type: Expected Array but received "all"\)/.test(l)),
    'the log names the field',
  );
  panel.dispose();
});

test('stop, resume and reveal act on listed runs only', async () => {
  const { webview, logs, resumed, stops, panel } = setup();
  webview.receive({ type: 'ready' });
  webview.receive({ type: 'stop' });
  webview.receive({ type: 'resume', runDir: run.runDir });
  webview.receive({ type: 'resume', runDir: '/tmp/elsewhere' });
  webview.receive({ type: 'revealRun', runDir: '/' });
  // The listed run's reveal comes last: once it is done, every request before it was answered.
  webview.receive({ type: 'revealRun', runDir: run.runDir });
  await until('the reveal', () => fake.recorded.commands.length > 0);
  assert.equal(stops(), 1);
  assert.deepEqual(resumed, [run.runDir]);
  assert.deepEqual(
    fake.recorded.commands.map((c) => [c.command, (c.args[0] as { fsPath: string }).fsPath]),
    [['revealFileInOS', run.runDir]],
  );
  assert.deepEqual(
    logs.filter((l) => l.startsWith('warn')).map((l) => /asked to (\w+) (\S+),/.exec(l)?.slice(1)),
    [
      ['resume', '/tmp/elsewhere'],
      ['reveal', '/'],
    ],
  );
  panel.dispose();
});

test('exports are saved where the save dialog says, under a plain name', async () => {
  const { webview, panel } = setup();
  fake.recorded.saveTo = fake.Uri.file(join(root, 'chosen.csv'));
  webview.receive({ type: 'exportCsv', fileName: '../../etc/passwd', csv: 'step,loss\n1,2\n' });
  await until('the CSV written', () => fake.recorded.written.length >= 1);
  assert.deepEqual(
    fake.recorded.written.map((w) => [w.path, Buffer.from(w.bytes).toString()]),
    [[join(root, 'chosen.csv'), 'step,loss\n1,2\n']],
  );
  fake.recorded.saveTo = fake.Uri.file(join(root, 'chosen.png'));
  webview.receive({ type: 'exportPng', fileName: 'loss.png', dataUrl: `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64')}` });
  await until('the PNG written', () => fake.recorded.written.length >= 2);
  assert.deepEqual([...(fake.recorded.written.at(-1)?.bytes ?? [])], [0x89, 0x50, 0x4e, 0x47]);
  fake.recorded.saveTo = undefined; // cancelled: nothing written
  webview.receive({ type: 'exportCsv', fileName: 'x.csv', csv: 'cancelled' });
  // An export after it is written: the one write that comes is that one, not the cancelled one.
  fake.recorded.saveTo = fake.Uri.file(join(root, 'after.md'));
  webview.receive({ type: 'exportMarkdown', fileName: 'after.md', markdown: '# after' });
  await until('the export after the cancelled one', () => fake.recorded.written.length >= 3);
  assert.deepEqual(
    fake.recorded.written.slice(2).map((w) => [w.path, Buffer.from(w.bytes).toString()]),
    [[join(root, 'after.md'), '# after']],
  );
  panel.dispose();
});

test('every step of the runs as CSV, streamed from their folders; a run it did not list is left out', async () => {
  const { webview, logs, panel } = setup();
  webview.receive({ type: 'ready' });
  await until('the runs', () => webview.posted.length >= 2);
  const target = join(root, 'steps.csv');
  fake.recorded.saveTo = fake.Uri.file(target);
  const written = fake.recorded.written.length;
  webview.receive({ type: 'exportStepsCsv', fileName: 'loss.csv', runDirs: [run.runDir, '/etc'] });
  await until('the CSV saved', () => logs.some((l) => l.startsWith(`info dashboard: saved ${target}`)));
  const rows = readFileSync(target, 'utf8').trim().split('\n');
  const batches = run.messages.filter((m) => m.type === 'batch');
  assert.equal(rows[0], 'run,step,epoch,loss,accuracy,lr,imagesPerSec');
  assert.deepEqual(
    rows.slice(1),
    batches.map((b) => `2026-01-01-10-00-00-resnet20,${b.step},${b.epoch},${b.loss},${b.accuracy},${b.lr},${b.imagesPerSec}`),
  );
  assert.ok(logs.some((l) => /^warn dashboard: asked to export \/etc/.test(l)));
  assert.equal(fake.recorded.written.length, written, 'written to the file as a stream, not handed over whole');
  fake.recorded.saveTo = undefined;
  panel.dispose();
});

test('live messages go to the page in batches, with the ETA', async () => {
  const { webview, panel } = setup();
  const progress = new RunProgress();
  const live = scriptedRun({ runDir: join(runsFolder, 'live'), stepsPerEpoch: 10, epochs: 1 });
  for (const m of live.messages) {
    progress.add(m);
    panel.onTrainingMessage(live.runDir, m, progress);
  }
  assert.equal(webview.posted.length, 0, 'held for the next flush');
  await until('the flush', () => webview.posted.length > 0);
  // All of them in that one post: nothing is left for another.
  assert.equal(webview.posted.length, 1);
  const sent = webview.posted[0] as { type: string; runDir: string; messages: unknown[] };
  assert.deepEqual([sent.type, sent.runDir, sent.messages.length], ['runProgress', live.runDir, live.messages.length]);
  panel.dispose();
});

test("a live run's messages wait while its history is read, so the page gets the history first", async () => {
  const { webview, panel } = setup();
  const progress = new RunProgress();
  webview.receive({ type: 'ready' });
  await until('the runs and the session', () => webview.posted.length >= 2);
  // The page asks for the run's record; the read is under way...
  webview.receive({ type: 'loadRuns', runDirs: [run.runDir] });
  // ...when the worker sends another step and the session changes (which flushes at once).
  const next: TrainingMessage = { type: 'batch', step: 9, epoch: 2, loss: 0.5, accuracy: 0.8, lr: 0.1, imagesPerSec: 100 };
  progress.add(next);
  panel.onTrainingMessage(run.runDir, next, progress);
  panel.onSessionChange();
  const types = () => (webview.posted as { type: string }[]).map((m) => m.type).filter((t) => t === 'runHistory' || t === 'runProgress');
  await until('the history and the progress', () => types().length === 2);
  assert.deepEqual(types(), ['runHistory', 'runProgress']);
  // The page asks for what its loss chart draws: few steps, so every one of them, the live step 9 too.
  const request = { type: 'stepsRequest', id: 7, chart: 'loss', runs: [{ runDir: run.runDir, perX: 1 }], series: ['loss', 'smoothed'], smoothing: 0.6, x0: 1, width: 0.01, columns: 800 };
  webview.receive(request);
  const answer = () => (webview.posted as { type: string; id?: number; runs?: { step: Float64Array; values: Float64Array[]; end: number }[] }[]).find((m) => m.type === 'steps' && m.id === 7);
  await until('the answer', () => answer() !== undefined);
  const picked = answer()?.runs?.[0];
  assert.deepEqual(Array.from(picked?.step ?? []), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(picked?.values.length, 2);
  assert.equal(picked?.values[0]?.[8], 0.5);
  assert.equal(picked?.end, 9);
  // A request that no longer names the run: its steps are dropped, a later one gets none.
  webview.receive({ ...request, id: 8, runs: [] });
  webview.receive({ ...request, id: 9 });
  const dropped = () => (webview.posted as { type: string; id?: number; runs?: { step: Float64Array }[] }[]).find((m) => m.type === 'steps' && m.id === 9);
  await until('the answer after the drop', () => dropped() !== undefined);
  assert.equal(dropped()?.runs?.[0]?.step.length, 0);
  panel.dispose();
});

test('a run ticked again whose metrics.jsonl did not change is sent from the steps put aside, not read again; a changed file is read again', async () => {
  const other = scriptedRun({ runDir: join(runsFolder, '2026-01-02-10-00-00-resnet20'), stepsPerEpoch: 5, epochs: 2 });
  mkdirSync(other.runDir, { recursive: true });
  writeFileSync(join(other.runDir, 'config.json'), JSON.stringify({ modelName: 'resnet20', dataset: 'cifar10' }));
  const file = join(other.runDir, 'metrics.jsonl');
  const lines = other.messages.map((m) => JSON.stringify(m));
  writeFileSync(file, `${lines.join('\n')}\n`);
  // A time in whole seconds: set again after the rewrite below, exactly.
  const written = new Date('2026-01-02T10:30:00Z');
  utimesSync(file, written, written);
  const { webview, panel } = setup();
  webview.receive({ type: 'ready' });
  await until('the runs and the session', () => webview.posted.length >= 2);
  const posted = () => webview.posted as { type: string; id?: number; runDir?: string; stepsOnHost?: { count: number }; runs?: { step: Float64Array; values: Float64Array[] }[] }[];
  const histories = () => posted().filter((m) => m.type === 'runHistory' && m.runDir === other.runDir);
  let id = 100;
  const ask = async (runs: { runDir: string; perX: number }[]) => {
    const asked = ++id;
    webview.receive({ type: 'stepsRequest', id: asked, chart: 'loss', runs, series: ['loss'], smoothing: 0, x0: 1, width: 0.01, columns: 2000 });
    await until(`the answer ${asked}`, () => posted().some((m) => m.type === 'steps' && m.id === asked));
    return posted().find((m) => m.type === 'steps' && m.id === asked)?.runs?.[0];
  };
  const tick = async (count: number) => {
    webview.receive({ type: 'loadRuns', runDirs: [other.runDir] });
    await until('the history', () => histories().length === count);
    return ask([{ runDir: other.runDir, perX: 1 }]);
  };
  const first = await tick(1);
  assert.equal(first?.step.length, 10);
  // Unticked: the page's next request leaves it out.
  await ask([]);
  // The file rewritten to the same size and time with other losses: a run read again would show them.
  const otherLosses = lines.map((line) => line.replace(/"loss":(-?\d+)\.(\d)/, (_m, whole: string, digit: string) => `"loss":${whole}.${(Number(digit) + 1) % 10}`));
  assert.notDeepEqual(otherLosses, lines);
  writeFileSync(file, `${otherLosses.join('\n')}\n`);
  assert.equal(statSync(file).size, Buffer.byteLength(`${lines.join('\n')}\n`), 'the same size');
  utimesSync(file, written, written);
  const again = await tick(2);
  assert.equal(histories()[1]?.stepsOnHost?.count, 10);
  assert.deepEqual(Array.from(again?.values[0] ?? []), Array.from(first?.values[0] ?? []), 'the steps put aside, not the file read again');
  // A run that grew (another step written): read again.
  await ask([]);
  writeFileSync(file, `${lines.join('\n')}\n${JSON.stringify({ type: 'batch', step: 11, epoch: 2, loss: 0.25, accuracy: 0.9, lr: 0.1, imagesPerSec: 100 })}\n`);
  const grown = await tick(3);
  assert.equal(grown?.step.length, 11);
  assert.equal(grown?.values[0]?.[10], 0.25);
  panel.dispose();
});
