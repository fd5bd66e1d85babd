import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HostMessage, PanelCommand, RunStatus, WebviewMessage, WelcomeCommand } from '../engine';
import { NO_NETWORK } from '../engine/protocol';
import { RunController } from './runController';
import { Panels, VIEW_ID } from './panel';
import { StatusBar } from './statusBar';
import { DATASET_SETTING, panelSettings, SETTING_OF, readSettings, updateSetting, UPDATES_SETTING } from './settings';
import { weightsAsSpec } from './exportWeights';
import { saveAs } from './saveAs';
import { Comparisons } from './comparisons';
import { isSpec, SPEC_SUFFIX, SpecLens } from './specLens';
import { CheckLens } from './checkLens';
import type { CheckMyBackprop } from './checkBackprop';
import type { SpecDiagnostics } from './specDiagnostics';

/**
 * A part bundled apart from the core (dist/check.js, dist/spec.js), loaded the first
 * time it is needed: activation loads only what every session uses.
 */
function loadBundle<T>(file: string): T {
  return require(path.join(__dirname, file)) as T;
}

/** The built-in network specs, in extension/examples/. */
const EXAMPLES = [
  { file: 'worked-example-3-2-2.mlp.json', label: 'Worked example: 3-2-2 sigmoid network, squared error', detail: 'The class hand calculation, with exact weights' },
  { file: 'lecture-5-7-4-3.mlp.json', label: "Lecture: 5-7-4-3 sigmoid network, softmax, batch of 4", detail: 'The running example of the lecture' },
  { file: 'homework-mnist.mlp.json', label: 'Homework: 784-1000-10 relu + dropout on MNIST', detail: 'The homework network on 5 embedded digits' },
];

/** The extension's one live run and everything that shows it. */
class BackpropLens implements vscode.Disposable {
  get status(): RunStatus {
    return this.controller.status;
  }

  readonly output = vscode.window.createOutputChannel('Backprop Lens');
  private readonly statusBar = new StatusBar('backpropLens.showPanel');
  private readonly panels: Panels;
  private readonly controller: RunController;
  private endLoading: (() => void) | null = null;
  /** Loading a data folder takes seconds and can be cancelled; the embedded digits take one. */
  private loadingFolder = false;
  private specChecks: SpecDiagnostics | null = null;
  /** The network spec the panel steps through, read again on Reset. */
  private specUri: vscode.Uri | null = null;
  private checks: CheckMyBackprop | null = null;
  private readonly comparisons: Comparisons;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.panels = new Panels(context.extensionUri, (m, reply) => this.fromPanel(m, reply), (line) => this.log(line));
    this.controller = new RunController(context.asAbsolutePath('dist/worker.js'), {
      status: (s) => this.onStatus(s),
      snapshot: (s) => {
        this.statusBar.snapshot(s);
        this.panels.broadcast({ type: 'snapshot', snapshot: s });
      },
      epoch: (e, c) =>
        this.log(
          `epoch ${e.epoch}/${c.epochs}: loss ${e.loss.toFixed(4)} (data ${e.dataLoss.toFixed(4)} + penalty ${e.penalty.toFixed(4)}), ` +
            `train acc ${e.trainAccuracy.toFixed(4)}, val acc ${e.validationAccuracy.toFixed(4)}, ${Math.round(e.samplesPerSecond)} samples/s`,
        ),
      finished: (r) =>
        this.log(`finished: test accuracy ${r.testAccuracy.toFixed(4)} in ${r.seconds.toFixed(1)} s, ${Math.round(r.samplesPerSecond)} samples/s`),
      failed: (message, file) => {
        this.log(`error: ${message}`);
        this.showError(message, file ? DATASET_SETTING : undefined);
      },
      diverged: (d) => {
        this.log(`diverged: ${d.message}`);
        void vscode.window.showWarningMessage(`Backprop Lens: ${d.message}`, 'Open Settings').then((choice) => {
          if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', SETTING_OF.learningRate);
        });
      },
      log: (line) => this.log(line),
    });
    this.comparisons = new Comparisons(context.workspaceState, {
      controller: this.controller,
      broadcast: (m) => this.panels.broadcast(m),
      log: (line) => this.log(line),
      updatesPerSecond: () => readSettings().updatesPerSecond,
    });
  }

  /** Check My Backprop, loaded at the first check. */
  private get checker(): CheckMyBackprop {
    if (!this.checks) {
      const { CheckMyBackprop } = loadBundle<typeof import('./checkBackprop')>('check.js');
      this.checks = new CheckMyBackprop((check) => {
        this.panels.broadcast({ type: 'check', check });
        void vscode.commands.executeCommand(`${VIEW_ID}.focus`);
      }, (line) => this.log(line));
      this.context.subscriptions.push(this.checks);
    }
    return this.checks;
  }

  /** The network specs' diagnostics, loaded when the first spec is opened. */
  private get diagnostics(): SpecDiagnostics {
    if (!this.specChecks) {
      const { SpecDiagnostics } = loadBundle<typeof import('./specDiagnostics')>('spec.js');
      this.specChecks = new SpecDiagnostics();
      this.context.subscriptions.push(this.specChecks);
    }
    return this.specChecks;
  }

  register(): void {
    const c = this.context;
    c.subscriptions.push(this, this.output, this.statusBar, this.panels);
    c.subscriptions.push(
      vscode.window.registerWebviewViewProvider(VIEW_ID, this.panels),
      vscode.workspace.onDidOpenTextDocument((d) => isSpec(d) && this.diagnostics),
      vscode.languages.registerCodeLensProvider(SpecLens.selector, new SpecLens()),
      vscode.languages.registerCodeLensProvider(CheckLens.selector, new CheckLens()),
    );
    const commands: Record<string, (...args: unknown[]) => unknown> = {
      train: () => this.start(false),
      pause: () => this.controller.pause(),
      resume: () => this.controller.resume(),
      stop: () => this.controller.stop(),
      stepForward: () => {
        // Before a run, Step Forward starts one paused at its first step.
        if (!this.controller.active || this.controller.status.state === 'finished') this.start(true);
        this.controller.stepForward();
      },
      stepBackward: () => this.controller.stepBackward(),
      applyUpdate: () => this.controller.applyUpdate(),
      reset: () => (this.status.spec && this.specUri ? this.stepThroughSpec(this.specUri) : this.start(true)),
      exportWeights: () => this.exportWeights(),
      openNetworkSpec: () => this.openNetworkSpec(),
      openExample: () => this.openExample(),
      stepThroughSpec: (uri) => this.stepThroughSpec(uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri),
      openPanel: () => this.panels.openInEditor(),
      showPanel: () => vscode.commands.executeCommand(`${VIEW_ID}.focus`),
      checkBackprop: (uri) => this.checker.check(uri instanceof vscode.Uri ? uri : undefined),
      pinRun: () => this.comparisons.pin(),
      runExperiment: (id) => this.comparisons.runExperiment(typeof id === 'string' ? id : undefined),
      exportHistories: () => this.comparisons.exportHistories(),
      exportChart: () => this.comparisons.askForChart(),
      getStarted: () => vscode.commands.executeCommand('workbench.action.openWalkthrough', `${c.extension.id}#getStarted`, false),
    };
    for (const [name, run] of Object.entries(commands)) {
      c.subscriptions.push(vscode.commands.registerCommand(`backpropLens.${name}`, run));
    }
    c.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => this.settingsChanged(e)));
    // After activation returns: the spec that woke the extension is checked a moment later.
    if (vscode.workspace.textDocuments.some(isSpec)) setImmediate(() => this.diagnostics);
    this.onStatus(this.controller.status);
  }

  private log(line: string): void {
    this.output.appendLine(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  }

  /** A new run with the current settings; nothing starts while a setting is wrong. */
  private start(paused: boolean): boolean {
    const settings = readSettings();
    if (settings.problems.length > 0) {
      for (const p of settings.problems) this.log(`setting ${p.setting}: ${p.message}`);
      const first = settings.problems[0], others = settings.problems.length - 1;
      const more = others > 0 ? ` (and ${others} more: see the output channel)` : '';
      this.showError(`Setting ${first.setting}: ${first.message}${more}`, first.setting);
      return false;
    }
    for (const note of settings.notes) {
      this.log(note);
      void vscode.window.showWarningMessage(`Backprop Lens: ${note}`);
    }
    this.loadingFolder = settings.data.kind === 'idx';
    this.specUri = null;
    this.controller.start(settings.config, settings.data, { paused, updatesPerSecond: settings.updatesPerSecond, threads: settings.threads });
    void vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    return true;
  }

  /**
   * Loads a network spec (as the editor has it, saved or not) into the panel,
   * paused before its first step. A spec with problems is not loaded: the panel
   * and a notification say so, and the Problems panel shows where.
   */
  private async stepThroughSpec(uri: vscode.Uri | undefined): Promise<void> {
    if (!uri?.path.endsWith(SPEC_SUFFIX)) {
      this.showError(`open a network spec (a *${SPEC_SUFFIX} file) first, or pick a built-in one with "Backprop Lens: Open Example".`);
      return;
    }
    const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(uri);
    } catch (e) {
      // Deleted or moved while it was stepped through: what the panel shows stays.
      const message = `${name} cannot be read: was it deleted or moved? Restore it, or open another network spec and step through it.`;
      this.log(`${message} (${(e as Error).message})`);
      this.controller.tell(message);
      this.showError(message);
      return;
    }
    const problems = this.diagnostics.check(document);
    void vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    if (problems.length > 0) {
      const first = problems[0];
      const count = problems.length === 1 ? 'its problem is' : `its ${problems.length} problems are`;
      const message = `${name} cannot be loaded until ${count} fixed. Line ${first.range.start.line + 1}: ${first.message}`;
      this.log(message);
      this.controller.tell(message);
      void vscode.window.showErrorMessage(`Backprop Lens: ${message}`, 'Show Problems').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.actions.view.problems');
      });
      return;
    }
    this.specUri = uri;
    this.controller.loadSpec(document.getText(), name, { updatesPerSecond: readSettings().updatesPerSecond });
  }

  private showError(message: string, setting?: string): void {
    const action = setting ? ['Open Settings'] : [];
    void vscode.window.showErrorMessage(`Backprop Lens: ${message}`, ...action).then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', setting);
    });
  }

  private onStatus(status: RunStatus): void {
    const set = (key: string, value: unknown): void => void vscode.commands.executeCommand('setContext', `backpropLens.${key}`, value);
    set('state', status.state);
    set('canStepForward', status.stepping.canStepForward);
    set('canStepBackward', status.stepping.canStepBackward);
    set('canApplyUpdate', status.stepping.canApplyUpdate);
    // A diverged run stays paused at its broken step; it cannot be resumed.
    set('diverged', status.divergence !== null);
    this.statusBar.status(status);
    this.panels.broadcast({ type: 'status', status });
    this.comparisons.status(status);
    if (status.state === 'loading' && !this.endLoading) this.showLoading();
    if (status.state !== 'loading') {
      this.endLoading?.();
      this.endLoading = null;
    }
  }

  /** Loading (the full MNIST takes a while) shows progress, and Cancel stops the run. */
  private showLoading(): void {
    const done = new Promise<void>((resolve) => (this.endLoading = resolve));
    const location = this.loadingFolder ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
    void vscode.window.withProgress(
      { location, title: 'Backprop Lens: loading the data and starting the engine', cancellable: this.loadingFolder },
      (_progress, token) => {
        token.onCancellationRequested(() => this.controller.stop());
        return done;
      },
    );
  }

  private fromPanel(message: WebviewMessage, reply: (m: HostMessage) => void): void {
    switch (message.type) {
      case 'ready': {
        reply({ type: 'settings', settings: panelSettings() });
        reply({ type: 'status', status: this.controller.status });
        const snapshot = this.controller.snapshot;
        if (snapshot) reply({ type: 'snapshot', snapshot });
        const check = this.checks?.outcome;
        if (check) reply({ type: 'check', check });
        reply({ type: 'pins', pins: this.comparisons.pins.list });
        const record = this.controller.record;
        if (record) reply({ type: 'history', record });
        return;
      }
      case 'pin':
        void this.comparisons.pin();
        return;
      case 'exportHistories':
        void this.comparisons.exportHistories();
        return;
      case 'unpin':
        void this.comparisons.pins.unpin(message.id);
        return;
      case 'runExperiment':
        void this.comparisons.runExperiment(message.id);
        return;
      case 'exportChart':
        void this.comparisons.exportChart(message.chart, message.svg, message.png);
        return;
      case 'revealCheck':
        void this.checker.reveal(message.index);
        return;
      case 'checkAgain':
        void this.checker.check();
        return;
      case 'command':
        void vscode.commands.executeCommand(`backpropLens.${message.command satisfies PanelCommand | WelcomeCommand}`);
        return;
      case 'requestMatrix':
        void this.controller.requestMatrix(message.layer, message.name).then((matrix) => matrix && reply({ type: 'matrix', matrix }));
        return;
      case 'readDigit':
        void this.controller.readDigit(message.pixels, message.saliencyFor).then((answer) => {
          const { id } = message;
          reply({ type: 'digit', digit: answer?.reading ? { id, reading: answer.reading } : { id, problem: answer?.problem ?? NO_NETWORK } });
        });
        return;
      case 'track':
        this.controller.track(message.digit);
        return;
      case 'confusionCell':
        void this.controller.confusionCell(message.trueClass, message.predicted).then((cell) => cell && reply({ type: 'confusionCell', cell }));
        return;
      case 'copy':
        void vscode.env.clipboard.writeText(message.text).then(() => vscode.window.setStatusBarMessage('Backprop Lens: copied to the clipboard', 2000));
        return;
      case 'updateSetting':
        updateSetting(message.key, message.value).catch((e: Error) => this.showError(`could not save the setting backpropLens.${message.key}: ${e.message}`));
        return;
    }
  }

  private settingsChanged(e: vscode.ConfigurationChangeEvent): void {
    if (!e.affectsConfiguration('backpropLens')) return;
    this.panels.broadcast({ type: 'settings', settings: panelSettings() });
    const state = this.controller.status.state;
    if (e.affectsConfiguration(UPDATES_SETTING)) this.controller.setUpdatesPerSecond(readSettings().updatesPerSecond);
    else if (state === 'running' || state === 'paused' || state === 'loading') {
      void vscode.window.showInformationMessage('Backprop Lens: the changed settings apply to the next run (Reset or Train MLP).');
    }
  }

  private async exportWeights(): Promise<void> {
    if (this.status.spec) {
      void vscode.window.showInformationMessage(
        `Backprop Lens: Export Weights saves a trained network. ${this.status.spec} is already a spec; after Apply Update, the step-through view copies any row of W as JSON.`,
      );
      return;
    }
    const config = this.controller.status.config;
    const layers = await this.controller.exportWeights();
    if (!layers || !config) {
      void vscode.window.showWarningMessage('Backprop Lens: there is no network to export; train one first.');
      return;
    }
    let target: vscode.Uri | null;
    try {
      target = await saveAs('trained.mlp.json', { 'Network spec': ['json'] }, 'Export Weights', weightsAsSpec(layers, config));
    } catch (e) {
      this.log(`export failed: ${(e as Error).message}`);
      this.showError(`Export Weights ${(e as Error).message}`);
      return;
    }
    if (!target) return;
    this.log(`exported the weights to ${target.fsPath}`);
    void vscode.window.showInformationMessage(`Backprop Lens: weights exported to ${vscode.workspace.asRelativePath(target)}.`);
  }

  private async openNetworkSpec(): Promise<void> {
    const files = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Network spec (*.mlp.json)': ['json'] }, openLabel: 'Open Network Spec' });
    if (files?.[0]) await vscode.window.showTextDocument(files[0]);
  }

  private async openExample(): Promise<void> {
    const pick = await vscode.window.showQuickPick(EXAMPLES, { placeHolder: 'Open a built-in network spec' });
    if (pick) await vscode.window.showTextDocument(vscode.Uri.joinPath(this.context.extensionUri, 'extension', 'examples', pick.file));
  }

  dispose(): void {
    this.controller.dispose();
    this.endLoading?.();
  }
}

/** What activation returns: the run's status, read by the desktop VS Code test suite. */
export interface BackpropLensApi {
  readonly status: RunStatus;
}

export function activate(context: vscode.ExtensionContext): BackpropLensApi {
  const lens = new BackpropLens(context);
  lens.register();
  return lens;
}

export function deactivate(): void {
  // Everything, the worker included, ends through the context's subscriptions.
}
