// Installing a native backend for real: here npm's registry answers but Google storage (where
// libtensorflow comes from) does not, so the install must fail with a message that says so.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { explainLoadFailure, installNativeBackend } from '../../src/training/tfjs/backendInstall';
import { selectBackend } from '../../src/training/tfjs/backend';

test('installing tfjs-node either works and loads, or says exactly what is missing', { timeout: 300_000 }, async () => {
  const lines: string[] = [];
  const result = await installNativeBackend('tfjs-node', mkdtempSync(join(tmpdir(), 'backends-')), (l) => lines.push(l));
  assert.ok(lines.length > 0, 'progress was reported');
  if (result.ok) assert.match(result.message, /is installed in .* and loads/);
  else assert.match(result.message, /^installing tfjs-node failed: (no network access to (Google storage|the npm registry)|no prebuilt)/);
});

test('a CUDA mismatch when loading tfjs-node-gpu is explained with the versions it needs', () => {
  const message = explainLoadFailure('tfjs-node-gpu', 'Error: libcudart.so.11.0: cannot open shared object file: No such file or directory');
  assert.match(message, /needs CUDA 11\.2 and cuDNN 8\.1 exactly \(CUDA 12 does not work\)/);
});

test('forcing a native backend that is not installed says how to install it; auto falls back to wasm and says why', async () => {
  await assert.rejects(selectBackend('tfjs-node-gpu', []), /tfjs-node-gpu.*not installed.*CUDA 11\.2 and cuDNN 8\.1/s);
  const auto = await selectBackend('auto', []);
  assert.equal(auto.name, 'wasm');
  assert.match(auto.reason, /tfjs-node-gpu unavailable .* tfjs-node unavailable/);
});
