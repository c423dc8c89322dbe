// The one shape every problem the core finds takes, whoever reports it (CLI, language server).
import type { SourceRange } from './language/ast';
import { render, type MessageRef } from './l10n/format';

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
  /** The message as a key and parameters, for showing it in another language; `message` is its English. */
  readonly text?: MessageRef;
}

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: DiagnosticCode;
  /** The English text (the CLI's and the tests' form). */
  readonly message: string;
  /** The same message as a key and parameters, for the other locales; absent where only English exists. */
  readonly text?: MessageRef;
  readonly range: SourceRange;
  readonly related?: readonly RelatedInformation[];
  readonly fix?: FixHint;
}

/** A message from the catalogue as a diagnostic carries it: its English text, and the key beside it for the other locales. */
export function messageText(text: MessageRef): { message: string; text: MessageRef } {
  return { message: render('en', text), text };
}

/** A related note whose English text comes from the catalogue. */
export function relatedNote(range: SourceRange, text: MessageRef): RelatedInformation {
  return { range, ...messageText(text) };
}
