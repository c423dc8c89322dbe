// `file:line:col: error: message`, the format compilers use, so editors and CI logs can link it.
import type { Diagnostic } from '../core/diagnostics';

export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.range.startLine}:${d.range.startColumn}: ${d.severity}: ${d.message}`;
}
