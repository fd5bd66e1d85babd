import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { parseWebviewMessage, type HostMessage, type WebviewMessage } from '../engine';
import { panelPage } from './pageHtml';

export const VIEW_ID = 'backpropLens.panel';

/** The panel's page for one webview, with a fresh nonce. */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const asset = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', file)).toString();
  return panelPage({ cspSource: webview.cspSource, nonce: randomBytes(16).toString('base64'), script: asset('webview.js'), style: asset('webview.css') });
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] };
}

/**
 * Every open Backprop Lens webview (the side view and any editor panels): one
 * place that renders them, broadcasts to them, and checks what they send.
 */
export class Panels implements vscode.WebviewViewProvider, vscode.Disposable {
  private readonly webviews = new Set<vscode.Webview>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onMessage: (message: WebviewMessage, reply: (m: HostMessage) => void) => void,
    private readonly log: (line: string) => void,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.attach(view.webview, view.onDidDispose);
  }

  /** The same panel as a wide editor tab beside the current editor. */
  openInEditor(): void {
    const panel = vscode.window.createWebviewPanel(VIEW_ID, 'Backprop Lens', vscode.ViewColumn.Beside, webviewOptions(this.extensionUri));
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'extension', 'media', 'backprop-lens.svg');
    this.attach(panel.webview, panel.onDidDispose);
  }

  broadcast(message: HostMessage): void {
    for (const webview of this.webviews) void webview.postMessage(message);
  }

  private attach(webview: vscode.Webview, onDidDispose: vscode.Event<void>): void {
    webview.options = webviewOptions(this.extensionUri);
    webview.html = panelHtml(webview, this.extensionUri);
    this.webviews.add(webview);
    const listener = webview.onDidReceiveMessage((raw: unknown) => {
      const message = parseWebviewMessage(raw);
      if (!message) {
        this.log(`dropped a malformed message from the panel: ${JSON.stringify(raw)?.slice(0, 200)}`);
        return;
      }
      this.onMessage(message, (reply) => void webview.postMessage(reply));
    });
    onDidDispose(() => {
      this.webviews.delete(webview);
      listener.dispose();
    }, undefined, this.disposables);
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.webviews.clear();
  }
}
