// The TF.js engine's layers for today's residual networks (issue 19) against the PyTorch modules the
// export writes: each layer's output and its gradients (input and weights) equal PyTorch's autograd
// on the same numbers; dropout and drop path are on in training only, drawn from the seed and the
// step; and a network using every new construct trains on cpu, on wasm and on the PyTorch engine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { analyze } from '../../src/core/analysis/analyze';
import { windowOutputSize } from '../../src/core/analysis/shape';
import type { LayerStatsMessage } from '../../src/protocol/training';
import { layerStatsTargets } from '../../src/training/layerStats';
import { HELPER_MODULES } from '../../src/export/pytorch';
import { selectBackend } from '../../src/training/tfjs/backend';
import { ChannelConv, Elementwise, GroupedConv2D, GroupNorm, LayerScale, PyTorchPool2D, StochasticDrop } from '../../src/training/tfjs/model/customLayers';
import { assertLearns, lossesOf, stepLosses, stepMessages } from '../helpers/learns';
import { useSwiftShaderHere } from '../helpers/swiftshader';
import { EVERY_CONSTRUCT_MODEL } from '../helpers/models';
import { PYTHON, torchMissing } from '../helpers/python';

const noTorch = torchMissing();

/** A repeatable stream of distinct numbers in [-1, 1) (mulberry32: no ties for a max pool to break differently). */
function numbers(count: number, seed: number): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

interface Case {
  readonly name: string;
  /** The PyTorch module, with the export's helper classes in scope. */
  readonly module: string;
  /** NCHW, as PyTorch takes it. */
  readonly input: readonly [number, number, number, number];
  readonly scale?: number;
  /** The TF.js layer, built for the NHWC input. */
  readonly layer: () => tf.layers.Layer;
  /** Each TF.js weight (in order) from the PyTorch parameter of that name, permuted into TF.js's layout. */
  readonly weights?: readonly { readonly torch: string; readonly shape: readonly number[]; readonly perm?: readonly number[] }[];
}

const pool = (op: 'maxpool' | 'avgpool', k: number, s: number, p: number, size: number, ceil: boolean, excludePad: boolean) =>
  new PyTorchPool2D({ op, kernel: [k, k], stride: s, padding: [p, p], outputSize: [windowOutputSize(size, k, s, p, ceil), windowOutputSize(size, k, s, p, ceil)], excludePad });

const CASES: readonly Case[] = [
  ...(['relu6', 'sigmoid', 'hardsigmoid', 'silu', 'hardswish', 'gelu'] as const).map((op) => ({
    name: op,
    module: { relu6: 'nn.ReLU6()', sigmoid: 'nn.Sigmoid()', hardsigmoid: 'nn.Hardsigmoid()', silu: 'nn.SiLU()', hardswish: 'nn.Hardswish()', gelu: 'nn.GELU()' }[op],
    input: [2, 3, 4, 4] as const,
    // Beyond ±3 and 6, where the hard functions bend; no value lands on a bend.
    scale: 7.3,
    layer: () => new Elementwise({ op }),
  })),
  {
    name: 'gn',
    module: 'nn.GroupNorm(2, 4, eps=1e-05)',
    input: [2, 4, 3, 3],
    layer: () => new GroupNorm({ groups: 2, epsilon: 1e-5 }),
    weights: [
      { torch: 'weight', shape: [4] },
      { torch: 'bias', shape: [4] },
    ],
  },
  {
    name: 'ln',
    module: 'LayerNorm2d(4, eps=1e-06)',
    input: [2, 4, 3, 3],
    layer: () => tf.layers.layerNormalization({ axis: -1, epsilon: 1e-6 }),
    weights: [
      { torch: 'weight', shape: [4] },
      { torch: 'bias', shape: [4] },
    ],
  },
  { name: 'layerscale', module: 'LayerScale(4, 0.5)', input: [2, 4, 3, 3], layer: () => new LayerScale({ init: 0.5 }), weights: [{ torch: 'gamma', shape: [4, 1, 1], perm: [1, 2, 0] }] },
  { name: 'channelconv', module: 'ChannelConv(5)', input: [2, 9, 1, 1], layer: () => new ChannelConv({ kernel: 5 }), weights: [{ torch: 'conv.weight', shape: [1, 1, 5], perm: [2, 1, 0] }] },
  {
    name: 'depthwise conv with bias',
    module: 'nn.Conv2d(4, 8, 3, groups=4, bias=True)',
    input: [2, 4, 5, 5],
    layer: () => new GroupedConv2D({ filters: 8, kernel: [3, 3], stride: 1, groups: 4, stddev: 1, useBias: true }),
    weights: [
      { torch: 'weight', shape: [8, 1, 3, 3], perm: [2, 3, 1, 0] },
      { torch: 'bias', shape: [8] },
    ],
  },
  {
    name: 'grouped conv with bias, stride 2',
    module: 'nn.Conv2d(4, 6, 3, stride=2, groups=2, bias=True)',
    input: [2, 4, 5, 5],
    layer: () => new GroupedConv2D({ filters: 6, kernel: [3, 3], stride: 2, groups: 2, stddev: 1, useBias: true }),
    weights: [
      { torch: 'weight', shape: [6, 2, 3, 3], perm: [2, 3, 1, 0] },
      { torch: 'bias', shape: [6] },
    ],
  },
  { name: 'maxpool 3/2 pad 1 ceil', module: 'nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)', input: [1, 2, 6, 6], layer: () => pool('maxpool', 3, 2, 1, 6, true, false) },
  { name: 'maxpool 3/2 ceil', module: 'nn.MaxPool2d(3, stride=2, ceil_mode=True)', input: [1, 2, 16, 16], layer: () => pool('maxpool', 3, 2, 0, 16, true, false) },
  { name: 'avgpool 3/2 pad 1 ceil', module: 'nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)', input: [1, 2, 6, 6], layer: () => pool('avgpool', 3, 2, 1, 6, true, false) },
  { name: 'avgpool 2/2 ceil', module: 'nn.AvgPool2d(2, stride=2, ceil_mode=True)', input: [1, 2, 5, 5], layer: () => pool('avgpool', 2, 2, 0, 5, true, false) },
  {
    name: 'avgpool 3/2 pad 1 exclude_pad',
    module: 'nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)',
    input: [1, 2, 5, 5],
    layer: () => pool('avgpool', 3, 2, 1, 5, false, true),
  },
  {
    name: 'avgpool 3/2 pad 1 ceil exclude_pad',
    module: 'nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)',
    input: [1, 2, 6, 6],
    layer: () => pool('avgpool', 3, 2, 1, 6, true, true),
  },
];

/** Runs each case's module in PyTorch: output, and the gradients of sum(output · r) by input and parameter. */
const PYTORCH_SCRIPT = `
import json, sys, torch
from torch import nn
${Object.values(HELPER_MODULES).join('\n\n')}

results = []
for case in json.load(sys.stdin):
    module = eval(case["module"]).double()
    with torch.no_grad():
        for name, values in case["weights"].items():
            parameter = dict(module.named_parameters())[name]
            parameter.copy_(torch.tensor(values, dtype=torch.float64).reshape(parameter.shape))
    x = torch.tensor(case["x"], dtype=torch.float64).reshape(case["input"]).requires_grad_()
    y = module(x)
    r = torch.tensor(case["r"], dtype=torch.float64).reshape(y.shape) if case["r"] else None
    if r is None:
        results.append({"shape": list(y.shape)})
        continue
    (y * r).sum().backward()
    results.append({
        "shape": list(y.shape),
        "y": y.detach().flatten().tolist(),
        "dx": x.grad.flatten().tolist(),
        "dw": {name: p.grad.flatten().tolist() for name, p in module.named_parameters() if name in case["weights"]},
    })
print(json.dumps(results))
`;

function runPyTorch(payload: unknown): { shape: number[]; y?: number[]; dx?: number[]; dw?: Record<string, number[]> }[] {
  const run = spawnSync(PYTHON, ['-c', PYTORCH_SCRIPT], { input: JSON.stringify(payload), encoding: 'utf8', timeout: 120_000, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

function assertClose(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, PyTorch ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    assert.ok(Math.abs(a - e) <= 1e-4 + 1e-4 * Math.abs(e), `${what}[${i}]: TF.js ${a}, PyTorch ${e}`);
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  test(`every new layer on ${backend}: output and gradients (input and weights) equal the exported PyTorch module's`, { skip: noTorch ?? false }, async () => {
    await selectBackend(backend);
    // First the output shapes (for the upstream gradient's size), then the numbers.
    const inputs = CASES.map((c, i) =>
      numbers(
        c.input.reduce((a, b) => a * b, 1),
        11 + i,
      ).map((v) => v * (c.scale ?? 2)),
    );
    const weights = CASES.map((c, i) =>
      Object.fromEntries(
        (c.weights ?? []).map((w, j) => [
          w.torch,
          numbers(
            w.shape.reduce((a, b) => a * b, 1),
            101 + 7 * i + j,
          ),
        ]),
      ),
    );
    const shapes = runPyTorch(CASES.map((c, i) => ({ module: c.module, input: c.input, x: inputs[i], weights: weights[i], r: null }))).map((r) => r.shape);
    const upstream = shapes.map((s, i) =>
      numbers(
        s.reduce((a, b) => a * b, 1),
        501 + i,
      ),
    );
    const expected = runPyTorch(CASES.map((c, i) => ({ module: c.module, input: c.input, x: inputs[i], weights: weights[i], r: upstream[i] })));
    CASES.forEach((c, i) => {
      const layer = c.layer();
      const x = tf.tensor4d(inputs[i] as number[], [...c.input]).transpose([0, 2, 3, 1]);
      layer.apply(tf.input({ shape: x.shape.slice(1) }));
      const given = (c.weights ?? []).map((w) => {
        const values = tf.tensor(weights[i]?.[w.torch] as number[], [...w.shape]);
        return w.perm ? values.transpose([...w.perm]) : values;
      });
      if (given.length > 0) layer.setWeights(given.map((g, j) => g.reshape(layer.getWeights()[j]?.shape ?? g.shape)));
      const shape = shapes[i] as number[];
      const r = tf.tensor(upstream[i] as number[], shape).transpose([0, 2, 3, 1]);
      const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const loss = () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, r)) as tf.Scalar;
      const grads = variables.length > 0 ? tf.variableGrads(loss, variables).grads : {};
      const y = (layer.apply(x) as tf.Tensor).transpose([0, 3, 1, 2]);
      const dx = tf
        .grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, r)))(x)
        .transpose([0, 3, 1, 2]);
      const reference = expected[i] as { y: number[]; dx: number[]; dw: Record<string, number[]> };
      assert.deepEqual(y.shape, shape, `${c.name}: output shape`);
      assertClose(y.dataSync(), reference.y, `${c.name} output`);
      assertClose(dx.dataSync(), reference.dx, `${c.name} input gradient`);
      (c.weights ?? []).forEach((w, j) => {
        const variable = variables[j] as tf.Variable;
        const grad = grads[variable.name] as tf.Tensor;
        // Back into PyTorch's layout: the inverse permutation.
        const inverse = w.perm ? w.perm.map((_, k) => w.perm?.indexOf(k) ?? k) : undefined;
        const back = inverse ? grad.reshape(w.perm?.map((p) => w.shape[p] as number) ?? []).transpose(inverse) : grad;
        assertClose(back.dataSync(), reference.dw[w.torch] as number[], `${c.name} gradient of ${w.torch}`);
      });
    });
  });
}

/** webgpu runs on SwiftShader, the software GPU of Debian's chromium (CI installs it). */
const noSwiftShader = useSwiftShaderHere();

test('dropout and drop path: the identity at evaluation; in training, masks from the seed and the step, scaled by 1/(1 − rate)', async () => {
  await selectBackend('cpu');
  const x = tf.ones([64, 4, 4, 8]);
  const apply = (layer: StochasticDrop, training: boolean) => (layer.apply(x, { training }) as tf.Tensor).arraySync() as number[][][][];
  const dropout = new StochasticDrop({ mode: 'element', rate: 0.25, seed: 3 });
  assert.equal(tf.max(tf.abs(tf.sub(dropout.apply(x, { training: false }) as tf.Tensor, x))).dataSync()[0], 0);
  const first = apply(dropout, true);
  const values = first.flat(3);
  assert.deepEqual([...new Set(values)].sort(), [0, Math.fround(1 / 0.75)]);
  const dropped = values.filter((v) => v === 0).length / values.length;
  assert.ok(Math.abs(dropped - 0.25) < 0.03, `dropped ${dropped}`);
  assert.deepEqual(apply(new StochasticDrop({ mode: 'element', rate: 0.25, seed: 3 }), true), first, 'the same seed and step: the same mask');
  dropout.step = 1;
  assert.notDeepEqual(apply(dropout, true), first, 'the next step: another mask');
  assert.notDeepEqual(apply(new StochasticDrop({ mode: 'element', rate: 0.25, seed: 4 }), true), first, 'another seed: another mask');

  // Drop path keeps or drops each sample whole.
  const dropPath = apply(new StochasticDrop({ mode: 'sample', rate: 0.5, seed: 9 }), true);
  const perSample = dropPath.map((sample) => [...new Set(sample.flat(2))]);
  assert.ok(
    perSample.every((s) => s.length === 1 && (s[0] === 0 || s[0] === 2)),
    JSON.stringify(perSample),
  );
  const kept = perSample.filter((s) => s[0] === 2).length;
  assert.ok(kept > 16 && kept < 48, `${kept} of 64 samples kept`);
});

test('a network with every new construct trains on wasm: finite, decreasing loss; the seed repeats the run exactly', { timeout: 600_000 }, async () => {
  const losses = await stepLosses('wasm', EVERY_CONSTRUCT_MODEL, 'every');
  assertLearns(losses, 'wasm');
  assert.deepEqual(await stepLosses('wasm', EVERY_CONSTRUCT_MODEL, 'every'), losses, 'the same seed, dropout and drop path included: the same losses');
});

// The cpu backend's convolution gradients are slow (over a minute of CI at 16×16): one run, on 8×8 images.
const SMALL_EVERY = EVERY_CONSTRUCT_MODEL.replace('input 16x16x3', 'input 8x8x3');

test('the same network trains on cpu (8×8 images): finite, decreasing loss', { timeout: 600_000 }, async () => {
  assertLearns(await stepLosses('cpu', SMALL_EVERY, 'every'), 'cpu');
});

test('the same network trains on webgpu (SwiftShader): finite, decreasing loss', { skip: noSwiftShader ?? false, timeout: 600_000 }, async () => {
  assertLearns(await stepLosses('webgpu', EVERY_CONSTRUCT_MODEL, 'every'), 'webgpu');
});

test('the same network trains on the PyTorch engine: finite, decreasing loss', { skip: noTorch ?? false, timeout: 600_000 }, async () => {
  const messages = await stepMessages('pytorch', EVERY_CONSTRUCT_MODEL, 'every');
  assertLearns(lossesOf(messages), 'pytorch');
  // Layer statistics find every measured layer in the exported module, the gates' too (exported as `blockgate1`).
  const stats = messages.filter((m): m is LayerStatsMessage => m.type === 'layerStats').at(-1);
  const model = analyze(EVERY_CONSTRUCT_MODEL).models[0];
  assert.ok(stats && model);
  assert.deepEqual(
    stats.layers.map((l) => l.path),
    layerStatsTargets(model).map((t) => t.path),
  );
  assert.ok(stats.layers.some((l) => l.path.includes('.gate1.')));
  assert.ok(stats.layers.every((l) => Number.isFinite(l.responseStd) && Number.isFinite(l.gradNorm)));
});
