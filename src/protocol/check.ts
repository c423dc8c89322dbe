// How every boundary checks what arrives: one valibot schema per message (the TypeScript type is
// inferred from it), and one way to turn a refusal into a line for a person that names the field.
// valibot interprets its schemas (no `new Function`), so the same checks run under the webview's CSP.
import * as v from 'valibot';

/** A checked value, or why it was refused ("field "request.epochs": …"). */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/**
 * Checks `value` against `schema`. What passes is returned as it came (not valibot's copy): the
 * same object, typed arrays and all, so a checked message can be compared and forwarded as is.
 * A tagged message's `type` must be its own property: `{}` inherits `constructor` and `toString`.
 */
export function check<S extends v.GenericSchema>(schema: S, value: unknown): Checked<v.InferOutput<S>> {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return { ok: true, value: value as v.InferOutput<S> };
  return { ok: false, error: describeIssue(result.issues[0]) };
}

/** Like `check`, for a message tagged by its `type`: undefined-typed or inherited tags are refused by name. */
export function checkTagged<S extends v.GenericSchema>(schema: S, value: unknown, tags: readonly string[]): Checked<v.InferOutput<S>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: `not a message object (received ${describeKind(value)})` };
  if (!Object.hasOwn(value, 'type')) return { ok: false, error: 'field "type" is missing' };
  const type: unknown = (value as { type: unknown }).type;
  if (typeof type !== 'string' || !tags.includes(type)) return { ok: false, error: `field "type": expected one of ${tags.join(', ')}, received ${describeValue(type)}` };
  return check(schema, value);
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue);
  return path ? `field "${path}": ${issue.message}` : issue.message;
}

function describeKind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : describeKind(value);
}

/**
 * Any number, NaN and ±Infinity included: a diverged run's loss is NaN and must still arrive
 * (valibot's `number()` refuses NaN).
 */
export const anyNumber = v.custom<number>(
  (x) => typeof x === 'number',
  (issue) => `Invalid type: Expected number but received ${issue.received}`,
);

/** A string from a fixed list, with the list in its refusal. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => v.picklist(values, (issue) => `Invalid value: Expected one of ${values.join(', ')} but received ${issue.received}`);

/** A whole number of at least `min`. */
export const wholeNumber = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min));

/** A list that the code behind it only reads. */
export const readonlyArray = <S extends v.GenericSchema>(item: S) => v.pipe(v.array(item), v.readonly());
