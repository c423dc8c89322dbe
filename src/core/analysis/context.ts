// What every part of the analysis shares: the diagnostics being collected, which declarations
// were used (for "unused" warnings), and a budget that stops runaway expansions.
import type { Diagnostic, DiagnosticCode, FixHint, RelatedInformation } from '../diagnostics';
import type { BlockDecl, ModelDecl, SourceRange } from '../language/ast';
import { Scope, type Binding } from './scope';
import { msg, render, type MessageRef } from '../l10n/format';

/**
 * No model may expand to more layers than this (ResNet-1202 has about 4,300): a typo like
 * `x 99999` must answer in well under a second, not hang the editor.
 */
export const MAX_LAYERS_PER_MODEL = 250_000;

/**
 * Nor may all the models of one file together (templates instantiated many times included): each
 * layer costs a few hundred bytes, so this bounds a file's analysis to a few hundred megabytes.
 */
export const MAX_LAYERS_PER_FILE = 500_000;

/** Nor may one file's analysis take longer than this; the language server analyzes on every edit. */
export const MAX_ANALYSIS_MS = 3_000;

/** Blocks calling blocks this deep are surely a mistake (the paper's networks nest two levels). */
export const MAX_BLOCK_NESTING = 64;

/** The limits above; tests pass smaller ones to check the rules at a small scale. */
export interface AnalysisLimits {
  readonly layersPerModel: number;
  readonly layersPerFile: number;
  readonly milliseconds: number;
}

export const DEFAULT_LIMITS: AnalysisLimits = { layersPerModel: MAX_LAYERS_PER_MODEL, layersPerFile: MAX_LAYERS_PER_FILE, milliseconds: MAX_ANALYSIS_MS };

/**
 * What one model's analysis read from the rest of the file and did to the shared state, noted while
 * it runs so that an unchanged model can reuse its result (see modelCache.ts).
 */
export interface ModelRecording {
  readonly blocks: Map<string, BlockDecl | undefined>;
  readonly templates: Map<string, ModelDecl | undefined>;
  readonly lets: Map<string, Binding | undefined>;
  /** The whole list of names was read (for a "did you mean"). */
  readonly listed: Set<'blocks' | 'templates' | 'lets'>;
  /** Every report asked for, those the file had already seen included, in order. */
  readonly reports: RecordedReport[];
  readonly used: number[];
  /** The layer budget the model started with; undefined when it never started. */
  startBudget: number | undefined;
  /** False once anything makes the result depend on more than the above (a budget or the clock ran out). */
  reusable: boolean;
}

export interface RecordedReport {
  readonly severity: Diagnostic['severity'];
  readonly code: DiagnosticCode;
  readonly range: SourceRange;
  /** The English text, or the catalogue's key and parameters (replayed as they came). */
  readonly message: string | MessageRef;
  readonly extra: { related?: readonly RelatedInformation[]; fix?: FixHint };
}

/** Blocks or templates by name; lookups are noted while a model is being recorded. */
class DeclarationMap<D> extends Map<string, D> {
  constructor(
    private readonly ctx: AnalysisContext,
    private readonly kind: 'blocks' | 'templates',
  ) {
    super();
  }

  override get(name: string): D | undefined {
    const decl = super.get(name);
    (this.ctx.recording?.[this.kind] as Map<string, D | undefined> | undefined)?.set(name, decl);
    return decl;
  }

  override has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  override keys(): ReturnType<Map<string, D>['keys']> {
    this.ctx.recording?.listed.add(this.kind);
    return super.keys();
  }
}

/** The file's top-level `let`s; lookups are noted while a model is being recorded. */
class TopScope extends Scope {
  constructor(private readonly ctx: AnalysisContext) {
    super();
  }

  override lookup(name: string): Binding | undefined {
    const binding = super.lookup(name);
    this.ctx.recording?.lets.set(name, binding);
    return binding;
  }

  override *names(): Generator<string> {
    this.ctx.recording?.listed.add('lets');
    yield* super.names();
  }
}

export class AnalysisContext {
  readonly diagnostics: Diagnostic[] = [];
  private seen = new Set<string>();
  /** Where `report` puts diagnostics while `capture` runs (an experiment's variant), else `diagnostics`. */
  private sink: Diagnostic[] = this.diagnostics;
  /** Declarations (by their name's range offset) that something referred to. */
  readonly used = new Set<number>();
  readonly blocks: Map<string, BlockDecl> = new DeclarationMap<BlockDecl>(this, 'blocks');
  readonly templates: Map<string, ModelDecl> = new DeclarationMap<ModelDecl>(this, 'templates');
  /** Top-level `let`s: every model and block sees them. */
  readonly topScope: Scope = new TopScope(this);
  /** Set while one model's analysis is noted for reuse. */
  recording: ModelRecording | undefined;
  inputOverride: readonly [number, number, number] | undefined;
  layerBudget: number;
  budgetExceeded = false;
  /** Layers every model of the file may still expand to. */
  private fileBudget: number;
  private readonly deadline: number;
  /** Set once the time is up: every later model is refused before it expands. */
  outOfTime = false;
  /** True when this model's budget is what is left of the file's, not a model's own limit. */
  private limitedByFile = false;

  constructor(private readonly limits: AnalysisLimits = DEFAULT_LIMITS) {
    this.layerBudget = limits.layersPerModel;
    this.fileBudget = limits.layersPerFile;
    this.deadline = performance.now() + limits.milliseconds;
  }

  report(severity: Diagnostic['severity'], code: DiagnosticCode, range: SourceRange, text: string | MessageRef, extra: { related?: readonly RelatedInformation[]; fix?: FixHint } = {}): void {
    this.recording?.reports.push({ severity, code, range, message: text, extra });
    // The English text is always there (the CLI and the tests read it); the key travels beside it.
    const message = typeof text === 'string' ? text : render('en', text);
    // A block used many times reports a problem in its body once, not once per use.
    const key = `${range.startOffset}:${range.endOffset}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.sink.push({ severity, code, message, ...(typeof text === 'string' ? {} : { text }), range, ...extra });
  }

  /**
   * Runs `analysis` with its diagnostics collected apart (and not deduplicated against the file's):
   * an experiment analyzes each variant this way, then reports what went wrong on the variant.
   */
  capture<T>(analysis: () => T): { readonly value: T; readonly diagnostics: readonly Diagnostic[] } {
    const saved = { sink: this.sink, seen: this.seen };
    const diagnostics: Diagnostic[] = [];
    this.sink = diagnostics;
    this.seen = new Set<string>();
    try {
      return { value: analysis(), diagnostics };
    } finally {
      this.sink = saved.sink;
      this.seen = saved.seen;
    }
  }

  error(code: DiagnosticCode, range: SourceRange, message: string | MessageRef, extra?: { related?: readonly RelatedInformation[]; fix?: FixHint }): void {
    this.report('error', code, range, message, extra);
  }

  warning(code: DiagnosticCode, range: SourceRange, message: string | MessageRef): void {
    this.report('warning', code, range, message);
  }

  markUsed(declaration: SourceRange): void {
    this.recording?.used.push(declaration.startOffset);
    this.used.add(declaration.startOffset);
  }

  /**
   * A template's body was expanded: only then can a parameter it never reads be called unused (an
   * instance that failed before its body, missing a parameter, tells nothing about them). Noted
   * among the used offsets, at the `model` keyword where no name starts, so a reused analysis replays it.
   */
  markBodyRead(template: ModelDecl): void {
    this.markUsed(template.range);
  }

  bodyWasRead(template: ModelDecl): boolean {
    return this.used.has(template.range.startOffset);
  }

  /** Spends one layer of the budget; false once the model has grown too large to expand. */
  spendLayer(range: SourceRange): boolean {
    // The clock is read every few thousand layers: often enough to stop within milliseconds.
    if (this.layerBudget > 0 && (this.layerBudget & 4095) === 0 && performance.now() > this.deadline) this.outOfTime = true;
    if (this.layerBudget > 0 && !this.outOfTime) {
      this.layerBudget--;
      this.fileBudget--;
      return true;
    }
    this.stopRecording();
    if (!this.budgetExceeded) {
      this.budgetExceeded = true;
      this.error('too-large', range, this.outOfTime ? this.outOfTimeMessage() : this.layerLimitMessage());
    }
    return false;
  }

  /** A model that ran out of layers or time is not reused: the same text may fit next time. */
  private stopRecording(): void {
    if (this.recording) this.recording.reusable = false;
  }

  /** Whether `count` more layers fit in what is left; said once, where they were asked for, if not. */
  canSpend(count: number, range: SourceRange): boolean {
    if (count <= this.layerBudget && !this.outOfTime) return true;
    this.stopRecording();
    if (!this.budgetExceeded) {
      this.budgetExceeded = true;
      this.error('too-large', range, this.outOfTime ? this.outOfTimeMessage() : this.layerLimitMessage());
    }
    return false;
  }

  private outOfTimeMessage(): MessageRef {
    return msg('limit.time', { seconds: this.limits.milliseconds / 1000 });
  }

  private layerLimitMessage(): MessageRef {
    return this.limitedByFile
      ? msg('limit.fileLayers', { limit: this.limits.layersPerFile.toLocaleString('en-US') })
      : msg('limit.modelLayers', { limit: this.limits.layersPerModel.toLocaleString('en-US') });
  }

  /**
   * Starts a model's budget: the smaller of a model's limit and what is left of the file's.
   * False, with the reason said at the model's name, when nothing is left: the model is then
   * refused before anything is expanded.
   */
  startModel(nameRange: SourceRange): boolean {
    if (performance.now() > this.deadline) this.outOfTime = true;
    this.layerBudget = Math.min(this.limits.layersPerModel, this.fileBudget);
    this.limitedByFile = this.fileBudget < this.limits.layersPerModel;
    this.budgetExceeded = false;
    if (this.recording) this.recording.startBudget = this.layerBudget;
    if (this.outOfTime) {
      this.stopRecording();
      this.error('too-large', nameRange, msg('limit.notAnalyzed', { reason: this.outOfTimeMessage() }));
      return false;
    }
    if (this.fileBudget <= 0) {
      this.stopRecording();
      this.error('too-large', nameRange, msg('limit.notAnalyzedFile', { limit: this.limits.layersPerFile.toLocaleString('en-US') }));
      return false;
    }
    return true;
  }

  /** Layers spent so far by every model of the file. */
  get layersSpent(): number {
    return this.limits.layersPerFile - this.fileBudget;
  }

  /**
   * Starts a model whose result is reused: like startModel, with the same budget rules, then spends
   * the layers it expanded to. False, with nothing changed or said, when the model could not start
   * with at least the budget it had when it was analyzed (it is then analyzed afresh).
   */
  resumeModel(startBudget: number, layers: number): boolean {
    if (performance.now() > this.deadline) this.outOfTime = true;
    const budget = Math.min(this.limits.layersPerModel, this.fileBudget);
    if (this.outOfTime || this.fileBudget <= 0 || budget < startBudget) return false;
    this.limitedByFile = this.fileBudget < this.limits.layersPerModel;
    this.budgetExceeded = false;
    this.layerBudget = budget - layers;
    this.fileBudget -= layers;
    return true;
  }
}
