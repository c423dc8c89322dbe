// Training messages for the dashboard tests: from a short real run (the CLI bundle, wasm backend,
// a tiny model on synthetic images with a validation split) when dist/cli.cjs exists, else a
// scripted stream shaped like one (falling loss with noise, a step schedule, epochs, checkpoints).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrainingMessage, type LayerStat, type TrainingMessage } from '../../src/protocol/training';
import { REPO_ROOT } from './browserHost';

/** 448 training images (512 less 64 held out), batch 32: 14 steps an epoch, 3 epochs, 42 steps. */
const TINY_MODEL = `model tiny {
  input 8x8x1, classes 4
  shortcut A
  conv1    conv 3x3, 8, bn, relu
  conv2_x  basic(8) x 1
  head     avgpool, fc 4
  train {
    dataset synthetic
    batch 32
    sgd lr 0.1, momentum 0.9, weight_decay 1e-4
    epochs 3
    decay 0.1 at 2
    augment none
    validation 64
  }
}
`;

export interface Stream {
  readonly messages: TrainingMessage[];
  readonly runDir: string;
  /** Where it came from, for the test log. */
  readonly source: string;
}

/** A real run through `node dist/cli.cjs train … --json`, or undefined (with why) when it cannot be made. */
export function realRun(workDir: string): Stream | { reason: string } {
  const cli = join(REPO_ROOT, 'dist', 'cli.cjs');
  if (!existsSync(cli)) return { reason: 'dist/cli.cjs is not built (npm run build)' };
  mkdirSync(workDir, { recursive: true });
  const file = join(workDir, 'tiny.resnet');
  writeFileSync(file, TINY_MODEL);
  const result = spawnSync(process.execPath, [cli, 'train', file, '--backend', 'wasm', '--out', join(workDir, 'runs'), '--json'], { encoding: 'utf8', timeout: 120_000, cwd: REPO_ROOT });
  if (result.status !== 0) return { reason: `the CLI run failed (exit ${result.status}): ${(result.stderr || result.stdout).slice(-400)}` };
  const messages = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => parseTrainingMessage(JSON.parse(line)))
    .filter((m): m is TrainingMessage => m !== undefined);
  const started = messages.find((m) => m.type === 'started');
  if (!started || !messages.some((m) => m.type === 'finished')) return { reason: 'the CLI run printed no started/finished message' };
  return { messages, runDir: started.runDir, source: `a real run (${messages.length} messages, ${started.backend})` };
}

export interface ScriptOptions {
  readonly runDir?: string;
  readonly model?: string;
  readonly stepsPerEpoch?: number;
  readonly epochs?: number;
  /** Stop the stream after this many steps (a run still going). */
  readonly untilStep?: number;
  /** How much better this model gets (plain nets: less). */
  readonly skill?: number;
  readonly seed?: number;
  readonly validation?: boolean;
}

/** Layer statistics shaped like a small CIFAR net's: responses shrinking with depth, more so for a residual net (higher skill). */
function layerStatsAt(progress: number, skill: number): LayerStat[] {
  const paths = ['conv1.conv1', 'conv2_x.0.conv1', 'conv2_x.0.conv2', 'conv3_x.0.conv1', 'conv3_x.0.conv2', 'conv3_x.0.shortcut.conv1', 'head.fc1'];
  return paths.map((path, i) => ({ path, responseStd: (1.2 - 0.1 * i * skill) * (1 - 0.3 * progress), gradNorm: 0.05 * (i + 1) * Math.exp(-2 * progress) }));
}

/** A deterministic stream shaped like a CIFAR run. */
export function scriptedRun(options: ScriptOptions = {}): Stream {
  const runDir = options.runDir ?? '/work/runs/2026-01-02-10-20-30-resnet20';
  const model = options.model ?? 'resnet20';
  const spe = options.stepsPerEpoch ?? 50;
  const epochs = options.epochs ?? 6;
  const total = spe * epochs;
  const until = Math.min(options.untilStep ?? total, total);
  const skill = options.skill ?? 1;
  let seed = options.seed ?? 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const lrAt = (step: number) => (step < total / 2 ? 0.1 : step < (3 * total) / 4 ? 0.01 : 0.001);
  const messages: TrainingMessage[] = [
    {
      type: 'started',
      runDir,
      model,
      params: 272_474,
      macs: 40_813_184,
      backend: 'wasm',
      backendReason: 'auto: tfjs-node unavailable',
      device: 'CPU (WebAssembly, 1 thread)',
      dataset: 'cifar10',
      trainImages: 45_000,
      batchSize: 128,
      stepsPerEpoch: spe,
      totalSteps: total,
      epochs,
    },
  ];
  let sums = { loss: 0, acc: 0, n: 0 };
  for (let step = 1; step <= until; step++) {
    const progress = step / total;
    const floor = 0.25 + 0.35 * (1 - skill);
    const loss = floor + 2.05 * Math.exp(-5 * skill * progress) + (random() - 0.5) * 0.3 - (lrAt(step) < 0.1 ? 0.1 : 0);
    const accuracy = Math.min(1, Math.max(0, 1 - loss / 2.6 + (random() - 0.5) * 0.08));
    const epoch = Math.floor((step - 1) / spe);
    messages.push({ type: 'batch', step, epoch, loss, accuracy, lr: lrAt(step), imagesPerSec: 900 + random() * 50 });
    sums = { loss: sums.loss + loss, acc: sums.acc + accuracy, n: sums.n + 1 };
    // Layer statistics as the trainer measures them by default: after step 1 and each epoch's end.
    if (step === 1 || step % spe === 0) messages.push({ type: 'layerStats', step, layers: layerStatsAt(progress, skill) });
    if (step % spe === 0) {
      const trainAccuracy = sums.acc / sums.n;
      messages.push({
        type: 'epoch',
        epoch,
        step,
        trainLoss: sums.loss / sums.n,
        trainAccuracy,
        ...(options.validation === false ? {} : { valLoss: sums.loss / sums.n + 0.1, valAccuracy: Math.max(0, trainAccuracy - 0.04 - random() * 0.02) }),
        seconds: spe / 7,
        // The first epoch of a launch carries the measured peak of a step and the estimate beside it.
        ...(epoch === 0 ? { peakStepBytes: 188.6 * 2 ** 20, estimatedStepBytes: 190 * 2 ** 20 } : {}),
      });
      messages.push({ type: 'checkpoint', epoch, step, path: `${runDir}/checkpoints/step-${String(step).padStart(8, '0')}` });
      sums = { loss: 0, acc: 0, n: 0 };
    }
  }
  if (until === total) messages.push({ type: 'finished', runDir, step: total, epoch: epochs, stopped: false, testLoss: 0.4, testAccuracy: 0.9 - 0.05 * (1 - skill), seconds: total / 7 });
  return { messages, runDir, source: `a scripted stream (${messages.length} messages)` };
}
