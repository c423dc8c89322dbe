// Test fixtures for the CIFAR-10 download: a small archive in the official layout, made with the
// `tar` package, and an HTTP server on 127.0.0.1 (the tests never reach any other host).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as tar from 'tar';

export interface TestArchive {
  readonly file: string;
  readonly data: Buffer;
  readonly md5: string;
  /** The record files' contents, by name inside cifar-10-batches-bin/. */
  readonly records: Record<string, Buffer>;
}

export const md5Of = (data: Buffer): string => crypto.createHash('md5').update(data).digest('hex');

/** `n` valid CIFAR records: label r % 10, then pattern bytes that differ from file to file. */
export function cifarRecords(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n * 3073);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + seed * 7 + (i >> 8)) % 256;
  for (let r = 0; r < n; r++) b[r * 3073] = (r + seed) % 10;
  return b;
}

/**
 * A .tar.gz in the CIFAR-10 binary layout (five train batches, a test batch, the meta and readme
 * files) with a few records per batch, plus `extra` files (path → content) to see what is skipped.
 */
export async function makeCifarArchive(dir: string, extra: Record<string, string> = {}): Promise<TestArchive> {
  const tree = fs.mkdtempSync(path.join(dir, 'tree-'));
  const records: Record<string, Buffer> = {};
  const names = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
  names.forEach((name, i) => (records[name] = cifarRecords(3 + i, i)));
  const files: Record<string, Buffer | string> = {
    ...Object.fromEntries(names.map((name) => [`cifar-10-batches-bin/${name}`, records[name]])),
    'cifar-10-batches-bin/batches.meta.txt': 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n',
    'cifar-10-batches-bin/readme.html': '<p>test archive</p>',
    ...extra,
  };
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(tree, name)), { recursive: true });
    fs.writeFileSync(path.join(tree, name), content);
  }
  const file = path.join(dir, `cifar-${path.basename(tree)}.tar.gz`);
  const tops = [...new Set(Object.keys(files).map((name) => name.split('/')[0] as string))];
  await tar.c({ gzip: true, file, cwd: tree, portable: true }, tops);
  const data = fs.readFileSync(file);
  return { file, data, md5: md5Of(data), records };
}

/** A ustar header written by hand, for entries the `tar` package will not make (links, `..`). */
export function tarHeader(name: string, size: number, type: '0' | '2' | '5' = '0', linkName = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write(type, 156);
  h.write(linkName, 157, 100, 'utf8');
  h.write('ustar\0' + '00', 257);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** A gzipped tar of hand-made entries: [header, content] pairs, padded and terminated. */
export function handMadeTarGz(entries: ReadonlyArray<readonly [Buffer, Buffer]>): Buffer {
  const parts: Buffer[] = [];
  for (const [header, content] of entries) {
    parts.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(parts));
}

export interface TestServer {
  readonly base: string;
  /** The Range header of each request, in order ('' when there was none). */
  readonly ranges: string[];
  close(): Promise<void>;
}

export type Route = (req: http.IncomingMessage, res: http.ServerResponse, attempt: number) => void;

/** Serves `routes` (by URL path) on 127.0.0.1 at a free port. */
export async function serve(routes: Record<string, Route>): Promise<TestServer> {
  const ranges: string[] = [];
  const attempts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    ranges.push(req.headers.range ?? '');
    const url = req.url ?? '';
    const attempt = attempts.get(url) ?? 0;
    attempts.set(url, attempt + 1);
    const route = routes[url];
    if (route) route(req, res, attempt);
    else res.writeHead(404, 'Not Found').end('not here');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    ranges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers like a real file server: the whole file, or the asked range with 206. */
export const serveFile =
  (data: Buffer): Route =>
  (req, res) => {
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (!match) {
      res.writeHead(200, { 'content-length': data.length, 'content-type': 'application/gzip', 'accept-ranges': 'bytes' }).end(data);
      return;
    }
    const start = Number(match[1]);
    if (start >= data.length) {
      res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
      return;
    }
    res.writeHead(206, { 'content-length': data.length - start, 'content-range': `bytes ${start}-${data.length - 1}/${data.length}`, 'content-type': 'application/gzip' }).end(data.subarray(start));
  };

/** Sends the headers for the whole file and the first `cut` bytes, then drops the connection. */
export const serveCut =
  (data: Buffer, cut: number): Route =>
  (_req, res) => {
    res.writeHead(200, { 'content-length': data.length, 'content-type': 'application/gzip' });
    res.write(data.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 50));
  };

export function tempDir(prefix: string): { dir: string; fresh: () => string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let n = 0;
  return { dir, fresh: () => fs.mkdtempSync(path.join(dir, `d${n++}-`)), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
