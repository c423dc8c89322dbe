// The custom requests behind the status bar and "Show Model Summary": the model under the cursor,
// its totals, and its summary table.
import { format } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';
import type { CostSettings } from '../core/report/costLines';
import type { ModelNode } from '../core/analysis/network';
import { formatExact, formatPaperUnits } from '../core/report/numbers';
import { formatSummary } from '../core/report/summary';
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

export function modelSummary(analyzed: AnalyzedDocument, params: ModelSummaryParams, batchSize: number, costs?: CostSettings): ModelSummaryResult {
  const { models, diagnostics } = analyzed.analysis;
  const model = params.model !== undefined ? models.find((m) => m.name === params.model) : modelAt(analyzed, params.position);
  if (model) return { kind: 'summary', model: model.name, text: formatSummary(model, { batchSize, costs }) };
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const why = errors > 0 ? ` It has ${errors} ${errors === 1 ? 'error' : 'errors'}: see the Problems panel.` : '';
  const what = params.model !== undefined ? `no model named "${params.model}" could be analyzed` : 'no model could be analyzed';
  return { kind: 'missing', message: `In this file ${what}.${why}` };
}
