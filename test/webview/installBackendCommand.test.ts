// "ResNet: Install Training Backend" under Node with a fake `vscode` and a real npm: refused in
// Restricted Mode; trusted, it asks which backend, installs it with a progress notification, and a
// failure (here npm's registry pointed at a closed port, so it fails at once) becomes a message
// naming what is missing, with Show Log, and the whole npm output in the log.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

register('./vscodeLoader.ts', import.meta.url);
const fake = await import('./fakeVscode');
const { registerInstallBackend, INSTALL_BACKEND_COMMAND } = await import('../../src/extension/training/installBackendCommand');

const logs: string[] = [];
let disposable: { dispose(): void };
const saved = { registry: process.env.npm_config_registry, retries: process.env.npm_config_fetch_retries };

before(() => {
  const context = { globalStorageUri: fake.Uri.file(mkdtempSync(join(tmpdir(), 'resnet-install-backend-'))) };
  const log = { ...Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error'].map((level) => [level, (text: string) => logs.push(`${level} ${text}`)])), show: () => undefined };
  disposable = registerInstallBackend(context as never, log as never);
});

after(() => {
  disposable.dispose();
  for (const [key, value] of [
    ['npm_config_registry', saved.registry],
    ['npm_config_fetch_retries', saved.retries],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

test('in Restricted Mode nothing is installed, and it says why', async () => {
  fake.workspace.isTrusted = false;
  const before = fake.recorded.quickPicks.length;
  await fake.commands.executeCommand(INSTALL_BACKEND_COMMAND);
  fake.workspace.isTrusted = true;
  assert.match(fake.recorded.errors.at(-1) ?? '', /disabled in Restricted Mode: it runs npm and downloads native code/);
  assert.equal(fake.recorded.quickPicks.length, before, 'nothing was asked');
});

test('a failed install says what is missing, offers the log, and logs npm', { timeout: 120_000 }, async () => {
  // Nothing listens on port 9 here: npm fails at once, as it would offline.
  process.env.npm_config_registry = 'http://127.0.0.1:9/';
  process.env.npm_config_fetch_retries = '0';
  fake.recorded.pickAnswers.push('tfjs-node');
  await fake.commands.executeCommand(INSTALL_BACKEND_COMMAND);
  assert.deepEqual(fake.recorded.quickPicks.at(-1)?.labels, ['tfjs-node-gpu', 'tfjs-node']);
  assert.equal(fake.recorded.progress.at(-1)?.title, 'Installing tfjs-node');
  assert.ok(fake.recorded.progress.at(-1)?.done, 'the notification closed');
  assert.match(fake.recorded.errors.at(-1) ?? '', /^installing tfjs-node failed: no network access to the npm registry/);
  assert.ok(
    logs.some((l) => l.startsWith('info npm install')),
    'the progress lines are logged',
  );
  assert.ok(
    logs.some((l) => l.startsWith('error installing tfjs-node failed')),
    logs.slice(-5).join('\n'),
  );
});
