// The architecture view's requests: the graph of the model under the cursor (or a named one), and
// that model compared with another version's text (the file at git HEAD, another file, another
// model of the same file). The extension only passes the results on to its webview.
import type { Locale } from '../core/l10n/locale';
import { analyze } from '../core/analysis/analyze';
import type { ModelNode } from '../core/analysis/network';
import { diffModels } from '../core/diff/architectureDiff';
import { compareGraphs } from '../core/diff/graphDiff';
import { architectureGraph } from '../core/report/architectureGraph';
import type { ArchitectureCompareParams, ArchitectureCompareResult, ArchitectureGraphParams, ArchitectureGraphResult } from '../protocol/architecture';
import type { AnalyzedDocument } from './analyzedDocuments';
import { modelAt, noModelMessage } from './modelRequests';

type Missing = { readonly kind: 'missing'; readonly message: string };

function chooseModel(analyzed: AnalyzedDocument, params: ArchitectureGraphParams, locale: Locale): ModelNode | Missing {
  const { models } = analyzed.analysis;
  const model = params.model !== undefined ? models.find((m) => m.name === params.model) : modelAt(analyzed, params.position);
  if (model) return model;
  return { kind: 'missing', message: noModelMessage(analyzed, params.model, locale) };
}

export function architectureGraphOf(analyzed: AnalyzedDocument, params: ArchitectureGraphParams, batchSize: number, locale: Locale = 'en'): ArchitectureGraphResult {
  const model = chooseModel(analyzed, params, locale);
  if ('kind' in model) return model;
  return {
    kind: 'graph',
    graph: architectureGraph(model, analyzed.analysis.diagnostics, batchSize),
    models: analyzed.analysis.models.map((m) => m.name),
  };
}

export function architectureCompare(analyzed: AnalyzedDocument, params: ArchitectureCompareParams, batchSize: number, locale: Locale = 'en'): ArchitectureCompareResult {
  const model = chooseModel(analyzed, params, locale);
  if ('kind' in model) return model;
  const { against } = params;
  const other = analyze(against.text);
  const names = other.models.map((m) => m.name);
  // The same name in the other version by default: that is what "this model at HEAD" means.
  const wanted = against.model ?? model.name;
  const oldModel = other.models.find((m) => m.name === wanted) ?? (against.model === undefined && other.models.length === 1 ? other.models[0] : undefined);
  if (!oldModel) {
    return { kind: 'missing', message: `${against.label} has no model named "${wanted}" that could be analyzed; its models: ${names.join(', ') || 'none'}.` };
  }
  const diff = diffModels(oldModel, model, batchSize);
  const oldGraph = architectureGraph(oldModel, other.diagnostics, batchSize);
  const newGraph = architectureGraph(model, analyzed.analysis.diagnostics, batchSize);
  return { kind: 'diff', graph: compareGraphs(oldGraph, newGraph, diff), diff, oldLabel: `${oldModel.name} (${against.label})`, newLabel: model.name };
}
