// What a command asked for `--json` prints when it fails: still one JSON document on stdout, in the
// shape that command's output has, so a script reading it always has JSON to read. The message
// goes to stderr as well, and the exit status is the command's.
import { statsFailure } from '../core/report/statsJson';
import type { FailedMessage } from '../protocol/training';
import type { CliError } from './cliError';

/** The commands that take `--json`, and the document each prints in place of its result. */
const FAILURE_DOCUMENTS: Readonly<Record<string, (error: CliError) => unknown>> = {
  stats: (error) => statsFailure(error.message, error.fileErrors),
  diff: (error) => ({ error: error.message }),
  profile: (error) => ({ error: error.message }),
  analyze: (error) => ({ error: error.message }),
  // One message per line, the last a `failed` one, as when training itself fails.
  train: (error): FailedMessage => ({ type: 'failed', message: error.message }),
  experiment: (error): FailedMessage => ({ type: 'failed', message: error.message }),
};

/** True when `args` (a command's own, after its name) ask for JSON: `--json` before any `--`. */
export function asksForJson(command: string | undefined, args: readonly string[]): boolean {
  if (command === undefined || !Object.hasOwn(FAILURE_DOCUMENTS, command)) return false;
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes('--json');
}

/** The JSON line `command --json` prints for `error`. */
export function jsonFailure(command: string, error: CliError): string {
  const document = FAILURE_DOCUMENTS[command];
  return JSON.stringify(document ? document(error) : { error: error.message });
}
