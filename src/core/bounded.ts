// Array helpers that never pass an unbounded array as call arguments: `push(...xs)` and
// `Math.max(...xs)` put every element on the stack and throw a RangeError past ~100,000 elements,
// which a hostile or merely huge file reaches easily.

/** Appends every element of `source` to `target`, one by one. */
export function appendAll<T>(target: T[], source: Iterable<T>): void {
  for (const item of source) target.push(item);
}

/** The largest value (or `empty` for none), without spreading the values as arguments. */
export function maxOf(values: Iterable<number>, empty = -Infinity): number {
  let max = empty;
  for (const v of values) if (v > max) max = v;
  return max;
}
