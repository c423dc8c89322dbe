// Putting values into a template's `{placeholders}`: the one substitution that the catalogue's
// format() and the webviews' page text (which get their templates from the extension) share.

/** The placeholder pattern every catalogue uses; `{ … }` in a message (a braces example) is not one. */
export const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** `template` with each placeholder replaced by `value(name)`; one without a value stays as written. */
export function fillPlaceholders(template: string, value: (name: string) => string | undefined): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => value(name) ?? whole);
}
