// The run folder format, owned here and only here (docs/run-folder.md describes it): where each
// file lies, config.json read back through a schema, metrics.jsonl appended and read, the
// checkpoints/latest.json pointer, the checksums written with every checkpoint, and the choice
// of the newest checkpoint that is whole. Both engines, the CLI and the dashboard go through it.
// A run folder is data, possibly from someone else's repository: nothing read here names a
// program to run or a folder to load code from, every file is validated before it is used, and
// nothing is written through a link that leads out of the folder (insideRunFolder).
import { createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync, realpathSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import * as v from 'valibot';
import { openRegularFile, readRegularFile, readRegularFileAsync } from '../../node/regularFile';
import { BACKEND_CHOICES, parseTrainingMessage, type TrainingMessage, type TrainRequest } from '../../protocol/training';
import { writeAtomically } from './atomicFile';
import { TrainingError } from '../trainingError';
import { msg } from '../../core/l10n/format';

/** The names inside a run folder. Nothing else spells them out. */
export const RUN_FILE_NAMES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  lock: 'run.lock',
  checkpoints: 'checkpoints',
  latest: 'latest.json',
  checksums: 'checksums.json',
  model: 'model',
  pytorch: 'pytorch',
} as const;

/** Every path of a run folder. */
export function runPaths(runDir: string) {
  const checkpoints = join(runDir, RUN_FILE_NAMES.checkpoints);
  return {
    runDir,
    config: join(runDir, RUN_FILE_NAMES.config),
    metrics: join(runDir, RUN_FILE_NAMES.metrics),
    lock: join(runDir, RUN_FILE_NAMES.lock),
    checkpoints,
    latest: join(checkpoints, RUN_FILE_NAMES.latest),
    /** The final model (TF.js: model.json + weights.bin; PyTorch: model.pt, tensors only, + model.py). */
    model: join(runDir, RUN_FILE_NAMES.model),
    /** PyTorch runs: a copy of the model.py, runner.py and plan.json that ran, to read (Python runs its own copies, elsewhere). */
    pytorch: join(runDir, RUN_FILE_NAMES.pytorch),
  };
}

/** A checkpoint's name: `step-` and at least eight digits, optionally an extension (`.safetensors`); never a path. */
const CHECKPOINT_NAME = /^step-(\d{8,})(\.[a-z]+)?$/;

export function checkpointName(step: number, extension = ''): string {
  return `step-${String(step).padStart(8, '0')}${extension}`;
}

export function checkpointPath(runDir: string, name: string): string {
  return join(runPaths(runDir).checkpoints, name);
}

// ---------------------------------------------------------------------------------------------
// Writing stays inside the run folder. A folder from elsewhere may hold symbolic links (`pytorch/`
// or `checkpoints/` a link to another folder, metrics.jsonl one to another file): every path the
// engines write, create or remove in a run folder goes through insideRunFolder first, and every
// file is then renamed into place (which replaces a link, never follows it) or appended to.

/**
 * `path`, a file or folder of the run folder `runDir`, once writing it cannot land outside the run
 * folder: every part of it that exists, from the run folder down, is a real folder or file, or a
 * link whose target lies inside the run folder. A TrainingError naming the link and the fix otherwise.
 */
export function insideRunFolder(runDir: string, path: string): string {
  const rest = relative(runDir, path);
  // A caller's mistake, not the folder's: only the run folder's own paths are asked about.
  if (!isWithin(rest)) throw new Error(`${path} is not a path of the run folder ${runDir}`);
  let root: string;
  try {
    root = realpathSync(runDir);
  } catch {
    return path; // no run folder yet: what is made is made fresh
  }
  let at = root;
  let shown = runDir;
  for (const part of rest.split(sep).filter((p) => p !== '' && p !== '.')) {
    const next = join(at, part);
    shown = join(shown, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch {
      return path; // nothing from here on exists: it will be made as real folders and files
    }
    if (!isLink) {
      at = next;
      continue;
    }
    const target = readlinkSync(next);
    let resolved: string;
    try {
      resolved = realpathSync(next);
    } catch {
      throw new TrainingError(msg('runFolder.brokenLink', { path: shown, target }));
    }
    if (!isWithin(relative(root, resolved))) throw new TrainingError(msg('runFolder.linkOutside', { path: shown, target, runDir }));
    at = resolved;
  }
  return path;
}

/** Whether a relative path stays where it starts (not `..`, not up and out, not on another drive). */
function isWithin(rest: string): boolean {
  return rest !== '..' && !rest.startsWith(`..${sep}`) && !isAbsolute(rest);
}

/**
 * Every file and folder of the run folder that training writes: checked before it starts, so a
 * link out of the folder is refused before the first epoch, and before the PyTorch runner (which
 * writes checkpoints/ and model/ itself) is started.
 */
export function checkRunFolderLinks(runDir: string): void {
  const { runDir: _root, ...paths } = runPaths(runDir);
  for (const path of Object.values(paths)) insideRunFolder(runDir, path);
}

// ---------------------------------------------------------------------------------------------
// Validation: every file read from a run folder goes through a schema, and its problems are
// reported naming the file and the field.

const wholeNumber = (min: number) =>
  v.pipe(v.number(`must be a whole number of at least ${min}`), v.safeInteger(`must be a whole number of at least ${min}`), v.minValue(min, `must be a whole number of at least ${min}`));
const text = () => v.string('must be text');

/** `file: what is wrong with it` for the first problem valibot found. */
export function describeInvalid(file: string, issues: readonly v.BaseIssue<unknown>[], fix: string): string {
  const issue = issues[0];
  const path = issue ? v.getDotPath(issue) : null;
  const problem = !issue ? 'is not valid' : path === null ? issue.message : issue.received === 'undefined' ? `has no "${path}"` : `"${path}" ${issue.message}, not ${issue.received}`;
  return `${file}: ${problem}; ${fix}`;
}

/**
 * The most a run folder's JSON file is read to: config.json holds the model's text (at most 1 MiB)
 * and the request; an experiment's state, its runs (at most 500).
 */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** metrics.jsonl is read whole up to this (a million steps take about 150 MB); a string may not be much longer. */
const MAX_METRICS_BYTES = 256 * 1024 * 1024;

/** Parses a JSON file through `schema`; a TrainingError naming the file when it is missing, not JSON or not valid. */
export function readJsonFile<S extends v.GenericSchema>(file: string, schema: S, fix: string, ErrorClass: new (message: string) => Error = TrainingError): v.InferOutput<S> {
  let raw: string;
  try {
    // A named pipe or a device named config.json (a run folder from elsewhere) is refused, not waited on.
    raw = readRegularFile(file, MAX_JSON_BYTES).toString('utf8');
  } catch (error) {
    throw new ErrorClass(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${fix}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new ErrorClass(`${file} is not valid JSON (${(error as Error).message}); ${fix}`);
  }
  const result = v.safeParse(schema, value);
  if (!result.success) throw new ErrorClass(describeInvalid(file, result.issues, fix));
  return result.output;
}

// ---------------------------------------------------------------------------------------------
// config.json: the request the run was started with.

/**
 * What config.json may hold. `python` and `backendDirs`, which name programs and code to load,
 * are not part of it: they come from the command line or the settings of whoever resumes. Keys
 * not listed here (such as those two in folders written before) are dropped when read.
 */
export const RunConfigSchema = v.object(
  {
    sourceText: text(),
    sourcePath: text(),
    modelName: text(),
    dataset: v.picklist(['mnist', 'cifar10', 'synthetic'], 'must be "mnist", "cifar10" or "synthetic"'),
    dataDir: v.optional(text()),
    backend: v.picklist(BACKEND_CHOICES, `must be one of ${BACKEND_CHOICES.map((b) => `"${b}"`).join(', ')}`),
    epochs: v.optional(wholeNumber(1)),
    maxSteps: v.optional(wholeNumber(1)),
    batchSize: v.optional(wholeNumber(1)),
    seed: v.optional(wholeNumber(0)),
    outDir: text(),
    trainLimit: v.optional(wholeNumber(1)),
    engine: v.optional(v.picklist(['tfjs', 'pytorch'], 'must be "tfjs" or "pytorch"')),
    nprocPerNode: v.optional(wholeNumber(1)),
    nnodes: v.optional(wholeNumber(1)),
    rdzvEndpoint: v.optional(text()),
    threads: v.optional(wholeNumber(1)),
  },
  'must be a JSON object',
);
export type RunConfig = v.InferOutput<typeof RunConfigSchema>;
// A config read back is a request the engines accept as it is.
const _configIsARequest: (config: RunConfig) => TrainRequest = (config) => config;
void _configIsARequest;

/** A new run's folder, `<out>/<time>-<model>/`, with its config.json; a clear message when `outDir` cannot be written. */
export function createRunFolder(request: TrainRequest): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('T', '-').slice(0, 19);
  // The engines find the model first (runSetup.findModel), so this is a name of the file; a name
  // that is no single folder name could only come from a request nobody checked.
  if (!/^[\w.+-]+$/.test(request.modelName) || /^\.+$/.test(request.modelName)) throw new TrainingError(msg('runFolder.modelNotAName', { name: JSON.stringify(request.modelName) }));
  let runDir = join(request.outDir, `${stamp}-${request.modelName}`);
  for (let n = 2; existsSync(runDir); n++) runDir = join(request.outDir, `${stamp}-${request.modelName}-${n}`);
  try {
    mkdirSync(runDir, { recursive: true });
    writeAtomically(insideRunFolder(runDir, runPaths(runDir).config), JSON.stringify(configOf(request), null, 2));
  } catch (error) {
    throw new TrainingError(
      `cannot create a run folder in ${request.outDir} (${errorCode(error)}); choose another folder for runs (--out DIR, or the resnetStudio.training.runsFolder setting) or fix its permissions`,
    );
  }
  return runDir;
}

/** The request as config.json keeps it: without the Python and the backend folders of this machine. */
function configOf(request: TrainRequest): RunConfig {
  const { python: _python, backendDirs: _backendDirs, engine, ...kept } = request;
  // `auto` is decided before a run folder is made (engineChoice.ts): config.json names the engine that runs.
  if (engine === 'auto') throw new TrainingError('a run folder was asked for before its engine was chosen; this is a bug in whatever started the run');
  return engine === undefined ? kept : { ...kept, engine };
}

/** The request a run was started with, read back and checked; a TrainingError naming the file and field otherwise. */
export function readRunConfig(runDir: string): RunConfig {
  const file = runPaths(runDir).config;
  if (!existsSync(file)) throw new TrainingError(msg('worker.notRunFolder', { runDir, config: RUN_FILE_NAMES.config }));
  return readJsonFile(file, RunConfigSchema, 'the run folder is damaged: fix that field, or start a new run');
}

/** config.json when it is readable and valid, else undefined (the dashboard lists what it can). */
export function peekRunConfig(runDir: string): RunConfig | undefined {
  try {
    return readRunConfig(runDir);
  } catch {
    return undefined;
  }
}

/** The engine a run folder was trained with; undefined when it has no valid config.json. */
export function engineOfRun(runDir: string): 'pytorch' | 'tfjs' | undefined {
  const config = peekRunConfig(runDir);
  return config === undefined ? undefined : config.engine === 'pytorch' ? 'pytorch' : 'tfjs';
}

// ---------------------------------------------------------------------------------------------
// metrics.jsonl: every message of the run, one JSON object a line, appended as they come.

export function appendMetric(runDir: string, message: TrainingMessage): void {
  appendFileSync(insideRunFolder(runDir, runPaths(runDir).metrics), `${JSON.stringify(message)}\n`);
}

export interface ParsedLines {
  readonly messages: TrainingMessage[];
  /** Lines that were not a well-formed message (a crash cuts the last one off). */
  readonly skipped: number;
}

/** The messages of metrics.jsonl text; lines that do not parse or are no message are counted, not trusted. */
export function parseMetricLines(text: string): ParsedLines {
  const messages: TrainingMessage[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    const message = parseTrainingMessage(value);
    if (message) messages.push(message);
    else skipped++;
  }
  return { messages, skipped };
}

/** A run's whole record, from its metrics.jsonl; empty when nothing was written yet. */
export async function readMetrics(runDir: string): Promise<ParsedLines> {
  const path = runPaths(runDir).metrics;
  let content: string;
  try {
    content = (await readRegularFileAsync(path, MAX_METRICS_BYTES)).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { messages: [], skipped: 0 };
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  return parseMetricLines(content);
}

/** The last `bytes` of metrics.jsonl from its first whole line, parsed: how a long run ended, without reading it all. */
export function readMetricsTail(runDir: string, bytes: number): ParsedLines {
  return readMetricsPart(runDir, bytes, 'end');
}

/** The messages in the first `bytes` of metrics.jsonl (the run's `started`, without reading a long run whole). */
export function readMetricsHead(runDir: string, bytes: number): ParsedLines {
  return readMetricsPart(runDir, bytes, 'start');
}

/** Whole lines of metrics.jsonl within `bytes` of its start or end; a line cut at the edge is left out. */
function readMetricsPart(runDir: string, bytes: number, from: 'start' | 'end'): ParsedLines {
  const path = runPaths(runDir).metrics;
  let fd: number | undefined;
  try {
    const opened = openRegularFile(path);
    fd = opened.fd;
    const size = opened.size;
    const start = from === 'end' ? Math.max(0, size - bytes) : 0;
    const end = from === 'end' ? size : Math.min(size, bytes);
    const buffer = Buffer.alloc(end - start);
    readSync(fd, buffer, 0, buffer.length, start);
    let content = buffer.toString('utf8');
    if (start > 0) content = content.slice(content.indexOf('\n') + 1);
    if (end < size) content = content.slice(0, content.lastIndexOf('\n') + 1);
    return parseMetricLines(content);
  } catch {
    return { messages: [], skipped: 0 };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** After a crash, metrics written past the checkpoint are replaced by the resumed run's own. */
export function dropMetricsAfter(runDir: string, step: number): void {
  const path = runPaths(runDir).metrics;
  if (!existsSync(path)) return;
  const kept = readRegularFile(path, MAX_METRICS_BYTES)
    .toString('utf8')
    .split('\n')
    .filter((line) => {
      if (!line.trim()) return false;
      try {
        const m = JSON.parse(line) as { type?: unknown; step?: unknown };
        return m.type === 'started' || typeof m.step !== 'number' || m.step <= step;
      } catch {
        return false; // a line cut off by the crash
      }
    });
  writeAtomically(insideRunFolder(runDir, path), kept.length ? `${kept.join('\n')}\n` : '');
}

// ---------------------------------------------------------------------------------------------
// What a resume may change. A checkpoint's step counts batches of the batch size and data it was
// trained with: a resume with others (config.json or the recipe edited) would start mid-way
// through other batches and could run past the run's end, so it is refused, saying what to put
// back. A run with nothing left to train is refused too, saying it is finished.

export interface SavedCut {
  readonly step: number;
  /** Unknown for checkpoints that do not record it. */
  readonly batchSize?: number | undefined;
  readonly trainImages?: number | undefined;
}

export function checkResumeFits(
  runDir: string,
  checkpoint: string,
  saved: SavedCut,
  now: { readonly batchSize: number; readonly trainImages: number; readonly totalSteps: number; readonly epochs: number; readonly finalModelSaved: boolean },
): void {
  const { config, model } = runPaths(runDir);
  if (saved.batchSize !== undefined && saved.batchSize !== now.batchSize) {
    throw new TrainingError(
      `${checkpoint} was trained with batches of ${saved.batchSize} and its step (${saved.step}) counts those, but ${config}, the model's recipe and the processes now give ${now.batchSize}; put batchSize ${saved.batchSize} back in ${config} (or the recipe's \`batch\`, and the same --nproc-per-node), or start a new run to train with ${now.batchSize}`,
    );
  }
  if (saved.trainImages !== undefined && saved.trainImages !== now.trainImages) {
    throw new TrainingError(
      `${checkpoint} was trained on ${saved.trainImages} training images, but the data set now gives ${now.trainImages} (was trainLimit in ${config}, the recipe's \`validation\` or the data folder changed?); put them back, or start a new run`,
    );
  }
  // Killed between its last checkpoint and saving the final model, a run still has that to do.
  if (saved.step >= now.totalSteps && now.finalModelSaved) {
    throw new TrainingError(
      `run ${runDir} is finished: it trained all ${now.totalSteps} steps (${now.epochs} epoch${now.epochs === 1 ? '' : 's'}); to train it longer, resume with more --epochs or --max-steps (its final model is in ${model})`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Writable before the first epoch, with no link out of the folder: a run must not train an
// epoch and then fail to save it, nor save it elsewhere.

export function checkWritable(runDir: string): void {
  checkRunFolderLinks(runDir);
  const paths = runPaths(runDir);
  const attempt = (what: string, action: () => void) => {
    try {
      action();
    } catch (error) {
      throw new TrainingError(`cannot write ${what} (${errorCode(error)}); the run could not save its progress: fix the folder's permissions or free some space, then start or resume again`);
    }
  };
  attempt(paths.metrics, () => closeSync(openSync(paths.metrics, 'a')));
  attempt(paths.checkpoints, () => {
    mkdirSync(paths.checkpoints, { recursive: true });
    const probe = join(paths.checkpoints, `.write-test-${process.pid}`);
    writeFileSync(probe, 'resnet-studio');
    rmSync(probe);
  });
}

function errorCode(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^\w+: /, '')}` : String((error as Error).message ?? error);
}

// ---------------------------------------------------------------------------------------------
// checkpoints/latest.json: which checkpoint is the run's newest.

export const LatestSchema = v.object(
  {
    checkpoint: v.pipe(text(), v.regex(CHECKPOINT_NAME, 'must name a checkpoint in the same folder, like "step-00000010"')),
    step: v.optional(wholeNumber(0)),
    epoch: v.optional(wholeNumber(0)),
  },
  'must be a JSON object',
);
export type LatestPointer = v.InferOutput<typeof LatestSchema>;

export function writeLatest(runDir: string, pointer: LatestPointer): void {
  writeAtomically(insideRunFolder(runDir, runPaths(runDir).latest), JSON.stringify(pointer));
}

export function hasCheckpoint(runDir: string): boolean {
  return existsSync(runPaths(runDir).latest);
}

// ---------------------------------------------------------------------------------------------
// Checksums: every checkpoint carries the size and sha256 of each of its files.
//
// A TF.js checkpoint (`checkpoints/step-00000010/`) holds `checksums.json`, naming its files
// relative to itself (a PyTorch checkpoint is one safetensors file with its SHA-256 inside; see
// pytorch/runFolder.ts). It reads:
//   { "format": "resnet-studio-checksums-1", "files": { "weights.bin": { "bytes": 1234, "sha256": "…64 hex…" }, … } }

export const CHECKSUMS_FORMAT = 'resnet-studio-checksums-1';

const ChecksumsSchema = v.object(
  {
    format: v.literal(CHECKSUMS_FORMAT, `must be "${CHECKSUMS_FORMAT}"`),
    files: v.record(
      v.pipe(v.string(), v.regex(/^[\w][\w.-]*$/, 'must be a plain file name')),
      v.object({ bytes: wholeNumber(0), sha256: v.pipe(text(), v.regex(/^[0-9a-f]{64}$/, 'must be 64 hexadecimal digits')) }, 'must be a JSON object'),
      'must be a JSON object',
    ),
  },
  'must be a JSON object',
);

/** A checkpoint that cannot be used as it is: its message names the damaged file. Loading falls back past it. */
export class DamagedCheckpointError extends TrainingError {}

export function sha256File(path: string): string {
  const hash = createHash('sha256');
  const { fd } = openRegularFile(path);
  try {
    const buffer = Buffer.alloc(1 << 20);
    for (let n = readSync(fd, buffer, 0, buffer.length, null); n > 0; n = readSync(fd, buffer, 0, buffer.length, null)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Writes `checksums.json` into a checkpoint folder for the files it holds. */
export function writeChecksums(folder: string, files: readonly string[]): void {
  const entries = Object.fromEntries(
    files.map((name) => {
      const path = join(folder, name);
      return [name, { bytes: statSync(path).size, sha256: sha256File(path) }];
    }),
  );
  writeFileSync(join(folder, RUN_FILE_NAMES.checksums), JSON.stringify({ format: CHECKSUMS_FORMAT, files: entries }, null, 1));
}

/**
 * Checks a TF.js checkpoint's files against its checksums.json; a DamagedCheckpointError naming
 * the file otherwise. `required` names files that must be listed.
 */
export function verifyCheckpoint(runDir: string, name: string, options: { required?: readonly string[] } = {}): string {
  const path = checkpointPath(runDir, name);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new DamagedCheckpointError(`${path} is missing`);
  const manifest = join(path, RUN_FILE_NAMES.checksums);
  if (!existsSync(manifest)) {
    throw new DamagedCheckpointError(`${manifest} is missing (the checkpoint is damaged, or was written by a version of resnet-studio without checksums)`);
  }
  const { files } = readJsonFile(manifest, ChecksumsSchema, 'the checkpoint is damaged', DamagedCheckpointError);
  for (const needed of options.required ?? []) {
    if (!(needed in files)) throw new DamagedCheckpointError(`${manifest} has no checksum for ${needed}; the checkpoint is damaged`);
  }
  for (const [file, expected] of Object.entries(files)) {
    const filePath = join(path, file);
    if (!existsSync(filePath)) throw new DamagedCheckpointError(`${filePath} is missing`);
    const bytes = statSync(filePath).size;
    if (bytes !== expected.bytes) throw new DamagedCheckpointError(`${filePath} is ${bytes} bytes where ${expected.bytes} were written (${bytes < expected.bytes ? 'truncated' : 'grown'})`);
    if (sha256File(filePath) !== expected.sha256) throw new DamagedCheckpointError(`${filePath} is not what was written (its sha256 differs from ${manifest}): it was changed or damaged`);
  }
  return path;
}

// ---------------------------------------------------------------------------------------------
// Choosing the checkpoint to resume from: the one latest.json names, else (when it or latest.json
// is damaged) the newest older one that is whole, saying which file was damaged.

export interface ChosenCheckpoint<T> {
  readonly name: string;
  readonly loaded: T;
  /** One line per damaged file passed over, for the person: the run resumes from an older step. */
  readonly warnings: readonly string[];
}

/**
 * Loads the newest usable checkpoint with `load` (which throws DamagedCheckpointError for a
 * damaged one, anything else for problems falling back cannot fix); undefined when the run has
 * none. When it falls back, latest.json is rewritten to `pointer(loaded)` so every reader agrees.
 */
export function loadNewestCheckpoint<T>(runDir: string, load: (name: string) => T, pointer: (name: string, loaded: T) => LatestPointer): ChosenCheckpoint<T> | undefined {
  const paths = runPaths(runDir);
  const onDisk = listCheckpoints(runDir);
  const warnings: string[] = [];
  let candidates: string[];
  if (!existsSync(paths.latest)) {
    if (onDisk.length === 0) return undefined;
    warnings.push(`${paths.latest} is missing`);
    candidates = onDisk;
  } else {
    try {
      const latest = readJsonFile(paths.latest, LatestSchema, 'the pointer is damaged', DamagedCheckpointError);
      const step = stepOf(latest.checkpoint);
      candidates = [latest.checkpoint, ...onDisk.filter((n) => n !== latest.checkpoint && stepOf(n) < step)];
    } catch (error) {
      if (!(error instanceof DamagedCheckpointError)) throw error;
      warnings.push(error.message);
      candidates = onDisk;
    }
  }
  for (const name of candidates) {
    try {
      const loaded = load(name);
      if (warnings.length > 0) writeLatest(runDir, pointer(name, loaded));
      return { name, loaded, warnings: warnings.map((w) => `${w}; resuming from ${checkpointPath(runDir, name)} instead`) };
    } catch (error) {
      if (!(error instanceof DamagedCheckpointError)) throw error;
      warnings.push(error.message);
    }
  }
  throw new TrainingError(`no checkpoint of ${runDir} is whole: ${warnings.join('; ')}. Start a new run (a copy of the folder's config.json is what it was started with)`);
}

/** Checkpoints in checkpoints/, newest (highest step) first. */
export function listCheckpoints(runDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(runPaths(runDir).checkpoints);
  } catch {
    return [];
  }
  return names.filter((n) => CHECKPOINT_NAME.test(n)).sort((a, b) => stepOf(b) - stepOf(a));
}

function stepOf(name: string): number {
  return Number(CHECKPOINT_NAME.exec(name)?.[1] ?? -1);
}
