// The queue of an experiment: its runs train one after another, or N at a time (each in its own
// worker process, src/training/worker/launch.ts), as ordinary run folders under the experiment's
// directory. The state file records each run as it starts and ends, so a queue stopped or killed
// and resumed skips what finished, resumes the interrupted run from its checkpoint, and starts
// the rest; a run that fails or diverges is recorded with its message and the queue goes on.
import type { ExperimentState, QueueSettings, RunRecord } from '../../protocol/experiment';
import type { TrainingMessage, WorkerCommand } from '../../protocol/training';
import type { Locale } from '../../core/l10n/locale';
import { hasCheckpoint, readMetrics } from '../runFolder/runFolder';
import { lockRun } from '../runFolder/runLock';
import { launchWorker, type WorkerHandle } from '../worker/launch';
import { readState, withRun, writeState } from './state';

export interface QueueOptions {
  /** Runs training at once (default 1). */
  readonly parallel?: number;
  /** Every message of every run, with the run it belongs to. */
  readonly onMessage?: (run: RunRecord, message: TrainingMessage) => void;
  /** A run's record changed (started, finished, failed). */
  readonly onRunChange?: (run: RunRecord, state: ExperimentState) => void;
  readonly onLog?: (run: RunRecord, text: string) => void;
  /** Folders with optionally installed native backends, and the Python for the PyTorch engine: this machine's, never the state file's. */
  readonly backendDirs?: readonly string[];
  readonly python?: string | undefined;
  /** CPU threads per run (`--threads`, the setting): this machine's, never the state file's; default every core. */
  readonly threads?: number | undefined;
  /** The language of the workers' own messages (a failed run's reason, kept in the state file). */
  readonly locale?: Locale;
  /** The worker to start (tests); default the bundled one. */
  readonly workerEntry?: { path: string; execArgv: string[] };
}

export interface RunningQueue {
  /** Asks every running worker to checkpoint and stop, and starts no more runs. */
  stop(): void;
  /** The state once no run is training any more. */
  readonly done: Promise<ExperimentState>;
}

/** Runs (or resumes) the experiment in `dir`: every run not yet finished or failed. */
export function runQueue(dir: string, options: QueueOptions = {}): RunningQueue {
  let state = readState(dir);
  // One queue per experiment folder at a time; a killed one leaves a stale lock the next takes over.
  const lock = lockRun(dir);
  const active = new Set<WorkerHandle>();
  let stopping = false;
  const save = (key: string, change: Partial<RunRecord>) => {
    state = withRun(state, key, change);
    writeState(dir, state);
    const run = state.runs.find((r) => r.key === key);
    if (run) options.onRunChange?.(run, state);
  };
  const todo = state.runs.filter((run) => run.status === 'pending' || run.status === 'running').map((run) => run.key);

  const trainOne = async (key: string): Promise<void> => {
    const run = state.runs.find((r) => r.key === key) as RunRecord;
    const { settings } = state;
    const resume = run.runDir !== undefined && hasCheckpoint(run.runDir);
    const locale = options.locale === undefined ? {} : { locale: options.locale };
    const command: WorkerCommand = resume
      ? {
          type: 'resume',
          runDir: run.runDir as string,
          backendDirs: options.backendDirs,
          python: options.python,
          threads: options.threads,
          epochs: settings.epochs,
          maxSteps: settings.maxSteps,
          ...locale,
        }
      : {
          type: 'start',
          ...locale,
          request: {
            sourceText: state.sourceText,
            sourcePath: state.sourcePath,
            modelName: run.model,
            dataset: settings.dataset,
            dataDir: settings.dataDir,
            backend: settings.backend,
            epochs: settings.epochs,
            maxSteps: settings.maxSteps,
            seed: run.seed,
            outDir: dir,
            trainLimit: settings.trainLimit,
            // The queue's engine when it names one, else the variant's recipe's (`engine pytorch`), else TF.js or `auto`.
            engine: runEngine(settings, run),
            backendDirs: options.backendDirs,
            python: options.python,
            threads: options.threads,
          },
        };
    let outcome: { status: 'finished' | 'failed' | 'stopped'; message?: string; testAccuracy?: number; runDir?: string } | undefined;
    const worker = launchWorker(
      command,
      (message) => {
        const current = state.runs.find((r) => r.key === key) as RunRecord;
        options.onMessage?.(current, message);
        if (message.type === 'started') save(key, { status: 'running', runDir: message.runDir, message: undefined });
        else if (message.type === 'finished') outcome = message.stopped ? { status: 'stopped' } : { status: 'finished', testAccuracy: message.testAccuracy, runDir: message.runDir };
        else if (message.type === 'failed') outcome = { status: 'failed', message: message.message };
      },
      { ...(options.workerEntry ? { entry: options.workerEntry } : {}), onLog: (text) => options.onLog?.(run, text) },
    );
    active.add(worker);
    const code = await worker.exited;
    active.delete(worker);
    const runDir = state.runs.find((r) => r.key === key)?.runDir;
    if (outcome?.status === 'finished') {
      save(key, { status: 'finished', testAccuracy: outcome.testAccuracy, finalTrainError: runDir ? await finalTrainError(runDir) : undefined });
    } else if (outcome?.status === 'failed') {
      save(key, { status: 'failed', message: outcome.message, finalTrainError: runDir ? await finalTrainError(runDir) : undefined });
    } else if (!stopping && outcome?.status !== 'stopped') {
      // Gone without a word (killed, out of memory): recorded, left resumable, and the queue goes on.
      save(key, { status: 'running', message: `the training worker exited with code ${code} before the run finished; resume the experiment to retry it from its last checkpoint` });
    }
  };

  const done = (async () => {
    try {
      const pool = Math.max(1, Math.floor(options.parallel ?? 1));
      let next = 0;
      const lane = async () => {
        while (!stopping) {
          const run = todo[next++];
          if (run === undefined) break;
          await trainOne(run);
        }
      };
      await Promise.all(Array.from({ length: Math.min(pool, todo.length) }, lane));
      return state;
    } finally {
      lock.release();
    }
  })();
  return {
    stop: () => {
      stopping = true;
      for (const worker of active) worker.stop();
    },
    done,
  };
}

/**
 * The engine a run of the queue trains on: the queue's setting (--engine, the editor's), else its
 * recipe's, else TF.js when the queue names a TF.js backend, else `auto` (the worker picks the
 * fastest present, src/training/engineChoice.ts).
 */
export function runEngine(settings: Pick<QueueSettings, 'engine' | 'backend'>, run: Pick<RunRecord, 'engine'>): 'tfjs' | 'pytorch' | 'auto' {
  return settings.engine ?? run.engine ?? (settings.backend === 'auto' ? 'auto' : 'tfjs');
}

/** 1 − the last epoch's training accuracy, from the run's own record. */
async function finalTrainError(runDir: string): Promise<number | undefined> {
  const { messages } = await readMetrics(runDir);
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.type === 'epoch') return 1 - m.trainAccuracy;
  }
  return undefined;
}
