// The custom requests behind the status bar and "Show Model Summary": the model under the cursor,
// its totals, and its summary table.
import { format, msg } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';
import type { CostSettings } from '../core/report/costLines';
import type { ModelNode } from '../core/analysis/network';
import { formatExact, formatPaperUnits } from '../core/report/numbers';
import { timedSummary } from '../core/report/summaryTimes';
import type { DocumentPosition, ModelSummaryParams, ModelSummaryResult, ModelTotals } from '../protocol/languageServer';
import type { AnalyzedDocument } from './analyzedDocuments';
import { modelTotalsLabel } from './codeLens';

/** The model whose declaration contains the cursor, else the first model. */
export function modelAt(analyzed: AnalyzedDocument, position: DocumentPosition | undefined): ModelNode | undefined {
  const { models } = analyzed.analysis;
  if (position) {
    const offset = analyzed.document.offsetAt(position);
    const around = models.find((m) => m.range.startOffset <= offset && offset <= m.range.endOffset);
    if (around) return around;
  }
  return models[0];
}

export function modelTotals(analyzed: AnalyzedDocument, position: DocumentPosition | undefined, locale: Locale = 'en'): ModelTotals | null {
  const model = modelAt(analyzed, position);
  if (!model) return null;
  const { params, macs } = model.cost;
  return {
    model: model.name,
    params,
    macs,
    label: modelTotalsLabel(model, locale),
    tooltip: format(locale, 'statusBar.tooltip', { model: model.name, params: formatExact(params), macs: formatExact(macs), units: formatPaperUnits(macs) }),
  };
}

export function modelSummary(analyzed: AnalyzedDocument, params: ModelSummaryParams, batchSize: number, costs?: CostSettings, locale: Locale = 'en'): ModelSummaryResult {
  const { models } = analyzed.analysis;
  const model = params.model !== undefined ? models.find((m) => m.name === params.model) : modelAt(analyzed, params.position);
  if (!model) return { kind: 'missing', message: noModelMessage(analyzed, params.model, locale) };
  const { text, times } = timedSummary(model, { batchSize, costs, locale }, params.timings);
  return { kind: 'summary', model: model.name, text, ...(times.length > 0 ? { times } : {}) };
}

/** Why a request about a model has none to answer with: no model (or none by that name) could be analyzed, and how many errors say why. */
export function noModelMessage(analyzed: AnalyzedDocument, requested: string | undefined, locale: Locale): string {
  const errors = analyzed.analysis.diagnostics.filter((d) => d.severity === 'error').length;
  const named = requested !== undefined;
  if (errors === 0) return named ? format(locale, 'missing.noModelNamed', { name: requested }) : format(locale, 'missing.noModel');
  const count = msg(errors === 1 ? 'term.count.error.one' : 'term.count.error.other', { count: errors });
  return named ? format(locale, 'missing.noModelNamedErrors', { name: requested, count }) : format(locale, 'missing.noModelErrors', { count });
}
