// `resnet-studio profile FILE`: measured time per layer beside its counted cost. The model is
// exported as a PyTorch module, run forward and backward a few times by PyTorch, and each layer's
// median forward and backward times are printed with its MACs and the multiply-adds per second it
// achieved.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../core/analysis/analyze';
import { modelLayers, type ModelNode } from '../core/analysis/network';
import { describeLayer } from '../core/report/layerKind';
import { formatExact } from '../core/report/numbers';
import { PROFILE_SCRIPT } from '../export/profileScript';
import { exportPyTorchModule } from '../export/pytorch';
import { findPython } from '../training/pytorch/python';
import { CliError } from './cliError';
import { formatDiagnostic } from './formatDiagnostic';
import type { Output } from './output';
import { readSource } from './readSource';

export const profileHelp = `Usage: resnet-studio profile FILE [--model NAME] [--engine pytorch] [--batch N] [--repeats N] [--python PATH] [--json]

Times the forward and backward pass of every layer of a model, measured by PyTorch (CUDA when it
sees a GPU, else the CPU), and prints them beside each layer's MACs and the multiply-adds per
second it achieved (forward: batch × MACs / forward time). Times are medians over --repeats
steps after one warm-up. ReLUs run out of place while profiling (PyTorch's backward hooks need it).
  --model NAME     this model (default: the first of the file)
  --engine NAME    pytorch (the TF.js engine is not profiled yet)
  --batch N        images per step (default 8)
  --repeats N      timed steps (default 3)
  --python PATH    the Python with torch (default: python3 on PATH)
  --json           one JSON object: {"model","device","batch","layers":[{path,kind,macs,forwardMs,backwardMs,forwardGmacPerS}]}`;

export interface ProfileOptions {
  readonly model?: string;
  readonly engine?: string;
  readonly batch?: string;
  readonly repeats?: string;
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

export function runProfile(file: string | undefined, options: ProfileOptions, out: Output): number {
  if (!file) throw new CliError(`profile needs a file\n\n${profileHelp}`);
  if (options.engine !== undefined && options.engine !== 'pytorch') {
    throw new CliError(options.engine === 'tfjs' ? '--engine tfjs is not profiled yet; use --engine pytorch' : `--engine takes pytorch, not ${JSON.stringify(options.engine)}`);
  }
  const batch = wholeNumber(options.batch, '--batch', 8);
  const repeats = wholeNumber(options.repeats, '--repeats', 3);
  const sourceText = readSource(file);
  const analysis = analyze(sourceText);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    for (const d of errors) out.error(formatDiagnostic(file, d));
    throw new CliError(`${file} has errors; fix them before profiling`, 1);
  }
  const model = options.model === undefined ? analysis.models[0] : analysis.models.find((m) => m.name === options.model);
  if (!model)
    throw new CliError(
      options.model === undefined ? `${file} has no model to profile` : `${file} has no model named ${options.model}; its models: ${analysis.models.map((m) => m.name).join(', ') || 'none'}`,
      1,
    );

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
    const run = spawnSync(python, [join(dir, 'profile_layers.py'), join(dir, 'model.py'), module.classNames.get(model.name) as string, String(batch), String(repeats)], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    if (run.status !== 0) throw new CliError(`PyTorch could not profile ${model.name}: ${(run.stderr || run.error?.message || '').trim().split('\n').slice(-3).join(' ')}`, 1);
    const measured = JSON.parse(run.stdout) as Measured;
    const layers = layerTimings(model, measured, batch);
    if (options.json) out.print(JSON.stringify({ model: model.name, device: measured.device, batch, layers }));
    else out.print(formatProfile(model, measured.device, batch, layers));
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
    const timing = byModule.get([attribute.get(stage), ...rest].join('.'));
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

function formatProfile(model: ModelNode, device: string, batch: number, layers: readonly LayerTiming[]): string {
  const rows = [['Layer', 'Kind', 'MACs', 'Forward ms', 'Backward ms', 'GMAC/s']];
  for (const l of layers) rows.push([l.path, l.kind, formatExact(l.macs), l.forwardMs.toFixed(3), l.backwardMs.toFixed(3), l.macs > 0 ? l.forwardGmacPerS.toFixed(2) : '']);
  const sum = (f: (l: LayerTiming) => number) => layers.reduce((a, l) => a + f(l), 0);
  rows.push(['total', '', formatExact(model.cost.macs), sum((l) => l.forwardMs).toFixed(3), sum((l) => l.backwardMs).toFixed(3), '']);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const render = (r: string[]) =>
    r
      .map((cell, c) => (c >= 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [`${model.name}: PyTorch on ${device}, batch ${batch}, median of the timed steps`, ...rows.map(render)].join('\n');
}

function wholeNumber(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} takes a whole number of at least 1, not ${JSON.stringify(text)}`);
  return n;
}
