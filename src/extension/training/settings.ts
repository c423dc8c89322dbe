// The `resnet.training.*` and `resnet.experiment.*` settings.
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { BACKEND_CHOICES, type BackendChoice, type TrainRequest } from '../../protocol/training';

export const SETTINGS = {
  runsFolder: 'resnet.training.runsFolder',
  backend: 'resnet.training.backend',
  engine: 'resnet.training.engine',
  python: 'resnet.training.python',
  threads: 'resnet.training.threads',
  experimentParallel: 'resnet.experiment.parallel',
} as const;

/** The most runs of an experiment the editor trains at once (each is its own worker process). */
export const MAX_PARALLEL_RUNS = 16;

/**
 * How many runs of an experiment train at once (`resnet.experiment.parallel`, as the CLI's
 * `--parallel N`): a whole number from 1 to MAX_PARALLEL_RUNS; anything else in the settings file
 * (a string, 0, 2.5) is read as the default, 1.
 */
export function experimentParallel(): number {
  const value = vscode.workspace.getConfiguration().get<unknown>(SETTINGS.experimentParallel, 1);
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? Math.min(value, MAX_PARALLEL_RUNS) : 1;
}

/**
 * The engine a new run uses: the setting when it names one, else (`auto`) the recipe's `engine`,
 * else TF.js when the backend setting names a TF.js backend, else `auto`: the fastest engine
 * present, which the worker chooses (src/training/engineChoice.ts). With PyTorch, and for `auto`,
 * the Python of the `resnet.training.python` setting (empty: python3 on PATH). The Python always
 * comes from the user's settings (VS Code ignores a workspace's in Restricted Mode, where training
 * is refused anyway), never from a run folder.
 */
export function engineFields(recipeEngine: 'tfjs' | 'pytorch' | undefined, backend: BackendChoice): Pick<TrainRequest, 'engine' | 'python'> {
  const engine = engineSetting() ?? recipeEngine ?? (backend === 'auto' ? 'auto' : 'tfjs');
  return engine === 'tfjs' ? {} : { engine, ...pythonField() };
}

/** The engine `resnet.training.engine` names for every run, or undefined for `auto` (each recipe's `engine`, else the fastest present). */
export function engineSetting(): 'tfjs' | 'pytorch' | undefined {
  const setting = vscode.workspace.getConfiguration().get<string>(SETTINGS.engine, 'auto');
  return setting === 'tfjs' || setting === 'pytorch' ? setting : undefined;
}

/** `{ python }` from the setting, or nothing for the default (python3 on PATH). */
export function pythonField(): Pick<TrainRequest, 'python'> {
  const python = vscode.workspace.getConfiguration().get<string>(SETTINGS.python, '').trim();
  return python ? { python } : {};
}

/**
 * `{ threads }` from `resnet.training.threads` (CPU threads: TF.js wasm/cpu trains each batch in
 * that many slices at once; PyTorch's torch.set_num_threads), or nothing for 0, the default: every
 * core. A user setting only (scope `machine`): a workspace does not choose how many threads run.
 */
export function threadsField(): Pick<TrainRequest, 'threads'> {
  const value = vscode.workspace.getConfiguration().get<unknown>(SETTINGS.threads, 0);
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? { threads: value } : {};
}

/** The backend setting, 'auto' when it holds something else. */
export function backendSetting(): BackendChoice {
  const value = vscode.workspace.getConfiguration().get<string>(SETTINGS.backend, 'auto');
  return (BACKEND_CHOICES as readonly string[]).includes(value) ? (value as BackendChoice) : 'auto';
}

/**
 * The folder runs go in: the setting (default `runs`), relative to the workspace folder of
 * `near` (else the first workspace folder, else the folder of `near` itself). Undefined when
 * there is nothing to resolve it against.
 */
export function runsFolder(near?: vscode.Uri): string | undefined {
  const setting = vscode.workspace.getConfiguration('', near).get<string>(SETTINGS.runsFolder, 'runs').trim() || 'runs';
  if (isAbsolute(setting)) return setting;
  const folder = (near && vscode.workspace.getWorkspaceFolder(near)) ?? vscode.workspace.workspaceFolders?.[0];
  if (folder?.uri.scheme === 'file') return join(folder.uri.fsPath, setting);
  if (near?.scheme === 'file') return join(near.fsPath, '..', setting);
  return undefined;
}
