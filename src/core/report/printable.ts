// Text from a file, made safe to show in a message or on a terminal: control characters (which a
// terminal would obey: colours, cursor moves, a bell) and invisible direction marks (which reorder
// what is shown) become visible escapes, and a long run is shortened.

const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]/g;

/** Escapes what a terminal would act on; keeps newlines and tabs (a message may have several lines). */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A piece of source quoted in a message: every control character escaped, newlines and tabs too, at most `max` characters. */
export function quoted(text: string, max = 24): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return `"${printable(shown).replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/"/g, '\\"')}"`;
}
