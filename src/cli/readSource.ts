// Reads a `.resnet` file for a command, turning every way that can fail into a CliError: a missing
// or unreadable file, a folder, one too large (or endless, like /dev/zero), one that is not UTF-8.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { MAX_SOURCE_LENGTH } from '../core/analysis/analyze';
import { printable } from '../core/report/printable';
import { CliError } from './cliError';

/** The most bytes read: what the analysis takes (in characters) is at most this many bytes of UTF-8 text. */
export const MAX_SOURCE_BYTES = MAX_SOURCE_LENGTH;

export function readSource(path: string): string {
  const shown = printable(path);
  try {
    if (statSync(path).isDirectory()) throw new CliError(`cannot read ${shown}: it is a directory; pass a .resnet file`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${shown}: ${describeIoError(error)}`);
  }
  // Read in pieces up to one byte past the limit: the size in a stat is 0 for a device or a pipe.
  let bytes: Buffer;
  try {
    bytes = readAtMost(path, MAX_SOURCE_BYTES + 1);
  } catch (error) {
    throw new CliError(`cannot read ${shown}: ${describeIoError(error)}`);
  }
  if (bytes.length > MAX_SOURCE_BYTES) {
    throw new CliError(`cannot read ${shown}: it is over ${MAX_SOURCE_BYTES / (1024 * 1024)} MiB, the most a .resnet file may have (a 1,000-line file is about 40 KB)`);
  }
  const encoding = otherEncoding(bytes);
  if (encoding) throw new CliError(`cannot read ${shown}: ${encoding}`);
  return bytes.toString('utf8');
}

function readAtMost(path: string, limit: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(limit, 64 * 1024));
    const parts: Buffer[] = [];
    let total = 0;
    while (total < limit) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, limit - total), null);
      if (n === 0) break;
      parts.push(Buffer.from(buffer.subarray(0, n)));
      total += n;
    }
    return Buffer.concat(parts);
  } finally {
    closeSync(fd);
  }
}

/** Why `bytes` is not UTF-8 text, when it plainly is not: UTF-16 (with or without its mark) or binary. */
export function otherEncoding(bytes: Buffer): string | undefined {
  const save = 'save it as UTF-8 (in VS Code: the encoding in the status bar, then "Save with Encoding")';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return `it is encoded as UTF-16 little-endian (it starts with FF FE); ${save}`;
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return `it is encoded as UTF-16 big-endian (it starts with FE FF); ${save}`;
  const sample = bytes.subarray(0, 4096);
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 === 0 ? evenZeros++ : oddZeros++;
  const half = sample.length / 2;
  // ASCII text in UTF-16 has a zero byte beside every character.
  if (oddZeros > 0.8 * half && evenZeros < 0.1 * half) return `it looks encoded as UTF-16 little-endian (a zero byte after every character); ${save}`;
  if (evenZeros > 0.8 * half && oddZeros < 0.1 * half) return `it looks encoded as UTF-16 big-endian (a zero byte before every character); ${save}`;
  if (evenZeros + oddZeros > 0) return 'it holds zero bytes, so it is a binary file, not a .resnet text file';
  return undefined;
}

function describeIoError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory; pass a .resnet file';
    default:
      return printable(error instanceof Error ? error.message : String(error));
  }
}
