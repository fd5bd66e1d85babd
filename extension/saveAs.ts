import * as vscode from 'vscode';
import { writeFileWhole } from './exportWeights';

/**
 * VS Code's save dialog, opening on `name` in the first workspace folder, then
 * the file written whole. The saved file, or null if the user cancelled; a
 * failure throws a message that names the file and the fix.
 */
export async function saveAs(name: string, filters: Record<string, string[]>, saveLabel: string, content: string | Uint8Array): Promise<vscode.Uri | null> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, filters, saveLabel });
  if (!target) return null;
  if (target.scheme === 'file') await writeFileWhole(target.fsPath, content);
  else await vscode.workspace.fs.writeFile(target, typeof content === 'string' ? Buffer.from(content) : content);
  return target;
}
