// Reads a `.resnet` source named on the command line: a file, or `REV:PATH`, a file as git holds
// it at a revision (`HEAD~1:examples/resnet50.resnet`). git runs with its arguments as an array,
// never through a shell, and a revision that could be read as an option is refused.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CliError } from './cliError';
import { readSource } from './readSource';

/** Same limit as a file on disk (readSource): a network description is never this large. */
const MAX_BLOB_BYTES = 64 * 1024 * 1024;

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
export function readSourceOrRevision(argument: string, cwd = process.cwd()): string {
  const spec = parseRevisionSpec(argument);
  if (spec === undefined) return readSource(argument);
  return readAtRevision(spec, cwd);
}

export function readAtRevision(spec: RevisionSpec, cwd: string): string {
  const { revision, path } = spec;
  if (revision.startsWith('-')) {
    throw new CliError(`cannot read ${revision}:${path}: a revision may not start with "-"; name a commit, branch or tag such as HEAD~1`);
  }
  if (/[\0\n\r]/.test(revision + path)) throw new CliError(`cannot read ${JSON.stringify(`${revision}:${path}`)}: it has a line break or NUL in it`);
  try {
    return execFileSync('git', ['show', '--no-textconv', '--end-of-options', `${revision}:${path}`], {
      cwd,
      encoding: 'utf8',
      maxBuffer: MAX_BLOB_BYTES,
      stdio: ['ignore', 'pipe', 'pipe'],
      // No pager, no prompt for credentials: this runs unattended.
      env: { ...process.env, GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0' },
    });
  } catch (error) {
    const e = error as { code?: string; stderr?: string | Buffer };
    if (e.code === 'ENOENT') throw new CliError(`cannot read ${revision}:${path}: git is not installed (or not on PATH); check out that version and pass it as a file`);
    if (e.code === 'ENOBUFS') throw new CliError(`cannot read ${revision}:${path}: it is over the ${MAX_BLOB_BYTES}-byte limit for a .resnet file`);
    const stderr = String(e.stderr ?? '').trim();
    const reason = (stderr.split('\n')[0] ?? '').replace(/^fatal:\s*/, '') || (error instanceof Error ? error.message : String(error));
    throw new CliError(`cannot read ${revision}:${path} from git: ${reason}`);
  }
}
