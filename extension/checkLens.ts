import * as vscode from 'vscode';
import { STYLE_NAMES, STYLES } from '../engine/check/pieces';

export const CHECK_COMMAND = 'backpropLens.checkBackprop';

/** The names a CodeLens goes above: the pieces of either homework style. */
const RECOGNISED = new Set(STYLES.flatMap((s) => STYLE_NAMES[s]));
const DEFINITION = /^(?:class|def)\s+([A-Za-z_]\w*)/;

/** "Check against Backprop Lens" above each class or function the checker knows. */
export class CheckLens implements vscode.CodeLensProvider {
  static readonly selector: vscode.DocumentSelector = { language: 'python' };

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (let line = 0; line < document.lineCount; line++) {
      const name = DEFINITION.exec(document.lineAt(line).text)?.[1];
      if (!name || !RECOGNISED.has(name)) continue;
      lenses.push(new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
        title: '$(beaker) Check against Backprop Lens',
        tooltip: `Run ${name} on exact numbers and compare every output and gradient with the reference`,
        command: CHECK_COMMAND,
        arguments: [document.uri],
      }));
    }
    return lenses;
  }
}
