// One limit, one unit (issue 18, item 9): the language server refuses the same texts the command
// line refuses (bytes of UTF-8, not UTF-16 units).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MAX_SOURCE_BYTES, overSourceLimit, utf8Length } from '../../src/core/sourceSize';
import { LspTestClient } from './lspClient';

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
