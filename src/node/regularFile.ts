// Reading a file someone else may have put there (a .resnet file, a run folder's JSON, metrics
// and lock): only a regular file is read, and never more than a cap. A named pipe with the right
// name would block the reader for ever (opening a FIFO waits for a writer), and a device such as
// /dev/zero never ends; the editor's extension host would freeze listing a run folder like that.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * With O_NONBLOCK, opening a FIFO returns at once; fstat on what was opened (not on the name,
 * which may change in between) then says what it is. Windows has no such flag, nor FIFOs to open.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** What a path is when it is no regular file. */
export type OtherFileKind = 'directory' | 'fifo' | 'device' | 'socket' | 'other';

const KIND_TEXT: Readonly<Record<OtherFileKind, string>> = {
  directory: 'a directory',
  fifo: 'a named pipe (FIFO)',
  device: 'a device',
  socket: 'a socket',
  other: 'a special file',
};

/** The path is there, but is no regular file: it is not read. */
export class NotRegularFileError extends Error {
  constructor(
    readonly path: string,
    readonly kind: OtherFileKind,
  ) {
    super(`it is ${KIND_TEXT[kind]}, not a regular file`);
  }
}

/** The file is longer than the reader's cap: it is not read past it. */
export class FileTooLargeError extends Error {
  constructor(
    readonly path: string,
    readonly limit: number,
  ) {
    super(`it is over ${limit.toLocaleString('en-US')} bytes, more than such a file may have`);
  }
}

function otherKind(stat: Stats): OtherFileKind | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isDirectory()) return 'directory';
  if (stat.isFIFO()) return 'fifo';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'device';
  if (stat.isSocket()) return 'socket';
  return 'other';
}

/** Opens `path` for reading when it is a regular file (the caller closes the descriptor); a NotRegularFileError otherwise. */
export function openRegularFile(path: string): { fd: number; size: number } {
  const fd = openSync(path, OPEN_FLAGS);
  try {
    const stat = fstatSync(fd);
    const kind = otherKind(stat);
    if (kind) throw new NotRegularFileError(path, kind);
    return { fd, size: stat.size };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * The bytes of the regular file `path`, at most `limit` of them: a FileTooLargeError when it has
 * more (read one byte past the limit, so a file that grows while it is read is refused, not cut).
 * Errors of the file system (ENOENT, EACCES) are thrown as they come.
 */
export function readRegularFile(path: string, limit: number): Buffer {
  const { fd } = openRegularFile(path);
  try {
    const buffer = Buffer.alloc(Math.min(limit + 1, 64 * 1024));
    const parts: Buffer[] = [];
    let total = 0;
    while (total <= limit) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, limit + 1 - total), null);
      if (n === 0) break;
      parts.push(Buffer.from(buffer.subarray(0, n)));
      total += n;
    }
    if (total > limit) throw new FileTooLargeError(path, limit);
    return Buffer.concat(parts);
  } finally {
    closeSync(fd);
  }
}

/** openRegularFile without blocking the caller's thread: the open handle (the caller closes it) and the size when opened. */
export async function openRegularFileAsync(path: string): Promise<{ handle: FileHandle; size: number }> {
  const handle = await open(path, OPEN_FLAGS);
  try {
    const stat = await handle.stat();
    const kind = otherKind(stat);
    if (kind) throw new NotRegularFileError(path, kind);
    return { handle, size: stat.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * readRegularFile without blocking the caller's thread (the dashboard reads a long run's metrics
 * this way): what the file held when it was opened, a file still being written to included.
 */
export async function readRegularFileAsync(path: string, limit: number): Promise<Buffer> {
  const handle = await open(path, OPEN_FLAGS);
  try {
    const stat = await handle.stat();
    const kind = otherKind(stat);
    if (kind) throw new NotRegularFileError(path, kind);
    if (stat.size > limit) throw new FileTooLargeError(path, limit);
    const buffer = Buffer.alloc(stat.size);
    let total = 0;
    while (total < buffer.length) {
      const { bytesRead } = await handle.read(buffer, total, buffer.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    return buffer.subarray(0, total);
  } finally {
    await handle.close();
  }
}
