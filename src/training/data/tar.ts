/**
 * A small streaming reader for (gzipped) tar archives, enough for the CIFAR-10
 * download: regular files and folders in ustar/GNU/pax archives, including
 * long names. Links, devices and the like are reported but never written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { DatasetError } from './dataset';

const BLOCK = 512;

export interface TarEntry {
  readonly path: string;
  readonly type: 'file' | 'directory' | 'other';
  readonly size: number;
}

export interface TarHandler {
  entry(entry: TarEntry): void;
  /** File content of the entry last announced, in order, possibly in pieces. */
  data(chunk: Uint8Array): void;
  entryEnd(): void;
}

type Mode = 'header' | 'body' | 'meta' | 'skip' | 'ended';

/** Push decompressed bytes in any chunk sizes; call `finish()` at the end. */
export class TarReader {
  private mode: Mode = 'header';
  private readonly header = new Uint8Array(BLOCK);
  private headerFill = 0;
  private remaining = 0;
  private skip = 0;
  private offset = 0; // archive byte position, for error messages
  private zeroBlocks = 0;
  private meta: { kind: number; parts: Uint8Array[] } | undefined;
  private nextPath: string | undefined;
  private nextSize: number | undefined;

  constructor(
    private readonly handler: TarHandler,
    private readonly source = 'archive',
  ) {}

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && this.mode !== 'ended') {
      const left = chunk.length - at;
      if (this.mode === 'header') {
        const n = Math.min(BLOCK - this.headerFill, left);
        this.header.set(chunk.subarray(at, at + n), this.headerFill);
        this.headerFill += n;
        at += n;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.readHeader();
          this.offset += BLOCK;
        }
      } else if (this.mode === 'skip') {
        const n = Math.min(this.skip, left);
        this.skip -= n;
        at += n;
        this.offset += n;
        if (this.skip === 0) this.mode = 'header';
      } else {
        const n = Math.min(this.remaining, left);
        const piece = chunk.subarray(at, at + n);
        if (this.mode === 'body') this.handler.data(piece);
        else this.meta?.parts.push(piece.slice()); // copy: the caller may reuse its buffer
        this.remaining -= n;
        at += n;
        this.offset += n;
        if (this.remaining === 0) this.endBody();
      }
    }
  }

  /** Throws when the archive stopped in the middle of a header or a file. */
  finish(): void {
    if (this.mode === 'ended' || (this.mode === 'header' && this.headerFill === 0)) return;
    throw this.corrupt('it ends in the middle of an entry (truncated download?)');
  }

  private readHeader(): void {
    const h = this.header;
    if (h.every((b) => b === 0)) {
      // Two zero blocks mark the end; what follows is padding.
      if (++this.zeroBlocks === 2) this.mode = 'ended';
      return;
    }
    this.zeroBlocks = 0;
    if (readOctal(h, 148, 8) !== checksum(h)) throw this.corrupt('a header checksum does not match');

    const type = h[156];
    const ownSize = readNumber(h, 124, 12);
    if (!Number.isSafeInteger(ownSize) || ownSize < 0) throw this.corrupt('an entry has an unreadable size');
    const isUstar = readString(h, 257, 5) === 'ustar';
    const prefix = isUstar ? readString(h, 345, 155) : '';
    const name = readString(h, 0, 100);
    const entryPath = this.nextPath ?? (prefix ? `${prefix}/${name}` : name);

    // 'L' = GNU long name, 'x'/'g' = pax headers, 'K' = GNU long link name.
    if (type === 0x4c || type === 0x78 || type === 0x67 || type === 0x4b) {
      this.meta = { kind: type, parts: [] };
      this.startBody('meta', ownSize);
      return;
    }
    // A preceding pax header may override the size (files over 8 GiB).
    const size = this.nextSize ?? ownSize;
    if (!Number.isSafeInteger(size) || size < 0) throw this.corrupt('an entry has an unreadable size');
    this.nextPath = undefined;
    this.nextSize = undefined;
    const kind: TarEntry['type'] =
      type === 0x30 || type === 0 || type === 0x37 ? 'file' : type === 0x35 ? 'directory' : 'other';
    this.handler.entry({ path: entryPath, type: kind, size });
    this.startBody('body', size);
  }

  private startBody(mode: 'body' | 'meta', size: number): void {
    this.remaining = size;
    this.mode = mode;
    if (size === 0) this.endBody();
  }

  private endBody(): void {
    if (this.mode === 'body') this.handler.entryEnd();
    else this.applyMeta();
    this.skip = (BLOCK - (this.offset % BLOCK)) % BLOCK;
    this.mode = this.skip > 0 ? 'skip' : 'header';
  }

  private applyMeta(): void {
    const meta = this.meta;
    this.meta = undefined;
    if (!meta) return;
    const text = Buffer.concat(meta.parts).toString('utf8');
    if (meta.kind === 0x4c) {
      this.nextPath = text.replace(/\0.*$/s, '');
    } else if (meta.kind === 0x78) {
      const fields = parsePax(text);
      if (fields.path !== undefined) this.nextPath = fields.path;
      if (fields.size !== undefined) this.nextSize = Number(fields.size);
    }
  }

  private corrupt(what: string): DatasetError {
    return new DatasetError(
      `The tar archive ${this.source} is damaged: ${what} (near byte ${this.offset} of the unpacked data).`,
      'Delete the archive and download it again.',
      this.source,
    );
  }
}

/**
 * Unpacks a .tar.gz into `destDir`, refusing paths that would land outside it.
 * Returns the relative paths of the files written.
 */
export async function extractTarGz(
  archive: string,
  destDir: string,
  onProgress?: (compressedBytes: number, total: number) => void,
): Promise<string[]> {
  const total = fs.statSync(archive).size;
  const root = path.resolve(destDir);
  fs.mkdirSync(root, { recursive: true });
  const written: string[] = [];
  let fd: number | undefined;
  const closeFile = (): void => {
    if (fd !== undefined) fs.closeSync(fd);
    fd = undefined;
  };

  const reader = new TarReader(
    {
      entry(entry) {
        if (entry.type === 'other') return;
        const target = safeTarget(root, entry.path, archive);
        if (entry.type === 'directory') {
          fs.mkdirSync(target, { recursive: true });
          return;
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fd = fs.openSync(target, 'w');
        written.push(path.relative(root, target));
      },
      data(chunk) {
        if (fd !== undefined) fs.writeSync(fd, chunk);
      },
      entryEnd: closeFile,
    },
    archive,
  );

  let read = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      read += chunk.length;
      onProgress?.(read, total);
      done(null, chunk);
    },
  });
  try {
    // A Writable (not for-await) so a reader error reaches the caller as itself,
    // not as the AbortError the pipeline raises when a loop exits early.
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        try {
          reader.push(chunk);
          done();
        } catch (err) {
          done(err as Error);
        }
      },
    });
    await pipeline(fs.createReadStream(archive), counter, zlib.createGunzip(), sink);
    reader.finish();
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) {
      throw new DatasetError(
        `"${archive}" is not a valid .tar.gz file (${(err as Error).message}).`,
        'The download is incomplete or is not the CIFAR-10 binary archive; delete it and download again.',
        archive,
      );
    }
    throw err;
  } finally {
    closeFile();
  }
  return written;
}

function safeTarget(root: string, entryPath: string, archive: string): string {
  const target = path.resolve(root, entryPath);
  if (path.isAbsolute(entryPath) || (target !== root && !target.startsWith(root + path.sep))) {
    throw new DatasetError(
      `The archive ${archive} contains the path "${entryPath}", which points outside the folder it is extracted to.`,
      'Refusing to extract it; this is not the official CIFAR-10 archive. Download it from the official URL.',
      archive,
    );
  }
  return target;
}

/** pax records look like "<length> <key>=<value>\n", length counted in bytes. */
function parsePax(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(0x20, at);
    const len = Number(bytes.subarray(at, space).toString('ascii'));
    if (space < 0 || !Number.isInteger(len) || len <= 0) break;
    const record = bytes.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) fields[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return fields;
}

function readString(h: Uint8Array, start: number, length: number): string {
  const field = h.subarray(start, start + length);
  const end = field.indexOf(0);
  return Buffer.from(end < 0 ? field : field.subarray(0, end)).toString('utf8');
}

function readOctal(h: Uint8Array, start: number, length: number): number {
  const text = readString(h, start, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** Sizes over 8 GiB use GNU base-256 (high bit set); otherwise octal text. */
function readNumber(h: Uint8Array, start: number, length: number): number {
  if ((h[start] & 0x80) === 0) return readOctal(h, start, length);
  let value = h[start] & 0x7f;
  for (let i = start + 1; i < start + length; i++) value = value * 256 + h[i];
  return value;
}

/** Header checksum: byte sum with the checksum field itself read as spaces. */
function checksum(h: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return sum;
}
