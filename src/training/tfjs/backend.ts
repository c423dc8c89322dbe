// Picks the TF.js backend to train on, best first, and says which and why:
// webgpu on a hardware GPU (Dawn: Vulkan, Metal, D3D12) → tfjs-node-gpu (CUDA) → tfjs-node
// (native CPU) → wasm (with our training kernels) → cpu, the TF.js part of the order in which
// `auto` ranks both engines (engineChoice.ts). The native packages are optional and
// installed by the user (they download libtensorflow at install time and, for the GPU, need CUDA
// 11.2 and cuDNN 8.1), so they are looked for at run time. webgpu ships with the extension; a
// software GPU (SwiftShader, llvmpipe, WARP) is slower than wasm, so only `--backend webgpu` uses one.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BackendChoice, BackendName } from '../../protocol/training';
import { format } from '../../core/l10n/format';
import type { Locale } from '../../core/l10n/locale';
import { TrainingError } from '../trainingError';
import { registerWasmTrainingKernels } from './wasmKernels';
// How to install a native backend is said by the module that installs them (tiny: the extension bundles it without TF.js).
import { BACKEND_HELP } from './backendInstall';

export { BACKEND_HELP };
import { startWebGpuBackend } from './webgpuBackend';
import { describeAdapter, type AdapterSummary } from './webgpuDevice';

export interface SelectedBackend {
  readonly name: BackendName;
  readonly reason: string;
  readonly device: string;
  /** The GPU, when the backend is webgpu. */
  readonly adapter?: AdapterSummary;
}

/** No backend could start; its message is already in the locale selectBackend was asked to speak. */
export class BackendError extends TrainingError {}

/** The TF.js backends `auto` tries, fastest first. */
export const TFJS_AUTO_ORDER: readonly BackendName[] = ['webgpu', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

/** Starts one backend as `auto` would (never on a software GPU): started, or why not (as the library said it). */
export async function startForAuto(name: BackendName, searchDirs: readonly string[]): Promise<{ ok: true; backend: SelectedBackend } | { ok: false; why: string }> {
  tf.env().set('PROD', true);
  const attempt = await tryBackend(name, searchDirs, true);
  if (!attempt.ok) return attempt;
  return { ok: true, backend: { name, reason: '', device: attempt.device, ...(attempt.adapter ? { adapter: attempt.adapter } : {}) } };
}

/**
 * The backend to train on, started, and why it (in `locale`; the details of what failed, which come
 * from the libraries, stay as they wrote them).
 */
export async function selectBackend(choice: BackendChoice, searchDirs: readonly string[] = [], locale: Locale = 'en'): Promise<SelectedBackend> {
  // PROD silences TF.js's console advertising for tfjs-node; we say ourselves which backend runs and why.
  tf.env().set('PROD', true);
  const tried: string[] = [];
  const candidates = choice === 'auto' ? TFJS_AUTO_ORDER : [choice];
  for (const name of candidates) {
    const attempt = await tryBackend(name, searchDirs, choice === 'auto');
    if (attempt.ok) {
      const why =
        choice === 'auto'
          ? tried.length
            ? format(locale, 'backend.autoAfter', { tried: tried.join('; ') })
            : format(locale, 'backend.autoBest')
          : attempt.adapter?.software
            ? format(locale, 'backend.chosenSoftware')
            : format(locale, 'backend.chosen');
      return { name, reason: why, device: attempt.device, ...(attempt.adapter ? { adapter: attempt.adapter } : {}) };
    }
    if (choice !== 'auto') throw new BackendError(format(locale, 'backend.cannotUse', { name, why: attempt.why }));
    tried.push(format(locale, 'backend.unavailable', { name, why: attempt.why }));
  }
  throw new BackendError(format(locale, 'backend.noneStarted', { tried: tried.join('; ') }));
}

type Attempt = { ok: true; device: string; adapter?: AdapterSummary } | { ok: false; why: string };

async function tryBackend(name: BackendName, searchDirs: readonly string[], auto: boolean): Promise<Attempt> {
  switch (name) {
    case 'webgpu': {
      // auto never trains on a software GPU: it is correct but slower than wasm on the same CPU.
      const refuseSoftware = (a: AdapterSummary) =>
        auto && a.software ? `the only GPU is a software one, ${a.description} (${a.vendor}, ${a.architecture}), slower than wasm; \`--backend webgpu\` uses it anyway` : undefined;
      try {
        const started = await startWebGpuBackend(refuseSoftware);
        if (!started.ok) return { ok: false, why: started.why };
        return { ok: true, device: describeAdapter(started.summary), adapter: started.summary };
      } catch (error) {
        return { ok: false, why: `the WebGPU backend failed: ${error instanceof Error ? error.message : String(error)}` };
      }
    }
    case 'tfjs-node-gpu':
    case 'tfjs-node': {
      const loaded = loadNative(`@tensorflow/${name}`, searchDirs);
      if (!loaded.ok) return { ok: false, why: `${loaded.why}; ${BACKEND_HELP[name]}` };
      if (!(await tf.setBackend('tensorflow'))) return { ok: false, why: `${name} loaded but its backend did not start` };
      return { ok: true, device: name === 'tfjs-node-gpu' ? 'GPU (CUDA, through libtensorflow)' : 'CPU (libtensorflow)' };
    }
    case 'wasm': {
      try {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        const dir = wasmBinaryDir();
        if (dir) wasm.setWasmPaths(dir);
        if (!(await tf.setBackend('wasm'))) return { ok: false, why: 'the WebAssembly module did not start' };
        // After the backend starts: the kernels it already had are set up then, and ours fall back on them.
        registerWasmTrainingKernels();
        return { ok: true, device: `CPU (WebAssembly, ${wasm.getThreadsCount()} thread${wasm.getThreadsCount() === 1 ? '' : 's'})` };
      } catch (error) {
        return { ok: false, why: `WebAssembly backend failed: ${error instanceof Error ? error.message : String(error)}` };
      }
    }
    case 'cpu':
      await tf.setBackend('cpu');
      return { ok: true, device: 'CPU (plain JavaScript, slow)' };
  }
}

function loadNative(pkg: string, searchDirs: readonly string[]): { ok: true } | { ok: false; why: string } {
  const places = [...searchDirs.map((d) => join(d, 'package.json')), join(process.cwd(), 'package.json'), __filenameOrCwd()];
  let lastError = '';
  for (const place of places) {
    try {
      createRequire(place)(pkg);
      return { ok: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/Cannot find module/.test(message) && message.includes(pkg)) continue;
      // Found but failed to load: the native library or CUDA is missing or the wrong version.
      lastError = /libcudart|libcudnn|cuda/i.test(message)
        ? `it is installed but CUDA 11.2 / cuDNN 8.1 could not be loaded (${firstLine(message)})`
        : `it is installed but failed to load (${firstLine(message)})`;
    }
  }
  return { ok: false, why: lastError || `${pkg} is not installed` };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function __filenameOrCwd(): string {
  return typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js');
}

/** The .wasm files: next to the bundle (dist/wasm/), or in node_modules when run from source. */
function wasmBinaryDir(): string | undefined {
  const candidates = [typeof __dirname === 'string' ? join(__dirname, 'wasm') : '', join(process.cwd(), 'node_modules/@tensorflow/tfjs-backend-wasm/dist')];
  for (const dir of candidates) if (dir && existsSync(join(dir, 'tfjs-backend-wasm.wasm'))) return `${dir}/`;
  return undefined;
}
