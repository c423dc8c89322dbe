// One way to turn a message key and its parameters into text in a locale. English is the source:
// each key's English template names its placeholders (`{input}`), and the type of a key's
// parameters is read from that template, so a call that forgets a placeholder does not compile.
// A parameter is a value shown as is (a name, a shape, a number) or, for a whole noun phrase
// or a sentence that stands alone (`term.*`), another message rendered in the same locale: never a
// fragment of a sentence glued to another.
import { en, type MessageKey } from './en';
import { fillPlaceholders } from './fill';
import { ko } from './ko';
import type { Locale } from './locale';

export type { MessageKey } from './en';

/** The placeholder names of a template: `{name}` with a name made of letters and digits. */
type PlaceholdersOf<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? (P extends `${string} ${string}` | '' ? never : P) | PlaceholdersOf<Rest> : never;

export type ParamValue = string | number | MessageRef;
export type Params<K extends MessageKey> = { readonly [P in PlaceholdersOf<(typeof en)[K]>]: ParamValue };

/** A message not yet rendered: what the core hands to whoever shows it, in whichever locale. */
export interface MessageRef {
  readonly key: MessageKey;
  readonly params: Readonly<Record<string, ParamValue>>;
}

export type Catalogue = { readonly [K in MessageKey]: string };

const catalogues: Record<Locale, Catalogue> = { en, ko };

export { PLACEHOLDER } from './fill';

export function msg<K extends MessageKey>(key: K, ...params: keyof Params<K> extends never ? [] : [Params<K>]): MessageRef {
  return { key, params: (params[0] ?? {}) as Readonly<Record<string, ParamValue>> };
}

/** The text of `key` in `locale`, each placeholder replaced by its parameter. */
export function format<K extends MessageKey>(locale: Locale, key: K, ...params: keyof Params<K> extends never ? [] : [Params<K>]): string {
  return render(locale, { key, params: (params[0] ?? {}) as Readonly<Record<string, ParamValue>> });
}

export function render(locale: Locale, ref: MessageRef): string {
  const template = catalogues[locale][ref.key] ?? en[ref.key];
  return fillPlaceholders(template, (name) => {
    const value = ref.params[name];
    if (value === undefined) return undefined;
    return typeof value === 'object' ? render(locale, value) : String(value);
  });
}

export function catalogue(locale: Locale): Catalogue {
  return catalogues[locale];
}
