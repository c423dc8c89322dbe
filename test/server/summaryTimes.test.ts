// The summary request over JSON-RPC with measured times: the real language server answers with
// each row's line, ms, share and heat; without times, no rows and a note on how to get them;
// malformed times are refused by field.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { modelLayers } from '../../src/core/analysis/network';
import { ModelSummaryRequest } from '../../src/protocol/languageServer';
import { readExample } from '../helpers/examples';
import { LspTestClient } from './lspClient';

let client: LspTestClient;
const uri = 'file:///test/times/resnet20.resnet';
const source = readExample('cifar/resnet20.resnet');

before(async () => {
  client = await LspTestClient.start();
  await client.open(uri, source);
});

after(async () => {
  await client.stop();
});

test('summary with a profile --json document: rows timed on their lines; without one, how to measure', async () => {
  const layers = [...modelLayers(analyze(source).models[0])];
  const timings = { model: 'resnet20', engine: 'pytorch' as const, device: 'cpu', batch: 4, layers: layers.map((l, i) => ({ path: l.path, forwardMs: i + 1, backwardMs: 0 })) };
  const timed = await client.connection.sendRequest(ModelSummaryRequest, { uri, model: 'resnet20', timings });
  assert.equal(timed.kind, 'summary');
  if (timed.kind !== 'summary') return;
  const lines = timed.text.split('\n');
  const rows = timed.times ?? [];
  const last = layers.at(-1)!.path;
  const lastRow = rows.find((r) => r.path === last);
  assert.ok(lastRow, `the last layer, ${last}, is timed`);
  assert.ok(lines[lastRow.line].startsWith(last));
  assert.equal(lastRow.ms, layers.length);
  assert.equal(lastRow.heat, 1, 'the slowest layer');
  assert.match(timed.text, /Measured time \(PyTorch on cpu, batch 4, forward \+ backward\)/);

  const plain = await client.connection.sendRequest(ModelSummaryRequest, { uri, model: 'resnet20' });
  assert.equal(plain.kind, 'summary');
  if (plain.kind === 'summary') {
    assert.equal(plain.times, undefined);
    assert.match(plain.text, /No measured times for resnet20: to colour this table by them, run `resnet-studio profile FILE --model resnet20 --json > times\.json`/);
  }

  await assert.rejects(
    client.connection.sendRequest(ModelSummaryRequest.method, { uri, model: 'resnet20', timings: { ...timings, layers: [{ path: 'x', forwardMs: 'fast', backwardMs: 0 }] } }),
    /timings\.layers\.0\.forwardMs/,
  );
});
