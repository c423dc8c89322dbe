// A run folder from elsewhere with named pipes where its files should be (issue 18, item 7): the
// dashboard's run list, the metrics reader, the lock and `train --resume` refuse them at once, never
// wait on them. Each runs in a child process with a timeout, so a reader that blocks fails the test
// instead of hanging it (the run list runs in the editor's extension host, where a block freezes it).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const skip = process.platform === 'win32' ? 'no mkfifo on Windows' : false;

/** Runs `body` (TypeScript, with `runs` bound to the runs folder) in a child process; its stdout, or a failure when it is killed. */
function inChild(runs: string, imports: string, body: string): string {
  const script = join(runs, '..', `probe-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(script, `${imports}\nconst runs = ${JSON.stringify(runs)};\n${body}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
  assert.equal(r.signal, null, `blocked on a named pipe: ${body}`);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const source = (path: string) => JSON.stringify(resolve(path));

test('named pipes as config.json, metrics.jsonl and run.lock: listed, read and locked without waiting', { skip }, () => {
  const runs = join(mkdtempSync(join(tmpdir(), 'resnet-fifo-runs-')), 'runs');
  const a = join(runs, '2026-01-01-00-00-00-a');
  const b = join(runs, '2026-01-01-00-00-01-b');
  mkdirSync(a, { recursive: true });
  mkdirSync(b, { recursive: true });
  execFileSync('mkfifo', [join(a, 'config.json'), join(b, 'metrics.jsonl'), join(b, 'run.lock')]);

  const listed = JSON.parse(
    inChild(runs, `import { listRuns } from ${source('src/extension/training/runFiles.ts')};`, 'console.log(JSON.stringify(listRuns(runs).map((r) => [r.name, r.status])));'),
  ) as [string, string][];
  assert.deepEqual(listed, [['2026-01-01-00-00-01-b', 'incomplete']]);

  const read = JSON.parse(
    inChild(
      runs,
      `import { readMetrics, readRunConfig } from ${source('src/training/runFolder/runFolder.ts')};\nimport { lockHolder, lockRun } from ${source('src/training/runFolder/runLock.ts')};\nimport { join } from 'node:path';`,
      `const out: Record<string, string> = {};
try { readRunConfig(join(runs, '2026-01-01-00-00-00-a')); } catch (e) { out.config = (e as Error).message; }
await readMetrics(join(runs, '2026-01-01-00-00-01-b')).catch((e: Error) => { out.metrics = e.message; });
out.holder = String(lockHolder(join(runs, '2026-01-01-00-00-01-b')));
// A pipe in the lock's place is junk: the run can be locked (and the pipe is gone).
lockRun(join(runs, '2026-01-01-00-00-01-b')).release();
out.locked = 'yes';
console.log(JSON.stringify(out));`,
    ),
  ) as Record<string, string>;
  assert.match(read.config ?? '', /config\.json \(it is a named pipe \(FIFO\), not a regular file\)/);
  assert.match(read.metrics ?? '', /metrics\.jsonl: it is a named pipe \(FIFO\), not a regular file/);
  assert.equal(read.holder, 'undefined');
  assert.equal(read.locked, 'yes');

  // train --resume on the folder whose config.json is a pipe: refused with the file named.
  const r = spawnSync(process.execPath, ['dist/cli.cjs', 'train', '--resume', a], { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
  assert.equal(r.signal, null, 'train --resume waited on the pipe');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /cannot read .*config\.json \(it is a named pipe \(FIFO\), not a regular file\)/);
});

test('a named pipe as a PyTorch checkpoint, and as the metrics the PyTorch engine reads its first step from: refused at once', { skip }, () => {
  const runs = join(mkdtempSync(join(tmpdir(), 'resnet-fifo-pt-')), 'runs');
  const run = join(runs, '2026-01-01-00-00-00-pt');
  mkdirSync(join(run, 'checkpoints'), { recursive: true });
  execFileSync('mkfifo', [join(run, 'checkpoints', 'step-00000010.safetensors'), join(run, 'metrics.jsonl')]);
  const out = inChild(
    runs,
    `import { verifySafetensorsCheckpoint, firstStarted } from ${source('src/training/pytorch/runFolder.ts')};`,
    `const dir = ${JSON.stringify(run)};
let refused = '';
try { verifySafetensorsCheckpoint(${JSON.stringify(join(run, 'checkpoints', 'step-00000010.safetensors'))}); } catch (error) { refused = (error as Error).message; }
console.log(JSON.stringify({ refused, started: firstStarted(dir) ?? null }));`,
  );
  const { refused, started } = JSON.parse(out) as { refused: string; started: unknown };
  assert.match(refused, /step-00000010\.safetensors.*(pipe|not a regular file)/);
  assert.equal(started, null);
});
