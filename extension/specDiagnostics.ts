import * as vscode from 'vscode';
import { formatPath, parseSpec } from '../engine';
import { isSpec } from './specLens';

/**
 * The engine's own checks of every open network spec, as diagnostics on the line
 * of the problem; the contributed JSON schema covers completion and the structure.
 * Bundled apart (dist/spec.js) and loaded when a spec is first opened.
 */
export class SpecDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('backpropLens');
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.check(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
    ];
    vscode.workspace.textDocuments.forEach((d) => this.check(d));
  }

  /** The document's problems (also set as its diagnostics); none for a file that is not a spec. */
  check(document: vscode.TextDocument): vscode.Diagnostic[] {
    if (!isSpec(document)) return [];
    const { problems } = parseSpec(document.getText());
    const diagnostics = problems.map((p) => {
      const range = new vscode.Range(document.positionAt(p.offset), document.positionAt(p.offset + p.length));
      const d = new vscode.Diagnostic(range, `${p.message} (${formatPath(p.path)})`, vscode.DiagnosticSeverity.Error);
      d.source = 'Backprop Lens';
      return d;
    });
    this.collection.set(document.uri, diagnostics);
    return diagnostics;
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.collection.dispose();
  }
}
