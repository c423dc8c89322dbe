// `resnet-studio profile FILE`: measured time per layer beside its counted cost. With PyTorch (the
// default) the model is exported as a PyTorch module and run forward and backward a few times; with
// the TF.js engine the training worker builds it as the trainer does and times each layer alone
// (src/training/tfjs/profileLayers.ts). Each layer's median forward and backward times are printed with
// its MACs and the multiply-adds per second it achieved.
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../core/analysis/analyze';
import { maxOf } from '../core/bounded';
import { at } from '../core/indexed';
import { modelLayers, type ModelNode } from '../core/analysis/network';
import { describeLayer } from '../core/report/layerKind';
import { formatExact } from '../core/report/numbers';
import { displayWidth } from '../core/report/textWidth';
import { format } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';
import { PROFILE_SCRIPT } from '../export/profileScript';
import { exportPyTorchModule } from '../export/pytorch';
import { BACKEND_CHOICES } from '../protocol/training';
import { checkProfileReply, type ProfileCommand, type ProfileReply } from '../protocol/profile';
import { defaultBackendDir } from '../training/tfjs/backendInstall';
import { findPython, ISOLATED_PYTHON } from '../training/pytorch/python';
import { howWorkerEnded, workerEntry } from '../training/worker/launch';
import { CliError } from './cliError';
import { countOption } from './numberArgument';
import { BATCH_SIZE, DEFAULT_PROFILE_SECONDS, PROFILE_REPEATS, PROFILE_SECONDS } from '../core/optionRules';
import { formatDiagnostic } from './formatDiagnostic';
import type { Output } from './output';
import { readSource } from './readSource';
import { parseBackend } from './train';

export const profileHelp = `Usage: resnet-studio profile FILE [--model NAME] [--engine pytorch|tfjs] [--backend NAME] [--batch N] [--repeats N] [--time-limit S] [--python PATH] [--json]

Times the forward and backward pass of every layer of a model and prints them beside each layer's
MACs and the multiply-adds per second it achieved (forward: batch × MACs / forward time). Times
are medians over --repeats steps after one warm-up. With PyTorch (CUDA when it sees a GPU, else
the CPU), ReLUs run out of place while profiling (PyTorch's backward hooks need it). With the
TF.js engine each layer runs alone, in training mode, on the backend the trainer would pick.
  --model NAME     this model (default: the first of the file)
  --engine NAME    pytorch (default) or tfjs
  --backend NAME   with --engine tfjs: ${BACKEND_CHOICES.join(', ')} (default auto, as train picks)
  --batch N        images per step (default 8, at most ${BATCH_SIZE.max.toLocaleString('en-US')})
  --repeats N      timed steps (default 3, at most ${PROFILE_REPEATS.max})
  --time-limit S   stop the profile after S seconds (default ${DEFAULT_PROFILE_SECONDS}, at most ${PROFILE_SECONDS.max})
  --python PATH    with --engine pytorch: the Python with torch (default: python3 on PATH)
  --json           one JSON object: {"model","engine","device","batch","layers":[{path,kind,macs,forwardMs,backwardMs,forwardGmacPerS}]}`;

export interface ProfileOptions {
  readonly model?: string;
  readonly engine?: string;
  readonly backend?: string;
  readonly batch?: string;
  readonly repeats?: string;
  readonly 'time-limit'?: string;
  readonly python?: string;
  readonly json?: boolean;
}

export interface LayerTiming {
  readonly path: string;
  readonly kind: string;
  readonly macs: number;
  readonly forwardMs: number;
  readonly backwardMs: number;
  readonly forwardGmacPerS: number;
}

interface Measured {
  readonly device: string;
  readonly stages: readonly string[];
  readonly layers: readonly { module: string; forwardMs: number; backwardMs: number }[];
}

export async function runProfile(file: string | undefined, options: ProfileOptions, out: Output): Promise<number> {
  if (!file) throw new CliError(`profile needs a file\n\n${profileHelp}`);
  const engine = options.engine ?? 'pytorch';
  if (engine !== 'pytorch' && engine !== 'tfjs') throw new CliError(`--engine takes pytorch or tfjs, not ${JSON.stringify(options.engine)}`);
  if (engine === 'pytorch' && options.backend !== undefined) throw new CliError('--backend picks a TF.js backend; use it with --engine tfjs (PyTorch takes CUDA when it sees a GPU, else the CPU)');
  if (engine === 'tfjs' && options.python !== undefined) throw new CliError('--python is for --engine pytorch; the TF.js engine runs in Node');
  const backend = parseBackend(options.backend) ?? 'auto';
  const locale = out.locale ?? 'en';
  const batch = countOption(options.batch, '--batch', BATCH_SIZE, 8, locale);
  const repeats = countOption(options.repeats, '--repeats', PROFILE_REPEATS, 3, locale);
  const seconds = countOption(options['time-limit'], '--time-limit', PROFILE_SECONDS, DEFAULT_PROFILE_SECONDS, locale);
  const sourceText = readSource(file, out.locale);
  const analysis = analyze(sourceText);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    for (const d of errors) out.error(formatDiagnostic(file, d, out.locale));
    throw new CliError(`${file} has errors; fix them before profiling`, 1);
  }
  const model = options.model === undefined ? analysis.models[0] : analysis.models.find((m) => m.name === options.model);
  if (!model)
    throw new CliError(
      options.model === undefined ? `${file} has no model to profile` : `${file} has no model named ${options.model}; its models: ${analysis.models.map((m) => m.name).join(', ') || 'none'}`,
      1,
    );
  const outOfTime = () => new CliError(format(locale, 'profile.timeLimit', { model: model.name, seconds }), 1);

  if (engine === 'tfjs') {
    const reply = await profileInWorker({ type: 'profile', sourceText, modelName: model.name, batch, repeats, backend, backendDirs: [defaultBackendDir()] }, seconds * 1000);
    if (reply === 'out of time') throw outOfTime();
    if (reply.type === 'profileFailed') throw new CliError(`TF.js could not profile ${model.name}: ${reply.message}`, 1);
    const measured: Measured = {
      device: `${reply.backend}, ${reply.device}`,
      stages: model.stages.map((s) => s.name),
      layers: reply.layers.map((l) => ({ module: l.path, forwardMs: l.forwardMs, backwardMs: l.backwardMs })),
    };
    printProfile(model, 'TF.js', measured, batch, options.json === true, out);
    return 0;
  }
  let python: string;
  try {
    python = findPython(options.python).command;
  } catch (error) {
    throw new CliError(`profile runs PyTorch: ${(error as Error).message}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'resnet-profile-'));
  try {
    const module = exportPyTorchModule([model], file, { sourceText });
    writeFileSync(join(dir, 'model.py'), module.text);
    writeFileSync(join(dir, 'profile_layers.py'), PROFILE_SCRIPT);
    // Isolated as the engine's runner is: nothing from the current folder or PYTHON* variables on its path.
    const run = spawnSync(python, [...ISOLATED_PYTHON, join(dir, 'profile_layers.py'), join(dir, 'model.py'), module.classNames.get(model.name) as string, String(batch), String(repeats)], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      timeout: seconds * 1000,
      killSignal: 'SIGKILL',
    });
    if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') throw outOfTime();
    if (run.status !== 0) throw new CliError(`PyTorch could not profile ${model.name}: ${(run.stderr || run.error?.message || '').trim().split('\n').slice(-3).join(' ')}`, 1);
    const measured = JSON.parse(run.stdout) as Measured;
    printProfile(model, 'PyTorch', measured, batch, options.json === true, out);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Our layers in order with PyTorch's times; the module of a layer is its path with the stage's attribute name. */
export function layerTimings(model: ModelNode, measured: Measured, batch: number): LayerTiming[] {
  const byModule = new Map(measured.layers.map((l) => [l.module, l]));
  const attribute = new Map(model.stages.map((s, i) => [s.name, measured.stages[i] ?? s.name]));
  return [...modelLayers(model)].map((layer) => {
    const [stage, ...rest] = layer.path.split('.');
    const timing = byModule.get([stage === undefined ? undefined : attribute.get(stage), ...rest].join('.'));
    const forwardMs = timing?.forwardMs ?? 0;
    return {
      path: layer.path,
      kind: describeLayer(layer.spec),
      macs: layer.cost.macs,
      forwardMs,
      backwardMs: timing?.backwardMs ?? 0,
      forwardGmacPerS: forwardMs > 0 ? (layer.cost.macs * batch) / (forwardMs * 1e6) : 0,
    };
  });
}

function printProfile(model: ModelNode, engine: 'PyTorch' | 'TF.js', measured: Measured, batch: number, json: boolean, out: Output): void {
  const layers = layerTimings(model, measured, batch);
  if (json) out.print(JSON.stringify({ model: model.name, engine: engine === 'PyTorch' ? 'pytorch' : 'tfjs', device: measured.device, batch, layers }));
  else out.print(formatProfile(model, engine, measured.device, batch, layers, out.locale ?? 'en'));
}

/**
 * Runs the profile in the training worker (it has TF.js; this CLI's bundle does not) and waits for
 * its one answer, or `out of time` when `limitMs` passes first (the worker is then killed).
 */
function profileInWorker(command: ProfileCommand, limitMs: number): Promise<ProfileReply | 'out of time'> {
  const entry = workerEntry();
  const child = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve) => {
    let answered = false;
    const timer = setTimeout(() => {
      answered = true;
      child.kill('SIGKILL');
      resolve('out of time');
    }, limitMs);
    child.on('message', (raw) => {
      if (answered) return;
      const checked = checkProfileReply(raw);
      answered = true;
      clearTimeout(timer);
      resolve(checked.ok ? checked.value : { type: 'profileFailed', message: `the worker sent a malformed answer (${checked.error})` });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!answered)
        resolve({ type: 'profileFailed', message: `the worker ${howWorkerEnded(code ?? 1, signal)} without an answer${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}` });
    });
    child.send(command);
  });
}

function formatProfile(model: ModelNode, engine: string, device: string, batch: number, layers: readonly LayerTiming[], locale: Locale): string {
  const header = [format(locale, 'summary.column.layer'), format(locale, 'summary.column.kind'), 'MACs', format(locale, 'profile.column.forward'), format(locale, 'profile.column.backward'), 'GMAC/s'];
  const rows = [header];
  for (const l of layers) rows.push([l.path, l.kind, formatExact(l.macs), l.forwardMs.toFixed(3), l.backwardMs.toFixed(3), l.macs > 0 ? l.forwardGmacPerS.toFixed(2) : '']);
  const sum = (f: (l: LayerTiming) => number) => layers.reduce((a, l) => a + f(l), 0);
  rows.push([format(locale, 'profile.total'), '', formatExact(model.cost.macs), sum((l) => l.forwardMs).toFixed(3), sum((l) => l.backwardMs).toFixed(3), '']);
  // Lined up in a terminal: a Korean heading counts two columns a syllable.
  const widths = header.map((_, c) => maxOf(rows.map((r) => displayWidth(at(r, c, 'profile table cell')))));
  const pad = (cell: string, c: number) => ' '.repeat(Math.max(0, at(widths, c) - displayWidth(cell)));
  const render = (r: string[]) =>
    r
      .map((cell, c) => (c >= 2 ? pad(cell, c) + cell : cell + pad(cell, c)))
      .join('  ')
      .trimEnd();
  return [format(locale, 'profile.title', { model: model.name, engine, device, batch }), ...rows.map(render)].join('\n');
}
