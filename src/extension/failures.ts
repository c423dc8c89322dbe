// A command that fails tells the user what did not work, in a sentence, never with a stack trace.
import * as vscode from 'vscode';

export function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Wraps a command handler so a failure becomes an error message naming what could not be done (`failure` writes it, in the display language). */
export function reportingFailures<A extends unknown[]>(failure: (reason: string) => string, handler: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await handler(...args);
    } catch (error) {
      void vscode.window.showErrorMessage(failure(describeFailure(error)));
    }
  };
}
