import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { downloadCifar10, CIFAR10_MD5, type DownloadProgress } from '../../src/training/data/download';
import { TarReader, extractTarGz, type TarEntry } from '../../src/training/data/tar';
import { loadCifar10 } from '../../src/training/data/cifar10';
import { DatasetError } from '../../src/training/data/dataset';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'download-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirCount = 0;
const newDir = (): string => fs.mkdtempSync(path.join(tmp, `d${dirCount++}-`));

const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) % 256));
/** Valid CIFAR records: label byte r % 10, then pattern bytes. */
const records = (n: number, seed: number): Buffer => {
  const b = bytes(n * 3073, seed);
  for (let r = 0; r < n; r++) b[r * 3073] = r % 10;
  return b;
};
// Fits ustar only by splitting into prefix + name:
const splitName = `${'a-rather-long-folder-name/'.repeat(3)}${'x'.repeat(80)}.bin`;
// Cannot fit ustar at all: needs a GNU long-name or pax path record.
const longName = `${'a-rather-long-folder-name/'.repeat(3)}${'y'.repeat(120)}.bin`;

/** Source tree for the archives: odd sizes around the 512-byte block, a long path, an empty file. */
function makeTree(): { dir: string; files: Record<string, Buffer> } {
  const dir = newDir();
  const files: Record<string, Buffer> = {
    'cifar-10-batches-bin/data_batch_1.bin': records(3, 1),
    'cifar-10-batches-bin/test_batch.bin': records(1, 2),
    'cifar-10-batches-bin/readme.html': bytes(512, 3),
    'empty.txt': Buffer.alloc(0),
    [splitName]: bytes(1, 4),
    [longName]: bytes(700, 5),
  };
  for (const [name, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), data);
  }
  fs.mkdirSync(path.join(dir, 'empty-dir'));
  return { dir, files };
}

function systemTarGz(format: 'gnu' | 'posix'): { archive: string; files: Record<string, Buffer> } {
  const { dir, files } = makeTree();
  const archive = path.join(newDir(), `tree-${format}.tar.gz`);
  execFileSync('tar', [`--format=${format}`, '-czf', archive, '-C', dir, ...Object.keys(files).map((f) => f.split('/')[0]), 'empty-dir']);
  return { archive, files };
}

function assertTree(root: string, files: Record<string, Buffer>): void {
  for (const [name, data] of Object.entries(files)) assert.deepEqual(fs.readFileSync(path.join(root, name)), data, name);
  assert.ok(fs.statSync(path.join(root, 'empty-dir')).isDirectory());
}

/** A hand-made ustar header, for archives system tar refuses to create. */
function header(name: string, size: number, type = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write(type, 156);
  h.write('ustar\0' + '00', 257);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

function expectDatasetError(e: unknown, ...parts: string[]): true {
  assert.ok(e instanceof DatasetError, `expected DatasetError, got ${String(e)}`);
  for (const p of parts) assert.ok(e.message.includes(p), `message lacks "${p}":\n${e.message}`);
  return true;
}

for (const format of ['gnu', 'posix'] as const) {
  test(`extractTarGz unpacks a ${format} tar.gz made by system tar, long names included`, async () => {
    const { archive, files } = systemTarGz(format);
    const out = newDir();
    const progress: number[] = [];
    const written = await extractTarGz(archive, out, (b) => progress.push(b));
    assertTree(out, files);
    assert.deepEqual(written.sort(), Object.keys(files).sort());
    assert.equal(progress.at(-1), fs.statSync(archive).size);
  });
}

test('TarReader gives the same entries when fed one byte at a time', () => {
  const { archive, files } = systemTarGz('gnu');
  const tar = zlib.gunzipSync(fs.readFileSync(archive));
  const collect = (chunk: number): Map<string, Buffer> => {
    const seen = new Map<string, Buffer>();
    let current: TarEntry | undefined;
    let parts: Buffer[] = [];
    const reader = new TarReader({
      entry: (e) => ((current = e), (parts = [])),
      data: (c) => parts.push(Buffer.from(c)),
      entryEnd: () => current?.type === 'file' && seen.set(current.path, Buffer.concat(parts)),
    });
    for (let i = 0; i < tar.length; i += chunk) reader.push(tar.subarray(i, i + chunk));
    reader.finish();
    return seen;
  };
  const byByte = collect(1);
  assert.deepEqual(byByte, collect(4096));
  assert.deepEqual(new Map(Object.entries(files)), byByte);
});

test('damaged and truncated archives, and non-gzip files, are reported', async () => {
  const { archive } = systemTarGz('gnu');
  const tar = zlib.gunzipSync(fs.readFileSync(archive));
  const damaged = Buffer.from(tar);
  damaged[3] ^= 0xff; // inside the first header's name
  const handler = { entry: () => undefined, data: () => undefined, entryEnd: () => undefined };
  assert.throws(() => new TarReader(handler, 'x.tar').push(damaged), (e) => expectDatasetError(e, 'x.tar is damaged', 'checksum'));

  const reader = new TarReader(handler, 'cut.tar');
  reader.push(tar.subarray(0, 512 + 100)); // a header and part of its file
  assert.throws(() => reader.finish(), (e) => expectDatasetError(e, 'cut.tar', 'truncated'));

  const notGzip = path.join(newDir(), 'cifar-10-binary.tar.gz');
  fs.writeFileSync(notGzip, '<html>Please log in</html>');
  await assert.rejects(extractTarGz(notGzip, newDir()), (e) => expectDatasetError(e, notGzip, 'not a valid .tar.gz'));
});

test('paths escaping the target folder are refused', async () => {
  const evil = Buffer.concat([header('../evil.txt', 3), Buffer.from('bad'), Buffer.alloc(509 + 1024)]);
  const archive = path.join(newDir(), 'evil.tar.gz');
  fs.writeFileSync(archive, zlib.gzipSync(evil));
  const out = path.join(newDir(), 'out');
  await assert.rejects(extractTarGz(archive, out), (e) => expectDatasetError(e, '../evil.txt', 'outside'));
  assert.ok(!fs.existsSync(path.join(out, '..', 'evil.txt')));
});

/** Serves `routes` on 127.0.0.1; returns the base URL and a closer. */
async function serve(routes: Record<string, (res: http.ServerResponse) => void>): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const route = routes[req.url ?? ''];
    if (route) route(res);
    else res.writeHead(404).end('not here');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const sendBytes = (data: Buffer) => (res: http.ServerResponse): void => {
  res.writeHead(200, { 'content-length': data.length, 'content-type': 'application/gzip' });
  res.end(data);
};

test('a download whose MD5 differs from the published one is discarded with a clear error', async () => {
  const server = await serve({ '/cifar.tar.gz': sendBytes(bytes(5000, 9)) });
  const dest = newDir();
  try {
    await assert.rejects(downloadCifar10(dest, { url: `${server.base}/cifar.tar.gz` }), (e) =>
      expectDatasetError(e, 'MD5', CIFAR10_MD5, crypto.createHash('md5').update(bytes(5000, 9)).digest('hex'), 'discarded'),
    );
    assert.deepEqual(fs.readdirSync(dest), [], 'no partial or unverified file is left behind');
  } finally {
    await server.close();
  }
});

test('download follows a redirect, reports progress, verifies, extracts atomically', async () => {
  const { archive, files } = systemTarGz('gnu');
  const data = fs.readFileSync(archive);
  const md5 = crypto.createHash('md5').update(data).digest('hex');
  const server = await serve({
    '/old': (res) => res.writeHead(302, { location: '/cifar.tar.gz' }).end(),
    '/cifar.tar.gz': sendBytes(data),
  });
  const dest = newDir();
  const events: DownloadProgress[] = [];
  try {
    const folder = await downloadCifar10(dest, { url: `${server.base}/old`, md5, onProgress: (p) => events.push(p) });
    assert.equal(folder, path.join(dest, 'cifar-10-batches-bin'));
    assert.deepEqual(fs.readFileSync(path.join(folder, 'data_batch_1.bin')), files['cifar-10-batches-bin/data_batch_1.bin']);
    assert.deepEqual(fs.readdirSync(dest), ['cifar-10-batches-bin'], 'archive and staging folder are removed');

    const downloads = events.filter((e) => e.phase === 'download');
    assert.ok(downloads.every((e, i) => i === 0 || e.bytes > downloads[i - 1].bytes), 'progress only grows');
    assert.deepEqual(downloads.at(-1), { phase: 'download', bytes: data.length, total: data.length });
    assert.ok(events.some((e) => e.phase === 'extract'));

    const d = loadCifar10(folder, { trainFiles: ['data_batch_1.bin'] });
    assert.deepEqual(Array.from(d.train.labels), [0, 1, 2]);
  } finally {
    await server.close();
  }
});

test('HTTP errors name the status', async () => {
  const server = await serve({});
  try {
    await assert.rejects(downloadCifar10(newDir(), { url: `${server.base}/missing` }), (e) => expectDatasetError(e, 'HTTP 404'));
  } finally {
    await server.close();
  }
});

test('no network: says so, where to download by hand and which folder to pass', async () => {
  const server = await serve({});
  const deadUrl = `${server.base}/cifar-10-binary.tar.gz`;
  await server.close(); // nothing listens there any more
  const dest = newDir();
  await assert.rejects(downloadCifar10(dest, { url: deadUrl }), (e) =>
    expectDatasetError(
      e,
      'No network',
      'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
      dest,
      path.join(dest, 'cifar-10-batches-bin'),
      'tar -xzf',
    ),
  );
  assert.deepEqual(fs.readdirSync(dest), []);
});

test('an archive copied in by hand is verified and extracted without the network', async () => {
  const { archive, files } = systemTarGz('posix');
  const data = fs.readFileSync(archive);
  const dest = newDir();
  fs.writeFileSync(path.join(dest, 'cifar-10-binary.tar.gz'), data);
  const md5 = crypto.createHash('md5').update(data).digest('hex');
  const phases = new Set<string>();
  const folder = await downloadCifar10(dest, {
    url: 'http://127.0.0.1:9/unreachable',
    md5,
    keepArchive: true,
    onProgress: (p) => phases.add(p.phase),
  });
  assert.deepEqual(fs.readFileSync(path.join(folder, 'test_batch.bin')), files['cifar-10-batches-bin/test_batch.bin']);
  assert.deepEqual([...phases].sort(), ['extract', 'verify']);
  assert.ok(fs.existsSync(path.join(dest, 'cifar-10-binary.tar.gz')), 'keepArchive keeps it');
});
