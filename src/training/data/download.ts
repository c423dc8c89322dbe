/**
 * Fetches and unpacks the CIFAR-10 binary archive into a folder the user picks.
 * Every write goes to a temporary name first and is renamed into place, so an
 * interrupted run never leaves something that looks complete.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CIFAR10_FOLDER,
  CIFAR10_RECORD_BYTES,
  CIFAR10_TEST_FILES,
  CIFAR10_TRAIN_FILES,
  CIFAR10_URL,
} from './cifar10';
import { DatasetError } from './dataset';
import { extractTarGz } from './tar';

/** Published checksum of cifar-10-binary.tar.gz. */
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
export const CIFAR10_ARCHIVE = 'cifar-10-binary.tar.gz';

export interface DownloadProgress {
  readonly phase: 'download' | 'verify' | 'extract';
  readonly bytes: number;
  /** Unknown while downloading if the server sends no Content-Length. */
  readonly total?: number;
}

export interface DownloadOptions {
  /** Defaults to the official URL; tests point it at a local server. */
  readonly url?: string;
  /** Expected MD5 (hex) of the archive; defaults to the published one. */
  readonly md5?: string;
  readonly onProgress?: (progress: DownloadProgress) => void;
  readonly signal?: AbortSignal;
  /** Give up when the connection is silent this long. Default 30 s. */
  readonly idleTimeoutMs?: number;
  /** Keep the .tar.gz after extracting (default: delete it, it is 170 MB). */
  readonly keepArchive?: boolean;
}

const NETWORK_CODES = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT',
  'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EPIPE', 'ECONNABORTED',
]);

/**
 * Makes `<destDir>/cifar-10-batches-bin` ready and returns its path, the folder
 * to pass to `loadCifar10`. Skips work already done: a complete folder is
 * returned as is, and an archive already in `destDir` (copied there by hand)
 * is verified and extracted without touching the network.
 */
export async function downloadCifar10(destDir: string, options: DownloadOptions = {}): Promise<string> {
  const url = options.url ?? CIFAR10_URL;
  const md5 = (options.md5 ?? CIFAR10_MD5).toLowerCase();
  const root = path.resolve(destDir);
  const finalDir = path.join(root, CIFAR10_FOLDER);
  if (isCompleteCifarDir(finalDir)) return finalDir;
  fs.mkdirSync(root, { recursive: true });

  const archive = path.join(root, CIFAR10_ARCHIVE);
  if (!(fs.existsSync(archive) && (await md5OfFile(archive, options.onProgress)) === md5)) {
    await downloadVerified(url, archive, md5, root, options);
  }

  const staging = path.join(root, `.extract-${process.pid}-${Date.now()}`);
  try {
    await extractTarGz(archive, staging, (bytes, total) =>
      options.onProgress?.({ phase: 'extract', bytes, total }),
    );
    const extracted = path.join(staging, CIFAR10_FOLDER);
    if (!fs.existsSync(extracted)) {
      throw new DatasetError(
        `The archive ${archive} has no "${CIFAR10_FOLDER}" folder inside.`,
        `It is not the CIFAR-10 binary version; delete it and download ${CIFAR10_URL}.`,
        archive,
      );
    }
    fs.rmSync(finalDir, { recursive: true, force: true }); // an earlier partial copy
    fs.renameSync(extracted, finalDir);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  if (!options.keepArchive) fs.rmSync(archive, { force: true });
  return finalDir;
}

/** True when all six official files are present at full size. */
export function isCompleteCifarDir(dir: string): boolean {
  const full = 10000 * CIFAR10_RECORD_BYTES;
  return [...CIFAR10_TRAIN_FILES, ...CIFAR10_TEST_FILES].every((name) => {
    const file = path.join(dir, name);
    return fs.existsSync(file) && fs.statSync(file).size === full;
  });
}

async function downloadVerified(
  url: string,
  archive: string,
  md5: string,
  root: string,
  options: DownloadOptions,
): Promise<void> {
  const temp = `${archive}.${process.pid}.part`;
  const hash = crypto.createHash('md5');
  try {
    const response = await openUrl(url, options, 5);
    const header = response.headers['content-length'];
    const total = header !== undefined && Number.isFinite(Number(header)) ? Number(header) : undefined;
    let bytes = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        hash.update(chunk);
        options.onProgress?.({ phase: 'download', bytes, total });
        done(null, chunk);
      },
    });
    await pipeline(response, tap, fs.createWriteStream(temp));
    if (total !== undefined && bytes !== total) {
      throw new DatasetError(
        `The download of ${url} stopped after ${bytes} of ${total} bytes.`,
        'The connection dropped; run the download again.',
      );
    }
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw asDatasetError(err, url, root);
  }
  const actual = hash.digest('hex');
  if (actual !== md5) {
    fs.rmSync(temp, { force: true });
    throw new DatasetError(
      `The file downloaded from ${url} has MD5 ${actual}, but CIFAR-10's published MD5 is ${md5}; it was discarded.`,
      'The download was corrupted or the server sent something else (a proxy or login page?). ' +
        `Try again, or download ${CIFAR10_URL} by hand and put it in "${root}".`,
    );
  }
  fs.renameSync(temp, archive);
}

/** GET with redirects; resolves with a 200 response ready to stream. */
async function openUrl(url: string, options: DownloadOptions, redirectsLeft: number): Promise<http.IncomingMessage> {
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const request = get(url, { signal: options.signal, timeout: options.idleTimeoutMs ?? 30000 }, resolve);
    request.on('timeout', () =>
      request.destroy(Object.assign(new Error('no data received in time'), { code: 'ETIMEDOUT' })),
    );
    request.on('error', reject);
  });
  const status = response.statusCode ?? 0;
  const location = response.headers.location;
  if (status >= 300 && status < 400 && location && redirectsLeft > 0) {
    response.resume();
    return openUrl(new URL(location, url).href, options, redirectsLeft - 1);
  }
  if (status !== 200) {
    response.resume();
    throw new DatasetError(
      `Downloading ${url} failed: the server answered HTTP ${status} ${response.statusMessage ?? ''}.`.trim(),
      `Check the address, or download ${CIFAR10_URL} by hand.`,
    );
  }
  return response;
}

function asDatasetError(err: unknown, url: string, root: string): DatasetError {
  if (err instanceof DatasetError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.name === 'AbortError') {
    return new DatasetError('The CIFAR-10 download was cancelled.', 'Start it again when you are ready.');
  }
  const byHand =
    `Download ${CIFAR10_URL} by hand, put it in "${root}" and run the download again (it will only verify and ` +
    `extract), or extract it yourself (tar -xzf ${CIFAR10_ARCHIVE}) and pass "${path.join(root, CIFAR10_FOLDER)}" ` +
    'as the data folder.';
  if (e?.code && NETWORK_CODES.has(e.code)) {
    return new DatasetError(
      `No network: cannot reach ${new URL(url).host} to download CIFAR-10 (${e.code}: ${e.message}).`,
      byHand,
    );
  }
  return new DatasetError(`Downloading CIFAR-10 from ${url} failed: ${e?.message ?? String(err)}`, byHand);
}

async function md5OfFile(file: string, onProgress?: (p: DownloadProgress) => void): Promise<string> {
  const total = fs.statSync(file).size;
  const hash = crypto.createHash('md5');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    onProgress?.({ phase: 'verify', bytes, total });
  }
  return hash.digest('hex');
}
