/** Where the panel's page finds its files, and the nonce of this page. */
export interface PageAssets {
  /** The webview's own origin, for the CSP (webview.cspSource). */
  readonly cspSource: string;
  readonly nonce: string;
  readonly script: string;
  readonly style: string;
}

/**
 * The panel's page: scripts and styles only from the extension's dist/, under a
 * Content-Security-Policy whose nonce also lets the UI toolkit add its styles
 * (it reads the nonce from the csp-nonce meta tag). No `vscode` import: the
 * browser test serves the very same page.
 */
export function panelPage(a: PageAssets, extraHead = ''): string {
  const csp = [
    "default-src 'none'",
    `img-src ${a.cspSource} data:`,
    `font-src ${a.cspSource}`,
    `style-src ${a.cspSource} 'nonce-${a.nonce}'`,
    `script-src 'nonce-${a.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta property="csp-nonce" content="${a.nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${a.style}" nonce="${a.nonce}">
${extraHead}<title>Backprop Lens</title>
</head>
<body>
<main id="app" aria-live="polite"></main>
<script nonce="${a.nonce}" src="${a.script}"></script>
</body>
</html>`;
}
