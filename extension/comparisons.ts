import * as vscode from 'vscode';
import { CHART_IDS, EXPERIMENTS, historiesCsv, MAX_PINS, type ChartId, type Experiment, type HostMessage, type RunStatus } from '../engine';
import type { RunRecord } from '../engine/train/runRecord';
import type { RunController } from './runController';
import { Pins } from './pins';
import { saveAs } from './saveAs';

/** What comparing and exporting runs needs of the extension. */
export interface ComparisonHost {
  readonly controller: RunController;
  broadcast(message: HostMessage): void;
  log(line: string): void;
  updatesPerSecond(): number;
}

/**
 * Pinned runs, experiments (two short runs, both pinned) and exports: run
 * histories as CSV, charts as SVG or PNG, each through VS Code's save dialog.
 */
export class Comparisons {
  readonly pins: Pins;
  /** Resolves the experiment waiting for its run to end. */
  private runEnded: ((status: RunStatus) => void) | null = null;

  constructor(state: vscode.Memento, private readonly host: ComparisonHost) {
    this.pins = new Pins(state, (pins) => host.broadcast({ type: 'pins', pins }));
  }

  /** Every status: an experiment's run ends when it finishes, stops, fails or diverges. */
  status(s: RunStatus): void {
    if (s.state === 'finished' || s.state === 'idle' || s.divergence) this.runEnded?.(s);
  }

  async pin(): Promise<void> {
    const problem = await this.pins.pin(this.host.controller.record);
    if (problem) void vscode.window.showWarningMessage(`Backprop Lens: ${problem}`);
  }

  /** Runs an experiment's two runs one after the other, pinning each; asks which one without an id. */
  async runExperiment(id?: string): Promise<void> {
    const experiment = id ? EXPERIMENTS.find((e) => e.id === id) : await pickExperiment();
    if (!experiment) return;
    const room = MAX_PINS - this.pins.list.length;
    if (room < 2) {
      void vscode.window.showWarningMessage(`Backprop Lens: "${experiment.title}" pins two runs, and ${this.pins.list.length} of ${MAX_PINS} are pinned: remove ${2 - room} in the panel's Pinned runs, then run it again.`);
      return;
    }
    this.host.log(`experiment: ${experiment.title}`);
    for (const config of experiment.runs) {
      const ended = new Promise<RunStatus>((resolve) => (this.runEnded = resolve));
      this.host.controller.start(config, { kind: 'embedded' }, { updatesPerSecond: this.host.updatesPerSecond() });
      const status = await ended;
      this.runEnded = null;
      if (status.state === 'idle' && status.message !== null && !status.divergence) {
        void vscode.window.showWarningMessage(`Backprop Lens: the experiment stopped: ${status.message}`);
        return;
      }
      await this.pin();
    }
    void vscode.window.showInformationMessage(`Backprop Lens: ${experiment.title}: both runs are pinned. ${experiment.lookAt}`);
  }

  /** A run's histories as CSV: the current run's or a pinned one's. */
  async exportHistories(): Promise<void> {
    const current = this.host.controller.record;
    const runs: { label: string; record: RunRecord; name: string }[] = [
      ...(current && current.steps.length > 0 ? [{ label: 'The current run', record: current, name: 'run' }] : []),
      ...this.pins.list.map((p) => ({ label: `Pinned run ${p.id}`, record: p as RunRecord, name: `pinned-run-${p.id}` })),
    ];
    if (runs.length === 0) {
      void vscode.window.showWarningMessage('Backprop Lens: there is no run to export yet: train one (a few steps will do), then export it.');
      return;
    }
    const pick = runs.length === 1 ? runs[0] : await vscode.window.showQuickPick(runs.map((r) => ({ ...r, description: describe(r.record) })), { title: 'Export which run\'s histories?' });
    if (!pick) return;
    await this.save(`${pick.name}-histories.csv`, { CSV: ['csv'] }, historiesCsv(pick.record), 'histories');
  }

  /** The palette's Export Chart: asks which chart, then the panel sends it. */
  async askForChart(): Promise<void> {
    const chart = await vscode.window.showQuickPick([...CHART_IDS], { title: 'Export which chart?' });
    if (!chart) return;
    this.host.broadcast({ type: 'exportChart', chart: chart as ChartId });
    await vscode.commands.executeCommand('backpropLens.panel.focus');
  }

  /** A chart from the panel: saved as SVG or PNG, as the user picks. */
  async exportChart(chart: ChartId, svg: string, png: string): Promise<void> {
    const format = await vscode.window.showQuickPick(['SVG', 'PNG'], { title: `Export ${chart} as` });
    if (format === 'SVG') await this.save(`${chart}.svg`, { SVG: ['svg'] }, svg, 'chart');
    if (format === 'PNG') await this.save(`${chart}.png`, { PNG: ['png'] }, Buffer.from(png, 'base64'), 'chart');
  }

  private async save(name: string, filters: Record<string, string[]>, content: string | Uint8Array, what: string): Promise<void> {
    try {
      const target = await saveAs(name, filters, 'Export', content);
      if (!target) return;
      this.host.log(`exported the ${what} to ${target.fsPath}`);
      void vscode.window.showInformationMessage(`Backprop Lens: ${what} exported to ${vscode.workspace.asRelativePath(target)}.`);
    } catch (e) {
      this.host.log(`export failed: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Backprop Lens: export ${(e as Error).message}`);
    }
  }
}

async function pickExperiment(): Promise<Experiment | undefined> {
  const items = EXPERIMENTS.map((e) => ({ label: e.title, detail: e.lookAt, experiment: e }));
  return (await vscode.window.showQuickPick(items, { title: 'Run an experiment: two short runs, both pinned', matchOnDetail: true }))?.experiment;
}

/** A run's settings in a few words, for a list of runs. */
function describe(r: RunRecord): string {
  const c = r.config;
  return `${c.hidden.join('-')} ${c.activation}, lr ${c.learningRate}, dropout ${c.dropout}, momentum ${c.momentum}, batch ${c.batchSize}`;
}
