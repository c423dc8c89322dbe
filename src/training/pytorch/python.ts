// Finds the Python that runs the PyTorch engine: the one named by --python (or the editor's
// setting), else `python3` on PATH; and checks that it has torch before anything is launched.
// Every Python the engine starts, this check included, starts isolated (ISOLATED_PYTHON).
import { spawnSync } from 'node:child_process';
import { msg } from '../../core/l10n/format';
import { PyTorchEngineError } from './engineError';

/**
 * How every Python of the engine starts: isolated (-I: neither the script's folder nor the working
 * folder on sys.path, no PYTHON* variables, no user site-packages), so a `hashlib.py` in a run
 * folder, or wherever the command was started, cannot stand in for the real module; unbuffered,
 * and UTF-8 for its text whatever the locale.
 */
export const ISOLATED_PYTHON = ['-I', '-u', '-X', 'utf8'] as const;

export interface PythonInfo {
  /** What to run: the path or command given, as given. */
  readonly command: string;
  /** sys.executable: the interpreter that actually ran. */
  readonly executable: string;
  readonly version: string;
  readonly torch: string;
  /** CUDA version torch was built with, if any. */
  readonly cuda: string | null;
  /** Names of the visible GPUs (empty on CPU-only machines). */
  readonly gpus: readonly string[];
  /** Whether Apple's MPS device is there (torch.backends.mps.is_available()). */
  readonly mps: boolean;
}

/**
 * Prints what the engine needs to know about a Python, as one JSON line, even without torch; and,
 * without it, a folder the isolated Python does not look in (the user's site-packages, PYTHONPATH)
 * that holds a torch, so the message can say why it is not used.
 */
const PROBE = `
import json, os, site, sys
info = {"executable": sys.executable, "version": sys.version.split()[0]}
try:
    import torch
    import torch.distributed
    info["torch"] = torch.__version__
    info["cuda"] = torch.version.cuda
    info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []
    info["distributed"] = torch.distributed.is_available()
    mps = getattr(torch.backends, "mps", None)
    info["mps"] = bool(mps is not None and mps.is_available())
except Exception as error:
    info["torchError"] = f"{type(error).__name__}: {error}"
    places = [site.getusersitepackages()] + os.environ.get("PYTHONPATH", "").split(os.pathsep)
    info["torchElsewhere"] = next((p for p in places if p and os.path.isdir(os.path.join(p, "torch"))), None)
print(json.dumps(info))
`;

/** Interpreters worth suggesting when the chosen one has no torch (Debian's python3-torch lives in /usr/bin). */
const WELL_KNOWN = ['/usr/bin/python3', '/usr/local/bin/python3', '/opt/conda/bin/python'];

/** `import torch` can take a while on a cold disk. */
const PROBE_TIMEOUT_MS = 120_000;

export function defaultPythonCommand(): string {
  return process.platform === 'win32' ? 'python' : 'python3';
}

export function findPython(explicit?: string, timeoutMs = PROBE_TIMEOUT_MS): PythonInfo {
  const command = explicit ?? defaultPythonCommand();
  const named = explicit !== undefined ? `--python ${explicit}` : `${command} (the first on PATH)`;
  const probe = runProbe(command, timeoutMs);
  if (probe.kind === 'missing') {
    throw new PyTorchEngineError(
      explicit !== undefined
        ? `${named}: no such program; pass the path of a Python that has PyTorch, e.g. --python /usr/bin/python3`
        : `no ${command} on PATH: install Python 3 with PyTorch (pip install torch), or pass --python PATH`,
    );
  }
  if (probe.kind === 'broken') throw new PyTorchEngineError(`${named} did not run: ${probe.reason}; pass another Python with --python PATH`);
  const info = probe.info;
  if (info.torch === undefined && info.torchElsewhere) {
    throw new PyTorchEngineError(msg('pytorch.torchNotIsolated', { python: info.executable, folder: info.torchElsewhere }));
  }
  if (info.torch === undefined) {
    const other = WELL_KNOWN.find((candidate) => candidate !== info.executable && candidate !== command && hasTorch(candidate));
    throw new PyTorchEngineError(
      `this Python (${info.executable}, Python ${info.version}) has no torch: install it (pip install torch, or Debian's python3-torch) ` +
        `or pass --python ${other ?? 'PATH_OF_A_PYTHON_WITH_TORCH'}` +
        (info.torchError && !/No module named .torch/.test(info.torchError) ? ` (import torch said: ${info.torchError})` : ''),
    );
  }
  if (torchTooOld(info.torch)) {
    throw new PyTorchEngineError(`this Python (${info.executable}) has torch ${info.torch}; the engine needs 1.10 or later (for torchrun): pip install --upgrade torch`);
  }
  if (info.distributed === false) throw new PyTorchEngineError(`torch ${info.torch} at ${info.executable} was built without torch.distributed; install a standard build of PyTorch`);
  return { command, executable: info.executable, version: info.version, torch: info.torch, cuda: info.cuda ?? null, gpus: info.gpus ?? [], mps: info.mps ?? false };
}

/**
 * Whether a torch version is older than 1.10 (torchrun's first release). A missing minor counts as 0
 * ("1" is 1.0); a version that does not start with a number (a custom build's name) is not refused.
 */
export function torchTooOld(version: string): boolean {
  const parts = /^(\d+)(?:\.(\d+))?/.exec(version);
  if (!parts) return false;
  const major = Number(parts[1]);
  const minor = Number(parts[2] ?? '0');
  return major < 1 || (major === 1 && minor < 10);
}

interface ProbeInfo {
  readonly executable: string;
  readonly version: string;
  readonly torch?: string;
  readonly cuda?: string | null;
  readonly gpus?: string[];
  readonly distributed?: boolean;
  readonly mps?: boolean;
  readonly torchError?: string;
  readonly torchElsewhere?: string | null;
}

type Probe = { kind: 'ok'; info: ProbeInfo } | { kind: 'missing' } | { kind: 'broken'; reason: string };

function runProbe(command: string, timeoutMs = PROBE_TIMEOUT_MS): Probe {
  const result = spawnSync(command, [...ISOLATED_PYTHON, '-c', PROBE], { encoding: 'utf8', timeout: timeoutMs });
  const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES') return { kind: 'missing' };
  if (result.error) return { kind: 'broken', reason: result.error.message };
  const last = result.stdout.trim().split('\n').pop() ?? '';
  try {
    const info = JSON.parse(last) as ProbeInfo;
    if (typeof info.executable === 'string' && typeof info.version === 'string') return { kind: 'ok', info };
  } catch {
    // Not JSON: not a Python 3, or it failed before printing; the reason is on stderr.
  }
  const reason = (result.stderr.trim().split('\n').pop() ?? '') || `exit code ${result.status}`;
  return { kind: 'broken', reason };
}

function hasTorch(command: string): boolean {
  const probe = runProbe(command);
  return probe.kind === 'ok' && probe.info.torch !== undefined;
}
