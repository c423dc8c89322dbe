// `npm run bench`: parse + analyze time of the CIFAR ResNets (20 … 1202) and of a generated model
// with 10,000 blocks, median of repeated runs; and, where PyTorch is installed, the time PyTorch
// takes to build the same ResNet-1202 and count its parameters and MACs with forward hooks.
import { readFileSync } from 'node:fs';
import { analyze } from '../../src/core/analysis/analyze';
import { runPython, torchVersion } from './peerPython';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(text: string, runs: number): { ms: number; layers: number; params: number } {
  const samples: number[] = [];
  let layers = 0;
  let params = 0;
  for (let i = 0; i < runs; i++) {
    // A different trailing comment each run: the parser remembers declarations it has seen, and
    // this measures a parse, not a cache hit.
    const fresh = `${text}\n// run ${i} ${Math.random()}\n`;
    const t0 = performance.now();
    const a = analyze(fresh);
    samples.push(performance.now() - t0);
    params = a.models[0]?.cost.params ?? 0;
    layers = a.models[0]?.depth ?? 0;
  }
  return { ms: median(samples), layers, params };
}

function generated(blocks: number): string {
  return `model big {\n  input 32x32x3, classes 10\n  shortcut A\n  conv1 conv 3x3, 16, bn, relu\n  s basic(16) x ${blocks}\n  head avgpool, fc 10\n}\n`;
}

// Warm up the JIT and the grammar once, as an editor session would be.
for (let i = 0; i < 20; i++) analyze(readFileSync('examples/cifar/resnet110.resnet', 'utf8'));

console.log(`parse + analyze, median of repeated runs (Node ${process.version})`);
console.log('model          depth    blocks   median ms   µs per block');
const rows: [string, string, number][] = [20, 32, 44, 56, 110, 1202].map((d) => [`resnet${d}`, readFileSync(`examples/cifar/resnet${d}.resnet`, 'utf8'), (d - 2) / 2]);
rows.push(['generated', generated(10_000), 10_000]);
let resnet1202ms = 0;
for (const [name, text, blocks] of rows) {
  const r = time(text, blocks > 1000 ? 15 : 51);
  if (name === 'resnet1202') resnet1202ms = r.ms;
  console.log(`${name.padEnd(14)} ${String(r.layers).padStart(5)} ${String(blocks).padStart(9)} ${r.ms.toFixed(3).padStart(11)} ${((r.ms * 1000) / blocks).toFixed(2).padStart(14)}`);
}
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
