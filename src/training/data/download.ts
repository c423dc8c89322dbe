/**
 * Fetches, verifies and unpacks the CIFAR-10 binary archive into a folder the user picks: the one
 * owner of the download, used by `resnet-studio download cifar10` and "ResNet: Download CIFAR-10".
 *
 * The archive is fetched with Node's `fetch` into `cifar-10-binary.tar.gz.part`, which is kept when
 * the connection drops or the user cancels, so the next run resumes it with an HTTP Range request.
 * Nothing is extracted before the whole archive matches the published MD5, and extraction (with the
 * maintained `tar` package) writes only the data set's own files, into a staging folder renamed into
 * place at the end: an interrupted run never leaves something that looks complete.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import * as tar from 'tar';
import { formatBytes } from '../../core/report/numbers';
import { CIFAR10_FOLDER, CIFAR10_RECORD_BYTES, CIFAR10_TEST_FILES, CIFAR10_TRAIN_FILES, CIFAR10_URL } from './cifar10';
import { DatasetError } from './dataset';

/** Published MD5 of cifar-10-binary.tar.gz (https://www.cs.toronto.edu/~kriz/cifar.html). */
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
export const CIFAR10_ARCHIVE = 'cifar-10-binary.tar.gz';
/** Where an interrupted download waits to be resumed, next to the archive. */
export const CIFAR10_PARTIAL = `${CIFAR10_ARCHIVE}.part`;
/** Held (with the process id) while a download works in a folder. */
export const CIFAR10_LOCK = `${CIFAR10_ARCHIVE}.lock`;

/**
 * For tests (and a local mirror): the archive's URL and its MD5 instead of the official ones.
 * The tests serve a small archive in the CIFAR-10 layout on 127.0.0.1 through these.
 */
export const CIFAR10_URL_ENV = 'RESNET_STUDIO_CIFAR10_URL';
export const CIFAR10_MD5_ENV = 'RESNET_STUDIO_CIFAR10_MD5';

/** Every file the binary archive holds, all inside `cifar-10-batches-bin/`; nothing else is extracted. */
export const CIFAR10_ARCHIVE_FILES: readonly string[] = [...CIFAR10_TRAIN_FILES, ...CIFAR10_TEST_FILES, 'batches.meta.txt', 'readme.html'];

export interface DownloadProgress {
  readonly phase: 'download' | 'verify' | 'extract';
  /** Bytes done in this phase (for 'download', counting the bytes a resumed run already had). */
  readonly bytes: number;
  /** Unknown while downloading if the server sends no length. */
  readonly total?: number;
}

export interface DownloadOptions {
  /** Defaults to $RESNET_STUDIO_CIFAR10_URL, else the official URL. */
  readonly url?: string;
  /** Expected MD5 (hex) of the archive; defaults to $RESNET_STUDIO_CIFAR10_MD5, else the published one. */
  readonly md5?: string;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Cancels the download; the bytes received so far are kept for the next run. */
  readonly signal?: AbortSignal;
  /** Give up when the connection is silent this long. Default 30 s. */
  readonly idleTimeoutMs?: number;
  /** Keep the .tar.gz after extracting (default: delete it, it is 162 MB). */
  readonly keepArchive?: boolean;
  /** Where the defaults for `url` and `md5` are read; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The user cancelled; what arrived is kept for the next run (the message says where). */
export class DownloadCancelled extends DatasetError {}

export interface DownloadResult {
  /** The extracted `cifar-10-batches-bin` folder: pass it (or its parent) as the data folder. */
  readonly folder: string;
  /** 'ready': it was already there; 'archive': an archive already in the folder was verified and extracted. */
  readonly how: 'ready' | 'archive' | 'downloaded';
  /** Bytes a partial file from an earlier run already had, when this run resumed it. */
  readonly resumedAt?: number;
}

/**
 * Makes `<destDir>/cifar-10-batches-bin` ready. Skips work already done: a complete folder is
 * returned as is, an archive already in `destDir` (copied there by hand) is verified and extracted
 * without the network, and a partial download is resumed.
 */
export async function downloadCifar10(destDir: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const env = options.env ?? process.env;
  const url = options.url ?? (env[CIFAR10_URL_ENV] || CIFAR10_URL);
  const md5 = (options.md5 ?? (env[CIFAR10_MD5_ENV] || CIFAR10_MD5)).toLowerCase();
  const root = path.resolve(destDir);
  const folder = path.join(root, CIFAR10_FOLDER);
  if (isCompleteCifarDir(folder)) return { folder, how: 'ready' };
  if (fs.existsSync(root) && !fs.statSync(root).isDirectory()) {
    throw new DatasetError(`"${root}" is a file, not a folder.`, 'Pass a folder to download CIFAR-10 into (it is created if missing).', root);
  }
  fs.mkdirSync(root, { recursive: true });
  const release = lockFolder(root);
  try {
    const archive = path.join(root, CIFAR10_ARCHIVE);
    let how: DownloadResult['how'] = 'archive';
    let resumedAt: number | undefined;
    if (fs.existsSync(archive)) {
      const actual = await md5OfFile(archive, options.onProgress);
      if (actual !== md5) {
        throw new DatasetError(
          `"${archive}" has MD5 ${actual}, but the CIFAR-10 binary archive's published MD5 is ${md5}.`,
          'It is damaged or another file; delete it (or move it away) and run the download again.',
          archive,
        );
      }
    } else {
      resumedAt = await downloadVerified(url, md5, root, options);
      how = 'downloaded';
    }
    await extractCifar10(archive, root, options.onProgress);
    if (!options.keepArchive) fs.rmSync(archive, { force: true });
    return { folder, how, ...(resumedAt ? { resumedAt } : {}) };
  } finally {
    release();
  }
}

/**
 * One download per folder at a time: two would append to the same partial file. The lock file
 * holds the process id, so one left by a process that died is taken over.
 */
function lockFolder(root: string): () => void {
  const lock = path.join(root, CIFAR10_LOCK);
  const take = (): boolean => {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return false;
    }
  };
  if (!take()) {
    const holder = Number(fs.readFileSync(lock, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
      throw new DatasetError(
        `Another download of CIFAR-10 into "${root}" is running (process ${holder}${holder === process.pid ? ', this one' : ''}).`,
        `Wait for it to finish or cancel it; if no download is running, delete "${lock}".`,
        lock,
      );
    }
    fs.rmSync(lock, { force: true });
    if (!take()) throw new DatasetError(`Another download of CIFAR-10 into "${root}" has just started.`, 'Wait for it to finish or cancel it.', lock);
  }
  return () => fs.rmSync(lock, { force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the six record files are there, each a whole number of records (10,000 in the official set). */
export function isCompleteCifarDir(dir: string): boolean {
  return [...CIFAR10_TRAIN_FILES, ...CIFAR10_TEST_FILES].every((name) => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) return false;
    const size = fs.statSync(file).size;
    return size > 0 && size % CIFAR10_RECORD_BYTES === 0;
  });
}

/**
 * Downloads into the partial file, resuming what an earlier run left there, and renames it to the
 * archive once its MD5 matches. Returns the byte it resumed at (0 for a fresh start).
 */
async function downloadVerified(url: string, md5: string, root: string, options: DownloadOptions): Promise<number> {
  const archive = path.join(root, CIFAR10_ARCHIVE);
  const partial = path.join(root, CIFAR10_PARTIAL);
  const have = fs.existsSync(partial) ? fs.statSync(partial).size : 0;
  const hash = crypto.createHash('md5');
  if (have > 0) await hashInto(hash, partial);

  const idle = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, idle.signal]) : idle.signal;
  const idleMs = options.idleTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const watchdog = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(new DatasetError(`No data came from ${url} for ${idleMs / 1000} s.`, '')), idleMs);
  };

  let bytes = have;
  let total: number | undefined;
  let resumedAt = 0;
  try {
    watchdog();
    const response = await fetch(url, { signal, redirect: 'follow', ...(have > 0 ? { headers: { range: `bytes=${have}-` } } : {}) });
    if (response.status === 416 && have > 0) {
      // The partial file is already whole (an earlier run stopped before renaming it), or it is
      // longer than the archive: the checksum tells which.
      await response.body?.cancel();
      if (hash.digest('hex') === md5) {
        fs.renameSync(partial, archive);
        return have;
      }
      fs.rmSync(partial, { force: true });
      clearTimeout(timer); // the fresh attempt watches its own connection
      return downloadVerified(url, md5, root, options);
    }
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw new DatasetError(
        `Downloading ${url} failed: the server answered HTTP ${response.status} ${response.statusText}.`.trim(),
        `Check the address, or download ${CIFAR10_URL} by hand, put it in "${root}" and run the download again.`,
      );
    }
    const range = response.status === 206 ? parseContentRange(response.headers.get('content-range')) : undefined;
    if (range && range.start === have) {
      resumedAt = have;
      total = range.total;
    } else {
      // A fresh start: the server ignored the range (200), or answered another one.
      if (have > 0 && response.status === 206) {
        await response.body?.cancel();
        fs.rmSync(partial, { force: true });
        clearTimeout(timer); // the fresh attempt watches its own connection
        return downloadVerified(url, md5, root, options);
      }
      bytes = 0;
      const length = Number(response.headers.get('content-length'));
      total = Number.isFinite(length) && response.headers.has('content-length') ? length : undefined;
    }
    const fresh = resumedAt === 0;
    const digest = fresh ? crypto.createHash('md5') : hash;
    if (!response.body) throw new DatasetError(`The server at ${url} sent no data.`, '');
    options.onProgress?.({ phase: 'download', bytes, ...(total !== undefined ? { total } : {}) });
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        watchdog();
        bytes += chunk.length;
        digest.update(chunk);
        options.onProgress?.({ phase: 'download', bytes, ...(total !== undefined ? { total } : {}) });
        done(null, chunk);
      },
    });
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    await pipeline(body, tap, fs.createWriteStream(partial, { flags: fresh ? 'w' : 'a' }), { signal });
    if (total !== undefined && bytes < total) throw new Error(`the connection closed after ${bytes} of ${total} bytes`);
    const actual = digest.digest('hex');
    if (actual !== md5) {
      fs.rmSync(partial, { force: true });
      throw new DatasetError(
        `The file downloaded from ${url} has MD5 ${actual}, but the CIFAR-10 binary archive's published MD5 is ${md5}; it was deleted.`,
        'The download was corrupted or the server sent something else (a proxy or a login page?). ' + `Run the download again, or download ${CIFAR10_URL} by hand and put it in "${root}".`,
      );
    }
    fs.renameSync(partial, archive);
    return resumedAt;
  } catch (error) {
    throw interrupted(error, { url, root, partial, bytes, total, cancelled: options.signal?.aborted ?? false, idle: idle.signal.reason });
  } finally {
    clearTimeout(timer);
  }
}

/** Turns whatever stopped the download into a message that says what is kept and what to do. */
function interrupted(error: unknown, at: { url: string; root: string; partial: string; bytes: number; total: number | undefined; cancelled: boolean; idle: unknown }): DatasetError {
  if (error instanceof DatasetError && !at.cancelled && at.idle === undefined) return error;
  const kept = fs.existsSync(at.partial) ? fs.statSync(at.partial).size : 0;
  const resume = kept > 0 ? `The ${formatBytes(kept)} received are kept in "${at.partial}"; run the download again to resume.` : 'Run the download again.';
  if (at.cancelled) return new DownloadCancelled('The CIFAR-10 download was cancelled.', resume, at.partial);
  const byHand = `download ${CIFAR10_URL} by hand, put it in "${at.root}" and run the download again (it will only verify and extract)`;
  if (at.idle instanceof DatasetError) return new DatasetError(at.idle.problem, `${resume} Or ${byHand}.`, at.partial);
  const cause = causeOf(error);
  if (at.bytes === 0 && cause.code && NETWORK_CODES.has(cause.code)) {
    return new DatasetError(`No network: cannot reach ${new URL(at.url).host} to download CIFAR-10 (${cause.code}).`, `Connect and run it again, or ${byHand}.`);
  }
  const of = at.total !== undefined ? ` of ${formatBytes(at.total)}` : '';
  return new DatasetError(`The download of ${at.url} stopped after ${formatBytes(at.bytes)}${of}: ${cause.message}.`, `${resume} Or ${byHand}.`, at.partial);
}

const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN']);

/** fetch wraps socket errors ("fetch failed", "terminated") around the one that says what happened. */
function causeOf(error: unknown): { message: string; code?: string } {
  let e: unknown = error;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  const err = e as NodeJS.ErrnoException;
  return { message: err?.message ?? String(error), ...(typeof err?.code === 'string' ? { code: err.code } : {}) };
}

/** `bytes 100-199/200` → start 100, total 200 (undefined when the total is `*`). */
function parseContentRange(header: string | null): { start: number; total?: number } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  return { start: Number(match[1]), ...(match[2] !== '*' ? { total: Number(match[2]) } : {}) };
}

/**
 * Extracts the data set's own files from the archive into `<root>/cifar-10-batches-bin`. Refuses an
 * archive with a link, a device or a path leading out of the folder; skips any other file.
 */
export async function extractCifar10(archive: string, root: string, onProgress?: (progress: DownloadProgress) => void): Promise<string> {
  const folder = path.join(root, CIFAR10_FOLDER);
  const staging = fs.mkdtempSync(path.join(root, '.cifar10-extract-'));
  const expected = new Set(CIFAR10_ARCHIVE_FILES.map((name) => `${CIFAR10_FOLDER}/${name}`));
  let refused: string | undefined;
  const total = fs.statSync(archive).size;
  let read = 0;
  try {
    const unpack = tar.x({
      cwd: staging,
      strict: true,
      preserveOwner: false,
      filter: (entryPath, entry) => {
        const type = 'type' in entry ? entry.type : 'File';
        const name = entryPath.replace(/^\.\//, '').replace(/\/$/, '');
        if (type !== 'File' && type !== 'OldFile' && type !== 'ContiguousFile' && type !== 'Directory') {
          refused ??= `it holds a ${type === 'SymbolicLink' ? 'symbolic link' : type === 'Link' ? 'hard link' : `"${type}" entry`} ("${entryPath}")`;
          return false;
        }
        if (path.isAbsolute(name) || /^[a-zA-Z]:/.test(name) || name.split(/[\\/]/).includes('..')) {
          refused ??= `it holds the path "${entryPath}", which points outside the folder it is extracted to`;
          return false;
        }
        return type === 'Directory' ? name === CIFAR10_FOLDER : expected.has(name);
      },
    });
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        read += chunk.length;
        onProgress?.({ phase: 'extract', bytes: read, total });
        done(null, chunk);
      },
    });
    await pipeline(fs.createReadStream(archive), counter, unpack as unknown as Writable);
    if (refused) throw new Error(refused);
    const extracted = path.join(staging, CIFAR10_FOLDER);
    if (!isCompleteCifarDir(extracted)) {
      const missing = [...CIFAR10_TRAIN_FILES, ...CIFAR10_TEST_FILES].filter((name) => !fs.existsSync(path.join(extracted, name)));
      throw new Error(
        missing.length > 0
          ? `it lacks ${missing.map((name) => `${CIFAR10_FOLDER}/${name}`).join(', ')}`
          : `a record file in ${CIFAR10_FOLDER}/ is not a whole number of ${CIFAR10_RECORD_BYTES}-byte records`,
      );
    }
    fs.rmSync(folder, { recursive: true, force: true }); // an earlier, incomplete copy
    fs.renameSync(extracted, folder);
    return folder;
  } catch (error) {
    const reason = refused ?? (error instanceof Error ? error.message : String(error));
    throw new DatasetError(`Refusing to extract "${archive}": ${reason}.`, `It is not the CIFAR-10 binary archive; delete it and run the download again (or get ${CIFAR10_URL} by hand).`, archive);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

async function hashInto(hash: crypto.Hash, file: string, onChunk?: (bytes: number) => void): Promise<void> {
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    onChunk?.(bytes);
  }
}

async function md5OfFile(file: string, onProgress?: (progress: DownloadProgress) => void): Promise<string> {
  const total = fs.statSync(file).size;
  const hash = crypto.createHash('md5');
  await hashInto(hash, file, (bytes) => onProgress?.({ phase: 'verify', bytes, total }));
  return hash.digest('hex');
}
