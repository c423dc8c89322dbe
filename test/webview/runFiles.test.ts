// Reading run folders for the dashboard: listing, status, and metrics cut off by a crash.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { TrainingMessage } from '../../src/protocol/training';
import { listRuns } from '../../src/extension/training/runFiles';
import { parseMetricLines, readMetrics } from '../../src/training/runFolder/runFolder';
import { lockRun } from '../../src/training/runFolder/runLock';
import { scriptedRun } from './trainingStream';

const root = mkdtempSync(join(tmpdir(), 'resnet-runs-'));
after(() => rmSync(root, { recursive: true, force: true }));

function makeRun(name: string, messages: readonly TrainingMessage[], options: { config?: boolean; checkpoint?: boolean; tail?: string } = {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  if (options.config !== false) writeFileSync(join(dir, 'config.json'), JSON.stringify({ modelName: name.split('-').pop(), dataset: 'cifar10', outDir: root }));
  writeFileSync(join(dir, 'metrics.jsonl'), messages.map((m) => `${JSON.stringify(m)}\n`).join('') + (options.tail ?? ''));
  if (options.checkpoint) {
    mkdirSync(join(dir, 'checkpoints'), { recursive: true });
    writeFileSync(join(dir, 'checkpoints', 'latest.json'), '{"checkpoint":"step-00000010"}');
  }
  return dir;
}

const finished = scriptedRun({ runDir: join(root, '2026-01-01-10-00-00-resnet20'), stepsPerEpoch: 5, epochs: 2 });
const crashed = scriptedRun({ runDir: join(root, '2026-01-02-10-00-00-plain20'), stepsPerEpoch: 5, epochs: 4, untilStep: 12 });
makeRun('2026-01-01-10-00-00-resnet20', finished.messages, { checkpoint: true });
makeRun('2026-01-02-10-00-00-plain20', crashed.messages, { checkpoint: true, tail: '{"type":"batch","step":13,"epo' });
makeRun('2026-01-03-10-00-00-resnet56', [...scriptedRun({ untilStep: 0 }).messages, { type: 'failed', message: 'CIFAR-10 data folder "/x" does not exist.' }]);
// started, step 1, its layer statistics, step 2
makeRun('2026-01-04-10-00-00-resnet110', crashed.messages.slice(0, 4), { config: false });
mkdirSync(join(root, 'not-a-run'));
writeFileSync(join(root, 'notes.txt'), 'a file, not a folder');

test('run folders are listed newest first, with how each ended', () => {
  const runs = listRuns(root, join(root, '2026-01-04-10-00-00-resnet110'));
  assert.deepEqual(
    runs.map((r) => [r.name, r.model, r.status, r.step, r.resumable]),
    [
      ['2026-01-04-10-00-00-resnet110', 'resnet20', 'running', 2, false],
      ['2026-01-03-10-00-00-resnet56', 'resnet20', 'failed', 0, false],
      ['2026-01-02-10-00-00-plain20', 'resnet20', 'incomplete', 12, true],
      ['2026-01-01-10-00-00-resnet20', 'resnet20', 'finished', 10, true],
    ],
  );
  assert.equal(runs[3].testAccuracy, 0.9);
  assert.equal(runs[3].runDir, join(root, '2026-01-01-10-00-00-resnet20'));
});

test('a missing runs folder lists nothing', () => {
  assert.deepEqual(listRuns(join(root, 'missing')), []);
});

test("a run's history skips the line a crash cut off", async () => {
  const history = await readMetrics(join(root, '2026-01-02-10-00-00-plain20'));
  assert.equal(history.messages.length, crashed.messages.length);
  assert.equal(history.skipped, 1);
  assert.deepEqual(await readMetrics(join(root, 'not-a-run')), { messages: [], skipped: 0 });
});

test('lines that are JSON but not messages are skipped too', () => {
  const parsed = parseMetricLines('{"type":"batch"}\n\n[1,2]\n{"type":"failed","message":"x"}\nnot json\n');
  assert.deepEqual(parsed, { messages: [{ type: 'failed', message: 'x' }], skipped: 3 });
});

test('a run whose lock a live process holds (the CLI, another window) is listed as running', () => {
  const dir = makeRun('2026-01-05-10-00-00-resnet32', crashed.messages, { checkpoint: true });
  const lock = lockRun(dir);
  try {
    assert.equal(listRuns(root).find((r) => r.runDir === dir)?.status, 'running');
  } finally {
    lock.release();
  }
  assert.equal(listRuns(root).find((r) => r.runDir === dir)?.status, 'incomplete');
  rmSync(dir, { recursive: true });
});
