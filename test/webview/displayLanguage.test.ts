// The resnet.language setting on the extension's side (src/extension/displayLanguage.ts), under
// Node with the fake VS Code API: the runtime strings (l10n.t of @vscode/l10n) follow the setting
// even where VS Code's display language is English (no Korean language pack), switch when it
// changes, and with "auto" follow VS Code. The Korean comes from l10n/bundle.l10n.ko.json.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import * as l10n from '@vscode/l10n';
import { REPO_ROOT } from './browserHost';

register('./vscodeLoader.ts', import.meta.url);
const fake = await import('./fakeVscode');
const { displayLocale, useDisplayLanguage } = await import('../../src/extension/displayLanguage');

const korean = JSON.parse(readFileSync(join(REPO_ROOT, 'l10n', 'bundle.l10n.ko.json'), 'utf8')) as Record<string, string>;
const context = { asAbsolutePath: (path: string) => join(REPO_ROOT, path) };
const change = (value: string) => {
  fake.workspace.settings = { 'resnet.language': value };
  fake.events.configuration.fire({ affectsConfiguration: (section: string) => section === 'resnet.language' || section === 'resnet' });
};

test('resnet.language "ko" in an English VS Code: Korean runtime strings; back to English when it changes', () => {
  fake.env.language = 'en';
  fake.workspace.settings = { 'resnet.language': 'ko' };
  const seen: string[] = [];
  const subscription = useDisplayLanguage(context as never, (locale) => seen.push(locale));
  try {
    assert.equal(displayLocale(), 'ko');
    assert.equal(l10n.t('Show Log'), korean['Show Log']);
    assert.match(l10n.t('Show Log'), /[\uac00-\ud7a3]/);
    // Placeholders are filled in the Korean template.
    const failed = l10n.t('Training {0} failed: {1}', 'resnet20', 'out of memory');
    assert.match(failed, /resnet20/);
    assert.match(failed, /out of memory/);
    assert.notEqual(failed, 'Training resnet20 failed: out of memory');

    change('en');
    assert.deepEqual(seen, ['en'], 'open webviews are told to reload in English');
    assert.equal(l10n.t('Show Log'), 'Show Log');

    // "auto" follows VS Code's display language: English here, so nothing changes.
    change('auto');
    assert.deepEqual(seen, ['en']);
    assert.equal(l10n.t('Show Log'), 'Show Log');

    change('ko');
    assert.deepEqual(seen, ['en', 'ko']);
    assert.equal(l10n.t('Show Log'), korean['Show Log']);
  } finally {
    subscription.dispose();
    l10n.config({ contents: {} });
  }
});

test('"auto" in a Korean VS Code uses the bundle VS Code loaded; "en" overrides it', () => {
  fake.env.language = 'ko';
  fake.l10n.bundle = { 'Show Log': '로그 보기 (VS Code가 읽은 번들)' };
  fake.workspace.settings = {};
  const subscription = useDisplayLanguage(context as never, () => undefined);
  try {
    assert.equal(displayLocale(), 'ko');
    assert.equal(l10n.t('Show Log'), '로그 보기 (VS Code가 읽은 번들)');
    change('en');
    assert.equal(displayLocale(), 'en');
    assert.equal(l10n.t('Show Log'), 'Show Log');
  } finally {
    subscription.dispose();
    fake.env.language = 'en';
    fake.l10n.bundle = undefined;
    fake.workspace.settings = {};
    l10n.config({ contents: {} });
  }
});
