// The suite's one wait: polls a condition until it holds, and fails the test, naming what it waited
// for, when it does not hold in time. Tests wait on the state they then assert (a message posted, a
// file on disk, a class on the page), never for a fixed time: a fixed sleep is either too short on
// a loaded machine or wasted on a fast one. Never resolves quietly on a timeout.

export interface UntilOptions {
  /** How long before the test fails (default 10 s). */
  readonly timeoutMs?: number;
  /** How often the condition is checked (default 10 ms). */
  readonly intervalMs?: number;
  /** More to say when it times out (a log tail, the last value seen). */
  readonly detail?: () => string;
}

/**
 * Resolves with the first value of `probe` that is not `undefined`, `null` or `false` (so a
 * boolean condition resolves with `true`); rejects with "timed out after … waiting for <what>".
 */
export async function until<T>(what: string, probe: () => T | Promise<T>, options: UntilOptions = {}): Promise<Exclude<T, undefined | null | false>> {
  const { timeoutMs = 10_000, intervalMs = 10, detail } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value as Exclude<T, undefined | null | false>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
