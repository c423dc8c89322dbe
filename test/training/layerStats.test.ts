// Layer statistics (issue 24) equal PyTorch's: a short run on wasm and one on the PyTorch engine,
// each of a plain and a residual CIFAR-shaped net, then the exported PyTorch module with the run's
// final weights, in float64 on the same fixed batch, gives the same response standard deviations
// and gradient norms.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-wasm';
import { analyze } from '../../src/core/analysis/analyze';
import { exportPyTorchModule } from '../../src/export/pytorch';
import type { LayerStatsMessage, TrainingMessage, TrainRequest } from '../../src/protocol/training';
import { layerStatsTargets } from '../../src/training/layerStats';
import { trainWithPyTorch } from '../../src/training/pytorch/trainWithPyTorch';
import { prepareDataset } from '../../src/training/runSetup';
import { loadLatestCheckpoint } from '../../src/training/tfjs/checkpoint';
import { buildModel } from '../../src/training/tfjs/model/buildModel';
import { PYTHON, torchMissing } from '../helpers/python';
import { stateDict } from '../helpers/torchPeer';
import { collect } from '../helpers/trainRun';

const noTorch = torchMissing();

/** 8×8 CIFAR-shaped nets: plain, and residual with projection shortcuts (a 1×1 convolution and its BatchNorm measured too). */
const net = (name: string, shortcut: string) => `model ${name} {
  input 8x8x3, classes 4
  shortcut ${shortcut}
  conv1 conv 3x3, 4, bn, relu
  s1    basic(4) x 1
  s2    basic(8) x 1, stride 2
  head  avgpool, fc 4
  train {
    batch 16
    sgd lr 0.1, momentum 0.9, weight_decay 1e-4
    iterations 4
    augment none
    layer_stats every 2, images 16
  }
}`;
const NETS = [
  { name: 'plain', source: net('plain', 'none') },
  { name: 'residual', source: net('residual', 'B') },
];

/** The exported module in float64 and eval mode with the run's weights: each target's response std and weight-gradient norm on the batch. */
const PYTORCH_SCRIPT = `
import importlib.util, json, sys, torch
import torch.nn.functional as F
case = json.load(sys.stdin)
spec = importlib.util.spec_from_file_location("exported", case["path"])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = getattr(module, case["class"])()
if "modelPt" in case:
    model.load_state_dict(torch.load(case["modelPt"], map_location="cpu", weights_only=True))
model = model.double().eval()
state = model.state_dict()
for key, values in case.get("weights", {}).items():
    state[key].copy_(torch.tensor(values, dtype=torch.float64).reshape(state[key].shape))
modules = dict(model.named_modules())
responses = {}
for t in case["targets"]:
    # The std at once: the module's ReLU(inplace=True) overwrites a BatchNorm's output after it.
    modules[t["response"]].register_forward_hook(lambda m, i, o, name=t["response"]: responses.__setitem__(name, o.std(unbiased=False).item()))
x = torch.tensor(case["x"], dtype=torch.float64).reshape(case["shape"]).permute(0, 3, 1, 2)
loss = F.cross_entropy(model(x), torch.tensor(case["labels"]))
out = {}
for t in case["targets"]:
    weights = list(modules[t["path"]].parameters(recurse=False))
    grads = torch.autograd.grad(loss, weights, retain_graph=True)
    out[t["path"]] = [responses[t["response"]], sum((g ** 2).sum() for g in grads).sqrt().item()]
print(json.dumps(out))
`;

/** float32 against float64: the figures pass through a dozen layers of sums; 1e-5 of the value is what float32's 6e-8 rounding, grown over them, leaves room for. */
const RELATIVE = 1e-5;

async function checkAgainstPyTorch(engine: 'wasm' | 'pytorch', name: string, source: string): Promise<void> {
  const analysis = analyze(source);
  assert.deepEqual(
    analysis.diagnostics.map((d) => d.message),
    [],
  );
  const model = analysis.models[0];
  assert.ok(model);
  const request: TrainRequest = {
    sourceText: source,
    sourcePath: `${name}.resnet`,
    modelName: name,
    dataset: 'synthetic',
    outDir: mkdtempSync(join(tmpdir(), `resnet-stats-${engine}-`)),
    trainLimit: 32,
    seed: 5,
    backend: 'wasm',
  };
  const messages: TrainingMessage[] = [];
  if (engine === 'pytorch') await trainWithPyTorch({ kind: 'new', request: { ...request, backend: 'auto', python: PYTHON, threads: 1 } }, { emit: (m) => messages.push(m), shouldStop: () => false });
  else messages.push(...(await collect({ kind: 'new', request })));
  const runDir = messages.find((m) => m.type === 'started')?.runDir;
  assert.ok(runDir, JSON.stringify(messages.filter((m) => m.type === 'failed')));
  const stats = messages.filter((m): m is LayerStatsMessage => m.type === 'layerStats');
  assert.deepEqual(
    stats.map((m) => m.step),
    [2, 4],
    'every 2 steps of 4',
  );
  const last = stats[1] as LayerStatsMessage;
  const targets = layerStatsTargets(model);
  assert.deepEqual(
    last.layers.map((l) => l.path),
    targets.map((t) => t.path),
  );

  const data = prepareDataset(request, model, 5);
  const [h, w, c] = model.input;
  const size = h * w * c;
  const dir = mkdtempSync(join(tmpdir(), 'resnet-stats-peer-'));
  const exported = exportPyTorchModule([model], `${name}.resnet`, { sourceText: source });
  const path = join(dir, `${name}.py`);
  writeFileSync(path, exported.text);
  let weights: Record<string, number[]> | undefined;
  if (engine === 'wasm') {
    // The run's last checkpoint (after step 4) into a network built as the trainer builds it.
    const network = buildModel(model, { seed: 5 });
    assert.ok(loadLatestCheckpoint(runDir, network));
    weights = stateDict(network, model);
    network.dispose();
  }
  const run = spawnSync(PYTHON, ['-c', PYTORCH_SCRIPT], {
    input: JSON.stringify({
      path,
      class: exported.classNames.get(model.name),
      ...(weights ? { weights } : { modelPt: join(runDir, 'model', 'model.pt') }),
      targets,
      shape: [16, h, w, c],
      x: Array.from(data.test.images.subarray(0, 16 * size)),
      labels: Array.from(data.test.labels.subarray(0, 16)),
    }),
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  assert.equal(run.status, 0, run.stderr);
  const peer = JSON.parse(run.stdout) as Record<string, [number, number]>;
  let worst = 0;
  for (const layer of last.layers) {
    const [std, norm] = peer[layer.path] ?? [Number.NaN, Number.NaN];
    for (const [what, ours, theirs] of [
      ['response std', layer.responseStd, std],
      ['gradient norm', layer.gradNorm, norm],
    ] as const) {
      const relative = Math.abs(ours - theirs) / Math.abs(theirs);
      worst = Math.max(worst, relative);
      assert.ok(theirs > 0 && relative <= RELATIVE, `${engine} ${name} ${layer.path} ${what}: ours ${ours}, PyTorch ${theirs} (relative ${relative.toExponential(2)})`);
    }
  }
  console.log(`${engine} ${name}: ${last.layers.length} layers, largest relative difference ${worst.toExponential(2)}`);
}

for (const engine of ['wasm', 'pytorch'] as const)
  for (const { name, source } of NETS)
    test(`${name} net on ${engine === 'wasm' ? 'wasm' : 'the PyTorch engine'}: every layer's response std and gradient norm equal PyTorch's on the same weights and batch`, {
      skip: noTorch ?? false,
      timeout: 300_000,
    }, async () => {
      await checkAgainstPyTorch(engine, name, source);
    });
