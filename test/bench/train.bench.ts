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
 *        [--rounds 3] [--skip before,forward,layerstats,cpu,torch,threads,webgpu] [--profile]
 *
 * On a machine with no GPU, SwiftShader (Debian's chromium) gives the webgpu row:
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npm run bench:train
 *
 * Per thread against PyTorch: PyTorch runs in a process kept up between rounds, each round some
 * wasm steps then as many PyTorch steps, so both see the machine in the same state; ratios on
 * wall time and on CPU time (the process's, every thread). Then both on every core (wasm as
 * data-parallel worker threads), and the peak memory of a step as each engine measures it in a run.
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
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { analyze } from '../../src/core/analysis/analyze';
import type { ModelNode } from '../../src/core/analysis/network';
import { Backprop } from '../../src/training/tfjs/model/backprop';
import { buildModel } from '../../src/training/tfjs/model/buildModel';
import { Optimizer } from '../../src/training/tfjs/optimizer';
import { trainStep } from '../../src/training/tfjs/trainer';
import { DataParallel } from '../../src/training/tfjs/parallel/dataParallel';
import { StepPeakMeter } from '../../src/training/tfjs/stepMemory';
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
  rounds: number;
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
    rounds: Number(get('rounds', '3')),
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
    const trainer = new TfjsTrainer(batch);
    await trainer.steps(warmup);
    if (profile) await printProfile(() => trainer.step());
    const times = (await trainer.steps(steps)).map((s) => s.wall);
    trainer.dispose();
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
import importlib.util, json, sys, time, torch, torch.nn as nn, torch.nn.functional as F
batch, threads, runner_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
torch.set_num_threads(threads)
torch.manual_seed(0)
# The PyTorch engine's own measurement of a step's peak memory (StepMemory), from its runner.
spec = importlib.util.spec_from_file_location("resnet_studio_runner", runner_path)
runner = importlib.util.module_from_spec(spec); spec.loader.exec_module(runner)
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
m = ResNet20(); opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
x = torch.randn(batch, 3, 32, 32); y = torch.randint(0, 10, (batch,))
def step():
    opt.zero_grad(); loss = F.cross_entropy(m(x), y); loss.backward(); opt.step(); return loss.item()
print(json.dumps({"version": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    command = line.split()
    if command[0] == "steps":
        wall, cpu = [], []
        for _ in range(int(command[1])):
            w0, c0 = time.perf_counter(), time.process_time(); step()
            wall.append(time.perf_counter() - w0); cpu.append(time.process_time() - c0)
        print(json.dumps({"wall": wall, "cpu": cpu}), flush=True)
    elif command[0] == "memory":
        meter = runner.StepMemory(torch.device("cpu"))
        for _ in range(2):
            with meter.measure(m, opt, x): step()
        print(json.dumps({"peakStepBytes": meter.peak}), flush=True)
`;

const PYTHON = process.env.RESNET_PEER_PYTHON ?? '/usr/bin/python3';

/** One step's time: wall seconds, and CPU seconds of the whole process (every thread of it). */
interface StepTime {
  readonly wall: number;
  readonly cpu: number;
}

/**
 * PyTorch's ResNet-20 step in a process that stays up, so its rounds can alternate with TF.js's
 * in one run: both then see the same state of the machine (this VM's speed moves by half within
 * minutes, and a comparison of two blocks minutes apart measured that instead).
 */
class TorchPeer {
  private readonly lines: AsyncIterator<string>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly version: string,
    readonly threads: number,
    lines: AsyncIterator<string>,
  ) {
    this.lines = lines;
  }

  static async start(batch: number, threads: number): Promise<TorchPeer | null> {
    if (spawnSync(PYTHON, ['-c', 'import torch']).status !== 0) return null;
    const child = spawn(PYTHON, ['-c', TORCH_SCRIPT, String(batch), String(threads), 'src/training/pytorch/runner.py'], {
      env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) {
      console.log('  PyTorch peer failed:', stderr.trim().split('\n').slice(-3).join(' | '));
      return null;
    }
    const hello = JSON.parse(first.value) as { version: string; threads: number };
    return new TorchPeer(child, hello.version, hello.threads, lines);
  }

  private async ask<T>(command: string): Promise<T> {
    this.child.stdin.write(`${command}\n`);
    const line = await this.lines.next();
    if (line.done) throw new Error(`the PyTorch peer stopped on "${command}"`);
    return JSON.parse(line.value) as T;
  }

  async steps(count: number): Promise<StepTime[]> {
    const r = await this.ask<{ wall: number[]; cpu: number[] }>(`steps ${count}`);
    return r.wall.map((wall, i) => ({ wall, cpu: r.cpu[i] ?? Number.NaN }));
  }

  /** The peak of a step as the PyTorch engine measures it on a CPU (its runner's StepMemory). */
  async peakStepBytes(): Promise<number> {
    return (await this.ask<{ peakStepBytes: number }>('memory')).peakStepBytes;
  }

  close(): void {
    this.child.stdin.end();
  }
}

/** ResNet-20 training on the current TF.js backend, kept between rounds: one thread, or `threads` data-parallel ones. */
class TfjsTrainer {
  private readonly model = buildCifarResNet();
  private readonly optimizer = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 });
  private readonly variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
  private readonly backprop = new Backprop(this.model, resnet20Node);
  private readonly pixels: Float32Array;
  private readonly labels: Uint8Array;
  private stepIndex = 0;

  constructor(
    private readonly batch: number,
    private readonly parallel?: DataParallel,
  ) {
    this.pixels = Float32Array.from({ length: batch * 32 * 32 * 3 }, (_, i) => Math.sin(i * 12.9898) * 0.5);
    this.labels = Uint8Array.from({ length: batch }, (_, i) => (i * 7) % RESNET20.classes);
  }

  /** One training step (on the data-parallel threads when there are some). */
  async step(measure = false): Promise<{ loss: number; otherThreadsPeakBytes?: number }> {
    const { backprop, variables, optimizer, pixels, labels, batch } = this;
    if (this.parallel) return this.parallel.step(backprop, variables, optimizer, pixels, labels, batch, 0.1, this.stepIndex++, measure);
    return trainStep(backprop, variables, optimizer, pixels, labels, batch, RESNET20.inputShape, RESNET20.classes, 0.1);
  }

  async steps(count: number): Promise<StepTime[]> {
    const times: StepTime[] = [];
    for (let i = 0; i < count; i++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await this.step();
      const cpu = process.cpuUsage(cpu0);
      times.push({ wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 });
    }
    return times;
  }

  /** The engine's own measurement of a step's peak (StepPeakMeter, the figure a run reports). */
  async peakStepBytes(): Promise<number> {
    const meter = new StepPeakMeter();
    for (let i = 0; i < 2; i++) await meter.around((measuring) => this.step(measuring));
    return meter.report(0).peakStepBytes ?? Number.NaN;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}

/**
 * Per thread, TF.js wasm against PyTorch (issue 20: 0.25× the goal): `rounds` rounds, each `steps`
 * wasm steps then `steps` PyTorch steps, both on one thread. Each round's ratio is of the medians;
 * the figure is the median round. On CPU time as well as wall time: CPU seconds are what a step
 * costs a thread, and they stay put when other work shares the machine, where wall time does not.
 */
async function perThread(args: Args, torch: TorchPeer): Promise<void> {
  const wasm = new TfjsTrainer(args.batch);
  await wasm.steps(args.warmup);
  await torch.steps(args.warmup);
  const wallRatios: number[] = [];
  const cpuRatios: number[] = [];
  const ips = (sec: number) => (args.batch / sec).toFixed(1);
  for (let round = 1; round <= args.rounds; round++) {
    const w = await wasm.steps(args.steps);
    const t = await torch.steps(args.steps);
    const [wWall, wCpu, tWall, tCpu] = [median(w.map((s) => s.wall)), median(w.map((s) => s.cpu)), median(t.map((s) => s.wall)), median(t.map((s) => s.cpu))];
    wallRatios.push(tWall / wWall);
    cpuRatios.push(tCpu / wCpu);
    console.log(
      `  round ${round}: wasm ${ips(wWall)} img/s wall, ${ips(wCpu)} per CPU-second; PyTorch ${ips(tWall)} / ${ips(tCpu)}; ratio ${(tWall / wWall).toFixed(3)} wall, ${(tCpu / wCpu).toFixed(3)} CPU`,
    );
  }
  console.log(
    `per thread, wasm ÷ PyTorch ${torch.version} (1 thread each, median of ${args.rounds} rounds): ${median(wallRatios).toFixed(3)} on wall time, ${median(cpuRatios).toFixed(3)} on CPU time (goal ≥ 0.25)`,
  );
  console.log(`peak memory of a step: wasm ${mib(await wasm.peakStepBytes())}, PyTorch ${mib(await torch.peakStepBytes())}`);
  wasm.dispose();
}

/** Every core: wasm on `threads` data-parallel threads against its one thread, and PyTorch on as many. */
async function allThreads(args: Args, threads: number, oneThreadSec: number): Promise<void> {
  const parallel = await DataParallel.start(threads, {
    sourceText: readFileSync('examples/cifar/resnet20.resnet', 'utf8'),
    modelName: resnet20Node.name,
    seed: 1,
    backend: 'wasm',
    shape: resnet20Node.input,
    classes: RESNET20.classes,
  });
  const wasm = new TfjsTrainer(args.batch, parallel);
  await wasm.steps(args.warmup);
  const wasmSec = median((await wasm.steps(args.steps)).map((s) => s.wall));
  const wasmPeak = await wasm.peakStepBytes();
  wasm.dispose();
  await parallel.close();
  const ips = (sec: number) => (args.batch / sec).toFixed(1);
  let line = `wasm, ${threads} threads: ${ips(wasmSec)} img/s, peak memory of a step ${mib(wasmPeak)}`;
  line += `; ${(oneThreadSec / wasmSec).toFixed(2)}× its one thread (goal ≥ ${(0.7 * threads).toFixed(1)}×)`;
  console.log(line);
  if (args.skip.has('torch')) return;
  const torch = await TorchPeer.start(args.batch, threads);
  if (!torch) return;
  await torch.steps(args.warmup);
  const torchSec = median((await torch.steps(args.steps)).map((s) => s.wall));
  const torchPeak = await torch.peakStepBytes();
  torch.close();
  console.log(
    `PyTorch ${torch.version}, ${torch.threads} threads: ${ips(torchSec)} img/s, peak memory of a step ${mib(torchPeak)}; wasm ÷ PyTorch on ${threads} threads ${(torchSec / wasmSec).toFixed(3)}`,
  );
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(2)} MiB`;
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
    const torch = await TorchPeer.start(args.batch, threads);
    if (torch == null) console.log(`PyTorch: not available (${PYTHON} -c "import torch" failed; apt-get install python3-torch)`);
    else {
      await perThread(args, torch);
      torch.close();
    }
  }
  const cores = availableParallelism();
  if (!args.skip.has('threads') && cores > 1) await allThreads(args, cores, wasmAfter);

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
