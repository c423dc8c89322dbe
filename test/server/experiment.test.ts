// An experiment in the language server, over JSON-RPC: the code lens with the variant count, the
// training compute and the largest memory, and Run Experiment; the hover listing every variant;
// the experiment-plan request the extension queues from; an error in a variant on the experiment.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CodeLensRequest,
  DefinitionRequest,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  HoverRequest,
  type DocumentSymbol,
  type Location,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { analyze } from '../../src/core/analysis/analyze';
import { experimentCost } from '../../src/core/report/experimentCost';
import { formatBytes, formatPaperUnits } from '../../src/core/report/numbers';
import { Commands, ExperimentPlanRequest, ExperimentPlanResultSchema, checkResult } from '../../src/protocol/languageServer';
import { readExample } from '../helpers/examples';
import { LspTestClient, applyEdits, positionOf } from './lspClient';

let client: LspTestClient;
before(async () => {
  client = await LspTestClient.start();
});
after(async () => {
  await client.stop();
});

const fig6 = readExample('experiments/fig6-cifar.resnet');

test('the code lens over an experiment: its variants, their training MACs and largest memory, and Run Experiment', async () => {
  const uri = 'file:///test/fig6.resnet';
  const { diagnostics } = await client.open(uri, fig6);
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 1),
    [],
  );
  const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
  const line = positionOf(fig6, 'fig6 {', 0).line;
  const onExperiment = lenses.filter((l) => l.range.start.line === line);
  const cost = experimentCost(analyze(fig6).experiments[0]);
  // Run Experiment first: a narrow editor cuts the lens line at its end, and the figures can go.
  assert.equal(onExperiment[0].command?.title, 'Run Experiment');
  assert.equal(onExperiment[0].command?.command, Commands.runExperiment);
  assert.deepEqual(onExperiment[0].command?.arguments, [{ uri, experiment: 'fig6' }]);
  assert.equal(onExperiment[1].command?.title, `8 variants · ${formatPaperUnits(cost.trainingMacs)} training MACs · ${formatBytes(cost.largestMemoryBytes)} at most`);
  // The paper's recipe: 64k steps of 128 images for each of the eight nets.
  assert.equal(
    cost.trainingMacs,
    analyze(fig6).experiments[0].variants.reduce((sum, v) => sum + (v.model?.cost.macs ?? 0) * 64_000 * 128, 0),
  );
  const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
  assert.ok(
    symbols.some((s) => s.name === 'fig6' && s.detail?.startsWith('8 variants')),
    'the outline lists the experiment',
  );
});

test('the hover over an experiment lists every variant with its params, MACs, steps and memory', async () => {
  const uri = 'file:///test/fig6-hover.resnet';
  await client.open(uri, fig6);
  const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(fig6, 'fig6 {', 1) });
  assert.ok(hover, 'a hover');
  const text = (hover.contents as MarkupContent).value;
  assert.match(text, /\*\*experiment fig6\*\* · 8 variants × 1 \(each recipe's seed\) = 8 runs/);
  // A padded text block, not a Markdown table: the hover draws tables with no space between cells.
  const block = /```text\n([\s\S]*?)\n```/.exec(text)?.[1]?.split('\n') ?? [];
  assert.equal(block.length, 9, `a heading and eight variants: ${text}`);
  assert.match(block[0] ?? '', /^variant +kind +params +MACs +steps × batch +memory$/);
  assert.match(block[1] ?? '', /^cifar_plain\(n = 3\) +plain +269,722 +40\.55M +64,000 × 128 +\d/);
  assert.match(block[8] ?? '', /^cifar_resnet\(n = 9\) +residual +853,018 +125\.\d+M +64,000 × 128 +\d/);
  // Every column starts where its heading does (figures end where theirs does): cells never run together.
  const paramsEnd = (block[0] ?? '').indexOf('params') + 'params'.length;
  for (const row of block.slice(1)) {
    assert.match(row.slice(paramsEnd - 7, paramsEnd), /^ ?[\d,]+$/, row);
    assert.equal(row[paramsEnd], ' ', row);
  }
});

test('the experiment-plan request answers the runs to queue, or why there are none', async () => {
  const uri = 'file:///test/fig6-plan.resnet';
  await client.open(uri, fig6);
  const answer = checkResult(ExperimentPlanRequest.method, ExperimentPlanResultSchema, await client.connection.sendRequest(ExperimentPlanRequest, { uri, text: fig6, experiment: 'fig6' }));
  assert.ok(answer.ok && answer.value.kind === 'plan');
  const plan = answer.value.plan;
  assert.equal(plan.sourcePath, '/test/fig6-plan.resnet');
  assert.equal(plan.dataset, 'cifar10');
  assert.deepEqual(plan.runs.map((r) => [r.key, r.model, r.plain]).slice(0, 2), [
    ['cifar_plain_n3', 'fig6.cifar_plain_n3', true],
    ['cifar_plain_n5', 'fig6.cifar_plain_n5', true],
  ]);
  const broken = fig6.replace('cifar_plain(n = 3, 5, 7, 9)', 'cifar_plain(n = 3, 3)');
  const refused = checkResult(ExperimentPlanRequest.method, ExperimentPlanResultSchema, await client.connection.sendRequest(ExperimentPlanRequest, { uri, text: broken }));
  assert.ok(refused.ok && refused.value.kind === 'missing');
  assert.match(refused.value.message, /duplicate variant/);
  // Malformed params are refused by the schema, naming the field.
  await assert.rejects(client.connection.sendRequest(ExperimentPlanRequest.method, { uri: 3, text: '' }), /uri/);
});

test('a shape error in one variant is published on the grid line, naming the variant; no Run Experiment lens then', async () => {
  const uri = 'file:///test/fig6-broken.resnet';
  const text = fig6
    .replace('grid  cifar_resnet(n = 3, 5, 7, 9)', 'grid  cifar_resnet(n = 3, 5, 7, 9)\n  grid  cifar_resnet(n = 0)')
    .replace('model cifar_resnet(n) {\n  input 32x32x3, classes 10\n  shortcut A', 'model cifar_resnet(n) {\n  input 32x32x3, classes 10\n  shortcut identity');
  const { diagnostics } = await client.open(uri, text);
  const errors = diagnostics.filter((d) => d.severity === 1);
  assert.ok(errors.length > 0);
  assert.ok(
    errors.every((d) => /^variant cifar_resnet\(n = \d\): /.test(String(d.message))),
    JSON.stringify(errors.map((d) => d.message)),
  );
  assert.ok(errors.every((d) => d.range.start.line === positionOf(text, 'grid  cifar_resnet(n = 3', 0).line || d.range.start.line === positionOf(text, 'grid  cifar_resnet(n = 0', 0).line));
  const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
  assert.ok(!lenses.some((l) => l.command?.title === 'Run Experiment'));
  assert.ok(lenses.some((l) => l.command?.title.endsWith('has errors')));
});

test("formatting an experiment aligns its grid lines as a model's stages, and leaves the example as it is", async () => {
  const uri = 'file:///test/fig6-format.resnet';
  const messy = fig6.replace('  grid  cifar_plain(n = 3, 5, 7, 9)', 'grid cifar_plain(n = 3,5, 7, 9)').replace('  grid  cifar_resnet', '      grid cifar_resnet');
  await client.open(uri, messy);
  const edits = (await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })) ?? [];
  assert.equal(applyEdits(messy, edits), fig6);
  const again = 'file:///test/fig6-format-again.resnet';
  await client.open(again, fig6);
  assert.deepEqual((await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: again }, options: { tabSize: 2, insertSpaces: true } })) ?? [], []);
});

test("an experiment's own `let`s over JSON-RPC: no diagnostic when used, the runs they give, and go to definition from a grid value and an override", async () => {
  const text = `model tiny(n) {
  input 16x16x3, classes 4
  conv1 conv 3x3, 8, bn, relu
  s1    basic(8) x n
  head  avgpool, fc 4
}

experiment lets {
  let deep = 3
  let steps = 200
  grid tiny(n = 1, deep)
  train {
    iterations steps
  }
}
`;
  const uri = 'file:///test/lets.resnet';
  const { diagnostics } = await client.open(uri, text);
  assert.deepEqual(diagnostics, [], 'no error, no unused warning');
  const answer = checkResult(ExperimentPlanRequest.method, ExperimentPlanResultSchema, await client.connection.sendRequest(ExperimentPlanRequest, { uri, text, experiment: 'lets' }));
  assert.ok(answer.ok && answer.value.kind === 'plan');
  assert.deepEqual(
    answer.value.plan.runs.map((r) => r.label),
    ['tiny(n = 1)', 'tiny(n = 3)'],
  );
  const definitionAt = async (needle: string, delta: number) =>
    ((await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: positionOf(text, needle, delta) })) as Location | null)?.range.start;
  assert.deepEqual(await definitionAt('1, deep)', 3), positionOf(text, 'deep = 3'));
  assert.deepEqual(await definitionAt('iterations steps', 11), positionOf(text, 'steps = 200'));
});

test("the hover says which variants train on PyTorch (their recipe's `engine pytorch`)", async () => {
  const text = `model net(n) {
  input 16x16x3, classes 4
  conv1 conv 3x3, 8, bn, relu
  s1    basic(8) x n
  head  avgpool, fc 4
}

model torch_net {
  input 16x16x3, classes 4
  conv1 conv 3x3, 8, bn, relu
  s1    basic(8) x 1
  head  avgpool, fc 4
  train {
    engine pytorch
  }
}

experiment engines {
  grid net(n = 1)
  models torch_net
}
`;
  const uri = 'file:///test/engines.resnet';
  await client.open(uri, text);
  const hover = (await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(text, 'engines {', 2) })) as { contents: MarkupContent } | null;
  const rows = (hover?.contents.value ?? '').split('\n').filter((l) => /^(net|torch_net)/.test(l));
  assert.deepEqual(
    rows.map((r) => r.split(/ {2,}/)[1]?.trim()),
    ['residual', 'residual · PyTorch'],
  );
});
