// The one shape every problem the core finds takes, whoever reports it (CLI, language server).
import type { SourceRange } from './language/ast';

export type Severity = 'error' | 'warning' | 'info';

export type DiagnosticCode =
  | 'syntax'
  | 'unknown-name'
  | 'duplicate'
  | 'shortcut-mismatch'
  | 'zero-size'
  | 'groups'
  | 'argument'
  | 'recursion'
  | 'too-large'
  | 'recipe'
  | 'experiment'
  | 'plain-depth'
  | 'odd-stride'
  | 'unused';

/** Data a quick fix needs; the language server turns it into an edit. */
export type FixHint = { readonly kind: 'rename'; readonly to: string } | { readonly kind: 'shortcut-option'; readonly options: readonly ('A' | 'B')[] };

export interface RelatedInformation {
  readonly range: SourceRange;
  readonly message: string;
}

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly range: SourceRange;
  readonly related?: readonly RelatedInformation[];
  readonly fix?: FixHint;
}
