// One limit, one unit, one rule (issue 18, item 9): the language server refuses the same texts the
// command line refuses (bytes of UTF-8, not UTF-16 units), and checks its settings by the command
// line's rule for the same number, saying so, instead of hovering figures for a batch of 1e300.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DidChangeConfigurationNotification, HoverRequest, MessageType, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { BATCH_SIZE, MAX_MEMORY_BUDGET_MIB } from '../../src/core/optionRules';
import { MAX_SOURCE_BYTES, overSourceLimit, utf8Length } from '../../src/core/sourceSize';
import { readSettings } from '../../src/server/settings';
import { LspTestClient, positionOf } from './lspClient';

const dir = mkdtempSync(join(tmpdir(), 'resnet-limits-'));

function check(text: string): { code: number | null; stderr: string } {
  const file = join(dir, 'korean.resnet');
  writeFileSync(file, text);
  const r = spawnSync(process.execPath, ['dist/cli.cjs', 'check', file], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stderr: r.stderr };
}

/** A comment of Hangul (3 bytes each in UTF-8, one UTF-16 unit) that is `bytes` long in UTF-8. */
function koreanText(bytes: number): string {
  const text = `// ${'가'.repeat(Math.floor((bytes - 3) / 3))}`;
  return text + '\n'.repeat(bytes - Buffer.byteLength(text));
}

test('the byte count of a text is its UTF-8 length, surrogate pairs and lone surrogates as a file holds them', () => {
  for (const text of ['', 'model', '가나다', 'é', '😀', 'a\ud800b', '\udc00', `x${'가'.repeat(1000)}😀`]) {
    assert.equal(utf8Length(text), Buffer.byteLength(text, 'utf8'), JSON.stringify(text));
  }
});

test('1,048,579 bytes of Korean: refused by the language server as by check; 1,048,576: accepted by both', async () => {
  const over = koreanText(MAX_SOURCE_BYTES + 3);
  const at = koreanText(MAX_SOURCE_BYTES);
  assert.equal(Buffer.byteLength(over), 1_048_579);
  assert.ok(over.length < MAX_SOURCE_BYTES / 2, 'far fewer UTF-16 units than bytes');
  assert.equal(Buffer.byteLength(at), MAX_SOURCE_BYTES);
  assert.equal(overSourceLimit(over), true);
  assert.equal(overSourceLimit(at), false);

  const cli = check(over);
  assert.equal(cli.code, 2);
  assert.match(cli.stderr, /it is over 1,048,576 bytes \(1 MiB\), the most a \.resnet file may have/);
  assert.equal(check(at).code, 0);

  const client = await LspTestClient.start({ initializationOptions: { diagnosticsDelayMs: 5 } });
  try {
    const refused = await client.open('file:///limits/over.resnet', over);
    assert.deepEqual(
      refused.diagnostics.map((d) => [d.code, d.message]),
      [
        [
          'too-large',
          'this file is 1,048,579 bytes of UTF-8, over the 1,048,576 bytes (1 MiB) a .resnet file may have; it is not analyzed: split it, or use repeat counts (`basic(64) x 3`) instead of writing layers out',
        ],
      ],
    );
    const accepted = await client.open('file:///limits/at.resnet', at);
    assert.deepEqual(accepted.diagnostics, []);
  } finally {
    await client.stop();
  }
});

const MODEL = 'model m {\n  input 32x32x3, classes 10\n  s conv 3x3, 16, bn, relu\n  head avgpool, fc 10\n}\n';

async function modelHover(client: LspTestClient, uri: string): Promise<string> {
  const answer = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(MODEL, 'model ', 'model '.length) });
  return (answer?.contents as MarkupContent | undefined)?.value ?? '';
}

/** Waits until the server has shown `count` messages (it shows a settings problem once). */
async function shownMessages(client: LspTestClient, count: number): Promise<string[]> {
  for (let i = 0; i < 200 && client.shown.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 25));
  return client.shown.map((m) => m.message);
}

test('resnet.summary.batchSize 1e300 is refused by the rule of --batch, said once, and the hover uses the default', async () => {
  // The command line refuses the same batch, with the same words.
  const stats = spawnSync(process.execPath, ['dist/cli.cjs', 'stats', 'examples/cifar/resnet20.resnet', '--batch', '2000000'], { encoding: 'utf8' });
  assert.equal(stats.status, 2);
  assert.match(stats.stderr, /--batch takes a whole number from 1 to 1,048,576, not "2000000"/);

  const client = await LspTestClient.start({ initializationOptions: { diagnosticsDelayMs: 5, settings: { summary: { batchSize: 1e300 } } } });
  try {
    const uri = 'file:///limits/settings.resnet';
    await client.open(uri, MODEL);
    const hover = await modelHover(client, uri);
    assert.doesNotMatch(hover, /e\+\d+ TiB/, hover);
    assert.match(hover, /Activations for training, batch 128 /);
    assert.deepEqual(await shownMessages(client, 1), ['resnet.summary.batchSize takes a whole number from 1 to 1,048,576, not 1e+300; the default, 128, is used until it is fixed']);
    assert.equal(client.shown[0]?.type, MessageType.Warning);

    // Changed to another bad value (the CLI's refused 2,000,000, and a fraction), then a good one.
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { resnet: { summary: { batchSize: 2_000_000 }, costs: { memoryBudgetMiB: 1e300 } } } });
    const said = await shownMessages(client, 3);
    assert.deepEqual(said.slice(1), [
      'resnet.summary.batchSize takes a whole number from 1 to 1,048,576, not 2000000; the default, 128, is used until it is fixed',
      'resnet.costs.memoryBudgetMiB takes the memory in MiB, from 0 (no budget) to 1,073,741,824 (e.g. 8192 for 8 GiB), not 1e+300; the default, 8192, is used until it is fixed',
    ]);
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { resnet: { summary: { batchSize: 32 } } } });
    for (let i = 0; i < 200 && !/batch 32 /.test(await modelHover(client, uri)); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.match(await modelHover(client, uri), /Activations for training, batch 32 /);
    assert.equal(client.shown.length, 3, 'nothing more to say');
  } finally {
    await client.stop();
  }
});

test("the settings' declared bounds (package.json, VS Code's settings editor) are the rules' own", () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { configuration: { properties: Record<string, { minimum?: number; maximum?: number }> } } };
  const properties = manifest.contributes.configuration.properties;
  assert.deepEqual(properties['resnet.summary.batchSize'], { ...properties['resnet.summary.batchSize'], minimum: BATCH_SIZE.min, maximum: BATCH_SIZE.max });
  assert.deepEqual(properties['resnet.costs.memoryBudget'], { ...properties['resnet.costs.memoryBudget'], minimum: 0, maximum: MAX_MEMORY_BUDGET_MIB });
  assert.deepEqual(properties['resnet.costs.memoryBudgetMiB'], { ...properties['resnet.costs.memoryBudgetMiB'], minimum: 0, maximum: MAX_MEMORY_BUDGET_MIB });
});

test('the memory budget setting reads as "Memory Budget" in the Settings editor; its earlier name still counts when it alone is set', () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { configuration: { properties: Record<string, { deprecationMessage?: string }> } } };
  const properties = manifest.contributes.configuration.properties;
  // VS Code titles a setting by splitting its last name at capitals ("MiB" shows as "Mi B"): no
  // setting in use ends in such a unit or acronym.
  assert.deepEqual(
    Object.keys(properties).filter((k) => properties[k]?.deprecationMessage === undefined && /[A-Z][a-z]?[A-Z]$/.test(k)),
    [],
  );
  assert.ok(manifest.contributes.configuration.properties['resnet.costs.memoryBudgetMiB']?.deprecationMessage);
  assert.equal(readSettings({ costs: { memoryBudget: 2048 } }).settings.costs.memoryBudgetMiB, 2048);
  assert.equal(readSettings({ costs: { memoryBudgetMiB: 1024 } }).settings.costs.memoryBudgetMiB, 1024);
  assert.equal(readSettings({ costs: { memoryBudget: 2048, memoryBudgetMiB: 1024 } }).settings.costs.memoryBudgetMiB, 2048);
  assert.equal(readSettings({ costs: { memoryBudget: -1 } }).problems.length, 1);
});
