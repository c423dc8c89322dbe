// CSV cells as spreadsheets read them safely: quoted when they hold a comma, a quote or a line
// break, and text that starts like a formula (= + - @) prefixed with ' so that it never runs as one.

export function csvCell(text: string): string {
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
