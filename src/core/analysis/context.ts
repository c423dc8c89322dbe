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

export class AnalysisContext {
  readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  /** Declarations (by their name's range offset) that something referred to. */
  readonly used = new Set<number>();
  readonly blocks = new Map<string, BlockDecl>();
  readonly templates = new Map<string, ModelDecl>();
  /** Top-level `let`s: every model and block sees them. */
  readonly topScope = new Scope();
  inputOverride: readonly [number, number, number] | undefined;
  layerBudget = MAX_LAYERS_PER_MODEL;
  budgetExceeded = false;

  report(
    severity: Diagnostic['severity'],
    code: DiagnosticCode,
    range: SourceRange,
    message: string,
    extra: { related?: readonly RelatedInformation[]; fix?: FixHint } = {},
  ): void {
    // A block used many times reports a problem in its body once, not once per use.
    const key = `${range.startOffset}:${range.endOffset}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push({ severity, code, message, range, ...extra });
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
    if (this.layerBudget > 0) {
      this.layerBudget--;
      return true;
    }
    if (!this.budgetExceeded) {
      this.budgetExceeded = true;
      this.error(
        'too-large',
        range,
        `this model expands to more than ${MAX_LAYERS_PER_MODEL.toLocaleString('en-US')} layers; reduce a repeat count`,
      );
    }
    return false;
  }

  startModel(): void {
    this.layerBudget = MAX_LAYERS_PER_MODEL;
    this.budgetExceeded = false;
  }
}
