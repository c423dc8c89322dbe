// A failure the user can act on: printed as one line on stderr, never as a stack trace.
export class CliError extends Error {
  constructor(
    message: string,
    /** 1: the input has errors; 2: a file cannot be read or the command line is wrong. */
    readonly exitCode: 1 | 2 = 2,
    /** How many errors the file had, when it was analyzed before the failure (`stats --json` reports them). */
    readonly fileErrors = 0,
  ) {
    super(message);
  }
}
