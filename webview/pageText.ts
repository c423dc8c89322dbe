// The words of a webview page in the editor's display language. The extension writes them into the
// page (the root's data-l10n, taken from the catalogues in src/core/l10n); the page only looks them up.
import type { MessageKey } from '../src/core/l10n/en';
import { fillPlaceholders } from '../src/core/l10n/fill';
import type { Params } from '../src/core/l10n/format';

/** A page's own words (`webview.<page>.*`) and the shared results table's columns (`results.*`). */
export type PageKey = Extract<MessageKey, `webview.${string}` | `results.${string}`>;
/** The values a key's placeholders take in a page: plain text and numbers. */
export type PageParams<K extends PageKey> = { readonly [P in keyof Params<K>]: string | number };
export type PageText = <K extends PageKey>(key: K, ...params: keyof Params<K> extends never ? [] : [PageParams<K>]) => string;

export function pageText(root: HTMLElement): PageText {
  let strings: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(root.dataset.l10n ?? '{}');
    if (typeof parsed === 'object' && parsed !== null) strings = parsed as Record<string, unknown>;
  } catch {
    // No words sent: the keys show, which a test notices.
  }
  return (key, ...params) => {
    const text = strings[key];
    if (typeof text !== 'string') return key;
    const values: Readonly<Record<string, string | number>> = params[0] ?? {};
    return fillPlaceholders(text, (name) => (values[name] === undefined ? undefined : String(values[name])));
  };
}
