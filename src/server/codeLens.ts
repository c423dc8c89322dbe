// Above each model: its totals, and the commands that train it, show its summary table and its graph.
import type { CodeLens } from 'vscode-languageserver';
import type { ModelNode } from '../core/analysis/network';
import { formatShort } from '../core/report/numbers';
import { Commands, type ModelCommandArgs } from '../protocol/languageServer';
import type { AnalyzedDocument } from './analyzedDocuments';
import { toLspRange } from './ranges';

export function modelTotalsLabel(model: ModelNode): string {
  return `${formatShort(model.cost.params)} params · ${formatShort(model.cost.macs)} MACs`;
}

export function codeLenses(analyzed: AnalyzedDocument): CodeLens[] {
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
