/**
 * Training-step benchmark: CIFAR ResNet-20 (option A shortcuts) on TF.js wasm
 * (stock kernels vs. our training kernels), TF.js cpu, PyTorch CPU, and TF.js webgpu
 * whenever Dawn finds an adapter (the row names it; a software one such as
 * SwiftShader runs at --webgpu-software-batch for --webgpu-software-steps, since it
 * compiles and runs every shader on the CPU).
 *
 *   node --import tsx test/bench/train.bench.ts [--batch 128] [--steps 5]
 *        [--warmup 2] [--before-steps 1] [--cpu-batch 2]
 *        [--webgpu-software-batch 8] [--webgpu-software-steps 2]
 *        [--skip before,forward,layerstats,cpu,torch,webgpu] [--profile]
 *
 * On a machine with no GPU, SwiftShader (Debian's chromium) gives the webgpu row:
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npm run bench:train
 *
 * Images/s = batch / median step time (after warm-up). wasm in Node runs
 * single-threaded: tfjs-backend-wasm 4.22 reports no multithread support when
 * IS_NODE (flags_wasm.ts) and loads the SIMD, non-threaded binary, so
 * getThreadsCount() is 1 and PyTorch is pinned to the same count with
 * torch.set_num_threads (and OMP/MKL_NUM_THREADS). RESNET_PEER_PYTHON picks
 * the Python with torch (default /usr/bin/python3, Debian's python3-torch).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { analyze } from '../../src/core/analysis/analyze';
import type { ModelNode } from '../../src/core/analysis/network';
import { Backprop } from '../../src/training/tfjs/model/backprop';
import { buildModel } from '../../src/training/tfjs/model/buildModel';
import { Optimizer } from '../../src/training/tfjs/optimizer';
import { trainStep } from '../../src/training/tfjs/trainer';
import { LAYER_STATS_IMAGES } from '../../src/core/analysis/recipe';
import { layerStatsDue } from '../../src/training/layerStats';
import { LayerStatsMeter } from '../../src/training/tfjs/layerStats';
import { startWebGpuBackend } from '../../src/training/tfjs/webgpuBackend';
import { describeAdapter } from '../../src/training/tfjs/webgpuDevice';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../../src/training/tfjs/wasmKernels';

// ---------------------------------------------------------------------------
// The model: examples/cifar/resnet20.resnet, built by the project's own model builder
// ---------------------------------------------------------------------------

const resnet20Node = analyze(readFileSync('examples/cifar/resnet20.resnet', 'utf8')).models[0];
export const RESNET20 = { classes: 10, inputShape: [32, 32, 3] as [number, number, number] };

export function buildCifarResNet(): tf.LayersModel {
  return buildModel(resnet20Node, { seed: 1 });
}

// ---------------------------------------------------------------------------
// Baseline "naive" Conv2DBackpropFilter for stock wasm (via Conv3DBackpropFilterV2)
// ---------------------------------------------------------------------------

function registerNaiveFilterGrad(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') != null) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: (({ inputs, attrs }: { inputs: Record<string, tf.Tensor>; attrs: Record<string, unknown> }) =>
      tf.tidy(() => {
        const x = inputs.x as tf.Tensor4D;
        const dy = inputs.dy as tf.Tensor4D;
        const fs = attrs.filterShape as number[];
        const s = attrs.strides as number | [number, number];
        const [sh, sw] = typeof s === 'number' ? [s, s] : s;
        const [n, h, w, c] = x.shape;
        const [, oh, ow, co] = dy.shape;
        const x5 = tf.reshape(x, [n, 1, h, w, c]);
        const dy5 = tf.reshape(dy, [n, 1, oh, ow, co]);
        const dw = tf.engine().runKernel('Conv3DBackpropFilterV2', { x: x5, dy: dy5 }, { strides: [1, sh, sw], pad: attrs.pad as string, filterShape: [1, fs[0], fs[1], fs[2], fs[3]] }) as tf.Tensor;
        return tf.reshape(dw, fs);
      })) as unknown as tf.KernelFunc,
  });
}

function unregisterNaiveFilterGrad(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') != null) tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
}

// ---------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------

interface Args {
  batch: number;
  steps: number;
  warmup: number;
  beforeSteps: number;
  cpuBatch: number;
  skip: Set<string>;
  profile: boolean;
  webgpuSoftwareBatch: number;
  webgpuSoftwareSteps: number;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string, dflt: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
  };
  return {
    batch: Number(get('batch', '128')),
    steps: Number(get('steps', '5')),
    warmup: Number(get('warmup', '2')),
    beforeSteps: Number(get('before-steps', '1')),
    cpuBatch: Number(get('cpu-batch', '2')),
    skip: new Set(get('skip', '').split(',').filter(Boolean)),
    profile: argv.includes('--profile'),
    webgpuSoftwareBatch: Number(get('webgpu-software-batch', '8')),
    webgpuSoftwareSteps: Number(get('webgpu-software-steps', '2')),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function makeBatch(batch: number, classes: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const labels = tf.randomUniform([batch], 0, classes, 'int32', 11) as tf.Tensor1D;
    return { x, y: tf.oneHot(labels, classes).toFloat() as tf.Tensor2D };
  });
}

/** Seconds per training step of ResNet-20 on the current backend (the trainer's own step and SGD), one entry per timed step. */
async function timeTfjs(batch: number, warmup: number, steps: number, profile = false): Promise<number[]> {
  tf.engine().startScope();
  try {
    const model = buildCifarResNet();
    const optimizer = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 });
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const pixels = Float32Array.from({ length: batch * 32 * 32 * 3 }, (_, i) => Math.sin(i * 12.9898) * 0.5);
    const labels = Uint8Array.from({ length: batch }, (_, i) => (i * 7) % RESNET20.classes);
    const backprop = new Backprop(model, resnet20Node);
    const step = async () => void (await trainStep(backprop, variables, optimizer, pixels, labels, batch, RESNET20.inputShape, RESNET20.classes, 0.1));
    for (let i = 0; i < warmup; i++) await step();
    if (profile) await printProfile(step);
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await step();
      times.push((performance.now() - t0) / 1000);
    }
    optimizer.dispose();
    model.dispose();
    return times;
  } finally {
    tf.engine().endScope();
  }
}

/**
 * The layer statistics' cost (src/training/layerStats.ts) against training, for `model` at
 * `batch`: the median of `repeats` training steps and of as many measurements on the default
 * fixed batch, interleaved (so both see the same load), after `warmup` of each.
 */
async function timeLayerStats(model: ModelNode, batch: number, warmup: number, repeats: number): Promise<{ step: number; measure: number }> {
  tf.engine().startScope();
  try {
    const network = buildModel(model, { seed: 1 });
    const [h, w, c] = model.input;
    const classes = model.output[2];
    const images = (count: number) => ({
      pixels: Float32Array.from({ length: count * h * w * c }, (_, i) => Math.sin(i * 12.9898) * 0.5),
      labels: Uint8Array.from({ length: count }, (_, i) => (i * 7) % classes),
      count,
    });
    const backprop = new Backprop(network, model);
    const optimizer = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 });
    const variables = network.trainableWeights.map((v) => v.read() as tf.Variable);
    const train = images(batch);
    const fixed = images(LAYER_STATS_IMAGES);
    const meter = new LayerStatsMeter(backprop, model);
    const steps: number[] = [];
    const measures: number[] = [];
    for (let i = 0; i < warmup + repeats; i++) {
      let t0 = performance.now();
      await trainStep(backprop, variables, optimizer, train.pixels, train.labels, batch, [h, w, c], classes, 0.05);
      if (i >= warmup) steps.push((performance.now() - t0) / 1000);
      t0 = performance.now();
      await meter.measure(fixed);
      if (i >= warmup) measures.push((performance.now() - t0) / 1000);
    }
    optimizer.dispose();
    network.dispose();
    return { step: median(steps), measure: median(measures) };
  } finally {
    tf.engine().endScope();
  }
}

/** The share of a run's time the default schedule's measurements take: `totalSteps` steps, `stepsPerEpoch` an epoch. */
function layerStatsShare(timing: { step: number; measure: number }, stepsPerEpoch: number, totalSteps: number): string {
  let measurements = 0;
  for (let step = 1; step <= totalSteps; step++) if (layerStatsDue({ images: LAYER_STATS_IMAGES }, step, stepsPerEpoch, totalSteps)) measurements++;
  const share = (100 * measurements * timing.measure) / (totalSteps * timing.step + measurements * timing.measure);
  return `${(timing.step * 1000).toFixed(0)} ms a step, ${(timing.measure * 1000).toFixed(0)} ms a measurement on ${LAYER_STATS_IMAGES} images (${(timing.measure / timing.step).toFixed(2)} of a step); ${measurements} measurements in ${totalSteps} steps: ${share.toFixed(2)}% of the training time`;
}

/**
 * Wall time per kernel for one step, top-level kernels only (the kernels that
 * ours run internally are counted in their caller), by wrapping every
 * registered wasm kernel for the duration of the step.
 */
async function printProfile(step: () => Promise<unknown>): Promise<void> {
  const configs = tf.getKernelsForBackend('wasm');
  const stats = new Map<string, { ms: number; n: number }>();
  let depth = 0;
  for (const k of configs) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel({
      ...k,
      kernelFunc: ((args: Parameters<tf.KernelFunc>[0]) => {
        depth++;
        const t0 = performance.now();
        try {
          return inner(args);
        } finally {
          depth--;
          if (depth === 0) {
            const e = stats.get(k.kernelName) ?? { ms: 0, n: 0 };
            e.ms += performance.now() - t0;
            e.n++;
            stats.set(k.kernelName, e);
          }
        }
      }) as tf.KernelFunc,
    });
  }
  const t0 = performance.now();
  try {
    await step();
  } finally {
    for (const k of configs) {
      tf.unregisterKernel(k.kernelName, 'wasm');
      tf.registerKernel(k);
    }
  }
  const wall = performance.now() - t0;
  const total = [...stats.values()].reduce((a, e) => a + e.ms, 0);
  console.log(`  profile of one step: ${wall.toFixed(0)} ms wall, ${total.toFixed(0)} ms in kernels (top-level kernels, wall time):`);
  for (const [name, e] of [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 16)) {
    console.log(`    ${name.padEnd(36)} ${e.ms.toFixed(1).padStart(8)} ms  x${e.n}`);
  }
}

/** Median seconds per forward pass (inference) on the current backend. */
async function timeForward(batch: number, reps: number): Promise<number> {
  tf.engine().startScope();
  try {
    const model = buildCifarResNet();
    const { x } = makeBatch(batch, RESNET20.classes);
    const times: number[] = [];
    for (let i = 0; i <= reps; i++) {
      const t0 = performance.now();
      const out = model.predict(x) as tf.Tensor;
      out.dataSync();
      out.dispose();
      if (i > 0) times.push((performance.now() - t0) / 1000);
    }
    model.dispose();
    return median(times);
  } finally {
    tf.engine().endScope();
  }
}

// ---------------------------------------------------------------------------
// PyTorch reference
// ---------------------------------------------------------------------------

const TORCH_SCRIPT = String.raw`
import sys, time, statistics, torch, torch.nn as nn, torch.nn.functional as F
batch, warmup, steps, threads = map(int, sys.argv[1:5])
torch.set_num_threads(threads)
torch.manual_seed(0)
class Block(nn.Module):
    def __init__(s, cin, cout, stride):
        super().__init__()
        s.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False); s.b1 = nn.BatchNorm2d(cout)
        s.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False); s.b2 = nn.BatchNorm2d(cout)
        s.stride, s.extra = stride, cout - cin
    def forward(s, x):
        y = s.b2(s.c2(F.relu(s.b1(s.c1(x)))))
        sc = x
        if s.stride != 1 or s.extra:
            sc = F.avg_pool2d(x, 1, s.stride) if s.stride != 1 else x
            lo = s.extra // 2
            sc = F.pad(sc, (0, 0, 0, 0, lo, s.extra - lo))
        return F.relu(y + sc)
class ResNet20(nn.Module):
    def __init__(s):
        super().__init__()
        s.c = nn.Conv2d(3, 16, 3, 1, 1, bias=False); s.b = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for i, w in enumerate([16, 32, 64]):
            for b in range(3):
                layers.append(Block(cin, w, 2 if i > 0 and b == 0 else 1)); cin = w
        s.layers = nn.Sequential(*layers); s.fc = nn.Linear(64, 10)
    def forward(s, x):
        x = s.layers(F.relu(s.b(s.c(x))))
        return s.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))
m = ResNet20(); opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
x = torch.randn(batch, 3, 32, 32); y = torch.randint(0, 10, (batch,))
def step():
    opt.zero_grad(); loss = F.cross_entropy(m(x), y); loss.backward(); opt.step(); return loss.item()
for _ in range(warmup): step()
ts = []
for _ in range(steps):
    t0 = time.perf_counter(); step(); ts.append(time.perf_counter() - t0)
print(statistics.median(ts), torch.__version__, torch.get_num_threads())
`;

const PYTHON = process.env.RESNET_PEER_PYTHON ?? '/usr/bin/python3';

function timeTorch(batch: number, warmup: number, steps: number, threads: number) {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const r = spawnSync(PYTHON, ['-c', TORCH_SCRIPT, String(batch), String(warmup), String(steps), String(threads)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) },
  });
  if (r.status !== 0) {
    console.log('  PyTorch run failed:', r.stderr.trim().split('\n').slice(-3).join(' | '));
    return null;
  }
  const [sec, version, nThreads] = r.stdout.trim().split(/\s+/);
  return { sec: Number(sec), version, threads: Number(nThreads) };
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const ips = (batch: number, sec: number) => (batch / sec).toFixed(1);
  await tf.setBackend('wasm');
  await tf.ready();
  const threads = getThreadsCount();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  console.log(`ResNet-20 (option A) training step, batch ${args.batch}, median of ${args.steps} after ${args.warmup} warm-up`);
  console.log(`wasm: ${threads} thread(s), SIMD ${simd ? 'on' : 'off'}`);

  let wasmBefore: number | null = null;
  if (!args.skip.has('before')) {
    unregisterWasmTrainingKernels();
    registerNaiveFilterGrad();
    wasmBefore = median(await timeTfjs(args.batch, 1, args.beforeSteps));
    unregisterNaiveFilterGrad();
    console.log(`wasm, stock kernels + naive Conv2DBackpropFilter: ${ips(args.batch, wasmBefore)} img/s (${(wasmBefore * 1000).toFixed(0)} ms/step)`);
  }

  registerWasmTrainingKernels();
  const afterTimes = await timeTfjs(args.batch, args.warmup, args.steps, args.profile);
  const wasmAfter = median(afterTimes);
  const best = Math.min(...afterTimes);
  console.log(`wasm, registerWasmTrainingKernels(): ${ips(args.batch, wasmAfter)} img/s (${(wasmAfter * 1000).toFixed(0)} ms/step median; ` + `fastest step ${ips(args.batch, best)} img/s)`);
  if (wasmBefore != null) console.log(`  speed-up over stock wasm: ${(wasmBefore / wasmAfter).toFixed(1)}x`);
  if (!args.skip.has('layerstats')) {
    // The paper's recipe (64k steps of 128, 391 a CIFAR epoch), and the Fig. 6 MNIST experiment's 20-layer nets (500 steps of 32, 250 an epoch).
    console.log(`wasm, layer statistics, ResNet-20 at ${args.batch}: ${layerStatsShare(await timeLayerStats(resnet20Node, args.batch, 1, args.steps), 391, 64_000)}`);
    const fig6 = analyze(`${readFileSync('examples/experiments/fig6-mnist.resnet', 'utf8')}\nmodel plain20 = mnist_plain(n = 3)\nmodel resnet20 = mnist_resnet(n = 3)\n`).models;
    for (const name of ['plain20', 'resnet20']) {
      const model = fig6.find((m) => m.name === name);
      if (model) console.log(`wasm, layer statistics, Fig. 6 MNIST ${name} at 32: ${layerStatsShare(await timeLayerStats(model, 32, 2, 10), 250, 500)}`);
    }
  }
  if (!args.skip.has('forward')) {
    const fwd = await timeForward(args.batch, 3);
    console.log(`wasm forward only (inference, for scale): ${ips(args.batch, fwd)} img/s`);
  }

  if (!args.skip.has('cpu')) {
    await tf.setBackend('cpu');
    const cpu = median(await timeTfjs(args.cpuBatch, 0, 1));
    console.log(`tfjs cpu (batch ${args.cpuBatch}, 1 step, no warm-up): ${ips(args.cpuBatch, cpu)} img/s`);
    await tf.setBackend('wasm');
  }

  if (!args.skip.has('torch')) {
    const torch = timeTorch(args.batch, args.warmup, args.steps, threads);
    if (torch == null) {
      console.log(`PyTorch: not available (${PYTHON} -c "import torch" failed; apt-get install python3-torch)`);
    } else {
      const wasmIps = args.batch / wasmAfter;
      const torchIps = args.batch / torch.sec;
      console.log(`PyTorch ${torch.version} CPU, ${torch.threads} thread(s): ${torchIps.toFixed(1)} img/s`);
      console.log(`ratio wasm/PyTorch: ${(wasmIps / torchIps).toFixed(2)} (goal >= 0.70)`);
    }
  }

  if (!args.skip.has('webgpu')) await webgpuRow(args);
}

/** The webgpu row: ResNet-20 on whatever adapter Dawn finds, named; none found is said so. */
async function webgpuRow(args: Args): Promise<void> {
  const started = await startWebGpuBackend();
  if (!started.ok) {
    console.log(`webgpu: no adapter (${started.why})`);
    return;
  }
  const software = started.summary.software;
  const batch = software ? args.webgpuSoftwareBatch : args.batch;
  const warmup = software ? 1 : args.warmup;
  const steps = software ? args.webgpuSoftwareSteps : args.steps;
  const times = await timeTfjs(batch, warmup, steps);
  const sec = median(times);
  console.log(`webgpu on ${describeAdapter(started.summary)}: ${(batch / sec).toFixed(2)} img/s at batch ${batch} (${(sec * 1000).toFixed(0)} ms/step, median of ${steps} after ${warmup} warm-up)`);
}

if (process.argv[1] != null && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
