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
  let checked = 0;
  let unreadable = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readSource(file);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      out.error(error.message);
      unreadable++;
      continue;
    }
    checked++;
    const analysis = analyze(text);
    for (const d of analysis.diagnostics) out.print(formatDiagnostic(file, d));
    // The counts include the problems beyond the printed ones ("and N more").
    errors += analysis.counts.errors;
    warnings += analysis.counts.warnings;
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  // A file that could not be read was not checked: it is not counted as clean.
  const notRead = unreadable > 0 ? `${plural(unreadable, 'file')} could not be read` : '';
  if (checked === 0) out.error(`no file checked: ${notRead}`);
  else out.error(`${plural(checked, 'file')} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${notRead ? `; ${notRead}` : ''}`);
  if (unreadable > 0) return 2;
  return errors > 0 ? 1 : 0;
}
