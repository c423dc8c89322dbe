// "ResNet: Download CIFAR-10" under Node with a fake `vscode` and the real download, against an
// HTTP server on 127.0.0.1 (through $RESNET_STUDIO_CIFAR10_URL/_MD5) serving a small archive in the
// CIFAR-10 layout: the folder asked, the notification's progress, Cancel keeping the bytes, resume.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { register } from 'node:module';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { makeCifarArchive, serve, serveFile, tempDir, type Route, type TestServer, type TestArchive } from '../helpers/cifarArchive';
import { until } from '../helpers/until';

register('./vscodeLoader.ts', import.meta.url);
const fake = await import('./fakeVscode');
const { registerDownloadCifar10, DOWNLOAD_CIFAR10_COMMAND } = await import('../../src/extension/training/downloadCifar10Command');

const tmp = tempDir('download-command-');
const logs: string[] = [];
let archive: TestArchive;
let server: TestServer;
let stallFirst = false;
let disposable: { dispose(): void };

before(async () => {
  archive = await makeCifarArchive(tmp.fresh());
  // The first answer of the cancel test sends half and stalls; every other is a plain file server.
  const route: Route = (req, res, attempt) => {
    if (stallFirst) {
      stallFirst = false;
      void res.writeHead(200, { 'content-length': archive.data.length }).write(archive.data.subarray(0, archive.data.length >> 1));
    } else serveFile(archive.data)(req, res, attempt);
  };
  server = await serve({ '/cifar.tar.gz': route });
  process.env.RESNET_STUDIO_CIFAR10_URL = `${server.base}/cifar.tar.gz`;
  process.env.RESNET_STUDIO_CIFAR10_MD5 = archive.md5;
  const log = Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error'].map((level) => [level, (text: string) => logs.push(`${level} ${text}`)]));
  disposable = registerDownloadCifar10(log as never);
});

after(async () => {
  disposable.dispose();
  await server.close();
  tmp.remove();
});

const answerFolder = (dir: string | undefined) => {
  fake.window.showOpenDialog = () => Promise.resolve(dir === undefined ? undefined : [fake.Uri.file(dir)]) as never;
};

test('the command downloads into the folder picked, with progress in a notification', async () => {
  const dir = tmp.fresh();
  answerFolder(dir);
  await fake.commands.executeCommand(DOWNLOAD_CIFAR10_COMMAND);
  const notification = fake.recorded.progress.at(-1);
  assert.ok(notification?.done);
  const increments = notification.reports.map((r) => r.increment ?? 0);
  assert.ok(
    increments.every((n) => n >= 0),
    'the bar never goes back',
  );
  assert.ok(Math.abs(increments.reduce((a, b) => a + b, 0) - 100) < 1e-9, `the bar reaches 100%: ${increments.join(', ')}`);
  assert.match(notification.reports.at(-1)?.message ?? '', /^Extracting: [\d.]+ KiB of [\d.]+ KiB$/);
  assert.match(fake.recorded.infos.at(-1)?.message ?? '', new RegExp(`^CIFAR-10 is ready in ${path.join(dir, 'cifar-10-batches-bin')}\\. To train on it, pick "CIFAR-10 from a folder…"`));
  assert.deepEqual(fs.readFileSync(path.join(dir, 'cifar-10-batches-bin', 'test_batch.bin')), archive.records['test_batch.bin']);
});

test('Escape in the folder dialog does nothing', async () => {
  answerFolder(undefined);
  const before = fake.recorded.progress.length;
  await fake.commands.executeCommand(DOWNLOAD_CIFAR10_COMMAND);
  assert.equal(fake.recorded.progress.length, before);
});

test('Cancel in the notification keeps the bytes; the next run resumes them', async () => {
  const dir = tmp.fresh();
  answerFolder(dir);
  stallFirst = true;
  const run = fake.commands.executeCommand(DOWNLOAD_CIFAR10_COMMAND);
  const partial = path.join(dir, 'cifar-10-binary.tar.gz.part');
  const half = archive.data.length >> 1;
  await until('the first half on disk', () => fs.existsSync(partial) && fs.statSync(partial).size === half);
  fake.recorded.progress.at(-1)?.cancel();
  await run;
  assert.match(fake.recorded.infos.at(-1)?.message ?? '', /^The CIFAR-10 download was cancelled\.\nThe [\d.]+ KiB received are kept in .*run the download again to resume/);
  assert.equal(fs.statSync(partial).size, half);

  const asked = server.ranges.length;
  await fake.commands.executeCommand(DOWNLOAD_CIFAR10_COMMAND);
  assert.deepEqual(server.ranges.slice(asked), [`bytes=${half}-`]);
  assert.match(fake.recorded.infos.at(-1)?.message ?? '', /^CIFAR-10 is ready in /);
  assert.ok(
    logs.some((l) => /^info CIFAR-10 is ready in .*\(resumed at [\d.]+ KiB\)$/.test(l)),
    logs.join('\n'),
  );
});

test('a corrupt download is an error message naming both checksums', async () => {
  const dir = tmp.fresh();
  answerFolder(dir);
  process.env.RESNET_STUDIO_CIFAR10_MD5 = '0'.repeat(32);
  try {
    await fake.commands.executeCommand(DOWNLOAD_CIFAR10_COMMAND);
  } finally {
    process.env.RESNET_STUDIO_CIFAR10_MD5 = archive.md5;
  }
  assert.match(fake.recorded.errors.at(-1) ?? '', new RegExp(`has MD5 ${archive.md5}, but the CIFAR-10 binary archive's published MD5 is 0{32}; it was deleted`));
  assert.deepEqual(fs.readdirSync(dir), []);
});
