// The language server under random edits and hostile documents, over the real JSON-RPC protocol
// (issue 9): whatever the document, the server stays alive, publishes a bounded number of
// diagnostics for the latest version, and answers every request (with a result, never an error).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  InlayHintRequest,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { MAX_DIAGNOSTICS_PER_FILE } from '../../src/core/analysis/analyze';
import { ModelSummaryRequest, ModelTotalsRequest } from '../../src/protocol/languageServer';
import { exampleFiles, readExample } from '../helpers/examples';
import { LspTestClient } from './lspClient';

let client: LspTestClient;
// A short debounce: edits in a burst are analyzed once, from a timer, as in an editor.
before(async () => (client = await LspTestClient.start({ initializationOptions: { diagnosticsDelayMs: 5 } })));
after(async () => client.stop());

const examples = exampleFiles().map(readExample);
const fragments = [
  'model',
  'block',
  'let',
  'train {',
  'add',
  'conv 3x3, 8',
  'bn',
  'relu',
  'fc',
  'basic(',
  'bottleneck(64) x 3',
  '{',
  '}',
  '(',
  ')',
  ',',
  '\n',
  ' x ',
  'x',
  '×',
  '=',
  '-',
  '-1',
  '*',
  '/',
  '//',
  '/*',
  '*/',
  '99999999999',
  '1e308',
  ':',
  ';',
  '@',
  '\u0000',
  '\u001b[31m',
  '\ud800',
  '"',
  '\\',
  'é',
  '\r\n',
  '    ',
];

function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

let documentCount = 0;
const versions = new Map<string, number>();

/** Sends edits (each replaces [start, end) with text) as one didChange each, and waits for the last version's diagnostics. */
async function edit(uri: string, text: string, edits: readonly { start: number; end: number; insert: string }[]): Promise<{ text: string; published: PublishDiagnosticsParams }> {
  let current = text;
  let version = versions.get(uri) ?? 1;
  let published: Promise<PublishDiagnosticsParams> | undefined;
  for (const [i, e] of edits.entries()) {
    const start = Math.min(e.start, current.length);
    const end = Math.min(Math.max(e.end, start), current.length);
    const range = { start: positionAt(current, start), end: positionAt(current, end) };
    current = current.slice(0, start) + e.insert + current.slice(end);
    version++;
    if (i === edits.length - 1) published = client.nextDiagnostics(uri, version);
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ range, text: e.insert }] });
  }
  versions.set(uri, version);
  return { text: current, published: await (published as Promise<PublishDiagnosticsParams>) };
}

async function open(text: string): Promise<{ uri: string; published: PublishDiagnosticsParams }> {
  const uri = `file:///fuzz/doc${documentCount++}.resnet`;
  versions.set(uri, 1);
  return { uri, published: await client.open(uri, text) };
}

async function close(uri: string): Promise<void> {
  await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
}

/** Every request the server answers, at `offset`: each must resolve (a failure inside is answered with a fallback). */
async function askEverything(uri: string, text: string, offset: number): Promise<void> {
  const position = positionAt(text, Math.min(offset, text.length));
  const textDocument = { uri };
  const whole = { start: { line: 0, character: 0 }, end: positionAt(text, text.length) };
  await Promise.all([
    client.connection.sendRequest(HoverRequest.type, { textDocument, position }),
    client.connection.sendRequest(CompletionRequest.type, { textDocument, position }),
    client.connection.sendRequest(DefinitionRequest.type, { textDocument, position }),
    client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument }),
    client.connection.sendRequest(FoldingRangeRequest.type, { textDocument }),
    client.connection.sendRequest(CodeLensRequest.type, { textDocument }),
    client.connection.sendRequest(InlayHintRequest.type, { textDocument, range: whole }),
    client.connection.sendRequest(CodeActionRequest.type, { textDocument, range: { start: position, end: position }, context: { diagnostics: [] } }),
    client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument, options: { tabSize: 2, insertSpaces: true } }),
    client.connection.sendRequest(ModelTotalsRequest, { uri, position }),
    client.connection.sendRequest(ModelSummaryRequest, { uri }),
  ]);
}

function checkPublished(published: PublishDiagnosticsParams): void {
  assert.ok(published.diagnostics.length <= MAX_DIAGNOSTICS_PER_FILE, `${published.diagnostics.length} diagnostics`);
  for (const d of published.diagnostics) assert.ok(d.range.start.line >= 0 && d.range.start.character >= 0);
}

test('random edits to the examples: the server stays alive and answers every request', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: examples.length - 1 }),
      fc.array(fc.record({ at: fc.nat(), length: fc.nat({ max: 40 }), insert: fc.array(fc.constantFrom(...fragments), { maxLength: 4 }).map((w) => w.join(' ')) }), { minLength: 1, maxLength: 8 }),
      fc.nat(),
      async (index, changes, askAt) => {
        const start = examples[index];
        const { uri } = await open(start);
        const edits = changes.map((c) => ({ start: c.at % (start.length + 1), end: (c.at % (start.length + 1)) + c.length, insert: c.insert }));
        const { text, published } = await edit(uri, start, edits);
        checkPublished(published);
        await askEverything(uri, text, askAt % (text.length + 1));
        await close(uri);
        assert.ok(client.alive, client.stderr);
      },
    ),
    { numRuns: 15 },
  );
});

test('hostile documents: huge, deep, binary, endless expansions; each answered with bounded diagnostics', async () => {
  const chain = ['block b0(w) { conv 3x3, w }'];
  for (let i = 1; i < 2000; i++) chain.push(`block b${i}(w) { b${i - 1}(w) }`);
  chain.push('model m {\n  input 8x8x3\n  s b1999(4)\n}');
  const hostile: [string, string][] = [
    ['300 KB of one bad character', '@ '.repeat(150_000)],
    ['5,000 nested parentheses', `model m {\n  input 8x8x3\n  a conv 3x3, ${'('.repeat(5000)}8${')'.repeat(5000)}\n}`],
    ['a chain of 2,000 blocks', chain.join('\n')],
    ['fifty instances of 80,000 blocks', `model t(n) {\n  input 8x8x3\n  s basic(4) x n\n}\n${Array.from({ length: 50 }, (_, i) => `model m${i} = t(n = 80000)`).join('\n')}`],
    ['over the length limit', 'model m {\n  input 8x8x3\n}\n'.repeat(60_000)],
    ['binary bytes', Array.from({ length: 20_000 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('')],
    ['UTF-16 read as UTF-8', Buffer.from(examples[0], 'utf16le').toString('latin1')],
    ['counts past 2^53', 'model m {\n  input 1x1x1048576\n  a conv 1x1, 4294967296\n  b conv 1x1, 1048576\n}'],
    ['an endless comment', `/* ${'model m {\n'.repeat(3_000)}`],
  ];
  for (const [what, text] of hostile) {
    const { uri, published } = await open(text);
    checkPublished(published);
    await askEverything(uri, text, Math.floor(text.length / 2));
    // The same text arriving as an edit goes through the debounce timer, where a throw would end the server.
    const edited = await edit(uri, text, [{ start: 0, end: 0, insert: ' ' }]);
    checkPublished(edited.published);
    await close(uri);
    assert.ok(client.alive, `${what}: ${client.stderr}`);
  }
  // Still answering a normal document, with its normal diagnostics.
  const { uri, published } = await open(readExample('cifar/resnet20.resnet'));
  assert.deepEqual(published.diagnostics, []);
  await askEverything(uri, readExample('cifar/resnet20.resnet'), 100);
});
