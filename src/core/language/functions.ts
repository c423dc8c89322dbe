// The functions arithmetic may call (`make_divisible(c / 4, 8)`, `max(1, c / 16)`): their names
// and how many arguments each takes. The grammar reads a name before `(` as a call of one of these
// (never as a block call); the analysis evaluates them (analysis/scope.ts).
export const FUNCTION_ARITY: ReadonlyMap<string, readonly [min: number, max: number]> = new Map([
  ['make_divisible', [2, 3]],
  ['round', [1, 1]],
  ['ceil', [1, 1]],
  ['floor', [1, 1]],
  ['log2', [1, 1]],
  ['abs', [1, 1]],
  ['odd', [1, 1]],
  ['min', [1, 16]],
  ['max', [1, 16]],
]);

export function isFunctionName(name: string): boolean {
  return FUNCTION_ARITY.has(name);
}
