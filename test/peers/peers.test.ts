// The analyzer's figures against networks built without it: torchvision's own constructors, and
// PyTorch twins written from the papers (test/peers/twins.py), never the module our export
// writes (the export is checked for equality with the analyzer on its own, test/export/). Each
// example's trainable parameters, BatchNorm statistics, MACs and every stage's output shape.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { modelStats } from '../../src/core/report/statsJson';
import { PYTHON, torchvisionMissing } from '../helpers/python';

const skip = torchvisionMissing();

/** Example file, model, and the twin that builds the same network on its own. */
const PAIRS: readonly [file: string, model: string, twin: string][] = [
  ['examples/imagenet/resnet18.resnet', 'resnet18', 'tv:resnet18'],
  ['examples/imagenet/resnet34.resnet', 'resnet34', 'tv:resnet34'],
  ['examples/imagenet/resnet50.resnet', 'resnet50', 'v1:resnet50'],
  ['examples/imagenet/resnet101.resnet', 'resnet101', 'v1:resnet101'],
  ['examples/imagenet/resnet152.resnet', 'resnet152', 'v1:resnet152'],
  ['examples/imagenet/plain18.resnet', 'plain18', 'plain:resnet18'],
  ['examples/imagenet/plain34.resnet', 'plain34', 'plain:resnet34'],
  ['examples/torchvision/resnet50.resnet', 'resnet50', 'tv:resnet50'],
  ['examples/torchvision/resnet101.resnet', 'resnet101', 'tv:resnet101'],
  ['examples/torchvision/resnet152.resnet', 'resnet152', 'tv:resnet152'],
  ['examples/variants/resnext50-32x4d.resnet', 'resnext50_32x4d', 'tv:resnext50_32x4d'],
  ['examples/variants/wide-resnet50-2.resnet', 'wide_resnet50_2', 'tv:wide_resnet50_2'],
  ['examples/cifar/resnet20.resnet', 'resnet20', 'cifar:A/3'],
  ['examples/cifar/resnet32.resnet', 'resnet32', 'cifar:A/5'],
  ['examples/cifar/resnet44.resnet', 'resnet44', 'cifar:A/7'],
  ['examples/cifar/resnet56.resnet', 'resnet56', 'cifar:A/9'],
  ['examples/cifar/resnet110.resnet', 'resnet110', 'cifar:A/18'],
  ['examples/cifar/resnet20-b.resnet', 'resnet20_b', 'cifar:B/3'],
  ['examples/cifar/resnet56-b.resnet', 'resnet56_b', 'cifar:B/9'],
  ['examples/cifar/resnet110-b.resnet', 'resnet110_b', 'cifar:B/18'],
  ['examples/cifar/plain20.resnet', 'plain20', 'cifar:plain/3'],
  ['examples/cifar/plain56.resnet', 'plain56', 'cifar:plain/9'],
  ['examples/cifar/family.resnet', 'resnet44', 'cifar:A/7'],
  // Today's residual networks (issue 19): torchvision's constructors, and twins written from the papers as timm builds them.
  ['examples/modern/se-resnet50.resnet', 'se_resnet50', 'se:resnet50'],
  ['examples/modern/eca-resnet50.resnet', 'eca_resnet50', 'eca:resnet50'],
  ['examples/modern/resnet50-gn.resnet', 'resnet50_gn', 'gn:resnet50'],
  ['examples/modern/resnet50-d.resnet', 'resnet50_d', 'd:resnet50'],
  ['examples/modern/resnetrs50.resnet', 'resnetrs50', 'rs:resnet50'],
  ['examples/modern/resnet50-drop-path.resnet', 'resnet50_drop_path', 'tv:resnet50'],
  ['examples/modern/preact-resnet164.resnet', 'preact_resnet164', 'preact164'],
  ['examples/modern/wrn-28-10.resnet', 'wrn_28_10', 'wrn28_10'],
  ['examples/modern/mobilenet-v2.resnet', 'mobilenet_v2', 'tvnet:mobilenet_v2'],
  ['examples/modern/mobilenet-v3-large.resnet', 'mobilenet_v3_large', 'tvnet:mobilenet_v3_large'],
  ['examples/modern/efficientnet-b0.resnet', 'efficientnet_b0', 'tvnet:efficientnet_b0'],
  ['examples/modern/regnet-400mf.resnet', 'regnet_x_400mf', 'tvnet:regnet_x_400mf'],
  ['examples/modern/regnet-400mf.resnet', 'regnet_y_400mf', 'tvnet:regnet_y_400mf'],
  ['examples/modern/convnext-tiny.resnet', 'convnext_tiny', 'tvnet:convnext_tiny'],
  ['examples/modern/res2net50-26w-4s.resnet', 'res2net50_26w_4s', 'res2net50_26w_4s'],
  // Even kernels (4×4, 2×2) and ResNet-D's average-pool shortcut: what no example has.
  ['test/peers/even-kernels-d.resnet', 'even_d', 'even_d'],
];

interface Twin {
  readonly id: string;
  readonly error?: string;
  readonly params: number;
  readonly nonTrainable: number;
  readonly macs: number;
  readonly stages: Record<string, [number, number, number]>;
}

test("every example's parameters, BatchNorm statistics, MACs and stage shapes equal an independent PyTorch build", { skip, timeout: 600_000 }, () => {
  const ids = [...new Set(PAIRS.map(([, , twin]) => twin))];
  const run = spawnSync(PYTHON, ['-I', join(import.meta.dirname, 'twins.py'), ...ids], { encoding: 'utf8', timeout: 540_000 });
  assert.equal(run.status, 0, run.stderr);
  const twins = new Map(
    run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Twin)
      .map((t) => [t.id, t]),
  );
  for (const [file, name, id] of PAIRS) {
    const twin = twins.get(id);
    assert.ok(twin && !twin.error, `${id}: ${twin?.error ?? 'no result'}`);
    const analysis = analyze(readFileSync(file, 'utf8'));
    const model = analysis.models.find((m) => m.name === name);
    assert.ok(model, `${file} has a model ${name}`);
    const stats = modelStats(model, 1);
    const label = `${file} ${name} against ${id}`;
    assert.deepEqual(
      { params: stats.totals.params, nonTrainable: stats.totals.nonTrainable, macs: stats.totals.macs },
      { params: twin.params, nonTrainable: twin.nonTrainable, macs: twin.macs },
      label,
    );
    assert.deepEqual(Object.fromEntries(stats.stages.map((s) => [s.name, s.outputShape])), twin.stages, `${label}: stage output shapes (H, W, C)`);
  }
});
