// Writing a file so that readers see either the old or the new content, never half of it: a
// killed run must not leave a truncated config, pointer or metrics file behind.
import { renameSync, writeFileSync } from 'node:fs';

export function writeAtomically(path: string, content: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}
