// Whole numbers on the command line, read as a person writes them: decimal digits only. `Number()`
// alone would take `0x10` as 16, `1e3` as 1000 and `` as 0, and a count past 2^53 rounded.
export function wholeNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) ? n : undefined;
}
