// Every boundary checks what arrives against the message's schema (src/protocol/*), and a message
// with a field of the wrong type is refused with a reason that names the field: worker → parent,
// parent → worker (a real worker process), PyTorch runner → worker, extension ↔ dashboard,
// language server → extension. Prototype names are never message types.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkResult, isModelCommandArgs, ModelTotalsRequest, ModelTotalsSchema } from '../../src/protocol/languageServer';
import { checkTrainingMessage, checkWorkerCommand, parseTrainingMessage, type TrainingMessage, type TrainRequest } from '../../src/protocol/training';
import { checkFromDashboard, checkToDashboard, parseFromDashboard, parseToDashboard } from '../../src/protocol/webview';
import { checkRunnerLine } from '../../src/training/pytorch/trainWithPyTorch';
import { launchWorker } from '../../src/training/worker/launch';

const batch: TrainingMessage = { type: 'batch', step: 1, epoch: 0, loss: 2.3, accuracy: 0.1, lr: 0.1, imagesPerSec: 900 };
const request: TrainRequest = { sourceText: 'model m {}', sourcePath: '/w/m.resnet', modelName: 'm', dataset: 'synthetic', backend: 'cpu', outDir: '/w/runs' };

test('names on Object.prototype are not message types, whatever else the message holds', () => {
  for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    const value: unknown = { ...batch, type };
    assert.equal(parseTrainingMessage(value), undefined, type);
    assert.equal(parseToDashboard(value), undefined, type);
    assert.equal(parseFromDashboard(value), undefined, type);
    assert.equal(checkWorkerCommand(value).ok, false, type);
  }
  // JSON can spell `__proto__` as an own key; an inherited `type` is not the message's own.
  assert.equal(parseTrainingMessage(JSON.parse('{"__proto__":{"type":"failed"},"message":"x"}')), undefined);
  assert.equal(parseTrainingMessage(Object.create({ type: 'failed', message: 'x' })), undefined);
  assert.deepEqual(checkTrainingMessage({}), { ok: false, error: 'field "type" is missing' });
  assert.deepEqual(checkTrainingMessage({ type: 'toString' }), {
    ok: false,
    error: 'field "type": expected one of started, batch, epoch, checkpoint, finished, failed, layerStats, received "toString"',
  });
  // NaN (a diverged run's loss) is still a number on this boundary.
  assert.ok(parseTrainingMessage({ ...batch, loss: Number.NaN }));
});

/** The reason a check gives, or a failure when it let the value through. */
function reason(checked: { ok: true } | { ok: false; error: string }): string {
  assert.equal(checked.ok, false, 'should have been refused');
  return checked.ok ? '' : checked.error;
}

test('worker → parent, runner → worker: a wrong field type is refused by name', () => {
  assert.equal(reason(checkTrainingMessage({ ...batch, loss: 'low' })), 'field "loss": Invalid type: Expected number but received "low"');
  assert.equal(
    reason(checkTrainingMessage({ type: 'finished', runDir: '/r', step: 1, epoch: 0, stopped: 'no', testLoss: 1, testAccuracy: 0.5, seconds: 1 })),
    'field "stopped": Invalid type: Expected boolean but received "no"',
  );
  assert.match(reason(checkTrainingMessage({ type: 'started' })), /^field "runDir": /);
  const line = checkRunnerLine('{"type":"epoch","epoch":0,"step":"10","trainLoss":1,"trainAccuracy":0.5,"seconds":2}');
  assert.deepEqual(line, { ok: false, error: 'field "step": Invalid type: Expected number but received "10"' });
  // Python's own output is no message, and is not reported as a malformed one.
  assert.deepEqual(checkRunnerLine('Setting OMP_NUM_THREADS environment variable'), { ok: false });
  assert.deepEqual(checkRunnerLine('[1, 2]'), { ok: false });
});

test('parent → worker: a wrong field type is refused by name', () => {
  assert.equal(checkWorkerCommand({ type: 'start', request }).ok, true);
  assert.equal(reason(checkWorkerCommand({ type: 'start', request: { ...request, epochs: '3' } })), 'field "request.epochs": Invalid type: Expected number but received "3"');
  assert.equal(
    reason(checkWorkerCommand({ type: 'start', request: { ...request, dataset: 'imagenet' } })),
    'field "request.dataset": Invalid value: Expected one of mnist, cifar10, synthetic but received "imagenet"',
  );
  assert.equal(reason(checkWorkerCommand({ type: 'resume', runDir: '/r', backendDirs: '/opt' })), 'field "backendDirs": Invalid type: Expected Array but received "/opt"');
  assert.equal(reason(checkWorkerCommand({ type: 'resume', runDir: '/r', threads: '4' })), 'field "threads": Invalid type: Expected number but received "4"');
});

test('a real worker sent a malformed command says which field, trains nothing, and exits', { timeout: 60_000 }, async () => {
  const messages: TrainingMessage[] = [];
  const worker = launchWorker({ type: 'start', request: { ...request, modelName: 42 } } as never, (m) => messages.push(m));
  const code = await worker.exited;
  assert.notEqual(code, 0);
  assert.deepEqual(messages, [
    { type: 'failed', message: 'the training worker was sent a malformed command (field "request.modelName": Invalid type: Expected string but received 42); this is a bug in whatever started it' },
  ]);
});

test('extension ↔ dashboard: a wrong field type is refused by name, in both directions', () => {
  assert.equal(
    reason(checkToDashboard({ type: 'runProgress', runDir: '/r', messages: [{ ...batch, accuracy: null }] })),
    'field "messages.0.accuracy": Invalid type: Expected number but received null',
  );
  assert.equal(reason(checkToDashboard({ type: 'session', state: 'sleeping' })), 'field "state": Invalid value: Expected one of idle, running, stopping but received "sleeping"');
  assert.equal(
    reason(checkToDashboard({ type: 'runs', runsFolder: '/w', runs: [{ runDir: '/w/a', name: 'a', model: 'm', dataset: 'x', status: 'finished', step: '1', resumable: true }] })),
    'field "runs.0.step": Invalid type: Expected number but received "1"',
  );
  assert.equal(reason(checkFromDashboard({ type: 'resume', runDir: 7 })), 'field "runDir": Invalid type: Expected string but received 7');
  assert.match(reason(checkFromDashboard({ type: 'exportPng', fileName: 'x.png', dataUrl: 'javascript:alert(1)' })), /^field "dataUrl": Invalid format/);
});

test('language server → extension: a result or a code lens argument with a wrong field type is refused by name', () => {
  const totals = { model: 'm', params: 1, macs: 2, label: 'l', tooltip: 't' };
  assert.equal(checkResult(ModelTotalsRequest.method, ModelTotalsSchema, totals).ok, true);
  assert.equal(
    reason(checkResult(ModelTotalsRequest.method, ModelTotalsSchema, { ...totals, params: '1' })),
    'the language server answered resnet/modelTotals with a malformed result (field "params": Invalid type: Expected number but received "1")',
  );
  assert.equal(isModelCommandArgs({ uri: 'file:///a.resnet', model: 'm' }), true);
  assert.equal(isModelCommandArgs({ uri: 'file:///a.resnet', model: 3 }), false);
});
