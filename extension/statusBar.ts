import * as vscode from 'vscode';
import type { RunStatus, Snapshot } from '../engine';

/** Epoch, step, loss and accuracy while a run exists; a click reveals the panel. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('backpropLens.status', vscode.StatusBarAlignment.Left, 10);
  private state: RunStatus['state'] = 'idle';
  /** The network spec stepped through, which has steps but no epochs. */
  private spec: string | null = null;
  private divergence: RunStatus['divergence'] = null;

  constructor(showCommand: string) {
    this.item.name = 'Backprop Lens';
    this.item.command = showCommand;
    this.item.tooltip = 'Backprop Lens: show the panel';
  }

  status(status: RunStatus): void {
    this.state = status.state;
    this.spec = status.spec;
    this.divergence = status.divergence;
    this.item.backgroundColor = status.divergence ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.tooltip = status.divergence ? `Backprop Lens: ${status.divergence.message}` : 'Backprop Lens: show the panel';
    if (status.state === 'idle') this.item.hide();
    else if (status.state === 'loading') this.show('$(loading~spin) Backprop Lens: loading data');
    else this.item.show();
  }

  snapshot(s: Snapshot): void {
    if (this.state === 'idle' || this.state === 'loading') return;
    if (this.divergence) return this.show(`$(error) diverged at step ${this.divergence.step} · loss ${s.loss}`);
    const icon = this.state === 'running' ? '$(pulse)' : this.state === 'paused' ? '$(debug-pause)' : '$(check)';
    const accuracy = s.batchAccuracy === null ? '' : ` · acc ${s.batchAccuracy.toFixed(2)}`;
    const where = this.spec ? this.spec : `epoch ${s.epoch}/${s.epochs}`;
    this.show(`${icon} ${where} · step ${s.step} · loss ${s.loss.toFixed(4)}${accuracy}`);
  }

  private show(text: string): void {
    this.item.text = text;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
