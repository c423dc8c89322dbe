// The words of a webview page in the editor's display language. The extension writes them into the
// page (the root's data-l10n, taken from the catalogues in src/core/l10n); the page only looks them up.
import type { MessageKey } from '../src/core/l10n/en';

/** A page's own words (`webview.<page>.*`) and the shared results table's columns (`results.*`). */
export type PageKey = Extract<MessageKey, `webview.${string}` | `results.${string}`>;
export type PageText = (key: PageKey) => string;

export function pageText(root: HTMLElement): PageText {
  let strings: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(root.dataset.l10n ?? '{}');
    if (typeof parsed === 'object' && parsed !== null) strings = parsed as Record<string, unknown>;
  } catch {
    // No words sent: the keys show, which a test notices.
  }
  return (key) => {
    const text = strings[key];
    return typeof text === 'string' ? text : key;
  };
}
