// The architecture view's HTML: the one webview page shape (webviewHtml.ts) with its own bundle.
import { webviewHtml, type WebviewPage } from './webviewHtml';

export function architectureHtml(page: WebviewPage): string {
  return webviewHtml(page, { title: 'ResNet Architecture', rootId: 'architecture' });
}
