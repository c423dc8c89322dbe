// PyTorch as the peer that checks our figures: finds a Python with torch, exports .resnet files
// as PyTorch modules into a temporary folder, and runs one of the measuring helpers of
// test/export/ over them, one JSON line per model.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/core/analysis/analyze';
import type * as tf from '@tensorflow/tfjs';
import { modelLayers, type ModelNode } from '../../src/core/analysis/network';
import { layerByPath } from '../../src/training/tfjs/model/buildModel';
import { exportPyTorchModule } from '../../src/export/pytorch';
import { PYTHON, torchMissing } from './python';

/** The Python with torch (RESNET_STUDIO_PYTHON, else /usr/bin/python3), or why there is none (in CI, an error). */
export function torchPython(): { python?: string; why?: string } {
  const why = torchMissing();
  return why ? { why: `no Python with torch: ${why}` } : { python: PYTHON };
}

export interface ExportedModel {
  readonly id: string;
  readonly model: ModelNode;
  /** What the manifest entry carries for the Python helper: path, class, id and any extra fields. */
  readonly entry: Record<string, unknown>;
}

/** Exports every model of the files; `extra` adds fields to each manifest entry (a batch size, a device). */
export function exportModels(files: readonly { path: string; label: string }[], extra: (model: ModelNode) => Record<string, unknown> = () => ({})): ExportedModel[] {
  const dir = mkdtempSync(join(tmpdir(), 'resnet-peer-'));
  return files.flatMap((file, index) => {
    const text = readFileSync(file.path, 'utf8');
    const analysis = analyze(text);
    const module = exportPyTorchModule(analysis.models, file.path, { sourceText: text });
    const path = join(dir, `m${index}.py`);
    writeFileSync(path, module.text);
    return analysis.models.map((model) => {
      const id = `${file.label} ${model.name}`;
      return { id, model, entry: { path, class: module.classNames.get(model.name), id, ...extra(model) } };
    });
  });
}

/** Runs test/export/SCRIPT over the models; its JSON lines by id. Throws with Python's stderr when it fails. */
export function measureWith<T extends { id: string }>(python: string, script: string, models: readonly ExportedModel[]): Map<string, T> {
  const dir = mkdtempSync(join(tmpdir(), 'resnet-peer-manifest-'));
  const manifest = join(dir, 'manifest.json');
  writeFileSync(manifest, JSON.stringify(models.map((m) => m.entry)));
  const run = spawnSync(python, [join(import.meta.dirname, '..', 'export', script), manifest], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${script} failed: ${run.stderr}`);
  return new Map(
    run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as T)
      .map((m) => [m.id, m]),
  );
}

/** Each TF.js weight of each convolution, BatchNorm and fc as the PyTorch state dict names it, in PyTorch's layout. */
export function stateDict(network: tf.LayersModel, model: ModelNode): Record<string, number[]> {
  const state: Record<string, number[]> = {};
  // The export's module paths are the analyzer's; a projection shortcut is `shortcut.conv1`, `shortcut.bn1`.
  for (const layer of modelLayers(model)) {
    const weights = layerByPath(network, layer.path).getWeights();
    const key = layer.path;
    const put = (name: string, t: tf.Tensor | undefined, perm?: number[]) => {
      if (!t) throw new Error(`no TF.js weight for ${key}.${name}`);
      state[`${key}.${name}`] = Array.from((perm ? t.transpose(perm) : t).dataSync());
    };
    if (layer.spec.op === 'conv') {
      put('weight', weights[0], [3, 2, 0, 1]);
      if (layer.spec.bias) put('bias', weights[1]);
    } else if (layer.spec.op === 'bn') {
      put('weight', weights[0]);
      put('bias', weights[1]);
      put('running_mean', weights[2]);
      put('running_var', weights[3]);
    } else if (layer.spec.op === 'fc') {
      put('weight', weights[0], [1, 0]);
      put('bias', weights[1]);
    }
  }
  return state;
}
