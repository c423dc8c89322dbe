// The state file of an experiment's queue, `runs/<experiment>/experiment.json`, owned here: the
// plan, the settings every run trains with, and each run's status and run folder, rewritten
// atomically after every change so a killed queue loses nothing it had recorded. The runs
// themselves are ordinary run folders under the same directory (runFolder.ts owns their format).
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EXPERIMENT_STATE_FORMAT, ExperimentStateSchema, type ExperimentPlan, type ExperimentState, type QueueSettings, type RunRecord } from '../../protocol/experiment';
import { writeAtomically } from '../runFolder/atomicFile';
import { analyze } from '../../core/analysis/analyze';
import { msg } from '../../core/l10n/format';
import { readJsonFile } from '../runFolder/runFolder';
import { Random } from '../random';
import { isModelName } from '../runSetup';
import { TrainingError } from '../trainingError';

export const STATE_FILE_NAME = 'experiment.json';

/** Where an experiment's runs and its state file go: `<runs>/<experiment>/`. */
export function experimentDir(runsRoot: string, experiment: string): string {
  return join(runsRoot, experiment);
}

export function stateFile(dir: string): string {
  return join(dir, STATE_FILE_NAME);
}

/** The runs in the order they will train: as listed, or shuffled by `orderSeed` (the same seed, the same order). */
export function orderRuns<T>(runs: readonly T[], settings: Pick<QueueSettings, 'order' | 'orderSeed'>): T[] {
  const ordered = [...runs];
  if (settings.order === 'random') new Random(settings.orderSeed ?? 1).shuffle(ordered);
  return ordered;
}

/** A new experiment's folder and state file; refused when the folder already holds one (resume it instead). */
export function createExperiment(plan: ExperimentPlan, settings: QueueSettings, runsRoot: string): string {
  const dir = experimentDir(runsRoot, plan.experiment);
  if (existsSync(stateFile(dir))) {
    throw new TrainingError(`${dir} already holds experiment ${plan.experiment}: resume it with --resume ${dir}, or move that folder away to start again`);
  }
  const state: ExperimentState = {
    format: EXPERIMENT_STATE_FORMAT,
    experiment: plan.experiment,
    sourcePath: plan.sourcePath,
    sourceText: plan.sourceText,
    settings,
    runs: orderRuns(plan.runs, settings).map((run) => ({ ...run, status: 'pending' })),
  };
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new TrainingError(`cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); choose another folder for runs (--out DIR) or fix its permissions`);
  }
  writeState(dir, state);
  return dir;
}

export function readState(dir: string): ExperimentState {
  const file = stateFile(dir);
  if (!existsSync(file)) throw new TrainingError(`${dir} is not an experiment folder (it has no ${STATE_FILE_NAME}); pass the folder \`resnet-studio experiment\` created, e.g. runs/fig6`);
  const state = readJsonFile(file, ExperimentStateSchema, 'the experiment folder is damaged: fix that field, or start the experiment again in another folder');
  // A run's model names its run folder (`<time>-<model>`): it must be a name of the experiment's own
  // source, as `train --model` must be one of the file's, checked before any run starts.
  const analysis = analyze(state.sourceText);
  for (const run of state.runs) {
    if (!isModelName(analysis, run.model)) throw new TrainingError(msg('experiment.stateUnknownModel', { file, run: run.key, model: JSON.stringify(run.model), source: state.sourcePath }));
  }
  // The state file is data: a run's folder is always one of this folder's own (found by its name, so
  // a moved experiment folder still resumes), never a path it names elsewhere.
  const runs = state.runs.map((run) => {
    if (run.runDir === undefined) return run;
    const name = basename(run.runDir);
    if (name === '' || name === '.' || name === '..') throw new TrainingError(`${file}: run ${run.key} names no run folder (${JSON.stringify(run.runDir)}); the experiment folder is damaged`);
    return { ...run, runDir: join(dir, name) };
  });
  return { ...state, runs };
}

export function writeState(dir: string, state: ExperimentState): void {
  writeAtomically(stateFile(dir), `${JSON.stringify(state, null, 1)}\n`);
}

/** The state with one run's record changed. */
export function withRun(state: ExperimentState, key: string, change: Partial<RunRecord>): ExperimentState {
  return { ...state, runs: state.runs.map((run) => (run.key === key ? { ...run, ...change } : run)) };
}
