// Which engine trains a new run when nobody chose one (`auto`: no --engine, no editor setting, no
// `engine` line in the recipe, no --backend): the fastest one present, in this order —
//   PyTorch on CUDA or MPS; TF.js webgpu on a hardware GPU; tfjs-node-gpu; PyTorch on the CPU;
//   tfjs-node; wasm; TF.js's plain JavaScript cpu.
// This module is the one owner of that decision: the worker asks it before the run folder is made,
// and the run's config.json records the engine it chose, so a resume keeps it. The Python checked
// is the request's (--python, or the user's resnet.training.python setting, which VS Code ignores in
// a workspace's settings in Restricted Mode, where training is refused anyway), else python3 on
// PATH: never one named in a run folder. Each candidate is checked at most once per process.
import { format } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';
import type { BackendName, EngineChoiceText, TrainRequest } from '../protocol/training';
import { startForAuto, TFJS_AUTO_ORDER, type SelectedBackend } from './tfjs/backend';
import { findPython, type PythonInfo } from './pytorch/python';
import { TrainingError } from './trainingError';

export type EngineChoice = ({ readonly engine: 'pytorch'; readonly python: PythonInfo } | { readonly engine: 'tfjs'; readonly backend: SelectedBackend }) & {
  readonly text: EngineChoiceText;
};

/** A Python's torch, or why it cannot train. */
export type TorchProbe = { readonly ok: true; readonly info: PythonInfo } | { readonly ok: false; readonly why: string };

/** How the candidates are checked: the real ones by default; a test may hand in its own. */
export interface EngineProbes {
  torch(python: string | undefined): TorchProbe;
  startBackend(name: BackendName, searchDirs: readonly string[]): Promise<{ ok: true; backend: SelectedBackend } | { ok: false; why: string }>;
}

/** `import torch` is quick on a warm disk (about a second); a Python that hangs longer is passed over. */
const AUTO_PROBE_TIMEOUT_MS = 30_000;

const torchProbes = new Map<string, TorchProbe>();

/** The torch of `python` (undefined: python3 on PATH), probed once per process. */
export function probeTorch(python: string | undefined): TorchProbe {
  const key = python ?? '';
  const known = torchProbes.get(key);
  if (known) return known;
  let probe: TorchProbe;
  try {
    probe = { ok: true, info: findPython(python, AUTO_PROBE_TIMEOUT_MS) };
  } catch (error) {
    probe = { ok: false, why: error instanceof Error ? error.message : String(error) };
  }
  torchProbes.set(key, probe);
  return probe;
}

const REAL_PROBES: EngineProbes = { torch: probeTorch, startBackend: startForAuto };

/** "1.13" of "1.13.0a0+git…": what a person calls the version. */
export function shortTorchVersion(version: string): string {
  return /^\d+\.\d+/.exec(version)?.[0] ?? version;
}

/** Where PyTorch would train, in words: CUDA and its first GPU, Apple's MPS, or undefined for the CPU only. */
function torchAccelerator(info: PythonInfo): string | undefined {
  const [gpu] = info.gpus;
  if (gpu !== undefined) return `CUDA (${gpu}${info.gpus.length > 1 ? ` +${info.gpus.length - 1}` : ''})`;
  return info.mps ? 'MPS (Apple GPU)' : undefined;
}

/**
 * The engine for a request that says `auto`, started when it is a TF.js backend, with one line
 * saying which (in `locale`) and one line per candidate checked. Throws a TrainingError only when
 * nothing at all can train.
 */
export async function chooseEngine(request: Pick<TrainRequest, 'python' | 'backendDirs'>, locale: Locale = 'en', probes: EngineProbes = REAL_PROBES): Promise<EngineChoice> {
  const reasoning: string[] = [format(locale, 'engine.order')];
  const dirs = request.backendDirs ?? [];
  const torch = probes.torch(request.python);
  /** PyTorch on `where` (a GPU), or on the CPU. */
  const pytorch = (info: PythonInfo, where?: string): EngineChoice => {
    const version = shortTorchVersion(info.torch);
    const summary = where === undefined ? format(locale, 'engine.pytorchChosenCpu', { version }) : format(locale, 'engine.pytorchChosen', { version, where });
    reasoning.push(format(locale, 'engine.chose', { summary }));
    return { engine: 'pytorch', python: info, text: { summary, reasoning } };
  };
  const tfjs = (backend: SelectedBackend): EngineChoice => {
    const summary = format(locale, 'engine.tfjsChosen', { backend: backend.name, device: backend.device });
    reasoning.push(format(locale, 'engine.chose', { summary }));
    return { engine: 'tfjs', backend: { ...backend, reason: summary }, text: { summary, reasoning } };
  };

  if (torch.ok) {
    const accelerator = torchAccelerator(torch.info);
    if (accelerator !== undefined) return pytorch(torch.info, accelerator);
    reasoning.push(format(locale, 'engine.torchCpuOnly', { version: torch.info.torch, python: torch.info.executable }));
  } else reasoning.push(format(locale, 'engine.torchAbsent', { why: torch.why }));

  for (const name of TFJS_AUTO_ORDER) {
    // PyTorch on the CPU comes after the GPU backends of TF.js and before its CPU ones.
    if (torch.ok && (name === 'tfjs-node' || name === 'wasm' || name === 'cpu')) return pytorch(torch.info);
    const started = await probes.startBackend(name, dirs);
    if (started.ok) return tfjs(started.backend);
    reasoning.push(format(locale, 'backend.unavailable', { name, why: started.why }));
  }
  throw new TrainingError(format(locale, 'backend.noneStarted', { tried: reasoning.slice(1).join('; ') }));
}
