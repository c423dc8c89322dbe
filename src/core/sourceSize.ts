// How large a `.resnet` text may be: one limit, in one unit (bytes of UTF-8, as the file holds
// it), for every reader. The command line reads at most this many bytes of a file; the analysis,
// and so the language server, refuses a longer text. A 1,000-line file is about 40 KB.
export const MAX_SOURCE_BYTES = 1024 * 1024;

/** The limit as people read it: `1 MiB`. */
export const MAX_SOURCE_MIB = MAX_SOURCE_BYTES / (1024 * 1024);

/**
 * The bytes `text` takes in UTF-8 (what a file of it holds; a lone surrogate is written as U+FFFD,
 * 3 bytes). Counting stops once past `stopAfter`: only whether a text is over the limit matters.
 */
export function utf8Length(text: string, stopAfter = Number.POSITIVE_INFINITY): number {
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= stopAfter; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one character past U+FFFF
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** True when `text` is longer than a `.resnet` file may be. */
export function overSourceLimit(text: string): boolean {
  // Each UTF-16 unit is 1 to 3 bytes: most texts are decided by their length alone.
  if (text.length > MAX_SOURCE_BYTES) return true;
  if (text.length * 3 <= MAX_SOURCE_BYTES) return false;
  return utf8Length(text, MAX_SOURCE_BYTES) > MAX_SOURCE_BYTES;
}
