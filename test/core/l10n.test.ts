// The message catalogues: every key in every language, every placeholder used in every translation
// (and no placeholder a translation invents), Korean really Korean, and locale tags read as editors,
// LSP clients and POSIX shells write them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { en } from '../../src/core/l10n/en';
import { catalogue, format, msg, PLACEHOLDER, render } from '../../src/core/l10n/format';
import { chosenLocale, LOCALES, localeFromEnvironment, localeOf } from '../../src/core/l10n/locale';
import { readExample } from '../helpers/examples';
import { BROKEN_SHORTCUT_MODEL } from '../helpers/models';

const placeholders = (template: string) => new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]).sort());

test('every language has every key of the English catalogue, and no other', () => {
  const keys = Object.keys(en).sort();
  assert.ok(keys.length > 100, `only ${keys.length} keys`);
  for (const locale of LOCALES) {
    assert.deepEqual(Object.keys(catalogue(locale)).sort(), keys, `${locale} catalogue`);
    for (const key of keys) assert.ok(catalogue(locale)[key as keyof typeof en].trim().length > 0, `${locale} ${key} is empty`);
  }
});

test('every translation uses exactly the placeholders of its English template', () => {
  const problems: string[] = [];
  for (const locale of LOCALES) {
    for (const [key, template] of Object.entries(en)) {
      const want = [...placeholders(template)].join(', ');
      const got = [...placeholders(catalogue(locale)[key as keyof typeof en])].join(', ');
      if (want !== got) problems.push(`${locale} ${key}: {${got}} instead of {${want}}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('Korean messages are Korean, except the ones that are code or paper terms in both languages', () => {
  // Kept the same on purpose: code (`{name}`) and layer names Korean readers use in English (docs/glossary-ko.md).
  const same = new Set([
    'term.code',
    'term.shortcutKind.identity',
    'hover.stageHeading',
    'hover.macs',
    'hover.downsampleSetting',
    'completion.layer.conv',
    'completion.layer.bn',
    'completion.layer.relu',
    'completion.layer.maxpool',
    'completion.layer.globalavgpool',
    'completion.layer.fc',
    'completion.layer.softmax',
    'webview.architecture.macs',
    'term.list2',
    'summary.column.macs',
    'results.column.macs',
    'cost.otherTool',
    'webview.architecture.tip.macs',
    'webview.architecture.diff.macs',
    // `auto` is the --backend value; what follows it is the list of what was tried, each in Korean.
    'backend.autoAfter',
  ]);
  // Translated, but only into terms that stay English in Korean text.
  const fewWords = new Set(['hover.addShortcut', 'diff.column.activations']);
  const ko = catalogue('ko');
  for (const [key, english] of Object.entries(en)) {
    const korean = ko[key as keyof typeof en];
    if (same.has(key)) continue;
    assert.notEqual(korean, english, `${key} is not translated`);
    if (!fewWords.has(key)) assert.match(korean, /[\uac00-\ud7a3]/, `${key} has no Hangul: ${korean}`);
  }
});

test('the English rendering of a diagnostic is its message, byte for byte', () => {
  const texts = [BROKEN_SHORTCUT_MODEL, readExample('imagenet/resnet50.resnet').replace('bottleneck(512)', 'bottlenek(512)').replace('head', 'head )')];
  let keyed = 0;
  for (const text of texts) {
    for (const d of analyze(text).diagnostics) {
      if (!d.text) continue;
      keyed++;
      assert.equal(render('en', d.text), d.message);
      assert.notEqual(render('ko', d.text), d.message);
      for (const r of d.related ?? []) if (r.text) assert.equal(render('en', r.text), r.message);
    }
  }
  assert.ok(keyed >= 3, `only ${keyed} keyed diagnostics`);
});

test('a placeholder takes a value as is, or a term rendered in the same language', () => {
  assert.equal(
    format('en', 'argument.tooMany', { what: msg('term.stageOf', { name: 'basic' }), specs: msg('term.noArguments') }),
    'too many arguments for the stage of `basic`: it takes no arguments',
  );
  assert.equal(format('ko', 'argument.tooMany', { what: msg('term.stageOf', { name: 'basic' }), specs: msg('term.noArguments') }), '`basic`의 스테이지의 인수가 너무 많습니다. 받는 인수: 인수 없음');
  // `{ … }` in a message is text, not a placeholder.
  assert.equal(format('en', 'model.twoRecipes'), 'a model has one `train { … }` recipe; merge the two');
});

test('locale tags: VS Code, LSP and POSIX forms; English for the rest', () => {
  for (const tag of ['ko', 'ko-KR', 'ko_KR.UTF-8', 'KO_kr.utf8', 'ko_KR@euro']) assert.equal(localeOf(tag), 'ko', tag);
  for (const tag of ['en', 'en-US', 'C', 'POSIX', 'C.UTF-8', 'ja-JP', 'kok', '', undefined]) assert.equal(localeOf(tag), 'en', String(tag));
  assert.equal(localeFromEnvironment({ LANG: 'ko_KR.UTF-8' }), 'ko');
  assert.equal(localeFromEnvironment({ LC_ALL: 'C', LANG: 'ko_KR.UTF-8' }), 'en');
  assert.equal(localeFromEnvironment({ LC_ALL: '', LC_MESSAGES: 'ko_KR.UTF-8', LANG: 'en_US.UTF-8' }), 'ko');
  assert.equal(localeFromEnvironment({}), 'en');
});

test('resnet.language: a named language wins over the display language; "auto" and anything else follow it', () => {
  assert.equal(chosenLocale('ko', 'en'), 'ko');
  assert.equal(chosenLocale('en', 'ko'), 'en');
  assert.equal(chosenLocale('auto', 'ko'), 'ko');
  assert.equal(chosenLocale('auto', 'en-US'), 'en');
  assert.equal(chosenLocale(undefined, 'ko-KR'), 'ko');
  assert.equal(chosenLocale('fr', 'ko'), 'ko');
  assert.equal(chosenLocale(42, undefined), 'en');
});
