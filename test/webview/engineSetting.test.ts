// The editor honours the training engine: `resnet.training.engine` (auto follows the recipe's
// `engine pytorch`), and the Python comes from `resnet.training.python`, a user setting that
// Restricted Mode ignores in workspace settings — never from a run folder. Under Node, with a fake `vscode`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { test } from 'node:test';

register('./vscodeLoader.ts', import.meta.url);
const fake = await import('./fakeVscode');
const { engineFields, engineSetting, pythonField, SETTINGS } = await import('../../src/extension/training/settings');

test('auto follows the recipe, else TF.js for a named backend, else the fastest present (with the Python of the settings); the setting overrides it', () => {
  fake.workspace.settings = {};
  assert.deepEqual(engineFields(undefined, 'auto'), { engine: 'auto' });
  assert.deepEqual(engineFields(undefined, 'wasm'), {});
  assert.deepEqual(engineFields('tfjs', 'auto'), {});
  assert.deepEqual(engineFields('pytorch', 'auto'), { engine: 'pytorch' });
  fake.workspace.settings = { [SETTINGS.engine]: 'tfjs' };
  assert.deepEqual(engineFields('pytorch', 'auto'), {});
  fake.workspace.settings = { [SETTINGS.engine]: 'pytorch', [SETTINGS.python]: ' /opt/venv/bin/python ' };
  assert.deepEqual(engineFields(undefined, 'auto'), { engine: 'pytorch', python: '/opt/venv/bin/python' });
  assert.deepEqual(pythonField(), { python: '/opt/venv/bin/python' });
  fake.workspace.settings = { [SETTINGS.python]: '/opt/venv/bin/python' };
  assert.deepEqual(engineFields(undefined, 'auto'), { engine: 'auto', python: '/opt/venv/bin/python' });
  fake.workspace.settings = { [SETTINGS.engine]: 'something else', [SETTINGS.python]: '' };
  assert.deepEqual(engineFields('pytorch', 'auto'), { engine: 'pytorch' });
  assert.deepEqual(pythonField(), {});
  // An experiment's queue: the setting for every run, or (auto) each variant's recipe.
  assert.equal(engineSetting(), undefined);
  fake.workspace.settings = { [SETTINGS.engine]: 'auto' };
  assert.equal(engineSetting(), undefined);
  fake.workspace.settings = { [SETTINGS.engine]: 'pytorch' };
  assert.equal(engineSetting(), 'pytorch');
  fake.workspace.settings = { [SETTINGS.engine]: 'tfjs' };
  assert.equal(engineSetting(), 'tfjs');
  fake.workspace.settings = {};
});

test('package.json contributes both settings, and Restricted Mode ignores them in workspace settings', () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { enum?: string[]; default?: unknown; scope?: string }> } };
    capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
  };
  const properties = manifest.contributes.configuration.properties;
  assert.deepEqual(properties[SETTINGS.engine].enum, ['auto', 'tfjs', 'pytorch']);
  assert.equal(properties[SETTINGS.engine].default, 'auto');
  assert.equal(properties[SETTINGS.python].default, '');
  for (const key of [SETTINGS.engine, SETTINGS.python]) assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(key), key);
});
