// `npm run bench`: parse + analyze time of the CIFAR ResNets (20 … 1202) and of a generated model
// with 10,000 blocks, median of repeated rounds; and, where PyTorch is installed, the time PyTorch
// takes to build the same ResNet-1202 and count its parameters and MACs with forward hooks.
// It times the analyzer as it ships: bundled by esbuild as dist/ is (run from TypeScript through
// tsx, every function is wrapped in a naming helper that doubled the time of a small model).
//
// `--baseline REV` also bundles the analyzer of git revision REV and times the two in turn, run by
// run, so a change is judged against its own past on the same machine in the same minute (this
// machine's speed drifts by 2-3x between days; the PyTorch peer's time shows it).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import type { analyze as Analyze } from '../../src/core/analysis/analyze';
import { runPython, torchVersion } from './peerPython';

type AnalyzeFn = typeof Analyze;

const baselineAt = process.argv.indexOf('--baseline');
const baselineRev = baselineAt >= 0 ? process.argv[baselineAt + 1] : undefined;

/** Bundles `src/core/analysis/analyze.ts` under `root` (this checkout's packages) and loads it. */
async function bundledAnalyze(root: string, dir: string): Promise<AnalyzeFn> {
  const outfile = join(dir, `${root === '.' ? 'current' : 'baseline'}.cjs`);
  await esbuild.build({
    entryPoints: [join(root, 'src/core/analysis/analyze.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    nodePaths: [resolve('node_modules')],
    logLevel: 'warning',
  });
  return (createRequire(import.meta.url)(outfile) as { analyze: AnalyzeFn }).analyze;
}

const bundleDir = mkdtempSync(join(tmpdir(), 'resnet-bench-'));
const analyze = await bundledAnalyze('.', bundleDir);
let baseline: AnalyzeFn | undefined;
if (baselineRev) {
  const tree = join(bundleDir, 'baseline');
  mkdirSync(tree);
  execFileSync('sh', ['-c', `git archive "$1" src | tar -x -C "$2"`, 'sh', baselineRev, tree]);
  baseline = await bundledAnalyze(tree, bundleDir);
}
rmSync(bundleDir, { recursive: true, force: true });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Median ms of one analysis of `text` by each analyzer given, over `rounds` rounds. A round times
 * a batch of analyses lasting about 20 ms (one analysis of a small model is under a millisecond,
 * where one garbage collection or a JIT decision decides the figure), the analyzers in turn.
 */
function time(text: string, rounds: number, analyzers: AnalyzeFn[]): { ms: number[]; layers: number; params: number } {
  const samples: number[][] = analyzers.map(() => []);
  let layers = 0;
  let params = 0;
  let serial = 0;
  // A different trailing comment each run: the parser remembers declarations it has seen, and
  // this measures a parse, not a cache hit.
  const fresh = () => `${text}\n// run ${serial++} ${Math.random()}\n`;
  const t0 = performance.now();
  analyzers[0](fresh());
  const batch = Math.max(1, Math.round(20 / Math.max(performance.now() - t0, 0.01)));
  for (let i = 0; i < rounds; i++) {
    // Who goes first alternates, so neither always pays for the other's garbage.
    const order = i % 2 === 0 ? analyzers.map((_, k) => k) : analyzers.map((_, k) => analyzers.length - 1 - k);
    for (const k of order) {
      const run = analyzers[k];
      const texts = Array.from({ length: batch }, fresh);
      const start = performance.now();
      for (const t of texts) {
        const a = run(t);
        if (k === 0) {
          params = a.models[0]?.cost.params ?? 0;
          layers = a.models[0]?.depth ?? 0;
        }
      }
      samples[k].push((performance.now() - start) / batch);
    }
  }
  return { ms: samples.map(median), layers, params };
}

function generated(blocks: number): string {
  return `model big {\n  input 32x32x3, classes 10\n  shortcut A\n  conv1 conv 3x3, 16, bn, relu\n  s basic(16) x ${blocks}\n  head avgpool, fc 10\n}\n`;
}

const analyzers = baseline ? [analyze, baseline] : [analyze];
// Warm up the JIT and the grammar, as an editor session that has been typing for a while is: every
// model in turn for 3 seconds (20 runs of one model left the first rows of the table cold).
const warmUp = [20, 110, 1202].map((d) => readFileSync(`examples/cifar/resnet${d}.resnet`, 'utf8'));
for (const run of analyzers) for (const start = performance.now(); performance.now() - start < 3000; ) for (const text of warmUp) run(`${text}\n// ${Math.random()}\n`);

console.log(`parse + analyze, median of repeated runs (Node ${process.version})`);
console.log(`model          depth    blocks   median ms   µs per block${baseline ? `   ${baselineRev} ms   ratio` : ''}`);
const rows: [string, string, number][] = [20, 32, 44, 56, 110, 1202].map((d) => [`resnet${d}`, readFileSync(`examples/cifar/resnet${d}.resnet`, 'utf8'), (d - 2) / 2]);
rows.push(['generated', generated(10_000), 10_000]);
let resnet1202ms = 0;
for (const [name, text, blocks] of rows) {
  const r = time(text, 21, analyzers);
  if (name === 'resnet1202') resnet1202ms = r.ms[0];
  const vs = baseline ? `${r.ms[1].toFixed(3).padStart(8 + (baselineRev ?? '').length - 5)} ${(r.ms[0] / r.ms[1]).toFixed(2).padStart(7)}` : '';
  console.log(`${name.padEnd(14)} ${String(r.layers).padStart(5)} ${String(blocks).padStart(9)} ${r.ms[0].toFixed(3).padStart(11)} ${((r.ms[0] * 1000) / blocks).toFixed(2).padStart(14)}${vs}`);
}
if (baseline) console.log(`ratio: this checkout's median over ${baselineRev}'s (1.10 = 10% slower)`);
console.log(`goal: ResNet-1202 under 5 ms → ${resnet1202ms < 5 ? 'met' : 'NOT met'} (${resnet1202ms.toFixed(2)} ms)`);

const version = torchVersion();
if (version) {
  // The same network in PyTorch (option A shortcuts), built and counted with forward hooks.
  const script = `
import json, sys, time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1)
class Block(nn.Module):
    def __init__(s, cin, cout, stride):
        super().__init__()
        s.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False); s.b1 = nn.BatchNorm2d(cout)
        s.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False); s.b2 = nn.BatchNorm2d(cout)
        s.pad = cout - cin; s.stride = stride
    def forward(s, x):
        y = s.b2(s.c2(F.relu(s.b1(s.c1(x)))))
        sc = x[:, :, ::s.stride, ::s.stride] if s.stride > 1 else x
        if s.pad: sc = F.pad(sc, (0, 0, 0, 0, s.pad // 2, s.pad - s.pad // 2))
        return F.relu(y + sc)
def build(n):
    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    cin = 16
    for w, s in ((16, 1), (32, 2), (64, 2)):
        for i in range(n):
            layers.append(Block(cin, w, s if i == 0 else 1)); cin = w
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)
def count(n):
    t0 = time.perf_counter()
    m = build(n); macs = [0]
    def hook(mod, inp, out):
        if isinstance(mod, nn.Conv2d): macs[0] += out.numel() * mod.in_channels // mod.groups * mod.kernel_size[0] * mod.kernel_size[1]
        elif isinstance(mod, nn.Linear): macs[0] += mod.in_features * mod.out_features
    for mod in m.modules(): mod.register_forward_hook(hook)
    with torch.no_grad(): m(torch.zeros(1, 3, 32, 32))
    return time.perf_counter() - t0, sum(p.numel() for p in m.parameters()), macs[0]
samples = [count(200) for _ in range(3)]
t = sorted(s[0] for s in samples)[1]
print(json.dumps({"ms": t * 1000, "params": samples[0][1], "macs": samples[0][2]}))
`;
  const peer = runPython<{ ms: number; params: number; macs: number }>(script);
  const ours = analyze(readFileSync('examples/cifar/resnet1202.resnet', 'utf8')).models[0];
  console.log(`\nPyTorch ${version} (1 thread) builds ResNet-1202 and counts it with hooks: ${peer.ms.toFixed(1)} ms (median of 3)`);
  console.log(`figures agree: params ${peer.params === ours.cost.params ? 'yes' : 'NO'} (${peer.params}), MACs ${peer.macs === ours.cost.macs ? 'yes' : 'NO'} (${peer.macs})`);
  console.log(`ratio PyTorch / resnet-studio: ${(peer.ms / resnet1202ms).toFixed(0)}× (resnet-studio is faster when > 1)`);
}
