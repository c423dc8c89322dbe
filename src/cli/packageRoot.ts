// Finds the installed package's folder (for the bundled examples), from wherever this code runs:
// the esbuild bundle in dist/, or the TypeScript sources under tsx.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'resnet-studio') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the resnet-studio package folder');
    dir = parent;
  }
}
