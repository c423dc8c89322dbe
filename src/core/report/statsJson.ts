// The `stats --json` document: one stable, machine-readable shape for scripts and tests.
import { activationBytes, allLayers, type ModelNode } from '../analysis/network';
import { computeCost, DEFAULT_CONVENTION, type Convention } from './conventions';
import { describeLayer } from './layerKind';
import { tfjsTrainingMemory } from './tfjsStepMemory';
import { trainingMemory, type TrainingMemory } from './trainingMemory';

export interface ModelStats {
  readonly name: string;
  readonly input: readonly [number, number, number];
  readonly totals: {
    readonly params: number;
    readonly nonTrainable: number;
    readonly macs: number;
    readonly activationBytes: number;
    /** Compute per image under the chosen convention (src/core/report/conventions.ts). */
    readonly compute: { readonly convention: Convention; readonly value: number };
    /** One training step at the batch size, with the recipe's optimizer (src/core/report/trainingMemory.ts). */
    readonly memory: TrainingMemory;
    /** The same step on the TF.js engine, which keeps every intermediate until the backward pass ends (src/core/report/tfjsStepMemory.ts). */
    readonly tfjsMemory: TrainingMemory;
  };
  readonly stages: readonly { readonly name: string; readonly outputShape: readonly [number, number, number]; readonly params: number; readonly macs: number }[];
  readonly layers: readonly {
    readonly path: string;
    readonly kind: string;
    readonly outputShape: readonly [number, number, number];
    readonly params: number;
    readonly macs: number;
    readonly line: number;
  }[];
}

export function modelStats(model: ModelNode, batchSize: number, convention: Convention = DEFAULT_CONVENTION): ModelStats {
  return {
    name: model.name,
    input: model.input,
    totals: {
      params: model.cost.params,
      nonTrainable: model.cost.nonTrainable,
      macs: model.cost.macs,
      activationBytes: activationBytes(model, batchSize),
      compute: { convention, value: computeCost(model, convention) },
      memory: trainingMemory(model, batchSize),
      tfjsMemory: tfjsTrainingMemory(model, batchSize),
    },
    stages: model.stages.map((s) => ({ name: s.name, outputShape: s.output, params: s.cost.params, macs: s.cost.macs })),
    layers: model.stages.flatMap((s) =>
      [...allLayers(s.nodes)].map((l) => ({
        path: l.path,
        kind: describeLayer(l.spec),
        outputShape: l.output,
        params: l.cost.params,
        macs: l.cost.macs,
        line: l.range.startLine,
      })),
    ),
  };
}

/**
 * The whole `stats --json` document. `complete` is true when the file has no errors and every
 * model asked for is in `models`; `error` says, when the command failed, why (a file that cannot be
 * read, a wrong option, no model that could be analyzed): whatever fails, the output is this one object.
 */
export interface StatsDocument {
  readonly complete: boolean;
  /** Errors in the file (0 when it was not analyzed). */
  readonly errors: number;
  readonly models: readonly ModelStats[];
  readonly error?: string;
}

/** The document of a `stats --json` that failed: no models, and why. */
export function statsFailure(message: string, errors: number): StatsDocument {
  return { complete: false, errors, models: [], error: message };
}
