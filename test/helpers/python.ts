// The Python the PyTorch tests run: RESNET_STUDIO_PYTHON, else Debian's /usr/bin/python3, and why
// a test skips when it has no torch. One place, so every PyTorch test looks for it the same way.
import { findPython } from '../../src/training/pytorch/python';

export const PYTHON = process.env.RESNET_STUDIO_PYTHON ?? '/usr/bin/python3';

/** Why PYTHON cannot run the PyTorch engine (no such Python, no torch), or undefined when it can. */
export function torchMissing(): string | undefined {
  try {
    findPython(PYTHON);
    return undefined;
  } catch (error) {
    return `${(error as Error).message} (set RESNET_STUDIO_PYTHON to a Python with torch)`;
  }
}
