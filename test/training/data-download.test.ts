// The CIFAR-10 download against a real HTTP server on 127.0.0.1 serving a small archive in the
// official layout that the test makes: checksum, progress, resume, cancel, safe extraction.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { downloadCifar10, extractCifar10, CIFAR10_LOCK, CIFAR10_MD5, CIFAR10_PARTIAL, type DownloadProgress } from '../../src/training/data/download';
import { loadCifar10 } from '../../src/training/data/cifar10';
import { DatasetError } from '../../src/training/data/dataset';
import { handMadeTarGz, makeCifarArchive, md5Of, serve, type Route, serveCut, serveFile, tarHeader, tempDir } from '../helpers/cifarArchive';
import { until } from '../helpers/until';

const tmp = tempDir('download-test-');
after(tmp.remove);
const noEnv = {}; // the tests pass url and md5 themselves; $RESNET_STUDIO_CIFAR10_* must not leak in

function expectDatasetError(e: unknown, ...parts: string[]): true {
  assert.ok(e instanceof DatasetError, `expected DatasetError, got ${String(e)}`);
  for (const p of parts) assert.ok(e.message.includes(p), `message lacks "${p}":\n${e.message}`);
  return true;
}

test('downloads, verifies the MD5, reports growing progress and extracts only the data set files', async () => {
  const archive = await makeCifarArchive(tmp.fresh(), { 'cifar-10-batches-bin/run-me.sh': 'echo hi', 'elsewhere/notes.txt': 'x' });
  const server = await serve({ '/old': (_req, res) => res.writeHead(302, { location: '/cifar.tar.gz' }).end(), '/cifar.tar.gz': serveFile(archive.data) });
  const dest = path.join(tmp.fresh(), 'data'); // created by the download
  const events: DownloadProgress[] = [];
  try {
    const result = await downloadCifar10(dest, { url: `${server.base}/old`, md5: archive.md5, env: noEnv, onProgress: (p) => events.push(p) });
    assert.equal(result.how, 'downloaded');
    assert.equal(result.folder, path.join(dest, 'cifar-10-batches-bin'));
    assert.deepEqual(fs.readdirSync(dest), ['cifar-10-batches-bin'], 'archive, partial file and staging folder are gone');
    assert.deepEqual(
      fs.readdirSync(result.folder).sort(),
      ['batches.meta.txt', 'data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'readme.html', 'test_batch.bin'],
      'run-me.sh and elsewhere/ are not extracted',
    );
    for (const [name, data] of Object.entries(archive.records)) assert.deepEqual(fs.readFileSync(path.join(result.folder, name)), data, name);

    const downloads = events.filter((e) => e.phase === 'download');
    assert.ok(
      downloads.every((e, i) => i === 0 || e.bytes >= (downloads[i - 1]?.bytes ?? 0)),
      'progress only grows',
    );
    assert.deepEqual(downloads.at(-1), { phase: 'download', bytes: archive.data.length, total: archive.data.length });
    assert.equal(events.filter((e) => e.phase === 'extract').at(-1)?.bytes, archive.data.length);

    const data = loadCifar10(dest, { trainFiles: ['data_batch_1.bin'] });
    assert.deepEqual(Array.from(data.train.labels), [0, 1, 2]);
    assert.equal(data.test.count, 8);

    const again = await downloadCifar10(dest, { url: 'http://127.0.0.1:9/never-asked', md5: archive.md5, env: noEnv });
    assert.equal(again.how, 'ready', 'a complete folder is not downloaded again');
  } finally {
    await server.close();
  }
});

test('an interrupted download keeps its bytes and the next run resumes them with a Range request', async () => {
  const archive = await makeCifarArchive(tmp.fresh());
  const cut = Math.floor(archive.data.length / 2);
  const server = await serve({ '/cifar.tar.gz': (req, res, attempt) => (attempt === 0 ? serveCut(archive.data, cut) : serveFile(archive.data))(req, res, attempt) });
  const dest = tmp.fresh();
  const options = { url: `${server.base}/cifar.tar.gz`, md5: archive.md5, env: noEnv };
  try {
    await assert.rejects(downloadCifar10(dest, options), (e) => expectDatasetError(e, 'stopped after', 'run the download again to resume', CIFAR10_PARTIAL));
    const partial = path.join(dest, CIFAR10_PARTIAL);
    const kept = fs.statSync(partial).size;
    assert.equal(kept, cut, 'every byte received is kept');
    assert.ok(!fs.existsSync(path.join(dest, 'cifar-10-batches-bin')));

    const result = await downloadCifar10(dest, options);
    assert.equal(result.resumedAt, cut);
    assert.deepEqual(server.ranges, ['', `bytes=${cut}-`]);
    assert.deepEqual(fs.readFileSync(path.join(result.folder, 'test_batch.bin')), archive.records['test_batch.bin']);
    assert.deepEqual(fs.readdirSync(dest), ['cifar-10-batches-bin']);
  } finally {
    await server.close();
  }
});

test('a server that ignores the Range header sends the whole file again, and it is not appended', async () => {
  const archive = await makeCifarArchive(tmp.fresh());
  const server = await serve({ '/cifar.tar.gz': (_req, res) => res.writeHead(200, { 'content-length': archive.data.length }).end(archive.data) });
  const dest = tmp.fresh();
  fs.writeFileSync(path.join(dest, CIFAR10_PARTIAL), archive.data.subarray(0, 1000));
  try {
    const result = await downloadCifar10(dest, { url: `${server.base}/cifar.tar.gz`, md5: archive.md5, env: noEnv });
    assert.equal(result.resumedAt, undefined);
    assert.deepEqual(server.ranges, ['bytes=1000-']);
    assert.deepEqual(fs.readFileSync(path.join(result.folder, 'data_batch_5.bin')), archive.records['data_batch_5.bin']);
  } finally {
    await server.close();
  }
});

test('a partial file that is already whole (stopped before its rename) is checked, not downloaded again', async () => {
  const archive = await makeCifarArchive(tmp.fresh());
  const server = await serve({ '/cifar.tar.gz': serveFile(archive.data) });
  const dest = tmp.fresh();
  fs.writeFileSync(path.join(dest, CIFAR10_PARTIAL), archive.data);
  try {
    const result = await downloadCifar10(dest, { url: `${server.base}/cifar.tar.gz`, md5: archive.md5, env: noEnv });
    assert.deepEqual(server.ranges, [`bytes=${archive.data.length}-`], 'the server answered 416 and nothing more was asked');
    assert.ok(fs.existsSync(path.join(result.folder, 'data_batch_1.bin')));
  } finally {
    await server.close();
  }
});

test('a corrupt archive is refused with both checksums, deleted, and nothing is extracted', async () => {
  const archive = await makeCifarArchive(tmp.fresh());
  const corrupt = Buffer.from(archive.data);
  corrupt[corrupt.length >> 1] ^= 0xff;
  const server = await serve({ '/cifar.tar.gz': serveFile(corrupt) });
  const dest = tmp.fresh();
  try {
    // The published MD5 by default: the test archive is not the real one either.
    await assert.rejects(downloadCifar10(dest, { url: `${server.base}/cifar.tar.gz`, env: noEnv }), (e) =>
      expectDatasetError(e, `has MD5 ${md5Of(corrupt)}`, `published MD5 is ${CIFAR10_MD5}`, 'it was deleted', 'Run the download again'),
    );
    await assert.rejects(downloadCifar10(dest, { url: `${server.base}/cifar.tar.gz`, md5: archive.md5, env: noEnv }), (e) => expectDatasetError(e, archive.md5));
    assert.deepEqual(fs.readdirSync(dest), [], 'no partial or unverified file is left behind');
  } finally {
    await server.close();
  }
});

test('the URL and MD5 come from $RESNET_STUDIO_CIFAR10_URL and $RESNET_STUDIO_CIFAR10_MD5 when set', async () => {
  const archive = await makeCifarArchive(tmp.fresh());
  const server = await serve({ '/mirror.tar.gz': serveFile(archive.data) });
  try {
    const env = { RESNET_STUDIO_CIFAR10_URL: `${server.base}/mirror.tar.gz`, RESNET_STUDIO_CIFAR10_MD5: archive.md5.toUpperCase() };
    const result = await downloadCifar10(tmp.fresh(), { env });
    assert.equal(result.how, 'downloaded');
  } finally {
    await server.close();
  }
});

test('cancelling keeps the bytes received, says how to resume, and the next run resumes', async () => {
  const archive = await makeCifarArchive(tmp.fresh());
  const cut = Math.floor(archive.data.length / 2);
  // The first answer sends half the file, then stalls (a slow server) until the client gives up.
  const stall: Route = (_req, res) => void res.writeHead(200, { 'content-length': archive.data.length }).write(archive.data.subarray(0, cut));
  const server = await serve({ '/cifar.tar.gz': (req, res, attempt) => (attempt === 0 ? stall : serveFile(archive.data))(req, res, attempt) });
  const dest = tmp.fresh();
  const controller = new AbortController();
  const options = { url: `${server.base}/cifar.tar.gz`, md5: archive.md5, env: noEnv };
  try {
    // Cancel once half is on the disk (the server sends no more): the person presses Cancel during the stall.
    const run = downloadCifar10(dest, { ...options, signal: controller.signal });
    const partial = path.join(dest, CIFAR10_PARTIAL);
    await until('the first half on disk', () => fs.existsSync(partial) && fs.statSync(partial).size === cut);
    controller.abort();
    await assert.rejects(run, (e) => expectDatasetError(e, 'cancelled', `kept in "${partial}"`, 'run the download again to resume'));
    assert.equal(fs.statSync(partial).size, cut);

    const result = await downloadCifar10(dest, options);
    assert.equal(result.resumedAt, cut);
    assert.deepEqual(server.ranges, ['', `bytes=${cut}-`]);
    assert.deepEqual(fs.readFileSync(path.join(result.folder, 'data_batch_2.bin')), archive.records['data_batch_2.bin']);
  } finally {
    await server.close();
  }
});

test('one download per folder: a second one is refused while the first runs; a lock left by a dead process is taken over', async () => {
  const archive = await makeCifarArchive(tmp.fresh());
  const stall: Route = (_req, res) => void res.writeHead(200, { 'content-length': archive.data.length }).write(archive.data.subarray(0, 100));
  const server = await serve({ '/slow.tar.gz': stall, '/cifar.tar.gz': serveFile(archive.data) });
  const dest = tmp.fresh();
  const controller = new AbortController();
  try {
    let started!: () => void;
    const arrived = new Promise<void>((resolve) => (started = resolve));
    const first = downloadCifar10(dest, { url: `${server.base}/slow.tar.gz`, md5: archive.md5, env: noEnv, signal: controller.signal, onProgress: (p) => p.bytes > 0 && started() });
    await arrived;
    await assert.rejects(downloadCifar10(dest, { url: `${server.base}/cifar.tar.gz`, md5: archive.md5, env: noEnv }), (e) =>
      expectDatasetError(e, 'Another download of CIFAR-10', `process ${process.pid}, this one`, 'Wait for it to finish'),
    );
    controller.abort();
    await assert.rejects(first, (e) => expectDatasetError(e, 'cancelled'));
    assert.ok(!fs.existsSync(path.join(dest, CIFAR10_LOCK)), 'the lock is released');

    // A process that has exited: its lock does not block.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    fs.writeFileSync(path.join(dest, CIFAR10_LOCK), dead);
    const result = await downloadCifar10(dest, { url: `${server.base}/cifar.tar.gz`, md5: archive.md5, env: noEnv });
    assert.equal(result.how, 'downloaded');
    assert.deepEqual(fs.readdirSync(dest), ['cifar-10-batches-bin']);
  } finally {
    await server.close();
  }
});

test('a silent server is given up after the idle timeout, keeping what came', async () => {
  const server = await serve({ '/cifar.tar.gz': (_req, res) => void res.writeHead(200, { 'content-length': 100000 }).write(Buffer.alloc(100)) });
  const dest = tmp.fresh();
  try {
    await assert.rejects(downloadCifar10(dest, { url: `${server.base}/cifar.tar.gz`, md5: CIFAR10_MD5, env: noEnv, idleTimeoutMs: 300 }), (e) =>
      expectDatasetError(e, 'No data came from', 'for 0.3 s', 'resume'),
    );
    assert.equal(fs.statSync(path.join(dest, CIFAR10_PARTIAL)).size, 100);
  } finally {
    await server.close();
  }
});

test('HTTP errors name the status', async () => {
  const server = await serve({});
  try {
    await assert.rejects(downloadCifar10(tmp.fresh(), { url: `${server.base}/missing`, env: noEnv }), (e) => expectDatasetError(e, 'HTTP 404'));
  } finally {
    await server.close();
  }
});

test('no network: says so, and how to download by hand into the folder', async () => {
  const server = await serve({});
  const deadUrl = `${server.base}/cifar-10-binary.tar.gz`;
  await server.close(); // nothing listens there any more
  const dest = tmp.fresh();
  await assert.rejects(downloadCifar10(dest, { url: deadUrl, env: noEnv }), (e) =>
    expectDatasetError(e, 'No network', 'ECONNREFUSED', 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', dest),
  );
  assert.deepEqual(fs.readdirSync(dest), []);
});

test('an archive copied in by hand is verified and extracted without the network; a wrong one is refused and kept', async () => {
  const archive = await makeCifarArchive(tmp.fresh());
  const dest = tmp.fresh();
  fs.writeFileSync(path.join(dest, 'cifar-10-binary.tar.gz'), archive.data);
  const phases = new Set<string>();
  const offline = { url: 'http://127.0.0.1:9/unreachable', env: noEnv };
  await assert.rejects(downloadCifar10(dest, offline), (e) => expectDatasetError(e, `has MD5 ${archive.md5}`, CIFAR10_MD5, 'delete it'));
  assert.ok(fs.existsSync(path.join(dest, 'cifar-10-binary.tar.gz')), 'a file the user put there is never deleted');

  const result = await downloadCifar10(dest, { ...offline, md5: archive.md5, keepArchive: true, onProgress: (p) => phases.add(p.phase) });
  assert.equal(result.how, 'archive');
  assert.deepEqual([...phases].sort(), ['extract', 'verify']);
  assert.ok(fs.existsSync(path.join(dest, 'cifar-10-binary.tar.gz')), 'keepArchive keeps it');
});

/** Extracts a hand-made archive and expects it refused, with nothing written anywhere. */
async function expectRefused(archive: Buffer, ...parts: string[]): Promise<void> {
  const root = tmp.fresh();
  const dest = path.join(root, 'data');
  fs.mkdirSync(dest);
  const file = path.join(root, 'evil.tar.gz');
  fs.writeFileSync(file, archive);
  await assert.rejects(extractCifar10(file, dest), (e) => expectDatasetError(e, 'Refusing to extract', ...parts));
  assert.deepEqual(fs.readdirSync(dest), [], 'nothing extracted, staging folder removed');
  assert.deepEqual(fs.readdirSync(root).sort(), ['data', 'evil.tar.gz'], 'nothing written next to the folder');
}

test('extraction refuses paths leading out of the folder, links and archives without the record files', async () => {
  const batch = Buffer.alloc(3073);
  await expectRefused(handMadeTarGz([[tarHeader('cifar-10-batches-bin/../../evil.txt', 3), Buffer.from('bad')]]), '"cifar-10-batches-bin/../../evil.txt"', 'outside');
  await expectRefused(handMadeTarGz([[tarHeader('/tmp/evil.txt', 3), Buffer.from('bad')]]), '/tmp/evil.txt');
  await expectRefused(
    handMadeTarGz([
      [tarHeader('cifar-10-batches-bin/data_batch_1.bin', 0, '2', '/etc/passwd'), Buffer.alloc(0)],
      [tarHeader('cifar-10-batches-bin/test_batch.bin', 3073), batch],
    ]),
    'symbolic link',
    'data_batch_1.bin',
  );
  await expectRefused(handMadeTarGz([[tarHeader('cifar-10-batches-bin/test_batch.bin', 3073), batch]]), 'it lacks cifar-10-batches-bin/data_batch_1.bin');
  await expectRefused(Buffer.from('<html>Please log in</html>'), 'It is not the CIFAR-10 binary archive');
  const archive = await makeCifarArchive(tmp.fresh());
  await expectRefused(archive.data.subarray(0, archive.data.length - 200), 'It is not the CIFAR-10 binary archive');
});
