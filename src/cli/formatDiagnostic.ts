// `file:line:col: error: message`, the format compilers use, so editors and CI logs can link it.
// The severity word stays English in every language: editors and CI problem matchers look for it.
import type { Diagnostic } from '../core/diagnostics';
import { render } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';
import { printable } from '../core/report/printable';

/** Escaped for the terminal: a file's bytes must not reach it as control sequences. */
export function formatDiagnostic(file: string, d: Diagnostic, locale: Locale = 'en'): string {
  const message = d.text && locale !== 'en' ? render(locale, d.text) : d.message;
  return printable(`${file}:${d.range.startLine}:${d.range.startColumn}: ${d.severity}: ${message}`);
}
