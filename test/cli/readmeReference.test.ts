// The README and its guide (docs/) are the reference: the `stats --json` field table names every
// field the command prints and nothing else, the template example analyzes to the shapes it
// states, every command of `resnet-studio --help` is in the command line guide, the layout names
// every src/ folder, and every relative link leads to a file that exists.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { main } from '../../src/cli/main';

const readme = readFileSync('README.md', 'utf8');
/** The command line's reference, which the README links to. */
const cliGuide = readFileSync('docs/cli.md', 'utf8');

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
  const section = cliGuide.slice(cliGuide.indexOf('`stats --json` prints'));
  const documented = new Set<string>();
  for (const row of section.matchAll(/^\| (`[^|]+`) \|/gm)) for (const name of (row[1] ?? '').matchAll(/`([^`]+)`/g)) documented.add(name[1] ?? '');
  const leaves = printed.filter((p) => !['totals', 'stages', 'layers'].includes(p));
  assert.ok(leaves.length >= 14, leaves.join(', '));
  assert.deepEqual([...documented].sort(), leaves.sort());
});

test('the language guide: the template example in Model settings analyzes to the shapes it states', () => {
  const example = /```\n(model net\(size[\s\S]*?)```/.exec(readFileSync('docs/language.md', 'utf8'))?.[1];
  assert.ok(example, 'the example is in docs/language.md');
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
  const missing = commands.filter((c) => c !== 'lsp' && !cliGuide.includes(`resnet-studio ${c}`));
  assert.deepEqual(missing, [], 'lsp is documented under Other editors');
  assert.match(readFileSync('docs/editor.md', 'utf8'), /resnet-studio lsp --stdio/);
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

test("README and the guide: every relative link names a file that exists, and the .vsix ships the README's (the extension page resolves them inside the installed extension)", () => {
  const shipped = readFileSync('.vscodeignore', 'utf8');
  for (const file of ['README.md', ...readdirSync('docs').map((f) => `docs/${f}`)]) {
    const text = readFileSync(file, 'utf8');
    const base = file === 'README.md' ? '.' : 'docs';
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (!target || /^[a-z]+:/.test(target)) continue;
      assert.ok(existsSync(join(base, target)), `${file} links to ${target}, which does not exist`);
      if (file === 'README.md')
        assert.ok(/^!(docs\/\*\.md|images\/\*\*)$/m.test(shipped) && (target.startsWith('docs/') ? shipped.includes('!docs/*.md') : shipped.includes('!images/**')), `${target} is not in the .vsix`);
    }
  }
});
