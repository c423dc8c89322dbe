// Above each model: its totals, and the commands that train it, show its summary table and its graph.
import type { CodeLens } from 'vscode-languageserver';
import type { ExperimentNode } from '../core/analysis/experiment';
import type { ModelNode } from '../core/analysis/network';
import { experimentCost } from '../core/report/experimentCost';
import { formatBytes, formatPaperUnits, formatShort } from '../core/report/numbers';
import { Commands, type ExperimentCommandArgs, type ModelCommandArgs } from '../protocol/languageServer';
import type { AnalyzedDocument } from './analyzedDocuments';
import { toLspRange } from './ranges';

export function modelTotalsLabel(model: ModelNode): string {
  return `${formatShort(model.cost.params)} params · ${formatShort(model.cost.macs)} MACs`;
}

/** `8 variants × 2 seeds · 5.44×10¹⁵ training MACs · 531.32 MiB at most`. */
export function experimentTotalsLabel(experiment: ExperimentNode): string {
  const cost = experimentCost(experiment);
  const seeds = experiment.seeds.length > 1 ? ` × ${experiment.seeds.length} seeds` : '';
  const variants = `${experiment.variants.length} variant${experiment.variants.length === 1 ? '' : 's'}${seeds}`;
  if (!experiment.ok) return `${variants} · has errors`;
  return `${variants} · ${formatPaperUnits(cost.trainingMacs)} training MACs · ${formatBytes(cost.largestMemoryBytes)} at most`;
}

export function codeLenses(analyzed: AnalyzedDocument): CodeLens[] {
  const { document, analysis } = analyzed;
  const experimentLenses = analysis.experiments.flatMap((experiment) => {
    const range = toLspRange(document, experiment.nameRange);
    const args: ExperimentCommandArgs = { uri: document.uri, experiment: experiment.name };
    const totals = { range, command: { title: experimentTotalsLabel(experiment), command: '' } };
    return experiment.ok && experiment.variants.length > 0 ? [totals, { range, command: { title: 'Run Experiment', command: Commands.runExperiment, arguments: [args] } }] : [totals];
  });
  return [...experimentLenses, ...modelLenses(analyzed)];
}

function modelLenses(analyzed: AnalyzedDocument): CodeLens[] {
  const { document, analysis } = analyzed;
  return analysis.models.flatMap((model) => {
    const range = toLspRange(document, model.nameRange);
    const args: ModelCommandArgs = { uri: document.uri, model: model.name };
    return [
      // No command id: the editor shows the totals as plain text.
      { range, command: { title: modelTotalsLabel(model), command: '' } },
      { range, command: { title: 'Train', command: Commands.trainModel, arguments: [args] } },
      { range, command: { title: 'Summary', command: Commands.showModelSummary, arguments: [args] } },
      { range, command: { title: 'Graph', command: Commands.showArchitecture, arguments: [args] } },
    ];
  });
}
