// One CSV field from text: the one way every CSV the project writes (an experiment's results, a
// chart's columns, every step of a run) quotes a label.

/**
 * `text` as a CSV field: quoted when it holds a quote, comma or line break; a leading = + - @ gets
 * a ' before it, since a spreadsheet would run the field as a formula (labels come from files).
 */
export function csvField(text: string): string {
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
