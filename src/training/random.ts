/**
 * Seeded pseudo-random numbers for training: data order, augmentation, splits.
 *
 * The generator is sfc32 (Small Fast Counting, 4 x 32-bit words). Its whole
 * state is four integers, so a checkpoint can store `getState()` as JSON and a
 * resumed run continues with exactly the numbers it would have drawn.
 */

/** JSON-safe snapshot of a generator; store it in checkpoints as-is. */
export interface RandomState {
  readonly algorithm: 'sfc32';
  readonly words: readonly [number, number, number, number];
}

/** Anything indexable and writable: plain arrays and typed arrays alike. */
export interface MutableIndexed<T> {
  readonly length: number;
  [index: number]: T;
}

const TWO_POW_32 = 4294967296;

export class Random {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  /** `seed` is any safe integer; equal seeds give equal sequences. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`Random seed must be a safe integer, got ${String(seed)}`);
    }
    // Spread both halves of the seed over three words so nearby seeds diverge.
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    this.a = mix32(lo ^ 0x9e3779b9);
    this.b = mix32(hi ^ 0x85ebca6b);
    this.c = mix32((lo + 0x6a09e667) ^ hi);
    this.d = 1;
    // sfc32 needs a few rounds before weak seeds look random.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Rebuilds a generator from a state saved with `getState()`. */
  static fromState(state: RandomState): Random {
    const r = new Random(0);
    r.setState(state);
    return r;
  }

  getState(): RandomState {
    return { algorithm: 'sfc32', words: [this.a, this.b, this.c, this.d] };
  }

  /** Accepts parsed JSON too, so it validates instead of trusting the shape. */
  setState(state: RandomState): void {
    const words: unknown = (state as { words?: unknown } | null)?.words;
    if (state?.algorithm !== 'sfc32' || !Array.isArray(words) || words.length !== 4 || !words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)) {
      throw new TypeError('Random.setState: expected {"algorithm":"sfc32","words":[four unsigned 32-bit integers]} ' + `but got ${JSON.stringify(state)}; the checkpoint's random state is damaged.`);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    // Reference sfc32 step; `d` is the counter.
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (((this.c << 21) | (this.c >>> 11)) + t) | 0;
    // Keep stored words unsigned so the saved JSON is stable and readable.
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n), without modulo bias. `n` must be in [1, 2^32]. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new RangeError(`Random.nextInt: n must be an integer in [1, 2^32], got ${String(n)}`);
    }
    // Reject the top sliver of the range that would favour small results.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Fisher-Yates shuffle in place; returns the same array for chaining. */
  shuffle<A extends MutableIndexed<unknown>>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }
}

/** 32-bit integer hash (murmur3 finaliser) used only for seeding. */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
