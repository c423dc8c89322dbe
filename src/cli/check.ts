// `resnet-studio check FILE…`: every diagnostic of every file; exit 1 if any is an error.
import { analyze } from '../core/analysis/analyze';
import { CliError } from './cliError';
import { formatDiagnostic } from './formatDiagnostic';
import { readSource } from './readSource';
import type { Output } from './output';

export const checkHelp = `Usage: resnet-studio check FILE...

Checks .resnet files: syntax, names, shapes, shortcut additions, the training recipe.
Prints each problem as FILE:LINE:COL: error|warning: MESSAGE.
Exit status: 0 no errors (warnings allowed), 1 some file has errors, 2 a file cannot be read.`;

export function runCheck(files: readonly string[], out: Output): number {
  if (files.length === 0) throw new CliError(`check needs at least one file\n\n${checkHelp}`);
  let errors = 0;
  let warnings = 0;
  let unreadable: CliError | undefined;
  for (const file of files) {
    let text: string;
    try {
      text = readSource(file);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      out.error(error.message);
      unreadable = error;
      continue;
    }
    for (const d of analyze(text).diagnostics) {
      out.print(formatDiagnostic(file, d));
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
    }
  }
  out.error(`${files.length} file${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  if (unreadable) return 2;
  return errors > 0 ? 1 : 0;
}
