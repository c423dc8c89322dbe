// Above each model: its totals, and the commands that train it, show its summary table and its graph.
import { format } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';
import type { CodeLens } from 'vscode-languageserver';
import type { ModelNode } from '../core/analysis/network';
import { formatShort } from '../core/report/numbers';
import { Commands, type ModelCommandArgs } from '../protocol/languageServer';
import type { AnalyzedDocument } from './analyzedDocuments';
import { toLspRange } from './ranges';

export function modelTotalsLabel(model: ModelNode, locale: Locale = 'en'): string {
  return format(locale, 'lens.totals', { params: formatShort(model.cost.params), macs: formatShort(model.cost.macs) });
}

export function codeLenses(analyzed: AnalyzedDocument, locale: Locale = 'en'): CodeLens[] {
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
