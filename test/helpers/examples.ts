// Finds and reads the example files, so tests cover every example that exists.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const examplesDir = join(process.cwd(), 'examples');

export function exampleFiles(): string[] {
  const out: string[] = [];
  for (const group of readdirSync(examplesDir, { withFileTypes: true })) {
    if (!group.isDirectory()) continue;
    for (const f of readdirSync(join(examplesDir, group.name))) if (f.endsWith('.resnet')) out.push(`${group.name}/${f}`);
  }
  return out.sort();
}

export function readExample(relative: string): string {
  return readFileSync(join(examplesDir, relative), 'utf8');
}
