/**
 * Check My Backprop in VS Code: the command, the Problems panel, and check-on-save
 * (the CodeLens is in checkLens.ts). The checking itself is the engine's
 * (engine/check/), run in the student's own Python. Bundled apart (dist/check.js)
 * and loaded at the first check.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CheckSetupError, checkFile, STYLES, type CheckOutcome, type CheckReport, type Style } from '../engine';

const PYTHON_EXTENSION = 'ms-python.python';

interface CheckSettings {
  readonly pythonPath: string;
  readonly timeLimitMs: number;
  readonly style: Style | undefined;
  readonly onSave: boolean;
}

function readCheckSettings(): CheckSettings {
  const s = vscode.workspace.getConfiguration('backpropLens');
  const seconds = s.get<number>('checkTimeLimit', 20);
  const style = s.get<string>('checkStyle', 'auto');
  return {
    pythonPath: s.get<string>('pythonPath', '').trim(),
    timeLimitMs: (typeof seconds === 'number' && seconds > 0 ? seconds : 20) * 1000,
    style: (STYLES as readonly string[]).includes(style) ? (style as Style) : undefined,
    onSave: s.get<boolean>('checkOnSave', false) === true,
  };
}

/**
 * The interpreter: the one selected in the Python extension, where it is
 * installed; else backpropLens.pythonPath; else undefined (python3, then python).
 */
async function choosePython(uri: vscode.Uri, settings: CheckSettings, log: (line: string) => void): Promise<string | undefined> {
  if (vscode.extensions.getExtension(PYTHON_EXTENSION)) {
    try {
      // Loaded only when the Python extension is there: a soft dependency.
      const { PythonExtension } = await import('@vscode/python-extension');
      const api = await PythonExtension.api();
      const environment = await api.environments.resolveEnvironment(api.environments.getActiveEnvironmentPath(uri));
      const executable = environment?.executable.uri?.fsPath;
      if (executable) return executable;
    } catch (e) {
      log(`the Python extension did not say which interpreter is selected (${(e as Error).message}); using the setting or PATH`);
    }
  }
  return settings.pythonPath || undefined;
}

/** Runs checks and shows their results: the panel, the Problems panel, a notification for what stops a check. */
export class CheckMyBackprop implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('Backprop Lens: Check My Backprop');
  /** The files each checked file's diagnostics went to, so that a new check clears exactly those. */
  private readonly diagnosed = new Map<string, vscode.Uri[]>();
  private readonly checked = new Set<string>();
  private last: { uri: vscode.Uri; outcome: CheckOutcome } | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  /** Ends every check under way, and its Python, when the extension stops. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly show: (outcome: CheckOutcome) => void,
    private readonly log: (line: string) => void,
  ) {
    this.disposables.push(this.diagnostics, vscode.workspace.onDidSaveTextDocument((d) => this.saved(d)));
  }

  /** The last outcome, for a panel that opens (or reloads) after it. */
  get outcome(): CheckOutcome | null {
    return this.last?.outcome ?? null;
  }

  /** Checks `uri`, or the active Python file, or the last checked one. */
  async check(uri?: vscode.Uri): Promise<void> {
    const target = uri ?? (vscode.window.activeTextEditor?.document.languageId === 'python' ? vscode.window.activeTextEditor.document.uri : this.last?.uri);
    if (!target) {
      void vscode.window.showErrorMessage('Backprop Lens: open the Python file of your homework (such as neural_networks.py or layers.py), then run Check My Backprop.');
      return;
    }
    if (!vscode.workspace.isTrusted) {
      const message = 'Check My Backprop runs the code of your Python file, so it is turned off in a workspace you have not trusted. Trust the workspace to use it.';
      void vscode.window.showErrorMessage(`Backprop Lens: ${message}`, 'Manage Workspace Trust').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return;
    }
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
    if (document?.isDirty) await document.save();
    const settings = readCheckSettings();
    const python = await choosePython(target, settings, this.log);
    const name = path.basename(target.fsPath);
    this.log(`checking ${target.fsPath} with ${python ?? 'python3 or python from PATH'}`);
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Backprop Lens: checking ${name}` },
      () => this.run(target, python, settings),
    );
    this.checked.add(target.toString());
    this.last = { uri: target, outcome };
    this.show(outcome);
  }

  private async run(uri: vscode.Uri, python: string | undefined, settings: CheckSettings): Promise<CheckOutcome> {
    const file = uri.fsPath;
    try {
      const report = await checkFile(file, { python, style: settings.style, timeLimitMs: settings.timeLimitMs, signal: this.stopping.signal });
      this.log(`${path.basename(file)}: ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped (${report.style} style; ${report.python})`);
      this.diagnose(uri, report);
      return { file, report };
    } catch (e) {
      if (!(e instanceof CheckSetupError)) throw e;
      this.log(`${path.basename(file)}: ${e.message}`);
      this.diagnoseSetup(uri, e);
      void vscode.window.showErrorMessage(`Backprop Lens could not check ${path.basename(file)}: ${e.message}`);
      return { file, error: e.message };
    }
  }

  /** A diagnostic on the def line of each failing method or function, with its hint. */
  private diagnose(checkedUri: vscode.Uri, report: CheckReport): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const c of report.checks) {
      if (c.ok !== false || !c.location) continue;
      const what = `${c.name} ${c.tensor}${c.case ? ` (${c.case})` : ''}`;
      const diagnostic = new vscode.Diagnostic(defLine(c.location.line), `${what}: ${c.hint ?? c.message ?? 'differs from the reference'}`, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'Backprop Lens';
      if (c.mistake) diagnostic.code = c.mistake;
      const list = byFile.get(c.location.file) ?? [];
      list.push(diagnostic);
      byFile.set(c.location.file, list);
    }
    this.replace(checkedUri, byFile);
  }

  /** An import error points at its line, as the traceback did. */
  private diagnoseSetup(checkedUri: vscode.Uri, e: CheckSetupError): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    if (e.file && e.line) {
      const diagnostic = new vscode.Diagnostic(defLine(e.line), e.message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'Backprop Lens';
      byFile.set(e.file, [diagnostic]);
    }
    this.replace(checkedUri, byFile);
  }

  private replace(checkedUri: vscode.Uri, byFile: Map<string, vscode.Diagnostic[]>): void {
    for (const uri of this.diagnosed.get(checkedUri.toString()) ?? []) this.diagnostics.delete(uri);
    const uris = [...byFile].map(([file, list]) => {
      const uri = vscode.Uri.file(file);
      this.diagnostics.set(uri, list);
      return uri;
    });
    this.diagnosed.set(checkedUri.toString(), uris);
  }

  /** Shows the def of the last report's check number `index`. */
  async reveal(index: number): Promise<void> {
    const outcome = this.last?.outcome;
    const location = outcome && 'report' in outcome ? outcome.report.checks[index]?.location : null;
    if (!location) return;
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(location.file), { preview: false, viewColumn: vscode.ViewColumn.One });
    const range = defLine(location.line);
    editor.selection = new vscode.Selection(range.start, range.start);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
  }

  private saved(document: vscode.TextDocument): void {
    if (document.languageId !== 'python' || !readCheckSettings().onSave) return;
    // Checked before, or its course helper (utils.py) beside a checked file.
    const again = this.checked.has(document.uri.toString())
      ? document.uri
      : [...this.checked].map((u) => vscode.Uri.parse(u)).find((u) => path.dirname(u.fsPath) === path.dirname(document.uri.fsPath));
    if (again) void this.check(again);
  }

  dispose(): void {
    this.stopping.abort();
    this.disposables.forEach((d) => d.dispose());
  }
}

/** The whole of 1-based line `line` (the diagnostic's range widens to the text once the document is open). */
function defLine(line: number): vscode.Range {
  return new vscode.Range(line - 1, 0, line - 1, Number.MAX_SAFE_INTEGER);
}
