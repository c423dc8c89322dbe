// The extension side of the architecture view, under Node with a fake `vscode` and the real
// language server (over stdio): the page it serves, the graph it passes on when the page is ready
// and when diagnostics change, the cursor it moves for a click, exports, diff mode, and what it
// drops.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { LanguageClient } from 'vscode-languageclient/node';
import { parseToArchitecture } from '../../src/protocol/architecture';
import type { ArchitectureDeps } from '../../src/extension/architecturePanel';
import { readExample } from '../helpers/examples';
import { until } from '../helpers/until';
import { LspTestClient } from '../server/lspClient';

register('./vscodeLoader.ts', import.meta.url);
const fake = await import('./fakeVscode');
const { ArchitecturePanel } = await import('../../src/extension/architecturePanel');

const root = mkdtempSync(join(tmpdir(), 'resnet-arch-panel-'));
const file = join(root, 'resnet20.resnet');
const source = readExample('cifar/resnet20.resnet');
writeFileSync(file, source);
const uri = fake.Uri.file(file).toString();
let lsp: LspTestClient;

before(async () => {
  lsp = await LspTestClient.start();
  await lsp.open(uri, source);
});
after(async () => {
  await lsp.stop();
  rmSync(root, { recursive: true, force: true });
});

function setup() {
  const logs: string[] = [];
  const log = { info: (t: string) => logs.push(`info ${t}`), warn: (t: string) => logs.push(`warn ${t}`), error: (t: string) => logs.push(`error ${t}`) } as unknown as ArchitectureDeps['log'];
  // The panel only sends requests: they go to the real server, and are counted on the way.
  const requests: string[] = [];
  const client = {
    sendRequest: (type: { method: string }, params: unknown) => {
      requests.push(type.method);
      return lsp.connection.sendRequest(type as never, params);
    },
  } as unknown as LanguageClient;
  const deps: ArchitectureDeps = { extensionUri: fake.Uri.file('/ext') as never, client, log };
  return { deps, logs, requests };
}

type Posted = { type: string; [key: string]: unknown };
const postedOf = (panel: InstanceType<typeof fake.FakePanel>) => panel.webview.posted as Posted[];
const count = (panel: InstanceType<typeof fake.FakePanel>, type: string) => postedOf(panel).filter((m) => m.type === type).length;

test('the page is served under a CSP with a nonce, and gets the graph when ready and when diagnostics change', async () => {
  const { deps, requests } = setup();
  const panel = ArchitecturePanel.show(deps, { uri });
  const fakePanel = fake.recorded.panels.at(-1)!;
  assert.equal(fakePanel.viewType, 'resnetArchitecture');
  const html = fakePanel.webview.html;
  const nonce = /nonce-([^']+)'/.exec(html)?.[1];
  assert.ok(nonce && html.includes(`<script nonce="${nonce}" src="file:///ext/dist/webview/architecture.js"></script>`), html);
  assert.match(html, /default-src 'none'/);
  // Opening asks for the graph once; the page's "ready" asks again.
  await until('the graph asked for on opening', () => count(fakePanel, 'graph') === 1);
  fakePanel.webview.posted.length = 0;
  fakePanel.webview.receive({ type: 'ready' });
  await until('the graph sent for "ready"', () => count(fakePanel, 'graph') === 1);
  const graph = postedOf(fakePanel).find((m) => m.type === 'graph');
  assert.ok(graph && parseToArchitecture(graph), 'a well-formed graph message');
  assert.equal((graph.graph as { model: string }).model, 'resnet20');
  fakePanel.webview.posted.length = 0;
  fake.events.diagnostics.fire({ uris: [fake.Uri.file(file)] });
  await until('the graph redrawn for its diagnostics', () => count(fakePanel, 'graph') === 1);
  // Diagnostics of another file do not redraw: no request goes out for them, and after the next
  // diagnostics of this file, the one graph that comes is that one's.
  const asked = requests.length;
  fake.events.diagnostics.fire({ uris: [fake.Uri.file(join(root, 'other.resnet'))] });
  fake.events.diagnostics.fire({ uris: [fake.Uri.file(file)] });
  await until("the graph redrawn for this file's next diagnostics", () => count(fakePanel, 'graph') === 2);
  assert.deepEqual(requests.slice(asked), ['resnet/architectureGraph']);
  panel.dispose();
});

test('a click moves the cursor; the cursor is passed to the page; exports are saved where asked', async () => {
  const { deps, logs } = setup();
  const panel = ArchitecturePanel.show(deps, { uri });
  const fakePanel = fake.recorded.panels.at(-1)!;
  await until('the graph', () => count(fakePanel, 'graph') === 1);
  const shownBefore = fake.recorded.shownDocuments.length;
  fakePanel.webview.receive({ type: 'reveal', line: 7, column: 12 });
  await until('the editor shown at the node', () => fake.recorded.shownDocuments.length > shownBefore);
  const shown = fake.recorded.shownDocuments.at(-1);
  assert.equal(shown?.path, file);
  assert.deepEqual([shown?.selection?.start.line, shown?.selection?.start.character], [6, 11]);

  fake.events.selection.fire({ textEditor: { document: new fake.FakeDocument(fake.Uri.file(file)) }, selections: [{ active: new fake.Position(8, 4) }] });
  assert.deepEqual((fakePanel.webview.posted as Posted[]).at(-1), { type: 'cursor', line: 9, column: 5 });

  fake.recorded.saveTo = fake.Uri.file(join(root, 'out.svg'));
  const writtenBefore = fake.recorded.written.length;
  fakePanel.webview.receive({ type: 'exportSvg', fileName: '../../resnet20.svg', svg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' });
  await until('the SVG written', () => fake.recorded.written.length > writtenBefore);
  assert.equal(fake.recorded.written.at(-1)?.path, join(root, 'out.svg'));
  assert.equal(Buffer.from(fake.recorded.written.at(-1)!.bytes).toString('utf8'), '<svg xmlns="http://www.w3.org/2000/svg"></svg>');

  // Malformed messages are dropped as they come (checked before anything is awaited)...
  fakePanel.webview.receive({ type: 'exportSvg', fileName: 'x.svg', svg: '<script>alert(1)</script>' });
  fakePanel.webview.receive({ type: 'reveal', line: 0, column: 1 });
  assert.equal(logs.filter((l) => l.startsWith('warn architecture view: dropped a malformed message')).length, 2);
  // ...and act on nothing: after a good reveal, the one editor shown is that one's.
  const shownAfterDropped = fake.recorded.shownDocuments.length;
  fakePanel.webview.receive({ type: 'reveal', line: 2, column: 1 });
  await until('the editor shown for the good reveal', () => fake.recorded.shownDocuments.length > shownAfterDropped);
  assert.deepEqual(
    fake.recorded.shownDocuments.slice(shownAfterDropped).map((d) => d.selection?.start.line),
    [1],
  );
  assert.equal(fake.recorded.written.length, writtenBefore + 1, 'the script was not saved');
  panel.dispose();
});

test('diff mode: compared with another version, the page gets the diff; back to the live view on request', async () => {
  const { deps } = setup();
  const against = { text: readExample('cifar/resnet20-b.resnet'), label: 'resnet20-b.resnet', model: 'resnet20_b' };
  const panel = ArchitecturePanel.compare(deps, { uri, model: 'resnet20' }, against);
  const fakePanel = fake.recorded.panels.at(-1)!;
  await until('the diff', () => count(fakePanel, 'diff') > 0);
  const diff = postedOf(fakePanel)
    .filter((m) => m.type === 'diff')
    .at(-1);
  assert.ok(diff && parseToArchitecture(diff), JSON.stringify(fakePanel.webview.posted).slice(0, 600));
  assert.equal((diff.diff as { delta: { params: number } }).delta.params < 0, true, 'option A has fewer params than B');
  fakePanel.webview.posted.length = 0;
  fakePanel.webview.receive({ type: 'followCursor' });
  await until('the live graph', () => count(fakePanel, 'graph') > 0);
  assert.deepEqual(
    postedOf(fakePanel)
      .map((m) => m.type)
      .filter((t) => t !== 'cursor'),
    ['graph'],
  );
  panel.dispose();
});

test('after a reload the serializer follows the file the page had saved', async () => {
  const { deps } = setup();
  const restoredPanel = new fake.FakePanel('resnetArchitecture', {});
  ArchitecturePanel.restore(restoredPanel as never, { uri, metric: 'params' }, deps);
  await until('the graph of the saved file', () => count(restoredPanel, 'graph') > 0);
  const graph = postedOf(restoredPanel).find((m) => m.type === 'graph');
  assert.equal(graph?.uri, uri);
  restoredPanel.dispose();
});

test('a settings change (the batch size) redraws the graph at the new batch, without an edit', async () => {
  const { deps } = setup();
  const panel = ArchitecturePanel.show(deps, { uri });
  const fakePanel = fake.recorded.panels.at(-1)!;
  await until('the first graph', () => count(fakePanel, 'graph') === 1);
  await lsp.connection.sendNotification('workspace/didChangeConfiguration', { settings: { resnet: { summary: { batchSize: 32 } } } });
  fake.events.configuration.fire({ affectsConfiguration: (section: string) => section === 'resnet' || section === 'resnet.summary' });
  await until('the graph redrawn for the settings', () => count(fakePanel, 'graph') === 2);
  const batchOfLatest = () =>
    (
      postedOf(fakePanel)
        .filter((m) => m.type === 'graph')
        .at(-1)?.graph as { batchSize: number } | undefined
    )?.batchSize;
  assert.equal(batchOfLatest(), 32);
  // Another extension's settings redraw nothing: the next graph is the one the next change asks for.
  fake.events.configuration.fire({ affectsConfiguration: (section: string) => section === 'editor' });
  await lsp.connection.sendNotification('workspace/didChangeConfiguration', { settings: { resnet: { summary: { batchSize: 128 } } } });
  fake.events.configuration.fire({ affectsConfiguration: (section: string) => section === 'resnet' });
  await until('the graph redrawn once more', () => count(fakePanel, 'graph') === 3);
  assert.equal(batchOfLatest(), 128);
  panel.dispose();
});
