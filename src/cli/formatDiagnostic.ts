// `file:line:col: error: message`, the format compilers use, so editors and CI logs can link it.
import type { Diagnostic } from '../core/diagnostics';
import { printable } from '../core/report/printable';

/** Escaped for the terminal: a file's bytes must not reach it as control sequences. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  return printable(`${file}:${d.range.startLine}:${d.range.startColumn}: ${d.severity}: ${d.message}`);
}
