// Above each model: its totals, and the commands that train it, show its summary table and its graph.
import { format } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';
import type { CodeLens } from 'vscode-languageserver';
import type { ExperimentNode } from '../core/analysis/experiment';
import type { ModelNode } from '../core/analysis/network';
import { experimentCost } from '../core/report/experimentCost';
import { formatBytes, formatPaperUnits, formatShort } from '../core/report/numbers';
import { Commands, type ExperimentCommandArgs, type ModelCommandArgs } from '../protocol/languageServer';
import type { AnalyzedDocument } from './analyzedDocuments';
import { toLspRange } from './ranges';

export function modelTotalsLabel(model: ModelNode, locale: Locale = 'en'): string {
  return format(locale, 'lens.totals', { params: formatShort(model.cost.params), macs: formatShort(model.cost.macs) });
}

/** `8 variants × 2 seeds · 5.44×10¹⁵ training MACs · 531.32 MiB at most`. */
export function experimentTotalsLabel(experiment: ExperimentNode, locale: Locale = 'en'): string {
  const cost = experimentCost(experiment);
  const count = String(experiment.variants.length);
  const variants =
    experiment.seeds.length > 1
      ? format(locale, 'lens.experimentVariantsSeeds', { count, seeds: String(experiment.seeds.length) })
      : experiment.variants.length === 1 && locale === 'en'
        ? '1 variant'
        : format(locale, 'lens.experimentVariants', { count });
  if (!experiment.ok) return format(locale, 'lens.experimentErrors', { variants });
  return format(locale, 'lens.experimentTotals', { variants, macs: formatPaperUnits(cost.trainingMacs), memory: formatBytes(cost.largestMemoryBytes) });
}

export function codeLenses(analyzed: AnalyzedDocument, locale: Locale = 'en'): CodeLens[] {
  const { document, analysis } = analyzed;
  const experimentLenses = analysis.experiments.flatMap((experiment) => {
    const range = toLspRange(document, experiment.nameRange);
    const args: ExperimentCommandArgs = { uri: document.uri, experiment: experiment.name };
    const totals = { range, command: { title: experimentTotalsLabel(experiment, locale), command: '' } };
    return experiment.ok && experiment.variants.length > 0
      ? // The action first: a narrow editor cuts the lens line at its end, where the figures are (the hover repeats them).
        [{ range, command: { title: format(locale, 'lens.runExperiment'), command: Commands.runExperiment, arguments: [args] } }, totals]
      : [totals];
  });
  return [...experimentLenses, ...modelLenses(analyzed, locale)];
}

function modelLenses(analyzed: AnalyzedDocument, locale: Locale): CodeLens[] {
  const { document, analysis } = analyzed;
  return analysis.models.flatMap((model) => {
    const range = toLspRange(document, model.nameRange);
    const args: ModelCommandArgs = { uri: document.uri, model: model.name };
    return [
      // No command id: the editor shows the totals as plain text.
      { range, command: { title: modelTotalsLabel(model, locale), command: '' } },
      { range, command: { title: format(locale, 'lens.train'), command: Commands.trainModel, arguments: [args] } },
      { range, command: { title: format(locale, 'lens.summary'), command: Commands.showModelSummary, arguments: [args] } },
      { range, command: { title: format(locale, 'lens.graph'), command: Commands.showArchitecture, arguments: [args] } },
    ];
  });
}
