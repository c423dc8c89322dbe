// The architecture view's requests over the real language server (stdio, JSON-RPC): the graph of
// the model under the cursor, errors on their node, and the comparison with another version.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseToArchitecture } from '../../src/protocol/architecture';
import { ArchitectureCompareRequest, ArchitectureGraphRequest } from '../../src/protocol/languageServer';
import { analyze } from '../../src/core/analysis/analyze';
import { architectureGraph, graphItems, type GraphBlock } from '../../src/core/report/architectureGraph';
import { exampleFiles, readExample } from '../helpers/examples';
import { BROKEN_SHORTCUT_MODEL } from '../helpers/models';
import { LspTestClient, positionOf } from './lspClient';

let client: LspTestClient;
before(async () => {
  client = await LspTestClient.start();
});
after(async () => {
  await client.stop();
});

test('architectureGraph: the model under the cursor, stage by stage, valid for the webview', async () => {
  const uri = 'file:///test/two.resnet';
  const text = `${readExample('cifar/resnet20.resnet')}\n${readExample('cifar/resnet20-b.resnet')}`;
  await client.open(uri, text);
  const names = ['resnet20', 'resnet20_b'];
  const at = positionOf(text, 'model resnet20_b');
  const r = await client.connection.sendRequest(ArchitectureGraphRequest, { uri, position: { line: at.line + 2, character: 0 } });
  assert.equal(r.kind, 'graph');
  if (r.kind !== 'graph') return;
  assert.equal(r.graph.model, names[1]);
  assert.deepEqual(r.models, names);
  // What the server sends is what the page accepts.
  assert.ok(parseToArchitecture({ type: 'graph', uri, fileName: 'family.resnet', graph: r.graph, models: r.models }));
  const items = r.graph.stages.flatMap((s) => [...graphItems(s.items)]);
  assert.equal(
    items.filter((i) => i.kind === 'layer').reduce((a, i) => a + i.cost.params, 0),
    r.graph.totals.params,
  );
});

test("every example model's graph is one the page accepts (SE-ResNet's gates were dropped as malformed)", () => {
  const refused: string[] = [];
  let models = 0;
  for (const file of exampleFiles()) {
    const analysis = analyze(readExample(file));
    for (const model of analysis.models) {
      models++;
      const graph = architectureGraph(model, analysis.diagnostics, 128);
      if (!parseToArchitecture({ type: 'graph', uri: `file:///${file}`, fileName: file, graph, models: [model.name] })) refused.push(`${file}: ${model.name}`);
    }
  }
  assert.ok(models > 30, `${models} models`);
  assert.deepEqual(refused, []);
});

test('architectureGraph: a shortcut that cannot add is an error on the block where the shape changes', async () => {
  const uri = 'file:///test/broken.resnet';
  await client.open(uri, BROKEN_SHORTCUT_MODEL);
  const r = await client.connection.sendRequest(ArchitectureGraphRequest, { uri });
  assert.equal(r.kind, 'graph');
  if (r.kind !== 'graph') return;
  const blocks = r.graph.stages.flatMap((s) => [...graphItems(s.items)]).filter((i): i is GraphBlock => i.kind === 'block');
  const withError = blocks.filter((b) => b.error);
  assert.deepEqual(
    withError.map((b) => b.id),
    ['conv3_x.0'],
  );
  assert.match(withError[0].error!, /shortcut adds 56×56×64 to 28×28×128/);
  const missing = await client.connection.sendRequest(ArchitectureGraphRequest, { uri, model: 'nope' });
  assert.equal(missing.kind, 'missing');
});

test('architectureCompare: v1 against v1.5 marks the strided layers changed, MACs +231,211,008', async () => {
  const uri = 'file:///test/tv50.resnet';
  await client.open(uri, readExample('torchvision/resnet50.resnet'));
  const r = await client.connection.sendRequest(ArchitectureCompareRequest, { uri, against: { text: readExample('imagenet/resnet50.resnet'), label: 'paper v1' } });
  assert.equal(r.kind, 'diff');
  if (r.kind !== 'diff') return;
  assert.equal(r.diff.delta.macs, 231_211_008);
  assert.ok(parseToArchitecture({ type: 'diff', uri, fileName: 'tv50.resnet', graph: r.graph, diff: r.diff, oldLabel: r.oldLabel, newLabel: r.newLabel }));
  const changed = r.graph.stages
    .flatMap((s) => [...graphItems(s.items)])
    .filter((i) => i.status === 'changed')
    .map((i) => i.id);
  assert.deepEqual(
    changed,
    r.diff.changes.map((c) => c.path),
  );
  assert.deepEqual(
    r.graph.stages.filter((s) => s.status === 'changed').map((s) => s.id),
    ['conv3_x', 'conv4_x', 'conv5_x'],
  );
});

test('architectureCompare: removed blocks come back into the graph, marked removed', async () => {
  const uri = 'file:///test/r18.resnet';
  await client.open(uri, readExample('imagenet/resnet18.resnet'));
  const r = await client.connection.sendRequest(ArchitectureCompareRequest, { uri, against: { text: readExample('imagenet/resnet34.resnet'), label: 'resnet34.resnet', model: 'resnet34' } });
  assert.equal(r.kind, 'diff');
  if (r.kind !== 'diff') return;
  const conv3 = r.graph.stages.find((s) => s.id === 'conv3_x')!;
  assert.deepEqual(
    conv3.items.map((i) => [i.id, i.status ?? 'same']),
    [
      ['conv3_x.0', 'same'],
      ['conv3_x.1', 'same'],
      ['conv3_x.2', 'removed'],
      ['conv3_x.3', 'removed'],
    ],
  );
  const inside = [...graphItems([conv3.items[2]])];
  assert.ok(inside.length > 1 && inside.every((i) => i.status === 'removed'), 'a removed block is removed inside too');
  const wrong = await client.connection.sendRequest(ArchitectureCompareRequest, { uri, against: { text: readExample('imagenet/resnet34.resnet'), label: 'resnet34.resnet', model: 'nope' } });
  assert.equal(wrong.kind, 'missing');
  if (wrong.kind === 'missing') assert.match(wrong.message, /resnet34\.resnet has no model named "nope".*its models: resnet34/);
});
