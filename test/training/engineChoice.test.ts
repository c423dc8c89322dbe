// `auto` picks the fastest engine present (src/training/engineChoice.ts): the order itself, with the
// candidates' answers handed in (no GPU here to make CUDA, MPS or webgpu real); then the real thing
// through the built CLI: with Debian's PyTorch as --python it trains on PyTorch, with a Python that
// has no torch (a fresh venv) on TF.js, saying so in one short line (the reasons under --verbose).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BackendName } from '../../src/protocol/training';
import { chooseEngine, probeTorch, type EngineProbes, type TorchProbe } from '../../src/training/engineChoice';
import type { PythonInfo } from '../../src/training/pytorch/python';
import { PYTHON, torchMissing } from '../helpers/python';

const torch113: PythonInfo = { command: 'python3', executable: '/usr/bin/python3', version: '3.11.2', torch: '1.13.0a0+git', cuda: null, gpus: [], mps: false };

/** Probes that answer as told, and remember which TF.js backends were started. */
function machine(torch: TorchProbe, working: readonly BackendName[]): EngineProbes & { tried: BackendName[] } {
  const tried: BackendName[] = [];
  return {
    tried,
    torch: () => torch,
    startBackend: async (name) => {
      tried.push(name);
      return working.includes(name) ? { ok: true, backend: { name, reason: '', device: `device of ${name}` } } : { ok: false, why: `no ${name} here` };
    },
  };
}

test('auto: PyTorch on CUDA or MPS first, then webgpu and tfjs-node-gpu, then PyTorch on the CPU, then tfjs-node and wasm', async () => {
  const cuda = machine({ ok: true, info: { ...torch113, torch: '2.1.0', gpus: ['NVIDIA H100', 'NVIDIA H100'] } }, ['webgpu', 'wasm']);
  const onCuda = await chooseEngine({}, 'en', cuda);
  assert.equal(onCuda.engine, 'pytorch');
  assert.equal(onCuda.text.summary, 'PyTorch 2.1 on CUDA (NVIDIA H100 +1), the fastest present');
  assert.deepEqual(cuda.tried, [], 'nothing of TF.js is started when PyTorch has a GPU');

  const mps = await chooseEngine({}, 'en', machine({ ok: true, info: { ...torch113, mps: true } }, ['webgpu']));
  assert.equal(mps.text.summary, 'PyTorch 1.13 on MPS (Apple GPU), the fastest present');

  const webgpu = machine({ ok: true, info: torch113 }, ['webgpu', 'wasm']);
  const onWebgpu = await chooseEngine({}, 'en', webgpu);
  assert.equal(onWebgpu.engine === 'tfjs' && onWebgpu.backend.name, 'webgpu');
  assert.equal(onWebgpu.text.summary, 'TF.js webgpu on device of webgpu, the fastest present');

  const cpuOnly = machine({ ok: true, info: torch113 }, ['tfjs-node', 'wasm']);
  const onCpu = await chooseEngine({}, 'en', cpuOnly);
  assert.equal(onCpu.engine, 'pytorch');
  assert.equal(onCpu.text.summary, 'PyTorch 1.13 on the CPU, the fastest present');
  assert.deepEqual(cpuOnly.tried, ['webgpu', 'tfjs-node-gpu'], 'PyTorch on the CPU comes before tfjs-node and wasm');
  assert.deepEqual(onCpu.text.reasoning.slice(1), [
    'PyTorch 1.13.0a0+git at /usr/bin/python3 sees no CUDA or MPS device: on the CPU it comes after the GPU backends of TF.js',
    'webgpu unavailable (no webgpu here)',
    'tfjs-node-gpu unavailable (no tfjs-node-gpu here)',
    'chosen: PyTorch 1.13 on the CPU, the fastest present',
  ]);

  const noTorch = machine({ ok: false, why: 'this Python has no torch' }, ['wasm', 'cpu']);
  const onWasm = await chooseEngine({}, 'en', noTorch);
  assert.equal(onWasm.engine === 'tfjs' && onWasm.backend.name, 'wasm');
  assert.equal(onWasm.engine === 'tfjs' && onWasm.backend.reason, 'TF.js wasm on device of wasm, the fastest present');
  assert.deepEqual(noTorch.tried, ['webgpu', 'tfjs-node-gpu', 'tfjs-node', 'wasm']);
  assert.equal(onWasm.text.reasoning[1], 'PyTorch not usable (this Python has no torch)');

  const ko = await chooseEngine({}, 'ko', machine({ ok: true, info: torch113 }, []));
  assert.equal(ko.text.summary, 'CPU의 PyTorch 1.13, 있는 것 중 가장 빠름');
  await assert.rejects(chooseEngine({}, 'en', machine({ ok: false, why: 'none' }, [])), /no TF\.js backend could be started: PyTorch not usable \(none\); webgpu unavailable/);
});

test('auto asks each Python once per process', { skip: torchMissing() }, () => {
  const first = probeTorch(PYTHON);
  assert.equal(first.ok, true, first.ok ? '' : first.why);
  const started = Date.now();
  assert.equal(probeTorch(PYTHON), first);
  assert.ok(Date.now() - started < 50, 'the second answer is remembered, not probed again');
});

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['dist/cli.cjs', ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function configEngine(out: string): unknown {
  const [run] = readdirSync(out);
  return (JSON.parse(readFileSync(join(out, run as string, 'config.json'), 'utf8')) as { engine?: unknown }).engine;
}

test('train with no engine named: PyTorch when --python has torch, in one short line; config.json records it', { skip: torchMissing(), timeout: 300_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'resnet-auto-'));
  const r = cli('train', 'examples/mnist/resnet8.resnet', '--dataset', 'synthetic', '--max-steps', '1', '--batch-size', '8', '--python', PYTHON, '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^engine: PyTorch \d+\.\d+ on (the CPU|CUDA \(.+\)|MPS \(Apple GPU\)), the fastest present$/m);
  assert.doesNotMatch(r.stdout, /^backend: /m, 'the backend line is for --verbose when auto chose');
  assert.doesNotMatch(r.stdout, /unavailable/, 'the reasons are for --verbose');
  assert.equal(configEngine(out), 'pytorch');
});

test('train with no engine named and a Python without torch: TF.js, and --verbose says why', { skip: torchMissing(), timeout: 300_000 }, () => {
  const venv = mkdtempSync(join(tmpdir(), 'resnet-no-torch-'));
  const made = spawnSync(PYTHON, ['-m', 'venv', '--without-pip', venv], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const out = mkdtempSync(join(tmpdir(), 'resnet-auto-'));
  const r = cli('train', 'examples/mnist/resnet8.resnet', '--dataset', 'synthetic', '--max-steps', '1', '--batch-size', '8', '--python', join(venv, 'bin', 'python'), '--out', out, '--verbose');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^engine: TF\.js (webgpu|tfjs-node-gpu|tfjs-node|wasm) on .+, the fastest present$/m);
  assert.match(r.stdout, /^ {2}auto checks, fastest first: PyTorch on CUDA or MPS; TF\.js webgpu on a hardware GPU; tfjs-node-gpu; PyTorch on the CPU; tfjs-node; wasm$/m);
  assert.match(r.stdout, /^ {2}PyTorch not usable \(this Python \(.+\) has no torch: install it/m);
  assert.match(r.stdout, /^ {2}chosen: TF\.js /m);
  assert.equal(configEngine(out), 'tfjs');
});
