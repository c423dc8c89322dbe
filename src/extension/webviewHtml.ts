// The HTML of every webview page: an empty root, the page's bundle and style sheet, and a strict
// Content Security Policy: nothing remote, scripts only with this page's nonce, styles only from
// the bundle folder, images only from there or data: URLs (a PNG export draws its SVG through one).
// Plain TypeScript (the test hosts serve the same pages). Every value is escaped for an attribute.
// The page's words come with it, in the display language (data-l10n on the root; webview/pageText.ts reads them).
import { catalogue } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';

export interface WebviewPage {
  /** The webview's own source expression (`webview.cspSource`). */
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  /** A fresh random value per page. */
  readonly nonce: string;
}

export function webviewHtml(page: WebviewPage, options: { readonly title: string; readonly rootId: 'dashboard' | 'architecture'; readonly locale?: Locale }): string {
  const locale = options.locale ?? 'en';
  const csp = ["default-src 'none'", `img-src ${page.cspSource} data:`, `style-src ${page.cspSource}`, `font-src ${page.cspSource}`, `script-src 'nonce-${page.nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="${locale}">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attribute(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${attribute(page.styleUri)}">
  <title>${attribute(options.title)}</title>
</head>
<body>
  <div id="${attribute(options.rootId)}" data-l10n="${attribute(JSON.stringify(pageStrings(locale, options.rootId)))}"></div>
  <script nonce="${attribute(page.nonce)}" src="${attribute(page.scriptUri)}"></script>
</body>
</html>`;
}

/** The key prefixes each page looks up: its own words, and for the dashboard the results table's columns. */
const PAGE_KEYS = { dashboard: ['webview.dashboard.', 'results.'], architecture: ['webview.architecture.'] } as const;

/** The catalogue's words for one page (keys `webview.<page>.*` and what PAGE_KEYS adds), in `locale`. */
export function pageStrings(locale: Locale, page: 'dashboard' | 'architecture'): Record<string, string> {
  return Object.fromEntries(Object.entries(catalogue(locale)).filter(([key]) => PAGE_KEYS[page].some((prefix) => key.startsWith(prefix))));
}

/** Text for an attribute value or an element's text: no character can end either. */
export function attribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
