// The dashboard's HTML: the one webview page shape (webviewHtml.ts) with the dashboard's bundle.
import { webviewHtml, type WebviewPage } from '../webviewHtml';

export type DashboardPage = WebviewPage;

export function dashboardHtml(page: DashboardPage): string {
  return webviewHtml(page, { title: 'ResNet Training', rootId: 'dashboard' });
}
