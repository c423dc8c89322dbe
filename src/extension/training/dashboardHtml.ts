// The dashboard's HTML: an empty root, the bundle's script and style sheet, and a strict Content
// Security Policy: nothing remote, scripts only with this page's nonce, styles only from the
// bundle folder. Plain TypeScript (the test host serves the same page).

export interface DashboardPage {
  /** The webview's own source expression (`webview.cspSource`). */
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  /** A fresh random value per page. */
  readonly nonce: string;
}

export function dashboardHtml(page: DashboardPage): string {
  const csp = [
    "default-src 'none'",
    `img-src ${page.cspSource} data:`,
    `style-src ${page.cspSource}`,
    `font-src ${page.cspSource}`,
    `script-src 'nonce-${page.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attribute(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${attribute(page.styleUri)}">
  <title>ResNet Training</title>
</head>
<body>
  <div id="dashboard"></div>
  <script nonce="${attribute(page.nonce)}" src="${attribute(page.scriptUri)}"></script>
</body>
</html>`;
}

function attribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
