// Reads a `.resnet` source named on the command line: a file, or `REV:PATH`, a file as git holds
// it at a revision (`HEAD~1:examples/resnet50.resnet`). git runs with its arguments as an array,
// never through a shell, and a revision that could be read as an option is refused.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Locale } from '../core/l10n/locale';
import { MAX_SOURCE_BYTES } from '../core/sourceSize';
import { CliError } from './cliError';
import { cannotRead, readSource, sourceText, tooLarge } from './readSource';

export interface RevisionSpec {
  readonly revision: string;
  readonly path: string;
}

/**
 * `REV:PATH` when the argument is not a file on disk and has a colon with text on both sides;
 * undefined for a plain path. A path that exists always wins, so a file named `a:b` still reads.
 */
export function parseRevisionSpec(argument: string): RevisionSpec | undefined {
  if (existsSync(argument)) return undefined;
  const colon = argument.indexOf(':');
  if (colon <= 0 || colon === argument.length - 1) return undefined;
  return { revision: argument.slice(0, colon), path: argument.slice(colon + 1) };
}

/** The text of a file or of `REV:PATH`; every failure is a CliError that says which and why. */
export function readSourceOrRevision(argument: string, cwd = process.cwd(), locale: Locale = 'en'): string {
  const spec = parseRevisionSpec(argument);
  if (spec === undefined) return readSource(argument, locale);
  return readAtRevision(spec, cwd, locale);
}

/** The file as git holds it, read and checked as a file on disk is (the same limit, the same encodings). */
export function readAtRevision(spec: RevisionSpec, cwd: string, locale: Locale = 'en'): string {
  const { revision, path } = spec;
  if (revision.startsWith('-')) {
    throw new CliError(`cannot read ${revision}:${path}: a revision may not start with "-"; name a commit, branch or tag such as HEAD~1`);
  }
  if (/[\0\n\r]/.test(revision + path)) throw new CliError(`cannot read ${JSON.stringify(`${revision}:${path}`)}: it has a line break or NUL in it`);
  let bytes: Buffer;
  try {
    bytes = execFileSync('git', ['show', '--no-textconv', '--end-of-options', `${revision}:${path}`], {
      cwd,
      // Past this git is stopped (ENOBUFS); sourceText refuses one byte over the limit.
      maxBuffer: MAX_SOURCE_BYTES + 1,
      stdio: ['ignore', 'pipe', 'pipe'],
      // No pager, no prompt for credentials: this runs unattended.
      env: { ...process.env, GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0' },
    });
  } catch (error) {
    const e = error as { code?: string; stderr?: string | Buffer };
    if (e.code === 'ENOENT') throw new CliError(`cannot read ${revision}:${path}: git is not installed (or not on PATH); check out that version and pass it as a file`);
    if (e.code === 'ENOBUFS') throw cannotRead(locale, `${revision}:${path}`, tooLarge());
    const stderr = String(e.stderr ?? '').trim();
    const reason = (stderr.split('\n')[0] ?? '').replace(/^fatal:\s*/, '') || (error instanceof Error ? error.message : String(error));
    throw new CliError(`cannot read ${revision}:${path} from git: ${reason}`);
  }
  return sourceText(bytes, `${revision}:${path}`, locale);
}
