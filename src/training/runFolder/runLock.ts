// The exclusive lock on a run folder for a run's lifetime, so that two trainings (the CLI and the
// dashboard, or two clicks) never write the same metrics and checkpoints. The lock is the file
// `run.lock`, created exclusively (written aside, then hard-linked into place), holding who took
// it: pid, host, when, and on Linux the process's start time (so a pid reused after a crash is
// not taken for the holder). A lock whose
// process is gone is stale: the next run takes it over, so a killed process leaves nothing stuck.
// Heartbeat locks (proper-lockfile and the like, stale when not refreshed for some seconds) do
// not fit: a training step or a kernel compilation blocks the event loop for longer than that,
// and they cannot say which process holds the folder.
import { closeSync, existsSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../../node/regularFile';
import { hostname } from 'node:os';
import * as v from 'valibot';
import { runPaths } from './runFolder';
import { TrainingError } from '../trainingError';

const LockSchema = v.object({
  pid: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  host: v.string(),
  startedAt: v.string(),
  processStart: v.optional(v.string()),
});
export type LockHolder = v.InferOutput<typeof LockSchema>;

/** Held by a run; `release` removes the lock file if it is still this one's. */
export interface RunLock {
  readonly path: string;
  release(): void;
}

/** Takes the run folder's lock, or throws a TrainingError saying who holds it. */
export function lockRun(runDir: string): RunLock {
  const path = runPaths(runDir).lock;
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), ...processStartOf(process.pid) };
  const content = JSON.stringify(me);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      createWhole(path, content);
      return { path, release: () => releaseIfMine(path, content) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new TrainingError(`cannot lock ${runDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): the run folder is not writable; fix its permissions`);
      }
    }
    const seen = readHolder(path);
    if (seen !== undefined && seen.holder !== undefined && isAlive(seen.holder)) throw heldBy(runDir, seen.holder);
    if (seen !== undefined) takeOverStale(path, seen.raw);
  }
  const holder = readHolder(path)?.holder;
  throw holder ? heldBy(runDir, holder) : new TrainingError(`cannot lock ${runDir}: another process keeps taking ${path}; try again`);
}

/**
 * Creates `path` holding `content`, failing with EEXIST if it exists. The content is written to a
 * file of this process first and then hard-linked into place (atomic, and exclusive like O_EXCL),
 * so no reader ever sees a lock file without its holder in it.
 */
function createWhole(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = openSync(temporary, 'wx');
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
  } catch (error) {
    // A file system without hard links: create it with O_EXCL and write it (a reader may see it empty for a moment).
    if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    const direct = openSync(path, 'wx');
    try {
      writeSync(direct, content);
    } finally {
      closeSync(direct);
    }
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Who holds the run folder now, if a live process does (the dashboard shows such a run as running). */
export function lockHolder(runDir: string): LockHolder | undefined {
  const holder = readHolder(runPaths(runDir).lock)?.holder;
  return holder !== undefined && isAlive(holder) ? holder : undefined;
}

function heldBy(runDir: string, holder: LockHolder): TrainingError {
  const where = holder.host === hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on ${holder.host}`;
  return new TrainingError(
    `run ${runDir} is being trained by ${where} since ${holder.startedAt}; wait for it to finish or stop it first` +
      (holder.host === hostname() ? '' : ` (if that machine no longer trains it, delete ${runPaths(runDir).lock})`),
  );
}

/** The lock file's text and holder; holder undefined when the file is unreadable junk (a crash while writing it). */
function readHolder(path: string): { raw: string; holder: LockHolder | undefined } | undefined {
  let raw: string;
  try {
    raw = readLock(path);
  } catch (error) {
    // A named pipe or a device in the lock's place (a run folder from elsewhere) is junk, not a holder.
    if (error instanceof NotRegularFileError || error instanceof FileTooLargeError) return { raw: '', holder: undefined };
    return undefined; // released meanwhile
  }
  try {
    const parsed = v.safeParse(LockSchema, JSON.parse(raw));
    return { raw, holder: parsed.success ? parsed.output : undefined };
  } catch {
    return { raw, holder: undefined };
  }
}

/** A lock file's text: a few hundred bytes of JSON, read only from a regular file (regularFile.ts). */
function readLock(path: string): string {
  return readRegularFile(path, MAX_LOCK_BYTES).toString('utf8');
}

const MAX_LOCK_BYTES = 64 * 1024;

/** Whether the holder still runs. Another machine's process cannot be checked: it counts as alive. */
function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // A killed process nobody has reaped yet (a container's init may never reap it) is a zombie: gone.
  if (isZombie(holder.pid)) return false;
  // The pid runs; on Linux, check it is the same process and not a later one given the same pid.
  const now = processStartOf(holder.pid).processStart;
  return holder.processStart === undefined || now === undefined || now === holder.processStart;
}

/** Moves a stale lock aside; if what was moved is not the stale lock seen (another run took it meanwhile), puts it back. */
function takeOverStale(path: string, staleRaw: string): void {
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // gone already
  }
  let moved = '';
  try {
    moved = readLock(aside);
  } catch {
    // unreadable: treat as the stale one
  }
  if (moved !== staleRaw && moved !== '') {
    try {
      linkSync(aside, path); // fails if yet another run has taken the lock; then that one holds it
    } catch {
      // nothing to restore onto
    }
  }
  rmSync(aside, { force: true });
}

function releaseIfMine(path: string, content: string): void {
  try {
    if (existsSync(path) && readLock(path) === content) rmSync(path, { force: true });
  } catch {
    // already gone
  }
}

/** Linux: the process's start time in clock ticks since boot (field 22 of /proc/PID/stat). */
/** Linux: the process has exited and only waits to be reaped (state Z or X in /proc/PID/stat). */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
}

function processStartOf(pid: number): { processStart?: string } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19];
    return start === undefined ? {} : { processStart: start };
  } catch {
    return {};
  }
}
