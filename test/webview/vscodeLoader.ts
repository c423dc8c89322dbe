// A module-resolution hook that answers `import 'vscode'` with fakeVscode.ts (registered by the
// tests that load extension code under Node).
export async function resolve(specifier: string, context: unknown, next: (s: string, c: unknown) => Promise<unknown>): Promise<unknown> {
  if (specifier === 'vscode') return { url: new URL('./fakeVscode.ts', import.meta.url).href, shortCircuit: true };
  return next(specifier, context);
}
