// Res2Net's split (issue 19) on both engines: the TF.js network of a CIFAR-shaped net with splits
// (and of the export fixture's odder splits) computes what the exported PyTorch module computes
// (outputs and input gradients, weights copied across by path), on cpu and wasm; the exported module loads and counts as the analyzer does; and
// the net trains a few steps with finite, decreasing loss on wasm, cpu and the PyTorch engine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { analyze } from '../../src/core/analysis/analyze';
import { modelLayers, type ModelNode } from '../../src/core/analysis/network';
import { exportPyTorchModule } from '../../src/export/pytorch';
import { selectBackend } from '../../src/training/tfjs/backend';
import { buildModel, layerByPath } from '../../src/training/tfjs/model/buildModel';
import { stateDict } from '../helpers/torchPeer';
import { assertLearns, stepLosses } from '../helpers/learns';
import { useSwiftShaderHere } from '../helpers/swiftshader';
import { RES2NET_MODEL } from '../helpers/models';
import { PYTHON, torchMissing } from '../helpers/python';

const noTorch = torchMissing();

/** The CIFAR-shaped Res2Net, and the export fixture's two splits in one block (a cascade led by a ReLU, a kept group with its own layers). */
const NETS: readonly { readonly name: string; readonly source: string }[] = [
  { name: 'r2cifar', source: RES2NET_MODEL },
  { name: 'splits', source: readFileSync(join(import.meta.dirname, '..', 'export', 'fixtures', 'splits.resnet'), 'utf8') },
];

function analyzed(source: string): ModelNode {
  const analysis = analyze(source);
  assert.deepEqual(
    analysis.diagnostics.map((d) => d.message),
    [],
  );
  const [model] = analysis.models;
  assert.ok(model);
  return model;
}

/** Loads the exported module, takes the TF.js weights by path, runs the input: logits, and the input's gradient of sum(logits · r). */
const PYTORCH_SCRIPT = `
import importlib.util, json, sys, torch
case = json.load(sys.stdin)
spec = importlib.util.spec_from_file_location("exported", case["path"])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = getattr(module, case["class"])().double().eval()
state = model.state_dict()
for key, values in case["weights"].items():
    state[key].copy_(torch.tensor(values, dtype=torch.float64).reshape(state[key].shape))
x = torch.tensor(case["x"], dtype=torch.float64).reshape(case["shape"]).requires_grad_()
y = model(x)
r = torch.tensor(case["r"], dtype=torch.float64).reshape(y.shape)
(y * r).sum().backward()
print(json.dumps({
    "y": y.detach().flatten().tolist(),
    "dx": x.grad.permute(0, 2, 3, 1).flatten().tolist(),
    "params": sum(p.numel() for p in model.parameters()),
    "statistics": sum(b.numel() for n, b in model.named_buffers() if n.endswith("running_mean") or n.endswith("running_var")),
}))
`;

for (const backend of ['cpu', 'wasm'] as const) {
  for (const net of NETS)
    test(`${net.name} on ${backend}: the TF.js network's output and input gradient equal the exported PyTorch module's; the module counts as the analyzer`, {
      skip: noTorch ?? false,
      timeout: 300_000,
    }, async () => {
      await selectBackend(backend);
      const model = analyzed(net.source);
      const network = buildModel(model, { seed: 7 });
      const [h, w, c] = model.input;
      const classes = model.output[2];
      // Moving statistics away from 0 and 1, so that the kept group's pooling and every BatchNorm show.
      for (const layer of modelLayers(model)) {
        if (layer.spec.op !== 'bn') continue;
        const tfLayer = layerByPath(network, layer.path);
        const [gamma, beta, mean, variance] = tfLayer.getWeights();
        const n = gamma?.shape[0] ?? 0;
        const ramp = (from: number, step: number) => tf.tensor1d(Array.from({ length: n }, (_, i) => from + step * i));
        tfLayer.setWeights([ramp(0.8, 0.03), ramp(-0.1, 0.02), ramp(0.05, 0.01), ramp(0.9, 0.05)].map((t, i) => t.reshape([gamma, beta, mean, variance][i]?.shape ?? [n])));
      }
      const shape = [2, c, h, w];
      const x = tf.randomNormal([2, h, w, c], 0, 1, 'float32', 3);
      const r = tf.randomNormal([2, classes], 0, 1, 'float32', 4);
      const y = (network.apply(x, { training: false }) as tf.Tensor).reshape([2, classes]);
      const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul((network.apply(input, { training: false }) as tf.Tensor).reshape([2, classes]), r)))(x);

      const dir = mkdtempSync(join(tmpdir(), 'resnet-split-'));
      const module = exportPyTorchModule([model], `${net.name}.resnet`, { sourceText: net.source });
      const path = join(dir, `${net.name}.py`);
      writeFileSync(path, module.text);
      const run = spawnSync(PYTHON, ['-c', PYTORCH_SCRIPT], {
        input: JSON.stringify({
          path,
          class: module.classNames.get(model.name),
          weights: stateDict(network, model),
          shape,
          x: Array.from(x.transpose([0, 3, 1, 2]).dataSync()),
          r: Array.from(r.dataSync()),
        }),
        encoding: 'utf8',
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, OMP_NUM_THREADS: '1' },
      });
      assert.equal(run.status, 0, run.stderr);
      const peer = JSON.parse(run.stdout) as { y: number[]; dx: number[]; params: number; statistics: number };
      assert.equal(peer.params, model.cost.params, 'the exported module: parameters');
      assert.equal(peer.statistics, model.cost.nonTrainable, 'the exported module: running statistics');
      const close = (actual: ArrayLike<number>, expected: readonly number[], what: string) => {
        assert.equal(actual.length, expected.length, what);
        const scale = Math.max(...expected.map(Math.abs));
        for (let i = 0; i < expected.length; i++) {
          const a = actual[i] as number;
          const e = expected[i] as number;
          assert.ok(Math.abs(a - e) <= 1e-4 * scale + 1e-5, `${what}[${i}]: TF.js ${a}, PyTorch ${e}`);
        }
      };
      close(y.dataSync(), peer.y, 'logits');
      close(dx.dataSync(), peer.dx, 'input gradient');
      network.dispose();
    });
}

/** webgpu runs on SwiftShader, the software GPU of Debian's chromium (CI installs it). */
const noSwiftShader = useSwiftShaderHere();

test('the net with splits trains on wasm: finite, decreasing loss', { timeout: 600_000 }, async () => {
  assertLearns(await stepLosses('wasm', RES2NET_MODEL, 'r2cifar'), 'wasm');
});

// The cpu backend's plain-JavaScript convolutions and SwiftShader's software GPU took over 3 minutes
// of CI each at 32×32: there the same net learns from 8×8 images (cpu's outputs and gradients are
// checked exactly above; this checks that the whole step learns).
const SMALL_RES2NET = RES2NET_MODEL.replace('input 32x32x3', 'input 8x8x3');

test('the net with splits trains on cpu (8×8 images): finite, decreasing loss', { timeout: 600_000 }, async () => {
  assertLearns(await stepLosses('cpu', SMALL_RES2NET, 'r2cifar'), 'cpu');
});

test('the net with splits trains on webgpu (SwiftShader, 8×8 images): finite, decreasing loss', { skip: noSwiftShader ?? false, timeout: 600_000 }, async () => {
  assertLearns(await stepLosses('webgpu', SMALL_RES2NET, 'r2cifar'), 'webgpu');
});

test('the net with splits trains on the PyTorch engine: finite, decreasing loss', { skip: noTorch ?? false, timeout: 600_000 }, async () => {
  assertLearns(await stepLosses('pytorch', RES2NET_MODEL, 'r2cifar'), 'pytorch');
});
