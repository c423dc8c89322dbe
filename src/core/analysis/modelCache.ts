// Reuse of one model's analysis across edits. The language server analyzes the whole file on every
// keystroke; the parse is already reused per declaration (language/parse.ts), and this reuses the
// expansion, shapes, costs and diagnostics of every model whose own text and whose dependencies
// (the templates, blocks and top-level `let`s it read, and the names it listed for a "did you
// mean") are unchanged. A model that only moved (text inserted above it) is reused too, moved to
// its new place, when everything it depends on moved by the same amount.
import type { BlockDecl, ModelDecl, SourceRange, TopLevel } from '../language/ast';
import { clearParseCache, relocate } from '../language/parse';
import type { AnalysisContext, ModelRecording, RecordedReport } from './context';
import type { ModelNode } from './network';

/** Where a declaration stood and what it said, as a model's analysis saw it. */
interface DeclarationPrint {
  readonly text: string;
  readonly offset: number;
  readonly line: number;
}

interface CachedModel {
  readonly model: DeclarationPrint;
  readonly blocks: ReadonlyMap<string, DeclarationPrint | undefined>;
  readonly templates: ReadonlyMap<string, DeclarationPrint | undefined>;
  readonly lets: ReadonlyMap<string, { readonly value: number | undefined; readonly declaration: SourceRange | undefined } | undefined>;
  /** The names listed, joined, for each list the analysis read whole. */
  readonly lists: ReadonlyMap<'blocks' | 'templates' | 'lets', string>;
  readonly reports: readonly RecordedReport[];
  readonly used: readonly number[];
  readonly startBudget: number | undefined;
  readonly layers: number;
  readonly result: ModelNode | undefined;
}

/**
 * One entry per model name (and options), so what is kept is about the models open now; bounded
 * too by entries and by the layers their results hold (a few hundred bytes each), like the parse
 * cache: 500,000 layers is one file's whole budget.
 */
const CACHE_LIMIT = 4096;
const CACHE_LAYERS = 500_000;
const cache = new Map<string, CachedModel>();
let cachedLayers = 0;
/** How often a model's analysis was reused, and how often it ran (tests check that reuse happens). */
export const analysisCacheStats = { reused: 0, analyzed: 0 };

/** What the cache holds now (tests check that edits do not pile up entries). */
export function analysisCacheSize(): { entries: number; layers: number } {
  return { entries: cache.size, layers: cachedLayers };
}

/** Forgets every remembered analysis and parse (tests compare warm with cold; the server, when no document is open). */
export function clearAnalysisCache(): void {
  cache.clear();
  cachedLayers = 0;
  clearParseCache();
}

/** The text of each top-level declaration, up to the next one: what its parse depended on. */
export class FileText {
  private readonly ends = new Map<TopLevel, number>();

  constructor(
    readonly text: string,
    items: readonly TopLevel[],
  ) {
    items.forEach((item, i) => this.ends.set(item, items[i + 1]?.range.startOffset ?? text.length));
  }

  print(decl: TopLevel): DeclarationPrint {
    const start = decl.range.startOffset;
    // The first column matters too (it is part of the parse cache's key).
    return { text: `${decl.range.startColumn}|${this.text.slice(start, this.ends.get(decl) ?? decl.range.endOffset)}`, offset: start, line: decl.range.startLine };
  }
}

/**
 * `analyze()` for one model, or the remembered result when nothing it depends on changed. The
 * replay goes through the context as the analysis did: the same reports (so a problem in a shared
 * block is still said once per file), the same declarations marked used, the same layers spent.
 */
export function analyzeModelCached(decl: ModelDecl, file: FileText, ctx: AnalysisContext, optionsKey: string, analyzeModel: () => ModelNode | undefined): ModelNode | undefined {
  const print = file.print(decl);
  // One entry per model name: typing in a model replaces its entry instead of adding one per edit.
  const key = `${optionsKey}\u0000${decl.name.text}`;
  const entry = cache.get(key);
  if (entry && entry.model.text === print.text) {
    const dOffset = print.offset - entry.model.offset;
    const dLine = print.line - entry.model.line;
    if (dependenciesHold(entry, file, ctx, dOffset, dLine) && (entry.startBudget === undefined || ctx.resumeModel(entry.startBudget, entry.layers))) {
      analysisCacheStats.reused++;
      return replay(entry, ctx, dOffset, dLine);
    }
  }
  analysisCacheStats.analyzed++;
  const recording: ModelRecording = { blocks: new Map(), templates: new Map(), lets: new Map(), listed: new Set(), reports: [], used: [], startBudget: undefined, reusable: true };
  const spentBefore = ctx.layersSpent;
  ctx.recording = recording;
  let result: ModelNode | undefined;
  try {
    result = analyzeModel();
  } finally {
    ctx.recording = undefined;
  }
  if (recording.reusable) remember(key, print, recording, ctx.layersSpent - spentBefore, result, file, ctx);
  return result;
}

function remember(key: string, model: DeclarationPrint, recording: ModelRecording, layers: number, result: ModelNode | undefined, file: FileText, ctx: AnalysisContext): void {
  const printAll = <D extends TopLevel>(decls: Map<string, D | undefined>) => new Map([...decls].map(([name, d]) => [name, d && file.print(d)] as const));
  const lists = new Map([...recording.listed].map((kind) => [kind, listNames(kind, ctx)] as const));
  const lets = new Map([...recording.lets].map(([name, b]) => [name, b && { value: b.value, declaration: b.declaration }] as const));
  const replaced = cache.get(key);
  if (replaced) {
    cache.delete(key);
    cachedLayers -= replaced.layers;
  }
  if (cache.size >= CACHE_LIMIT || cachedLayers + layers > CACHE_LAYERS) {
    cache.clear();
    cachedLayers = 0;
  }
  if (layers > CACHE_LAYERS) return;
  cache.set(key, {
    model,
    blocks: printAll<BlockDecl>(recording.blocks),
    templates: printAll<ModelDecl>(recording.templates),
    lets,
    lists,
    reports: recording.reports,
    used: recording.used,
    startBudget: recording.startBudget,
    layers,
    result,
  });
  cachedLayers += layers;
}

/** The names of one kind, joined (read between models, so nothing notes the read). */
function listNames(kind: 'blocks' | 'templates' | 'lets', ctx: AnalysisContext): string {
  return [...(kind === 'lets' ? ctx.topScope.names() : ctx[kind].keys())].join('\u0000');
}

function dependenciesHold(entry: CachedModel, file: FileText, ctx: AnalysisContext, dOffset: number, dLine: number): boolean {
  const moved = (was: { offset: number; line: number }, now: { offset: number; line: number }) => now.offset - was.offset === dOffset && now.line - was.line === dLine;
  const sameDecls = <D extends TopLevel>(was: ReadonlyMap<string, DeclarationPrint | undefined>, current: ReadonlyMap<string, D>) => {
    for (const [name, print] of was) {
      const decl = current.get(name);
      if (!print || !decl) {
        if (print || decl) return false;
        continue;
      }
      const now = file.print(decl);
      if (now.text !== print.text || !moved(print, now)) return false;
    }
    return true;
  };
  if (!sameDecls(entry.blocks, ctx.blocks) || !sameDecls(entry.templates, ctx.templates)) return false;
  for (const [name, was] of entry.lets) {
    const now = ctx.topScope.lookup(name);
    if (!was || !now) {
      if (was || now) return false;
      continue;
    }
    if (was.value !== now.value || !was.declaration !== !now.declaration) return false;
    if (
      was.declaration &&
      now.declaration &&
      !moved({ offset: was.declaration.startOffset, line: was.declaration.startLine }, { offset: now.declaration.startOffset, line: now.declaration.startLine })
    )
      return false;
  }
  for (const [kind, names] of entry.lists) if (listNames(kind, ctx) !== names) return false;
  return true;
}

function replay(entry: CachedModel, ctx: AnalysisContext, dOffset: number, dLine: number): ModelNode | undefined {
  const still = dOffset === 0 && dLine === 0;
  for (const r of entry.reports) {
    const report = still ? r : relocate(r, dOffset, dLine);
    ctx.report(report.severity, report.code, report.range, report.message, report.extra);
  }
  for (const offset of entry.used) ctx.used.add(offset + dOffset);
  return still || entry.result === undefined ? entry.result : relocate(entry.result, dOffset, dLine);
}
