// The runs an experiment queues, from its analysis: each variant once per seed, keyed so a
// resumed queue finds each run again. The CLI builds it here; the language server builds the same
// for the editor's Run Experiment.
import type { Analysis } from '../analysis/analyze';
import type { ExperimentNode } from '../analysis/experiment';
import type { ExperimentPlan, ExperimentRun } from '../../protocol/experiment';
import type { DatasetName } from '../datasets';
import { defaultDataset } from './experimentCost';

export type PlanOrProblem = { readonly ok: true; readonly plan: ExperimentPlan } | { readonly ok: false; readonly message: string };

/** The experiment `name` (or the file's only one) as a plan; otherwise why there is none. */
export function experimentPlan(analysis: Analysis, sourcePath: string, sourceText: string, name?: string): PlanOrProblem {
  const names = analysis.experiments.map((e) => e.name);
  const experiment = name === undefined ? analysis.experiments[0] : analysis.experiments.find((e) => e.name === name);
  if (!experiment) {
    if (names.length === 0) return { ok: false, message: `${sourcePath} has no experiment: add \`experiment NAME { grid template(n = 3, 5) }\`` };
    return { ok: false, message: `${sourcePath} has no experiment \`${name}\`; it has ${names.map((n) => `\`${n}\``).join(', ')}` };
  }
  if (name === undefined && names.length > 1) return { ok: false, message: `${sourcePath} has ${names.length} experiments (${names.join(', ')}); choose one with --name` };
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  if (first !== undefined) {
    return {
      ok: false,
      message: `${sourcePath}:${first.range.startLine}:${first.range.startColumn}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more errors)` : ''}; fix the file before running the experiment`,
    };
  }
  if (!experiment.ok || experiment.variants.length === 0) return { ok: false, message: `experiment \`${experiment.name}\` has no variant that can run` };
  return { ok: true, plan: { experiment: experiment.name, sourcePath, sourceText, dataset: commonDataset(experiment), runs: planRuns(experiment) } };
}

function planRuns(experiment: ExperimentNode): ExperimentRun[] {
  const seeds: (number | undefined)[] = experiment.seeds.length > 0 ? [...experiment.seeds] : [undefined];
  const runs: ExperimentRun[] = [];
  for (const variant of experiment.variants) {
    const model = variant.model;
    if (!model) continue;
    for (const seed of seeds) {
      runs.push({
        key: seed === undefined ? variant.id : `${variant.id}@seed${seed}`,
        variant: variant.id,
        label: variant.label,
        model: model.name,
        ...(seed === undefined ? {} : { seed }),
        plain: model.plain,
        ...(model.recipe.engine === 'pytorch' ? { engine: 'pytorch' as const } : {}),
        params: model.cost.params,
        macs: model.cost.macs,
      });
    }
  }
  return runs;
}

function commonDataset(experiment: ExperimentNode): DatasetName | undefined {
  const sets = new Set(experiment.variants.flatMap((v) => (v.model ? [defaultDataset(v.model)] : [])));
  return sets.size === 1 ? [...sets][0] : undefined;
}
