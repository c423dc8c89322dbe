// What every part of the analysis shares: the diagnostics being collected, which declarations
// were used (for "unused" warnings), and a budget that stops runaway expansions.
import type { Diagnostic, DiagnosticCode, FixHint, RelatedInformation } from '../diagnostics';
import type { BlockDecl, ModelDecl, SourceRange } from '../language/ast';
import { Scope } from './scope';

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

export class AnalysisContext {
  readonly diagnostics: Diagnostic[] = [];
  private seen = new Set<string>();
  /** Where `report` puts diagnostics while `capture` runs (an experiment's variant), else `diagnostics`. */
  private sink: Diagnostic[] = this.diagnostics;
  /** Declarations (by their name's range offset) that something referred to. */
  readonly used = new Set<number>();
  readonly blocks = new Map<string, BlockDecl>();
  readonly templates = new Map<string, ModelDecl>();
  /** Top-level `let`s: every model and block sees them. */
  readonly topScope = new Scope();
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

  report(severity: Diagnostic['severity'], code: DiagnosticCode, range: SourceRange, message: string, extra: { related?: readonly RelatedInformation[]; fix?: FixHint } = {}): void {
    // A block used many times reports a problem in its body once, not once per use.
    const key = `${range.startOffset}:${range.endOffset}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.sink.push({ severity, code, message, range, ...extra });
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

  error(code: DiagnosticCode, range: SourceRange, message: string, extra?: { related?: readonly RelatedInformation[]; fix?: FixHint }): void {
    this.report('error', code, range, message, extra);
  }

  warning(code: DiagnosticCode, range: SourceRange, message: string): void {
    this.report('warning', code, range, message);
  }

  markUsed(declaration: SourceRange): void {
    this.used.add(declaration.startOffset);
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
    if (!this.budgetExceeded) {
      this.budgetExceeded = true;
      this.error('too-large', range, this.outOfTime ? this.outOfTimeMessage() : this.layerLimitMessage());
    }
    return false;
  }

  /** Whether `count` more layers fit in what is left; said once, where they were asked for, if not. */
  canSpend(count: number, range: SourceRange): boolean {
    if (count <= this.layerBudget && !this.outOfTime) return true;
    if (!this.budgetExceeded) {
      this.budgetExceeded = true;
      this.error('too-large', range, this.outOfTime ? this.outOfTimeMessage() : this.layerLimitMessage());
    }
    return false;
  }

  private outOfTimeMessage(): string {
    return `this file took over ${this.limits.milliseconds / 1000} s to analyze and was stopped here; reduce repeat counts or split the file`;
  }

  private layerLimitMessage(): string {
    return this.limitedByFile
      ? `the models of this file expand to more than ${this.limits.layersPerFile.toLocaleString('en-US')} layers in all; reduce a repeat count or split the file`
      : `this model expands to more than ${this.limits.layersPerModel.toLocaleString('en-US')} layers; reduce a repeat count`;
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
    if (this.outOfTime) {
      this.error('too-large', nameRange, `not analyzed: ${this.outOfTimeMessage()}`);
      return false;
    }
    if (this.fileBudget <= 0) {
      this.error('too-large', nameRange, `not analyzed: the models above already expand to ${this.limits.layersPerFile.toLocaleString('en-US')} layers, the most one file may have; split the file`);
      return false;
    }
    return true;
  }
}
