// PyTorch as the peer that checks our figures: finds a Python with torch, exports .resnet files
// as PyTorch modules into a temporary folder, and runs one of the measuring helpers of
// test/export/ over them, one JSON line per model.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/core/analysis/analyze';
import type { ModelNode } from '../../src/core/analysis/network';
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
