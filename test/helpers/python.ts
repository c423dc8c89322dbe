// The Python the PyTorch tests run: RESNET_STUDIO_PYTHON, else Debian's /usr/bin/python3, and why
// a test skips when it has no torch. Decided here on its own (`python -c 'import torch'`), never by
// the product's findPython: a product that wrongly refuses torch must fail its tests, not skip them.
import { spawnSync } from 'node:child_process';
import { skipUnless } from './needs';

export const PYTHON = process.env.RESNET_STUDIO_PYTHON ?? '/usr/bin/python3';

/** Why PYTHON cannot import `modules` (undefined when it can). */
function importFails(modules: readonly string[], install: string): string | undefined {
  const run = spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8', timeout: 120_000 });
  if (run.error) return `cannot run ${PYTHON} (${run.error.message}): install ${install}, or set RESNET_STUDIO_PYTHON`;
  if (run.status === 0) return undefined;
  const last = run.stderr.trim().split('\n').at(-1) ?? `exit code ${run.status}`;
  return `${PYTHON} cannot import ${modules.join(', ')} (${last}): install ${install}, or set RESNET_STUDIO_PYTHON to a Python that has it`;
}

/** Why the PyTorch tests cannot run here (skip reason), or undefined when they can; in CI, an error. */
export function torchMissing(): string | undefined {
  return skipUnless(importFails(['torch'], "Debian's python3-torch"));
}

/** The same for tests whose peer is torchvision's own model constructors. */
export function torchvisionMissing(): string | undefined {
  return skipUnless(importFails(['torch', 'torchvision'], "Debian's python3-torch and python3-torchvision"));
}

/** Why there is no Python at all (skip reason), or undefined; in CI, an error. */
export function pythonMissing(): string | undefined {
  return skipUnless(importFails(['sys'], 'Python 3'));
}
