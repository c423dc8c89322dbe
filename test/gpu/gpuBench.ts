// One timed training run for the GPU device check (test/gpu/run-on-device.sh): starts the real
// training worker (dist/worker.cjs) on CIFAR ResNet-20 with synthetic CIFAR-shaped data, notes
// when each step's `batch` message arrives, and prints one JSON line: images/s from the median
// step time (after warm-up, only between steps of the same epoch, so checkpoints and evaluation
// at an epoch's end are not counted), and the GPU memory nvidia-smi saw above the idle level.
// Bundled into the device bundle by test/gpu/prepare-bundle.sh; run with the carried Node there.
//
//   node gpu-bench.cjs --label NAME --model FILE --worker dist/worker.cjs --steps N --warmup W
//        --batch B --train-images N (--backend webgpu | --engine pytorch --device cuda
//        --precision fp32|bf16|fp16 [--channels-last])
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendChoice, BatchMessage, StartedMessage, TrainingMessage, TrainRequest } from '../../src/protocol/training';
import { launchWorker } from '../../src/training/worker/launch';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (value === undefined) throw new Error(`gpu-bench: --${name} is required`);
  return value;
}

const label = arg('label');
const steps = Number(arg('steps', '50'));
const warmup = Number(arg('warmup', '10'));
const batch = Number(arg('batch', '128'));
const engine = arg('engine', 'tfjs') as 'tfjs' | 'pytorch';

/** Samples the GPU's used memory (MiB) with nvidia-smi while the run lasts; none where there is no nvidia-smi. */
function sampleGpuMemory(): { stop(): number | undefined } {
  let peak: number | undefined;
  const child = spawn('nvidia-smi', ['--query-gpu=memory.used', '--format=csv,noheader,nounits', '-lms', '100'], { stdio: ['ignore', 'pipe', 'ignore'] });
  child.on('error', () => undefined);
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      const mib = Number(line.trim().split('\n')[0]);
      if (line.trim() && Number.isFinite(mib)) peak = Math.max(peak ?? 0, mib);
    }
  });
  return {
    stop() {
      child.kill();
      return peak;
    },
  };
}

function idleGpuMemory(): Promise<number | undefined> {
  return new Promise((resolve) => {
    const child = spawn('nvidia-smi', ['--query-gpu=memory.used', '--format=csv,noheader,nounits'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.on('error', () => resolve(undefined));
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.on('close', (code) => resolve(code === 0 ? Number(text.trim().split('\n')[0]) : undefined));
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const base: TrainRequest = {
    sourceText: readFileSync(arg('model'), 'utf8'),
    sourcePath: arg('model'),
    modelName: arg('model-name', 'resnet20'),
    dataset: 'synthetic',
    backend: (engine === 'tfjs' ? arg('backend', 'webgpu') : 'auto') as BackendChoice,
    outDir: mkdtempSync(join(tmpdir(), `gpu-${label}-`)),
    trainLimit: Number(arg('train-images', String(batch * 20))),
    batchSize: batch,
    maxSteps: steps,
    seed: 1,
    ...(engine === 'pytorch' ? { engine: 'pytorch' as const, python: arg('python', 'python3') } : {}),
  };
  // The PyTorch engine's device, precision and memory layout (src/protocol/training.ts on the pyengine branch).
  const request = engine === 'pytorch' ? { ...base, device: arg('device', 'cuda'), precision: arg('precision', 'fp32'), channelsLast: process.argv.includes('--channels-last') } : base;
  const idle = await idleGpuMemory();
  const memory = sampleGpuMemory();
  const arrivals: { step: number; epoch: number; at: number; loss: number }[] = [];
  let started: StartedMessage | undefined;
  let failed: string | undefined;
  let log = '';
  const worker = launchWorker(
    { type: 'start', request: request as TrainRequest },
    (m: TrainingMessage) => {
      if (m.type === 'started') started = m;
      if (m.type === 'batch') arrivals.push({ step: (m as BatchMessage).step, epoch: m.epoch, at: performance.now(), loss: m.loss });
      if (m.type === 'failed') failed = m.message;
    },
    { entry: { path: arg('worker'), execArgv: [] }, onLog: (line) => (log += line) },
  );
  const code = await worker.exited;
  const peak = memory.stop();
  const deltas: number[] = [];
  for (let i = 1; i < arrivals.length; i++) {
    if (arrivals[i].step <= warmup || arrivals[i].epoch !== arrivals[i - 1].epoch) continue;
    deltas.push((arrivals[i].at - arrivals[i - 1].at) / 1000);
  }
  const stepSeconds = median(deltas);
  const result = {
    label,
    ok: code === 0 && !failed && deltas.length > 0,
    engine,
    backend: started?.backend,
    device: started?.device,
    adapter: started?.adapter,
    batch,
    steps: arrivals.length,
    timedSteps: deltas.length,
    medianStepSeconds: stepSeconds,
    imagesPerSec: batch / stepSeconds,
    firstLoss: arrivals[0]?.loss,
    lastLoss: arrivals[arrivals.length - 1]?.loss,
    peakGpuMemoryMiB: peak !== undefined && idle !== undefined ? peak - idle : null,
    ...(failed ? { failed } : {}),
    ...(code !== 0 ? { exitCode: code, logTail: log.slice(-2000) } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = result.ok ? 0 : 1;
}

void main();
