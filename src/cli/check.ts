// `resnet-studio check FILE…`: every diagnostic of every file; exit 1 if any is an error.
import { format, msg } from '../core/l10n/format';
import { analyze } from '../core/analysis/analyze';
import { CliError } from './cliError';
import { formatDiagnostic } from './formatDiagnostic';
import { readSource } from './readSource';
import type { Output } from './output';

export const checkHelp = format('en', 'cli.check.help');

export function runCheck(files: readonly string[], out: Output): number {
  const locale = out.locale ?? 'en';
  if (files.length === 0) throw new CliError(`${format(locale, 'cli.check.needsFile')}\n\n${format(locale, 'cli.check.help')}`);
  let errors = 0;
  let warnings = 0;
  let checked = 0;
  let unreadable = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readSource(file, locale);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      out.error(error.message);
      unreadable++;
      continue;
    }
    checked++;
    const analysis = analyze(text);
    for (const d of analysis.diagnostics) out.print(formatDiagnostic(file, d, locale));
    // The counts include the problems beyond the printed ones ("and N more").
    errors += analysis.counts.errors;
    warnings += analysis.counts.warnings;
  }
  const count = (n: number, what: 'file' | 'error' | 'warning') => msg(`term.count.${what}.${n === 1 ? 'one' : 'other'}`, { count: n });
  // A file that could not be read was not checked: it is not counted as clean.
  const counts = { files: count(checked, 'file'), errors: count(errors, 'error'), warnings: count(warnings, 'warning'), unread: count(unreadable, 'file') };
  if (checked === 0) out.error(format(locale, 'cli.check.noneChecked', counts));
  else out.error(format(locale, unreadable > 0 ? 'cli.check.summaryUnread' : 'cli.check.summary', counts));
  if (unreadable > 0) return 2;
  return errors > 0 ? 1 : 0;
}
