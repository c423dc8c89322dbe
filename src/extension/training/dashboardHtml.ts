// The dashboard's HTML: the one webview page shape (webviewHtml.ts) with the dashboard's bundle.
import type { Locale } from '../../core/l10n/locale';
import { webviewHtml, type WebviewPage } from '../webviewHtml';

export type DashboardPage = WebviewPage;

export function dashboardHtml(page: DashboardPage, locale: Locale = 'en'): string {
  return webviewHtml(page, { title: 'ResNet Training', rootId: 'dashboard', locale });
}
