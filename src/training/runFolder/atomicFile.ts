// Writing a file so that readers see either the old or the new content, never half of it: a
// killed run must not leave a truncated config, pointer or metrics file behind.
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export function writeAtomically(path: string, content: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  // Created afresh (O_EXCL): a link left under this name is removed, never written through.
  rmSync(temporary, { force: true });
  writeFileSync(temporary, content, { flag: 'wx' });
  renameSync(temporary, path);
}
