// Reads a `.resnet` file for a command, turning every way that can fail into a CliError.
import { readFileSync, statSync } from 'node:fs';
import { CliError } from './cliError';

/** Beyond this a file is surely not a network description; refuse it rather than exhaust memory. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export function readSource(path: string): string {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new CliError(`cannot read ${path}: it is a directory; pass a .resnet file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${path}: ${describeIoError(error)}`);
  }
  if (size > MAX_FILE_BYTES) throw new CliError(`cannot read ${path}: it is ${size} bytes, over the ${MAX_FILE_BYTES}-byte limit for a .resnet file`);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${describeIoError(error)}`);
  }
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
      return error instanceof Error ? error.message : String(error);
  }
}
