// What a webview panel needs to load one of our pages: its bundle and style sheet from dist/webview/
// as webview URIs, the webview's CSP source and a fresh nonce. The dashboard and the architecture
// view both build their page this way; webviewHtml.ts turns it into the HTML.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { WebviewPage } from './webviewHtml';

export function webviewPage(webview: vscode.Webview, extensionUri: vscode.Uri, name: 'dashboard' | 'architecture'): WebviewPage {
  const bundle = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  return {
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, `${name}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, `${name}.css`)).toString(),
    nonce: randomBytes(18).toString('base64'),
  };
}
