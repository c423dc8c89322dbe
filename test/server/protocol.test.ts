// The language server end to end: spawned as a child process and driven over stdio by a real LSP
// client, feature by feature.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  DefinitionRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  InlayHintRequest,
  type CodeAction,
  type CompletionItem,
  type Diagnostic,
  type DocumentSymbol,
  type Location,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import {
  ModelSummaryRequest,
  ModelTotalsRequest,
  PaperTemplatesRequest,
  TrainableModelsRequest,
  TrainableModelsResultSchema,
  checkResult,
  type ModelCommandArgs,
} from '../../src/protocol/languageServer';
import { readExample } from '../helpers/examples';
import { LspTestClient, applyEdits, positionOf } from './lspClient';
import { BROKEN_SHORTCUT_MODEL } from '../helpers/models';

let client: LspTestClient;

before(async () => {
  client = await LspTestClient.start();
});

after(async () => {
  await client.stop();
});

const resnet50 = readExample('imagenet/resnet50.resnet');
const ownBlock = readExample('variants/own-block.resnet');

/** A stride-2 stage under `shortcut identity`: the addition cannot join 56×56×64 and 28×28×128. */
const identityWithStride = BROKEN_SHORTCUT_MODEL;

const userBlockMismatch = `block plain_pair(width, stride = 1) {
  conv 3x3, width, stride stride
  bn, relu
  conv 3x3, width
  bn
  add shortcut
  relu
}

model broken_own {
  input 32x32x3, classes 10
  shortcut identity

  conv1    conv 3x3, 16, bn, relu
  conv2_x  plain_pair(16) x 2
  conv3_x  plain_pair(32) x 2, stride 2
  head     avgpool, fc 10
}
`;

function markdown(hover: { contents: unknown } | null): string {
  assert.ok(hover, 'expected a hover');
  return (hover.contents as MarkupContent).value;
}

function errors(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 1);
}

test('publishes diagnostics on open with exact ranges and both sides of a bad addition', async () => {
  const uri = 'file:///test/broken.resnet';
  const { diagnostics } = await client.open(uri, identityWithStride);
  const mismatch = diagnostics.find((d) => d.code === 'shortcut-mismatch');
  assert.ok(mismatch, `expected a shortcut-mismatch, got ${JSON.stringify(diagnostics)}`);
  assert.equal(mismatch.source, 'resnet');
  assert.match(typeof mismatch.message === 'string' ? mismatch.message : mismatch.message.value, /56×56×64 to 28×28×128/);
  const call = positionOf(identityWithStride, 'basic(128) x 2, stride 2');
  assert.deepEqual(mismatch.range.start, call);
  assert.deepEqual(mismatch.range.end, { line: call.line, character: call.character + 'basic(128) x 2, stride 2'.length });
  const related = mismatch.relatedInformation ?? [];
  assert.equal(related.length, 2);
  assert.ok(related.every((r) => r.location.uri === uri));
  assert.match(related[0].message, /block's input: 56×56×64/);
  assert.match(related[1].message, /residual branch's output: 28×28×128/);
});

test('a user block points its related information at the call and at the end of the residual branch', async () => {
  const uri = 'file:///test/broken-own.resnet';
  const { diagnostics } = await client.open(uri, userBlockMismatch);
  const mismatch = diagnostics.find((d) => d.code === 'shortcut-mismatch');
  assert.ok(mismatch);
  assert.deepEqual(mismatch.range.start, positionOf(userBlockMismatch, 'add shortcut'));
  const [input, branch] = mismatch.relatedInformation ?? [];
  assert.deepEqual(input.location.range.start, positionOf(userBlockMismatch, 'plain_pair(32) x 2, stride 2'));
  assert.deepEqual(branch.location.range.start, positionOf(userBlockMismatch, '  bn\n  add', 2));
});

test('republishes diagnostics on every change', async () => {
  const uri = 'file:///test/changes.resnet';
  assert.equal(errors((await client.open(uri, resnet50)).diagnostics).length, 0);
  const typo = resnet50.replace('bottleneck(256)', 'bottlneck(256)');
  const after = await client.change(uri, typo);
  assert.equal(after.version, 2);
  const unknown = errors(after.diagnostics).find((d) => d.code === 'unknown-name');
  assert.ok(unknown);
  assert.deepEqual(unknown.range.start, positionOf(typo, 'bottlneck'));
  assert.equal(errors((await client.change(uri, resnet50)).diagnostics).length, 0);
});

test('rapid edits are analyzed once, after they pause', async () => {
  const uri = 'file:///test/debounce.resnet';
  await client.open(uri, resnet50);
  const before = client.published.length;
  const texts = [resnet50.replace('x 3\n', 'x 4\n'), resnet50.replace('x 3\n', 'x 5\n'), resnet50];
  const last = client.nextDiagnostics(uri, 4);
  for (const [i, text] of texts.entries()) {
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: i + 2 }, contentChanges: [{ text }] });
  }
  await last;
  const versions = client.published
    .slice(before)
    .filter((p) => p.uri === uri)
    .map((p) => p.version);
  assert.deepEqual(versions, [4]);
});

test("hover on a model shows totals in the paper's units beside the paper's own figure", async () => {
  const uri = 'file:///test/hover50.resnet';
  await client.open(uri, resnet50);
  const text = markdown(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(resnet50, 'resnet50 {', 2) }));
  assert.match(text, /25,557,032/);
  assert.match(text, /3\.86×10⁹ FLOPs \(multiply-adds\)/);
  assert.match(text, /paper Table 1: 3\.8×10⁹/);
  assert.match(text, /Activations for training, batch 128/);
});

test('hover on a model: compute under resnet.costs.convention, what the other tools print, memory and the largest batch that fits', async () => {
  const uri = 'file:///test/hoverCosts.resnet';
  await client.open(uri, resnet50);
  const hover = async () => markdown(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(resnet50, 'resnet50 {', 2) }));
  const defaults = await hover();
  assert.match(defaults, /Compute \(macs\): 3,857,973,248 MACs per image/);
  assert.match(defaults, /Other tools would print: ptflops: 3\.\d\d GMac, version 0\.7\.1 and later, pytorch backend: it adds BatchNorm, and ReLU and pooling twice; fvcore: .*; thop: /);
  assert.match(defaults, /Training step, batch 128 .*= weights .* \+ gradients .* \+ optimizer .* \+ activations .* \+ input /);
  assert.match(defaults, /Largest training batch that fits 8\.00 GiB: \d+/);
  await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { resnet: { costs: { convention: 'ptflops', memoryBudgetMiB: 1024 } } } });
  const changed = await hover();
  assert.match(changed, /Compute \(ptflops\): [\d,]+ MACs per image \(3\.\d\d GMac\)/);
  assert.match(changed, /Other tools would print: macs: 3\.86 G MACs/);
  assert.match(changed, /Largest training batch that fits 1\.00 GiB: \d+/);
  // Train Model hears the same budget: ResNet-50 at the recipe's batch does not fit 1 GiB.
  const trainable = await client.connection.sendRequest(TrainableModelsRequest, { uri, text: resnet50 });
  assert.ok(trainable.kind === 'models');
  assert.match(trainable.models[0]?.memoryWarnings?.pytorch ?? '', /a training step of resnet50 at batch \d+ needs about .*, more than the memory budget of 1\.00 GiB; use a batch of at most \d+/);
  assert.match(trainable.models[0]?.memoryWarnings?.tfjs ?? '', /more than the memory budget of 1\.00 GiB/);
  await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { resnet: { costs: { convention: 'gflops', memoryBudgetMiB: 'lots' } } } });
  assert.match(await hover(), /Compute \(macs\)[\s\S]*fits 8\.00 GiB/, 'mistyped settings fall back to the defaults');
  const withDefault = await client.connection.sendRequest(TrainableModelsRequest, { uri, text: resnet50 });
  assert.ok(withDefault.kind === 'models');
  assert.match(withDefault.models[0]?.memoryWarnings?.pytorch ?? '', /more than the memory budget of 8\.00 GiB/);
  await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { resnet: {} } });
});

test('the paper is recognised by architecture, not by name', async () => {
  const renamed = readExample('cifar/resnet110.resnet').replace('model resnet110', 'model my_net');
  const uri = 'file:///test/renamed.resnet';
  await client.open(uri, renamed);
  const text = markdown(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(renamed, 'my_net', 1) }));
  assert.match(text, /paper Table 6: 1\.7M/);
  assert.match(text, /test error \(Table 6\): 6\.43%/);
  const wide = readExample('variants/wide-resnet50-2.resnet');
  const wideUri = 'file:///test/wide.resnet';
  await client.open(wideUri, wide);
  const wideText = markdown(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: wideUri }, position: positionOf(wide, 'wide_resnet50_2 {', 1) }));
  assert.doesNotMatch(wideText, /paper Table/);
});

test('hover on a stage label, a block call and a layer', async () => {
  const uri = 'file:///test/hover-parts.resnet';
  await client.open(uri, resnet50);
  const hover = async (needle: string) => markdown(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(resnet50, needle, 1) }));
  const stage = await hover('conv3_x');
  assert.match(stage, /stage conv3_x/);
  assert.match(stage, /56×56×256 → 28×28×512/);
  assert.match(stage, /1,219,584/);
  assert.match(stage, /950,534,144/);
  assert.match(stage, /4\.8% of `resnet50`/);
  const call = await hover('bottleneck(128)');
  assert.match(call, /× 4 blocks/);
  assert.match(call, /56×56×256 → 28×28×512/);
  const conv = await hover('conv 7x7');
  assert.match(conv, /224×224×3 → 112×112×64/);
  assert.match(conv, /Params: 9,408/);
  assert.match(conv, /MACs: 118,013,952/);
});

test('hover inside a block definition shows the first instance and how many there are', async () => {
  const uri = 'file:///test/own-block.resnet';
  await client.open(uri, ownBlock);
  const text = markdown(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(ownBlock, 'conv 3x3, width, stride stride', 1) }));
  assert.match(text, /32×32×16 → 32×32×16/);
  assert.match(text, /1 of 9 uses/);
});

test('inlay hints show the output shape at the end of each layer and stage line, and a setting turns them off', async () => {
  const uri = 'file:///test/hints.resnet';
  await client.open(uri, resnet50);
  const range = { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } };
  const hints = (await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range })) ?? [];
  const labels = hints.map((h) => `${h.position.line}:${String(h.label)}`);
  const conv3 = positionOf(resnet50, 'conv3_x').line;
  const lineEnd = resnet50.split('\n')[conv3].length;
  assert.ok(labels.includes(`${conv3}:→ 28×28×512`), labels.join(', '));
  assert.equal(hints.find((h) => h.position.line === conv3)?.position.character, lineEnd);
  assert.ok(labels.includes(`${positionOf(resnet50, 'maxpool').line}:→ 56×56×64`));
  assert.ok(labels.includes(`${positionOf(resnet50, 'conv1 ').line}:→ 112×112×64`));
  assert.equal(hints.length, 7);

  await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { resnet: { inlayHints: { enabled: false } } } });
  assert.deepEqual(await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range }), []);
  await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { resnet: {} } });
  assert.equal((await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range }))?.length, 7);
});

test('code lenses above each model: totals, Train, Summary and Graph', async () => {
  const uri = 'file:///test/lens.resnet';
  await client.open(uri, resnet50);
  const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
  assert.deepEqual(
    lenses.map((l) => l.command?.title),
    ['25.56M params · 3.86G MACs', 'Train', 'Summary', 'Graph'],
  );
  assert.ok(lenses.every((l) => l.range.start.line === positionOf(resnet50, 'model resnet50').line));
  const expected: ModelCommandArgs = { uri, model: 'resnet50' };
  assert.equal(lenses[1].command?.command, 'resnet.trainModel');
  assert.deepEqual(lenses[1].command?.arguments, [expected]);
  assert.equal(lenses[2].command?.command, 'resnet.showModelSummary');
  assert.equal(lenses[3].command?.command, 'resnet.showArchitecture');
  assert.deepEqual(lenses[3].command?.arguments, [expected]);

  await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { resnet: { codeLens: { enabled: false } } } });
  assert.deepEqual(await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }), []);
  await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { resnet: {} } });
});

async function quickFixes(uri: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
  const actions = (await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } })) ?? [];
  return actions.filter((a): a is CodeAction => 'edit' in a);
}

test("the shortcut quick fixes: on the failing call first, then named as the whole model's; each edit removes the error and changes only what it says", async () => {
  const uri = 'file:///test/fix-shortcut.resnet';
  const { diagnostics } = await client.open(uri, identityWithStride);
  const mismatch = diagnostics.find((d) => d.code === 'shortcut-mismatch') as Diagnostic;
  const actions = await quickFixes(uri, mismatch);
  assert.deepEqual(
    actions.map((a) => a.title),
    [
      'Use a projection shortcut (option B)',
      'Use zero-padding shortcut (option A)',
      'Use projection shortcuts (option B) in the whole model `broken`',
      'Use zero-padding shortcuts (option A) in the whole model `broken`',
    ],
  );
  assert.deepEqual(
    actions.map((a) => a.isPreferred),
    [true, false, false, false],
  );
  for (const [action, option, local] of [
    [actions[0], 'B', true],
    [actions[1], 'A', true],
    [actions[2], 'B', false],
    [actions[3], 'A', false],
  ] as const) {
    const fixed = applyEdits(identityWithStride, action.edit?.changes?.[uri] ?? []);
    if (local) {
      // The call alone: the model's `shortcut identity` and every other stage stay as they were.
      assert.equal(fixed, identityWithStride.replace('basic(128) x 2, stride 2', `basic(128) x 2, stride 2, shortcut ${option}`));
    } else {
      assert.match(fixed, new RegExp(`\\n  shortcut ${option}\\n`));
    }
    const after = await client.change(uri, fixed);
    assert.deepEqual(errors(after.diagnostics), [], `option ${option} still has errors`);
    await client.change(uri, identityWithStride);
  }
});

test('a shortcut chosen by the call or by `add` is fixed where it is chosen', async () => {
  const uri = 'file:///test/fix-override.resnet';
  const override = identityWithStride.replace('shortcut identity', 'shortcut B').replace('basic(128) x 2, stride 2', 'basic(128) x 2, stride 2, shortcut identity');
  const { diagnostics } = await client.open(uri, override);
  const [b] = await quickFixes(uri, diagnostics.find((d) => d.code === 'shortcut-mismatch') as Diagnostic);
  const fixed = applyEdits(override, b.edit?.changes?.[uri] ?? []);
  assert.match(fixed, /basic\(128\) x 2, stride 2, shortcut B\n/);
  assert.deepEqual(errors((await client.change(uri, fixed)).diagnostics), []);

  const explicit = userBlockMismatch.replace('add shortcut', 'add identity');
  const published = await client.change(uri, explicit);
  const actions = await quickFixes(uri, published.diagnostics.find((d) => d.code === 'shortcut-mismatch') as Diagnostic);
  assert.deepEqual(
    actions.map((a) => a.title),
    ['Use a projection shortcut (option B)', 'Use zero-padding shortcut (option A)'],
  );
  const zeroPadded = applyEdits(explicit, actions[1].edit?.changes?.[uri] ?? []);
  assert.match(zeroPadded, /add zeropad\n/);
  assert.deepEqual(errors((await client.change(uri, zeroPadded)).diagnostics), []);
});

test('an unknown name gets a rename quick fix', async () => {
  const uri = 'file:///test/fix-rename.resnet';
  const typo = resnet50.replace('bottleneck(512)', 'bottlenek(512)');
  const { diagnostics } = await client.open(uri, typo);
  const unknown = diagnostics.find((d) => d.code === 'unknown-name') as Diagnostic;
  const [fix] = await quickFixes(uri, unknown);
  assert.equal(fix.title, 'Change to `bottleneck`');
  const fixed = applyEdits(typo, fix.edit?.changes?.[uri] ?? []);
  assert.equal(fixed, resnet50);
  assert.deepEqual(errors((await client.change(uri, fixed)).diagnostics), []);
});

async function complete(uri: string, text: string, marker = '|'): Promise<string[]> {
  const position = positionOf(text, marker);
  await client.change(uri, text.replace(marker, ''));
  const result = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
  const items: CompletionItem[] = Array.isArray(result) ? result : (result?.items ?? []);
  return items.map((i) => i.label);
}

test('completion offers what can come next', async () => {
  const uri = 'file:///test/complete.resnet';
  await client.open(uri, '');
  const top = await complete(uri, '|');
  for (const label of ['model', 'block', 'let', 'resnet50 (paper ResNet-50)', 'resnet110 (paper ResNet-110)', 'resnet20 (paper ResNet-20)']) assert.ok(top.includes(label), label);

  const inModel = await complete(uri, 'block mine(w) {\n  conv 3x3, w\n}\nmodel m {\n  input 32x32x3, classes 10\n  conv1 conv 3x3, 16\n  |\n}\n');
  for (const label of ['input', 'shortcut', 'downsample', 'train', 'let', 'conv', 'bn', 'basic', 'bottleneck', 'mine', 'conv2_x', 'head']) assert.ok(inModel.includes(label), label);

  const afterLabel = await complete(uri, 'model m {\n  conv2_x |\n}\n');
  assert.ok(afterLabel.includes('basic') && afterLabel.includes('conv') && !afterLabel.includes('input'));

  const layerArgs = await complete(uri, 'model m {\n  conv1 conv 3x3, 64, |\n}\n');
  for (const label of ['stride', 'groups', 'pad', 'bias']) assert.ok(layerArgs.includes(label), label);

  assert.deepEqual(await complete(uri, 'model m {\n  shortcut |\n}\n'), ['A', 'B', 'C', 'none', 'identity']);
  assert.deepEqual(await complete(uri, 'model m {\n  downsample v|\n}\n'), ['v1', 'v1.5']);

  const recipe = await complete(uri, 'model m {\n  train {\n    |\n  }\n}\n');
  for (const label of ['dataset', 'batch', 'sgd', 'decay', 'iterations', 'augment']) assert.ok(recipe.includes(label), label);
  assert.deepEqual(await complete(uri, 'model m {\n  train {\n    dataset |\n  }\n}\n'), ['mnist', 'cifar10', 'synthetic']);

  const callArgs = await complete(uri, 'model m {\n  conv2_x bottleneck(64, |\n}\n');
  assert.ok(callArgs.includes('groups') && callArgs.includes('base_width'));

  assert.deepEqual(await complete(uri, 'model m {\n  // a comment |\n}\n'), []);
});

test('document symbols: models with their stages, and blocks', async () => {
  const uri = 'file:///test/symbols.resnet';
  await client.open(uri, ownBlock);
  const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
  assert.deepEqual(
    symbols.map((s) => s.name),
    ['my_basic', 'projected', 'resnet20_own', 'resnet20_c'],
  );
  assert.deepEqual(
    symbols[2].children?.map((c) => c.name),
    ['conv1', 'conv2_x', 'conv3_x', 'conv4_x', 'head'],
  );
  assert.match(symbols[2].detail ?? '', /params · .* MACs/);
});

test('go to definition of a user block and of a template', async () => {
  const uri = 'file:///test/definition.resnet';
  await client.open(uri, ownBlock);
  const fromCall = (await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: positionOf(ownBlock, 'my_basic(32)', 2) })) as Location;
  assert.deepEqual(fromCall.range.start, positionOf(ownBlock, 'my_basic(width'));

  const family = readExample('cifar/family.resnet');
  const familyUri = 'file:///test/family.resnet';
  await client.open(familyUri, family);
  const fromInstance = (await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: familyUri }, position: positionOf(family, '= cifar_resnet(n = 9)', 3) })) as Location;
  assert.deepEqual(fromInstance.range.start, positionOf(family, 'cifar_resnet(n) {'));
  const fromReference = (await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: familyUri }, position: positionOf(family, 'x n, stride', 2) })) as Location;
  assert.deepEqual(fromReference.range.start, positionOf(family, 'n) {'));
});

test('formatting indents, aligns stage labels, spaces commas, keeps comments, and is idempotent', async () => {
  const uri = 'file:///test/format.resnet';
  const messy = [
    '// a comment that stays',
    'model m {',
    '      input 32x32x3,classes 10   ',
    '\tshortcut A',
    '',
    ' conv1 conv 3x3 ,16,bn,relu  // stem',
    'conv2_x   basic(16) x 3',
    '  conv3_x basic(32) x 3,stride 2',
    '      head avgpool, fc 10',
    '    }',
    '',
  ].join('\n');
  const expected = [
    '// a comment that stays',
    'model m {',
    '  input 32x32x3, classes 10',
    '  shortcut A',
    '',
    '  conv1    conv 3x3, 16, bn, relu  // stem',
    '  conv2_x  basic(16) x 3',
    '  conv3_x  basic(32) x 3, stride 2',
    '  head     avgpool, fc 10',
    '}',
    '',
  ].join('\n');
  await client.open(uri, messy);
  const edits = (await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } })) ?? [];
  const formatted = applyEdits(messy, edits);
  assert.equal(formatted, expected);
  await client.change(uri, formatted);
  assert.deepEqual(await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }), []);
});

test('folding ranges for models, blocks, recipes and comments', async () => {
  const uri = 'file:///test/folding.resnet';
  const text = `// one\n// two\n${ownBlock}\n${readExample('cifar/resnet20.resnet')}`;
  await client.open(uri, text);
  const folds = (await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } })) ?? [];
  const has = (startLine: number, kind?: string) => folds.some((f) => f.startLine === startLine && (kind === undefined || f.kind === kind));
  assert.ok(has(0, 'comment'), 'leading comments');
  assert.ok(has(positionOf(text, 'block my_basic').line), 'block');
  assert.ok(has(positionOf(text, 'model resnet20_own').line), 'model');
  assert.ok(has(positionOf(text, 'train {').line), 'train');
  const model = folds.find((f) => f.startLine === positionOf(text, 'model resnet20_own').line);
  // The fold ends on the line before the closing brace, which stays visible.
  assert.equal(model?.endLine, positionOf(text, 'model resnet20_own').line + 8);
});

test('custom requests: model totals for the status bar, the summary table, and the paper templates', async () => {
  const uri = 'file:///test/custom.resnet';
  await client.open(uri, ownBlock);
  const second = await client.connection.sendRequest(ModelTotalsRequest, { uri, position: positionOf(ownBlock, 'projected(32)') });
  assert.equal(second?.model, 'resnet20_c');
  const first = await client.connection.sendRequest(ModelTotalsRequest, { uri });
  assert.equal(first?.model, 'resnet20_own');
  assert.equal(first?.params, 269_722);
  assert.equal(first?.label, '269.72k params · 40.55M MACs');

  const summary = await client.connection.sendRequest(ModelSummaryRequest, { uri, model: 'resnet20_own' });
  assert.equal(summary.kind, 'summary');
  if (summary.kind === 'summary') assert.match(summary.text, /269,722/);
  const missing = await client.connection.sendRequest(ModelSummaryRequest, { uri, model: 'nope' });
  assert.equal(missing.kind, 'missing');

  const templates = await client.connection.sendRequest(PaperTemplatesRequest);
  assert.deepEqual(
    templates.map((t) => t.label),
    ['ResNet-18', 'ResNet-34', 'ResNet-50', 'ResNet-101', 'ResNet-152', 'ResNet-20', 'ResNet-32', 'ResNet-44', 'ResNet-56', 'ResNet-110', 'ResNet-1202'],
  );
});

test('trainable models: what Train Model shows, from the server, for the text the extension will train', async () => {
  const uri = 'file:///test/trainable.resnet';
  await client.open(uri, ownBlock);
  const atSecond = await client.connection.sendRequest(TrainableModelsRequest, { uri, text: ownBlock, position: positionOf(ownBlock, 'projected(32)') });
  assert.ok(checkResult(TrainableModelsRequest.method, TrainableModelsResultSchema, atSecond).ok, 'the answer fits its schema');
  assert.equal(atSecond.kind, 'models');
  if (atSecond.kind !== 'models') return;
  assert.equal(atSecond.atCursor, 'resnet20_c');
  assert.deepEqual(
    atSecond.models.map((m) => m.name),
    ['resnet20_own', 'resnet20_c'],
  );
  const own = atSecond.models[0];
  assert.deepEqual([own.params, own.input, own.classes, own.plain], [269_722, [32, 32, 3], 10, false]);
  assert.match(own.recipe[0], /^Batch: /);
  // Outside every model (the first line), no model is named; the person is asked.
  const outside = await client.connection.sendRequest(TrainableModelsRequest, { uri, text: ownBlock, position: { line: 0, character: 0 } });
  assert.equal(outside.kind === 'models' ? outside.atCursor : 'errors', undefined);
  // A text the server has not seen yet (an edit on its way) is analysed as sent.
  const edited = `${ownBlock}\nmodel broken {\n`;
  const broken = await client.connection.sendRequest(TrainableModelsRequest, { uri, text: edited });
  assert.ok(broken.kind === 'errors' && broken.errors > 0, JSON.stringify(broken));
  assert.equal(client.stderr, '');
});

test('custom requests with a field of the wrong type are refused with an error naming the field', async () => {
  const uri = 'file:///test/custom.resnet';
  await assert.rejects(
    client.connection.sendRequest(ModelTotalsRequest, { uri: 7 } as never),
    (e: Error & { code?: number }) => e.code === -32602 && e.message === 'resnet/modelTotals: field "uri": Invalid type: Expected string but received 7',
  );
  await assert.rejects(
    client.connection.sendRequest(ModelSummaryRequest, { uri, position: { line: '1', character: 0 } } as never),
    /^Error: resnet\/modelSummary: field "position\.line": Invalid type: Expected number but received "1"$/,
  );
  await assert.rejects(client.connection.sendRequest(TrainableModelsRequest, { uri } as never), /field "text"/);
  // …and the server keeps answering.
  assert.equal((await client.connection.sendRequest(ModelTotalsRequest, { uri }))?.model, 'resnet20_own');
});

test('bad input gets answers, not errors, and the server keeps running', async () => {
  const uri = 'file:///test/garbage.resnet';
  const garbage = 'model { { ) x x 7x7 ,,, block ( = \u0000 @@ }}} model m(\n  train {\n';
  const { diagnostics } = await client.open(uri, garbage);
  assert.ok(diagnostics.length > 0);
  const everywhere = [0, 5, 12, 20, garbage.length];
  for (const offset of everywhere) {
    const before = garbage.slice(0, offset);
    const position = { line: before.split('\n').length - 1, character: before.length - (before.lastIndexOf('\n') + 1) };
    await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
    await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
    await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position });
  }
  const edits = (await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })) ?? [];
  assert.ok(applyEdits(garbage, edits).includes('\u0000 @@'), 'formatting keeps characters it does not understand');
  await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } });
  await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
  assert.equal(client.stderr, '');
});

test('the hover on a gate says it multiplies, by what shape, and what its factor costs; not an identity addition', async () => {
  const uri = 'file:///test/hover-gate.resnet';
  const source = readExample('modern/se-resnet50.resnet');
  await client.open(uri, source);
  const hover = markdown(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(source, 'se()', 1) }));
  // conv2_x's gate: 256 → 16 → 256, 1×1 convolutions with bias.
  assert.match(hover, /Shortcut of the first block: none: a gate multiplies its input by the factor its layers make \(1×1×256, broadcast over H×W\); the factor costs 8,464 params and 8,192 MACs/);
  assert.doesNotMatch(hover, /first block: identity/);
});

test('on a call whose addition fails, the hover says what the problem says, and the notes point at the two sides of the addition', async () => {
  const uri = 'file:///test/hover-agrees.resnet';
  const { diagnostics } = await client.open(uri, BROKEN_SHORTCUT_MODEL);
  const mismatch = diagnostics.find((d) => d.code === 'shortcut-mismatch') as Diagnostic;
  const hover = markdown(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(BROKEN_SHORTCUT_MODEL, 'basic(128)', 1) }));
  assert.match(hover, /Shortcut of the first block: the addition fails: shortcut adds 56×56×64 to 28×28×128/);
  assert.doesNotMatch(hover, /none \(no addition\)/);
  // The block's input comes from conv2_x's call (line 7); its branch is built by `basic` (line 8).
  const notes = (mismatch.relatedInformation ?? []).map((r) => [r.message, r.location.range.start.line + 1, r.location.range.start.character + 1, r.location.range.end.character + 1]);
  assert.deepEqual(notes, [
    ["the block's input: 56×56×64", 7, 12, 25],
    ["the residual branch's output: 28×28×128", 8, 12, 17],
  ]);
});

test("Res2Net's split in the editor: the hover says what the groups run and join; a layer in a split is its groups'; completion offers its flags and a `keep` line; the quick fix makes the count divide", async () => {
  const uri = 'file:///test/split.resnet';
  const source = readExample('modern/res2net50-26w-4s.resnet');
  const { diagnostics } = await client.open(uri, source);
  assert.deepEqual(errors(diagnostics), []);
  const hover = markdown(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(source, 'split scale, cascade', 1) }));
  // conv2_x.1: three groups of 56×56×26, each a 3×3 convolution and BatchNorm, the cascade, the fourth group kept.
  assert.match(hover, /\*\*split 4, cascade, keep\*\* · `conv2_x\.1\.split1`/);
  assert.match(
    hover,
    /3 groups of 56×56×26, each through its own copy of the layers \(6,136 params and 19,079,424 MACs a group\); each group's output is added into the next group's input first \(cascade\); the last group joins as it is; concatenated to 56×56×104/,
  );
  const stage = markdown(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(source, 'split scale, keep', 1) }));
  assert.match(stage, /the last group runs only its own layers \(avgpool 3×3\)/);
  const inner = markdown(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(source, 'conv 3x3, width, bn', 1) }));
  assert.match(inner, /\*\*conv 3×3, 26\*\* · `conv2_x\.1\.convs\.0`/);

  // Inlay hints inside the split: its first group's shape after each line, and the concatenation's after the split.
  const hints = (await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 60, character: 0 } } })) ?? [];
  const hintOn = (needle: string) => hints.find((h) => h.position.line === positionOf(source, needle).line)?.label;
  assert.equal(hintOn('conv 3x3, width, bn, relu'), '→ 56×56×26');
  assert.equal(hintOn('keep avgpool 3x3'), '→ 56×56×26');

  const flags = await complete(uri, 'block b {\n  split 4, |\n}\n');
  assert.deepEqual(flags, ['cascade', 'keep']);
  const inside = await complete(uri, 'block b {\n  split 4, keep {\n    |\n  }\n}\n');
  for (const label of ['conv', 'bn', 'relu', 'avgpool', 'keep']) assert.ok(inside.includes(label), label);
  assert.ok(!inside.includes('basic'), 'no block calls in a split');

  const broken = 'block b {\n  split 3 { conv 3x3, 16 }\n}\nmodel m {\n  input 8x8x64\n  s b()\n}\n';
  const divide = (await client.change(uri, broken)).diagnostics.find((d) => /must divide the 64 channels/.test(String(d.message))) as Diagnostic;
  assert.ok(divide);
  const [fix] = await quickFixes(uri, divide);
  assert.equal(fix?.title, 'Change to `2`');
  assert.deepEqual(errors((await client.change(uri, applyEdits(broken, fix?.edit?.changes?.[uri] ?? []))).diagnostics), []);
});
