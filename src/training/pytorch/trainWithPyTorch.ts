// The PyTorch engine: trains a `.resnet` model with PyTorch instead of TF.js and reports through
// the same TrainingMessages, so the CLI's progress, the run folder, resume and the dashboard work
// unchanged. It exports the model (model.py), writes the runner, its plan and the data prepared as
// the TF.js engine prepares it into a private folder of its own, starts Python there (torchrun for
// several processes) and relays the JSON lines the runner prints. A graceful stop is a file the
// runner looks for. The run folder gets a copy of model.py, runner.py and plan.json to read, and
// the runner's checkpoints and final model; nothing in it is ever run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTrainingMessage, type Precision, type TrainingMessage } from '../../protocol/training';
import { exportPyTorchModule } from '../../export/pytorch';
import type { TrainerHooks } from '../tfjs/trainer';
import { PyTorchEngineError } from './engineError';
import { planLayerStats, planSteps, type RunnerPlan } from './plan';
import { writeDataset } from './preparedData';
import { findModel, prepareDataset } from '../runSetup';
import { appendMetric, checkResumeFits, checkWritable, createRunFolder, dropMetricsAfter, insideRunFolder, runPaths } from '../runFolder/runFolder';
import { lockRun } from '../runFolder/runLock';
import { writeAtomically } from '../runFolder/atomicFile';
import { findPython, ISOLATED_PYTHON, type PythonInfo } from './python';
import { checkSettings, isDistributed, worldSize, type PyTorchRequest, type PyTorchSettings, type PyTorchStart } from './request';
import { firstStarted, latestCheckpoint, resumedRequest } from './runFolder';
import { RUNNER_SOURCE } from './runnerSource';
import { trainingMemory } from '../../core/report/trainingMemory';

export interface PyTorchOptions {
  /** Whatever Python writes besides messages (warnings, tracebacks), for a debug log. */
  readonly onLog?: (text: string) => void;
}

/** How often the launcher looks whether a stop was asked for. */
const STOP_POLL_MS = 200;
/** The end of the runner's stderr kept for a failure message. */
const STDERR_TAIL_LINES = 8;

export async function trainWithPyTorch(start: PyTorchStart, hooks: TrainerHooks, options: PyTorchOptions = {}): Promise<void> {
  const launchedAt = Date.now();
  const request: PyTorchRequest = start.kind === 'resume' ? resumedRequest(start) : { ...start.request, engine: 'pytorch' };
  // Everything that can be wrong with the request is found before a new run folder is made.
  checkSettings(request);
  const model = findModel(request);
  const python = findPython(request.python);
  const seed = request.seed ?? model.recipe.seed;
  const runDir = start.kind === 'resume' ? start.runDir : createRunFolder(request);
  // Held until the runner is done; a killed launcher leaves a stale lock the next run takes over.
  const lock = lockRun(runDir);
  try {
    checkWritable(runDir);
    await trainLocked(start, request, runDir, model, python, seed, launchedAt, hooks, options);
  } finally {
    lock.release();
  }
}

async function trainLocked(
  start: PyTorchStart,
  request: PyTorchRequest,
  runDir: string,
  model: ReturnType<typeof findModel>,
  python: PythonInfo,
  seed: number,
  launchedAt: number,
  hooks: TrainerHooks,
  options: PyTorchOptions,
): Promise<void> {
  const checkpoint = latestCheckpoint(runDir);
  const warnings = [...(checkpoint?.warnings ?? [])];
  const emit = (message: TrainingMessage) => {
    // The runner knows nothing of what was found before it started: the started message carries it, and why this engine.
    const withWarnings =
      message.type === 'epoch' && message.peakStepBytes !== undefined
        ? // Beside the measurement, the estimate `stats` prints for PyTorch at one process's batch.
          { ...message, estimatedStepBytes: trainingMemory(model, steps.perProcessBatch).totalBytes }
        : message.type === 'started'
          ? {
              ...message,
              ...(warnings.length > 0 ? { warnings: [...(message.warnings ?? []), ...warnings] } : {}),
              ...(hooks.engineChoice ? { engineChoice: hooks.engineChoice.text } : {}),
            }
          : message;
    appendMetric(runDir, withWarnings);
    hooks.emit(withWarnings);
  };
  // With several machines, the newest checkpoint may be on another one: the runner asks them all.
  const severalMachines = (request.nnodes ?? 1) > 1;
  if (start.kind === 'resume' && !checkpoint && !severalMachines) {
    throw new PyTorchEngineError(`${runDir} has no checkpoint yet (it stopped before its first epoch ended); start a new run instead`);
  }

  const data = prepareDataset(request, model, seed);
  warnings.unshift(...(data.warnings ?? []));
  const steps = planSteps(request, model, data.train.count, worldSize(request));
  if (checkpoint) {
    // The batch and data the checkpoint's steps count are those of the run's first started message.
    const first = firstStarted(runDir);
    checkResumeFits(
      runDir,
      checkpoint.path,
      { step: checkpoint.step, ...(first ? { batchSize: first.batchSize, trainImages: first.trainImages } : {}) },
      {
        batchSize: steps.batchSize,
        trainImages: data.train.count,
        totalSteps: steps.totalSteps,
        epochs: steps.epochs,
        finalModelSaved: existsSync(join(runPaths(runDir).model, 'model.pt')),
      },
    );
    dropMetricsAfter(runDir, checkpoint.step);
  }
  // What Python runs, and the data, lie in a folder made here for this launch (mkdtemp: new, this
  // user's only): Python starts there, isolated (-I), so nothing of the run folder is on its path.
  const workDir = mkdtempSync(join(tmpdir(), 'resnet-studio-pytorch-'));
  const dataDir = join(workDir, 'data');
  const stopFile = join(workDir, 'stop-requested');
  try {
    mkdirSync(dataDir);
    const module = exportPyTorchModule([model], request.sourcePath, { sourceText: request.sourceText, command: 'the PyTorch engine of resnet-studio train' });
    const modelModule = join(workDir, 'model.py');
    writeFileSync(modelModule, module.text);
    for (const note of module.notes) options.onLog?.(`note: ${note}\n`);
    const runner = join(workDir, 'runner.py');
    writeFileSync(runner, RUNNER_SOURCE);
    const plan: RunnerPlan = {
      runDir,
      modelModule,
      modelClass: module.classNames.get(model.name) as string,
      modelName: model.name,
      params: model.cost.params,
      macs: model.cost.macs,
      data: writeDataset(data, dataDir),
      ...steps,
      optimizer: { kind: model.recipe.optimizer, momentum: model.recipe.momentum, weightDecay: model.recipe.weightDecay },
      augment: { pad: model.recipe.augment.pad, flip: model.recipe.augment.flip },
      seed,
      ...(request.threads !== undefined ? { threads: request.threads } : {}),
      ...runnerDevice(request, model.recipe.precision),
      ...optionalLayerStats(planLayerStats(model)),
      stopFile,
      startedAt: launchedAt,
      resume: start.kind === 'resume' || checkpoint !== undefined,
      watchParent: true,
    };
    const planPath = join(workDir, 'plan.json');
    writeFileSync(planPath, JSON.stringify(plan, null, 2));
    recordWhatRuns(runDir, { 'model.py': module.text, 'runner.py': RUNNER_SOURCE, 'plan.json': JSON.stringify(plan, null, 2) });
    await runPython(python.command, runnerArguments(request, python, runner, planPath), { cwd: workDir, emit, shouldStop: hooks.shouldStop, stopFile, onLog: options.onLog, runDir });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function optionalLayerStats(layerStats: RunnerPlan['layerStats']): Pick<RunnerPlan, 'layerStats'> {
  return layerStats ? { layerStats } : {};
}

/** The run folder's pytorch/: a copy of what Python runs, for people to read; never run from there. */
function recordWhatRuns(runDir: string, files: Readonly<Record<string, string>>): void {
  const folder = insideRunFolder(runDir, runPaths(runDir).pytorch);
  mkdirSync(folder, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeAtomically(insideRunFolder(runDir, join(folder, name)), text);
}

/** Device, precision and memory layout for the runner: the request's, else the recipe's precision, else fp32 in the default layout. */
export function runnerDevice(request: PyTorchSettings, recipePrecision: Precision | undefined): Pick<RunnerPlan, 'device' | 'precision' | 'channelsLast'> {
  return { device: request.device ?? 'auto', precision: request.precision ?? recipePrecision ?? 'fp32', channelsLast: request.channelsLast ?? false };
}

/**
 * The runner under plain Python, or under torchrun (as `python -m torch.distributed.run`, so it is
 * the same Python), both isolated; torchrun starts each process as this Python, isolated too
 * (--no_python: the command after it is run as it is).
 */
export function runnerArguments(request: PyTorchSettings & { readonly modelName: string }, python: Pick<PythonInfo, 'torch' | 'version' | 'executable'>, runner: string, plan: string): string[] {
  if (!isDistributed(request)) return [...ISOLATED_PYTHON, runner, plan];
  const nnodes = request.nnodes ?? 1;
  const rendezvous =
    request.rdzvEndpoint !== undefined
      ? // Every machine must name the same rendezvous id; the model's name is what they share.
        ['--rdzv_backend=c10d', `--rdzv_endpoint=${request.rdzvEndpoint}`, `--rdzv_id=resnet-studio-${request.modelName}`]
      : ['--standalone'];
  return [
    ...ISOLATED_PYTHON,
    '-m',
    'torch.distributed.run',
    `--nnodes=${nnodes}`,
    `--nproc_per_node=${request.nprocPerNode ?? 1}`,
    ...rendezvous,
    ...streamWorkaround(python),
    '--no_python',
    python.executable,
    ...ISOLATED_PYTHON,
    runner,
    plan,
  ];
}

/**
 * torchrun of torch 1.x under Python 3.11 cannot parse its own default `--redirects 0` (3.11's Flag
 * iteration skips the zero member, so it reads as None and crashes). A mapping that names only an
 * unused local rank means the same: no process's output is redirected.
 */
function streamWorkaround(python: Pick<PythonInfo, 'torch' | 'version'>): string[] {
  // A missing part is NaN, as one that is not a number: it compares false.
  const [torchMajor = Number.NaN] = python.torch.split('.').map(Number);
  const [major = Number.NaN, minor = Number.NaN] = python.version.split('.').map(Number);
  return torchMajor < 2 && (major > 3 || (major === 3 && minor >= 11)) ? ['--redirects=9:1', '--tee=9:1'] : [];
}

interface RelayOptions {
  /** The folder Python starts in: the engine's own. */
  readonly cwd: string;
  readonly emit: (message: TrainingMessage) => void;
  readonly shouldStop: () => boolean;
  readonly stopFile: string;
  readonly runDir: string;
  readonly onLog?: ((text: string) => void) | undefined;
}

/** Starts Python, relays its messages, turns a stop request into the stop file; rejects on failure. */
function runPython(python: string, args: readonly string[], options: RelayOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, {
      cwd: options.cwd,
      // Its own process group: Ctrl+C in a terminal reaches the launcher, which stops the runner gracefully.
      detached: process.platform !== 'win32',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let finished = false;
    let failure: string | undefined;
    let stopWritten = false;
    const stderrTail: string[] = [];
    const checkStop = () => {
      if (!stopWritten && options.shouldStop()) {
        stopWritten = true;
        writeFileSync(options.stopFile, 'stop\n');
      }
    };
    // After every message (as the TF.js engine asks after every step), and on a timer between them.
    const poll = setInterval(checkStop, STOP_POLL_MS);

    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
        if (!line) continue;
        const parsed = checkRunnerLine(line);
        // A line that is no message (Python's own output) goes to the log; one that tries to be a
        // message and does not fit its schema says which field was wrong.
        if (!parsed.ok) options.onLog?.(parsed.error === undefined ? `${line}\n` : `runner sent a malformed message, dropped (${parsed.error}): ${line}\n`);
        else if (parsed.message.type === 'failed') failure ??= parsed.message.message;
        else {
          const message = parsed.message;
          if (message.type === 'finished') finished = true;
          options.emit(message);
          checkStop();
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      options.onLog?.(chunk);
      for (const line of chunk.split('\n')) if (line.trim()) stderrTail.push(line);
      stderrTail.splice(0, Math.max(0, stderrTail.length - STDERR_TAIL_LINES));
    });
    // Nothing is written to the runner's stdin: it only watches for it to close (the launcher gone).
    child.stdin.on('error', () => undefined);

    child.on('error', (error) => {
      clearInterval(poll);
      reject(new PyTorchEngineError(`could not start ${python}: ${error.message}; pass another Python with --python PATH`));
    });
    child.on('close', (code, signal) => {
      clearInterval(poll);
      child.stdin.end();
      if (failure !== undefined) reject(new PyTorchEngineError(failure));
      else if (!finished) {
        const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
        const last = stderrTail.length ? `: ${stderrTail.slice(-3).join(' | ')}` : '';
        reject(new PyTorchEngineError(`the PyTorch runner ${how} before finishing${last}; its last finished epoch is in ${options.runDir}, continue with --resume`));
      } else resolve();
    });
  });
}

/**
 * A runner line as a message, checked against the same schema as the worker's own; NaN and
 * infinities travel as strings (JSON has no such numbers). `error` is set when the line is a JSON
 * object with a `type` (so meant as a message) that does not fit: it names the field.
 */
export function checkRunnerLine(line: string): { ok: true; message: TrainingMessage } | { ok: false; error?: string } {
  let value: unknown;
  try {
    value = JSON.parse(line, (_key, v: unknown) => (v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v));
  } catch {
    return { ok: false };
  }
  const checked = checkTrainingMessage(value);
  if (checked.ok) return { ok: true, message: checked.value };
  const meant = typeof value === 'object' && value !== null && Object.hasOwn(value, 'type');
  return meant ? { ok: false, error: checked.error } : { ok: false };
}

/** A runner line as a message; undefined for anything else. */
export function parseRunnerLine(line: string): TrainingMessage | undefined {
  const checked = checkRunnerLine(line);
  return checked.ok ? checked.message : undefined;
}
