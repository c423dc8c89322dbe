// The reference the min/max summaries are tested against (src/core/metrics/minMaxEnvelope.ts and
// the page's webview/dashboard/envelope.ts): the first lowest and first highest non-null value's
// index in [from, to), found by walking every value; -1 where the range holds none.
export function walkExtremes(y: ArrayLike<number | null>, from: number, to: number): { lo: number; hi: number } {
  let lo = -1;
  let hi = -1;
  for (let i = from; i < to; i++) {
    const v = y[i];
    if (v == null) continue;
    if (lo < 0 || v < (y[lo] as number)) lo = i;
    if (hi < 0 || v > (y[hi] as number)) hi = i;
  }
  return { lo, hi };
}
