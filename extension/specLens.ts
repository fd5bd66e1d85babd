import * as vscode from 'vscode';

export const SPEC_SUFFIX = '.mlp.json';
export const STEP_THROUGH_COMMAND = 'backpropLens.stepThroughSpec';

export function isSpec(document: vscode.TextDocument): boolean {
  return document.uri.path.endsWith(SPEC_SUFFIX);
}

/** "Step through this network" above the first line of every network spec. */
export class SpecLens implements vscode.CodeLensProvider {
  static readonly selector: vscode.DocumentSelector = { pattern: `**/*${SPEC_SUFFIX}` };

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, {
        title: '$(debug-step-into) Step through this network',
        tooltip: 'Load this spec into the Backprop Lens panel, paused before its first step',
        command: STEP_THROUGH_COMMAND,
        arguments: [document.uri],
      }),
    ];
  }
}
