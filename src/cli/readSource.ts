// Reads a `.resnet` source for a command: the one reader of source files on disk (and of the
// bytes `git show` gives, readRevision.ts), turning every way that can fail into a CliError. Only
// a regular file is read (src/node/regularFile.ts: a FIFO or a device named `x.resnet` would block
// or never end), never more than the one limit of sourceSize.ts, and the text must be UTF-8.
import { format, msg, type MessageRef } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';
import { printable } from '../core/report/printable';
import { MAX_SOURCE_BYTES, MAX_SOURCE_MIB } from '../core/sourceSize';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../node/regularFile';
import { CliError } from './cliError';

export function readSource(path: string, locale: Locale = 'en'): string {
  const file = printable(path);
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path, MAX_SOURCE_BYTES);
  } catch (error) {
    if (error instanceof NotRegularFileError) throw cannotRead(locale, file, msg('source.notRegular', { kind: msg(`term.fileKind.${error.kind}`) }));
    if (error instanceof FileTooLargeError) throw cannotRead(locale, file, tooLarge());
    throw cannotRead(locale, file, ioReason(error));
  }
  return sourceText(bytes, file, locale);
}

/** The text of a source's bytes (a file's, or git's for `REV:PATH`); a CliError naming `shown` when they are not a `.resnet` text. */
export function sourceText(bytes: Buffer, shown: string, locale: Locale = 'en'): string {
  if (bytes.length > MAX_SOURCE_BYTES) throw cannotRead(locale, shown, tooLarge());
  const encoding = otherEncoding(bytes);
  if (encoding) throw cannotRead(locale, shown, encoding);
  return bytes.toString('utf8');
}

/** Why a source is refused for its size: over the one limit. */
export function tooLarge(): MessageRef {
  return msg('source.tooLarge', { limit: MAX_SOURCE_BYTES.toLocaleString('en-US'), mib: MAX_SOURCE_MIB });
}

export function cannotRead(locale: Locale, file: string, reason: MessageRef): CliError {
  return new CliError(format(locale, 'source.cannotRead', { file, reason }));
}

/** Why `bytes` is not UTF-8 text, when it plainly is not: UTF-16 (with or without its mark) or binary. */
export function otherEncoding(bytes: Buffer): MessageRef | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return msg('source.utf16Mark', { endian: msg('term.littleEndian'), mark: 'FF FE' });
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return msg('source.utf16Mark', { endian: msg('term.bigEndian'), mark: 'FE FF' });
  const sample = bytes.subarray(0, 4096);
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 === 0 ? evenZeros++ : oddZeros++;
  const half = sample.length / 2;
  // ASCII text in UTF-16 has a zero byte beside every character.
  if (oddZeros > 0.8 * half && evenZeros < 0.1 * half) return msg('source.utf16LittleEndian');
  if (evenZeros > 0.8 * half && oddZeros < 0.1 * half) return msg('source.utf16BigEndian');
  if (evenZeros + oddZeros > 0) return msg('source.binary');
  return undefined;
}

function ioReason(error: unknown): MessageRef {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return msg('source.noSuchFile');
    case 'EACCES':
    case 'EPERM':
      return msg('source.permissionDenied');
    case 'EISDIR':
      return msg('source.notRegular', { kind: msg('term.fileKind.directory') });
    default:
      return msg('source.otherError', { reason: printable(error instanceof Error ? error.message : String(error)) });
  }
}
