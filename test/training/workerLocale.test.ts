// The training worker speaks its parent's language: the command carries the locale (checked like
// every other field), a TrainingError thrown with a catalogue message is said in it, and the
// backend's reason is chosen in it; without a locale everything stays the English it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { msg } from '../../src/core/l10n/format';
import { checkWorkerCommand } from '../../src/protocol/training';
import { selectBackend } from '../../src/training/tfjs/backend';
import { TrainingError } from '../../src/training/trainingError';
import { describeFailure } from '../../src/training/worker/main';

test('the worker command takes locale en or ko on start and resume, and refuses another by name', () => {
  assert.equal(checkWorkerCommand({ type: 'resume', runDir: '/r', locale: 'ko' }).ok, true);
  assert.equal(checkWorkerCommand({ type: 'resume', runDir: '/r' }).ok, true);
  const wrong = checkWorkerCommand({ type: 'resume', runDir: '/r', locale: 'fr' });
  assert.equal(wrong.ok, false);
  assert.match(wrong.ok ? '' : wrong.error, /locale/);
});

test("a failure is said in the command's locale; its message stays English", () => {
  const error = new TrainingError(msg('worker.noCheckpointYet', { runDir: '/runs/a' }));
  assert.equal(error.message, '/runs/a has no checkpoint yet (it stopped before its first epoch ended); start a new run instead');
  assert.equal(describeFailure(error), error.message);
  assert.equal(describeFailure(error, 'ko'), '/runs/a에는 아직 체크포인트가 없습니다 (첫 에폭이 끝나기 전에 멈췄습니다). 새 run을 시작하세요');
  assert.equal(describeFailure(new TrainingError('plain English'), 'ko'), 'plain English');
  assert.equal(describeFailure('boom', 'ko'), '예상하지 못한 오류로 학습이 멈췄습니다: boom');
});

test("the backend's reason in the locale asked for", async () => {
  assert.equal((await selectBackend('cpu', [], 'ko')).reason, '--backend로 고름');
  assert.equal((await selectBackend('cpu')).reason, 'chosen with --backend');
});
