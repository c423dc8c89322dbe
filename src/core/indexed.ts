// Reading an element the code has already proven to exist. Under `noUncheckedIndexedAccess` an
// index read is `T | undefined`; where a loop bound or an earlier length check makes the index
// certain, `at` says so and fails loudly, with a named error, if that reasoning is ever wrong,
// instead of letting `undefined` flow on as a number or an object.

/** An index that the caller believed in range was not: a bug in the caller, not bad input. */
export class IndexOutOfRangeError extends RangeError {
  constructor(
    readonly index: number,
    readonly length: number,
    readonly what: string,
  ) {
    super(length === 0 ? `${what}: index ${index} of an empty list` : `${what}: index ${index} is outside 0..${length - 1}`);
    this.name = 'IndexOutOfRangeError';
  }
}

/** `items[index]`, throwing IndexOutOfRangeError when `index` is not an index of `items`. */
export function at<T>(items: ArrayLike<T>, index: number, what = 'element'): T {
  if (!Number.isInteger(index) || index < 0 || index >= items.length) throw new IndexOutOfRangeError(index, items.length, what);
  return items[index] as T;
}
