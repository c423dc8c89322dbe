// What a test needs from the machine, and what happens when it is missing: on a developer's
// machine the test skips and says why; in CI (CI set) the test fails, because .ci/run installs every
// tool the suite needs, so a missing one there is a broken install or a broken product, never a skip.
// Every "is the tool here?" check of the suite goes through `skipUnless`.

/** `undefined` when nothing is missing; otherwise the skip reason here, or an error in CI. */
export function skipUnless(missing: string | undefined): string | undefined {
  if (missing === undefined) return undefined;
  if (process.env.CI) throw new MissingInCiError(`${missing}; CI installs it (.ci/run), so this test must run there, not skip`);
  return missing;
}

export class MissingInCiError extends Error {
  override name = 'MissingInCiError';
}
