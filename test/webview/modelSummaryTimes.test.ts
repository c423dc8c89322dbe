// The extension side of the summary coloured by measured time, under Node with a fake `vscode` and
// the real language server (over stdio): without times the summary says how to get them and
// nothing is coloured; loading times for the file recomputes the open summary, and each layer's
// row gets a background by its heat and its ms and share after it, on the line the server named.
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { after, before, test } from 'node:test';
import type { LanguageClient } from 'vscode-languageclient/node';
import type * as vscode from 'vscode';
import { analyze } from '../../src/core/analysis/analyze';
import { modelLayers } from '../../src/core/analysis/network';
import { readExample } from '../helpers/examples';
import { LspTestClient } from '../server/lspClient';

register('./vscodeLoader.ts', import.meta.url);
const fake = await import('./fakeVscode');
const { registerModelSummary, summaryUri, SUMMARY_SCHEME } = await import('../../src/extension/modelSummary');
const { MeasuredTimes } = await import('../../src/extension/measuredTimes');

const uri = 'file:///test/summary-times/resnet20.resnet';
const source = readExample('cifar/resnet20.resnet');
let lsp: LspTestClient;

before(async () => {
  lsp = await LspTestClient.start();
  await lsp.open(uri, source);
});
after(async () => {
  await lsp.stop();
});

test('the summary of a file with measured times loaded has its rows coloured by share; without, it says how to get them', async () => {
  const client = { sendRequest: (type: unknown, params: unknown) => lsp.connection.sendRequest(type as never, params) } as unknown as LanguageClient;
  const context = { subscriptions: [] as { dispose(): void }[] } as unknown as vscode.ExtensionContext;
  const measured = new MeasuredTimes();
  registerModelSummary(context, client, measured);
  const provider = fake.recorded.contentProviders.get(SUMMARY_SCHEME);
  assert.ok(provider, 'the summary scheme has a content provider');
  const summary = summaryUri({ uri, model: 'resnet20' }) as unknown as ReturnType<typeof fake.Uri.file>;

  // No times: the note, and no decoration.
  const plain = await provider.provideTextDocumentContent(summary);
  assert.match(plain, /No measured times for resnet20: to colour this table by them, run `resnet-studio profile FILE --model resnet20 --json > times\.json`/);
  let editor = fake.FakeTextEditor.over(summary, plain);
  fake.window.visibleTextEditors = [editor];
  fake.workspace.textDocuments = [{ uri: summary }];
  fake.events.visibleEditors.fire([editor]);
  assert.ok(
    [...editor.decorations.values()].every((d) => d.length === 0),
    'nothing coloured without times',
  );

  // Times are loaded for the file: the open summary is recomputed (VS Code asks the provider again).
  const changed = new Promise<unknown>((done) => (provider as unknown as { onDidChange(l: (u: unknown) => void): unknown }).onDidChange(done));
  const layers = [...modelLayers(analyze(source).models[0])];
  const slow = 'conv3_x.1.conv2';
  measured.set(uri, {
    model: 'resnet20',
    engine: 'tfjs',
    device: 'wasm, CPU',
    batch: 8,
    layers: layers.map((l) => ({ path: l.path, forwardMs: l.path === slow ? 8 : 0.5, backwardMs: l.path === slow ? 8 : 0.5 })),
  });
  assert.equal(String(await changed), summary.toString());
  const timed = await provider.provideTextDocumentContent(summary);
  editor = fake.FakeTextEditor.over(summary, timed);
  fake.window.visibleTextEditors = [editor];
  fake.events.textDocumentChanged.fire({ document: { uri: summary } });

  const lines = timed.split('\n');
  const notes = [...editor.decorations].find(([type]) => type.options.after !== undefined)?.[1] ?? [];
  assert.equal(notes.length, layers.length + analyze(source).models[0].stages.length, 'every layer and stage row has its ms and share');
  const noteOn = (path: string) => notes.find((n) => lines[n.range.start.line].startsWith(`${path} `));
  const total = layers.length - 1 + 16;
  assert.equal(noteOn(slow)?.renderOptions?.after?.contentText, `16.000 ms · ${((100 * 16) / total).toFixed(1)}% of the measured time`);
  assert.equal(noteOn('conv1.conv1')?.renderOptions?.after?.contentText, `1.000 ms · ${((100 * 1) / total).toFixed(1)}% of the measured time`);
  // Backgrounds: the slowest layer in the strongest step, a layer 16 times faster in the faintest.
  const backgrounds = [...editor.decorations].filter(([type]) => type.options.backgroundColor !== undefined);
  const stepOf = (path: string) => backgrounds.findIndex(([, options]) => options.some((o) => lines[o.range.start.line].startsWith(`${path} `)));
  assert.equal(stepOf(slow), backgrounds.length - 1);
  assert.equal(stepOf('conv1.conv1'), 0);
  const alpha = (i: number) => Number(/,\s*([\d.]+)\)$/.exec(backgrounds[i][0].options.backgroundColor ?? '')?.[1]);
  assert.ok(alpha(backgrounds.length - 1) > alpha(0), 'a slower row has a stronger background');
  for (const d of context.subscriptions) d.dispose();
});
