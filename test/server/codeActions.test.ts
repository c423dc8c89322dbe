// The shortcut fix on a model with no `shortcut` line: it adds one under `input`, indented alike.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../../src/core/analysis/analyze';
import type { ModelDecl } from '../../src/core/language/ast';
import { setModelShortcut } from '../../src/server/codeActions';
import { applyEdits } from './lspClient';

function edit(text: string, option: 'A' | 'B'): string | undefined {
  const model = analyze(text).file.items.find((d): d is ModelDecl => d.kind === 'model') as ModelDecl;
  const change = setModelShortcut(TextDocument.create('file:///m.resnet', 'resnet', 1, text), model, option);
  return change && applyEdits(text, [change]);
}

test('option A is added on its own line under `input`, keeping a comment on the `input` line in place', () => {
  const text = 'model m {\n    input 32x32x3, classes 10  // CIFAR\n    conv1 conv 3x3, 16\n}\n';
  assert.equal(edit(text, 'A'), 'model m {\n    input 32x32x3, classes 10  // CIFAR\n    shortcut A\n    conv1 conv 3x3, 16\n}\n');
});

test('a model on one line gets the setting after `input`', () => {
  assert.equal(edit('model m { input 8x8x3, classes 2 }', 'A'), 'model m { input 8x8x3, classes 2\n  shortcut A }');
});

test('no edit where the model already has the option (B is the default)', () => {
  assert.equal(edit('model m {\n  input 8x8x3\n}\n', 'B'), undefined);
  assert.equal(edit('model m {\n  input 8x8x3\n  shortcut A\n}\n', 'A'), undefined);
  assert.equal(edit('model m {\n  input 8x8x3\n  shortcut identity\n}\n', 'A'), 'model m {\n  input 8x8x3\n  shortcut A\n}\n');
  assert.equal(edit('model m {\n  input 8x8x3\n  shortcut\n}\n', 'B'), 'model m {\n  input 8x8x3\n  shortcut B\n}\n');
});
