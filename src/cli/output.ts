// Where a command writes: results to stdout, messages to stderr, in the user's language. Tests pass their own.
import type { Locale } from '../core/l10n/locale';

export interface Output {
  print(line: string): void;
  error(line: string): void;
  /** The language of messages (LANG / LC_ALL, or --lang); English when absent. */
  readonly locale?: Locale;
}

export const processOutput: Output = {
  print: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
};
