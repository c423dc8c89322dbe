// The README is the reference: its `stats --json` field table names every field the command
// prints and nothing else, its template example analyzes to the shapes it states, every command
// of `resnet-studio --help` is in its Command line section, and its layout names every src/ folder.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { main } from '../../src/cli/main';

const readme = readFileSync('README.md', 'utf8');

async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  const lines: string[] = [];
  const code = await main(args, { print: (l) => lines.push(l), error: () => undefined });
  return { code, stdout: lines.join('\n') };
}

/** Every key path in a JSON value, arrays as `[]`: `models[].stages[].name`. */
function keyPaths(value: unknown, prefix = ''): Set<string> {
  const paths = new Set<string>();
  if (Array.isArray(value)) {
    for (const item of value) for (const p of keyPaths(item, `${prefix}[]`)) paths.add(p);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const below = keyPaths(inner, path);
      if (below.size === 0 || Array.isArray(inner)) paths.add(path);
      for (const p of below) if (!p.endsWith('[]')) paths.add(p);
    }
  }
  return paths;
}

test('README: the stats --json table documents exactly the fields the command prints', async () => {
  const r = await cli('stats', 'examples/imagenet/resnet18.resnet', '--json');
  assert.equal(r.code, 0);
  const printed = [...keyPaths((JSON.parse(r.stdout) as { models: unknown[] }).models[0])].filter((p) => !/^(input|stages|layers|stages\[\]\.outputShape|layers\[\]\.outputShape)\[\]$/.test(p));
  const section = readme.slice(readme.indexOf('`stats --json` prints'), readme.indexOf('## Examples'));
  const documented = new Set<string>();
  for (const row of section.matchAll(/^\| (`[^|]+`) \|/gm)) for (const name of (row[1] ?? '').matchAll(/`([^`]+)`/g)) documented.add(name[1] ?? '');
  const leaves = printed.filter((p) => !['totals', 'stages', 'layers'].includes(p));
  assert.ok(leaves.length >= 14, leaves.join(', '));
  assert.deepEqual([...documented].sort(), leaves.sort());
});

test('README: the template example in Model settings analyzes to the shapes it states', () => {
  const example = /```\n(model net\(size[\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, 'the example is in the README');
  const analysis = analyze(example);
  assert.deepEqual(analysis.diagnostics, []);
  const byName = new Map(analysis.models.map((m) => [m.name, m]));
  assert.deepEqual([...byName.keys()], ['cifar100', 'big']);
  assert.deepEqual(byName.get('cifar100')?.input, [32, 32, 3]);
  assert.deepEqual(byName.get('cifar100')?.output, [1, 1, 100]);
  assert.deepEqual(byName.get('big')?.input, [64, 64, 3]);
  assert.deepEqual(byName.get('big')?.output, [1, 1, 10]);
  assert.match(example, /\/\/ 32×32×3 in, 1×1×100 out/);
  assert.match(example, /\/\/ 64×64×3 in, 1×1×10 out/);
});

test('README: every command of resnet-studio --help has its entry in the Command line section', async () => {
  const help = (await cli('--help')).stdout;
  const commands = [...help.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1] ?? '');
  assert.ok(commands.includes('download'));
  const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('## Examples'));
  const missing = commands.filter((c) => c !== 'lsp' && !section.includes(`resnet-studio ${c}`));
  assert.deepEqual(missing, [], 'lsp is documented under Other editors');
  assert.match(readme, /resnet-studio lsp --stdio/);
});

test('README: the layout table names every folder under src/', () => {
  const folders = (dir: string): string[] =>
    readdirSync(dir)
      .filter((name) => statSync(join(dir, name)).isDirectory())
      .flatMap((name) => [`${dir}/${name}/`, ...folders(`${dir}/${name}`)]);
  const layout = readme.slice(readme.indexOf('### Layout'));
  const missing = folders('src').filter((folder) => !layout.includes(`| \`${folder}\` |`));
  assert.deepEqual(missing, []);
  assert.match(layout, /\| `src\/core\/` \|/);
});

test('README: no link to a file in the repository (the .vsix has no repository URL to resolve it, and vsce refuses to package)', () => {
  const relative = [...readme.matchAll(/\]\(([^)#\s]+)\)/g)].map((m) => m[1]).filter((target) => !/^[a-z]+:/.test(target));
  assert.deepEqual(relative, []);
});
