// Runs every `*.test.ts` under test/ with Node's test runner (Node 20 does not expand globs itself),
// then lists every skipped test with its reason. In CI (CI set) a skip fails the run: .ci/run
// installs every tool the suite needs, so a skip there hides a broken install or product. The one
// exception is the desktop VS Code suite, which must download VS Code and cannot on CI's machines.
// Usage: node --import tsx test/runAll.ts [folder-or-file filter...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** Test files whose skips CI accepts, and why. */
const MAY_SKIP_IN_CI: Record<string, string> = {
  'test/electron/electron.test.ts': 'desktop VS Code is downloaded from Microsoft, which CI machines cannot reach',
};

function find(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' || e.name === 'node_modules' ? [] : find(path);
    return e.name.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = find('test')
  .map((f) => relative('.', f))
  .filter((f) => filters.length === 0 || filters.some((p) => f.startsWith(p) || f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'resnet-tests-'));
const skipsFile = join(work, 'skips.jsonl');
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=./test/reporters/skips.mjs', `--test-reporter-destination=${skipsFile}`, ...files],
  { stdio: 'inherit' },
);
let skipped: { file: string; name: string; reason: string }[] = [];
try {
  skipped = readFileSync(skipsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { file: string; name: string; reason: string });
} catch {
  // No file: the runner died before reporting; its exit status says so.
}
rmSync(work, { recursive: true, force: true });

const where = (file: string) => relative('.', file.startsWith('file://') ? new URL(file).pathname : file);
console.log(`\n${skipped.length} test${skipped.length === 1 ? '' : 's'} skipped${skipped.length === 0 ? '' : ':'}`);
for (const s of skipped) console.log(`  - ${where(s.file)}: ${s.name}: ${s.reason || '(no reason given)'}`);
const refused = process.env.CI ? skipped.filter((s) => !(where(s.file) in MAY_SKIP_IN_CI)) : [];
if (refused.length > 0) {
  console.error(`\nCI: ${refused.length} test${refused.length === 1 ? '' : 's'} skipped that must run here (a tool missing from .ci/run, or a product check that skips): failing the run.`);
  process.exit(1);
}
process.exit(result.status ?? 1);
