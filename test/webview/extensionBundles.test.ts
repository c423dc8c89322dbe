// The extension's own translations: package.nls.json / package.nls.ko.json for what package.json
// contributes, l10n/bundle.l10n.json (written by `npm run l10n:export`) / bundle.l10n.ko.json for
// the l10n.t strings (@vscode/l10n, set up by src/extension/displayLanguage.ts). Every key in every language, the same {placeholders}, and the
// exported bundle current with the sources.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
const placeholders = (text: string) =>
  [...text.matchAll(/\{(\w+)\}/g)]
    .map((m) => m[1])
    .sort()
    .join(',');
const HANGUL = /[\uac00-\ud7a3]/;

test('every %key% of package.json is in package.nls.json and package.nls.ko.json, and nothing else', () => {
  const manifest = readFileSync('package.json', 'utf8');
  const used = new Set([...manifest.matchAll(/"%([^"%]+)%"/g)].map((m) => m[1]));
  const en = json('package.nls.json');
  const ko = json('package.nls.ko.json');
  assert.deepEqual(Object.keys(en).sort(), [...used].sort());
  assert.deepEqual(Object.keys(ko).sort(), [...used].sort());
  for (const key of used) assert.match(ko[key], HANGUL, key);
  // Every command the palette lists has its title from the bundles, none typed into package.json.
  const commands = (JSON.parse(manifest) as { contributes: { commands: { command: string; title: string }[] } }).contributes.commands;
  assert.deepEqual(
    commands.filter((c) => !/^%[^%]+%$/.test(c.title)).map((c) => c.command),
    [],
    'command titles not translated',
  );
  // The command palette shows these: the Korean ones the e2e test looks for.
  assert.equal(ko['command.showModelSummary.title'], '모델 요약 보기');
  assert.equal(JSON.parse(manifest).l10n, './l10n');
});

test('the runtime bundle has every l10n.t string of the extension, and Korean has every key with its placeholders', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const literal = /\bl10n\.t\(\s*(['"])((?:\\.|(?!\1).)*)\1/g;
  const files = sources('src/extension');
  const called = new Set(files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(literal)].map((m) => m[2].replace(/\\(['"\\])/g, '$1'))));
  // Every runtime string goes through @vscode/l10n, which src/extension/displayLanguage.ts points at the
  // bundle of the resnet.language setting; vscode.l10n.t would follow VS Code's display language only.
  assert.deepEqual(
    files.filter((file) => /vscode\.l10n\.t\(/.test(readFileSync(file, 'utf8'))),
    [],
    'call l10n.t of @vscode/l10n',
  );
  const en = json('l10n/bundle.l10n.json');
  const ko = json('l10n/bundle.l10n.ko.json');
  assert.ok(called.size > 50, `only ${called.size} strings`);
  assert.deepEqual(
    [...called].filter((s) => !(s in en)),
    [],
    'run npm run l10n:export',
  );
  assert.deepEqual(Object.keys(ko).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en)) {
    assert.equal(placeholders(ko[key]), placeholders(key), key);
    assert.match(ko[key], HANGUL, key);
  }
});
