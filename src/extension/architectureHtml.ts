// The architecture view's HTML: the one webview page shape (webviewHtml.ts) with its own bundle.
import type { Locale } from '../core/l10n/locale';
import { webviewHtml, type WebviewPage } from './webviewHtml';

export function architectureHtml(page: WebviewPage, locale: Locale = 'en'): string {
  return webviewHtml(page, { title: 'ResNet Architecture', rootId: 'architecture', locale });
}
