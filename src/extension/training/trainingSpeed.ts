// How fast this machine trains on an engine, as forward multiply-adds per second (a model's MACs per
// image × the images per second it trained at): read from the newest run in the runs folder that
// trained on that engine, else the project's own benchmark figures. Train Model turns it into "about
// N minutes" for the quick check and for the recipe as written. Plain Node, no editor API.
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { readMetricsHead, readMetricsTail } from '../../training/runFolder/runFolder';

export interface TrainingSpeed {
  readonly macsPerSecond: number;
  /** The run folder it was measured in; absent for the benchmark's figure. */
  readonly measuredIn?: string | undefined;
}

/**
 * Before anything was measured here: CIFAR ResNet-20 (40,551,040 MACs an image) trained at about
 * 70 images/s on wasm (one thread) and 608 images/s on PyTorch's CPU engine on the project's 2-core
 * benchmark machine (docs/benchmarks.md, `npm run bench:train`).
 */
const BENCHMARK_MACS_PER_SECOND: Record<'tfjs' | 'pytorch', number> = { tfjs: 40_551_040 * 70, pytorch: 40_551_040 * 608 };

/** How many of the newest runs are looked at for a measurement. */
const RUNS_LOOKED_AT = 20;

/** `auto`: the newest run on whichever engine (auto chooses the same one on the same machine); its benchmark fallback is TF.js's, the slower. */
export function trainingSpeed(runsFolder: string | undefined, engine: 'tfjs' | 'pytorch' | 'auto'): TrainingSpeed {
  for (const runDir of newestRuns(runsFolder)) {
    const started = readMetricsHead(runDir, 16 * 1024).messages.find((m) => m.type === 'started');
    if (started?.type !== 'started' || !(started.macs > 0)) continue;
    if (engine !== 'auto' && (started.backend === 'pytorch') !== (engine === 'pytorch')) continue;
    const last = readMetricsTail(runDir, 16 * 1024)
      .messages.filter((m) => m.type === 'batch')
      .at(-1);
    // The first steps include compiling kernels: a run of a few steps says little.
    if (last?.type === 'batch' && last.step >= 5 && last.imagesPerSec > 0) return { macsPerSecond: started.macs * last.imagesPerSec, measuredIn: runDir };
  }
  return { macsPerSecond: BENCHMARK_MACS_PER_SECOND[engine === 'auto' ? 'tfjs' : engine] };
}

function newestRuns(runsFolder: string | undefined): string[] {
  if (!runsFolder) return [];
  try {
    return readdirSync(runsFolder, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort()
      .reverse()
      .slice(0, RUNS_LOOKED_AT)
      .map((name) => resolve(runsFolder, name));
  } catch {
    return [];
  }
}
