import type * as vscode from 'vscode';
import { MAX_PINS, parsePinnedRuns, type PinnedRun } from '../engine/protocol';
import type { RunRecord } from '../engine/train/runRecord';

const KEY = 'backpropLens.pinnedRuns';

/**
 * Runs pinned for comparison, kept in the workspace's state so that they
 * survive reloads of the panel and of the window. A state that does not parse
 * (written by another version, or edited) is dropped, not trusted.
 */
export class Pins {
  private runs: PinnedRun[];

  constructor(private readonly state: vscode.Memento, private readonly changed: (pins: PinnedRun[]) => void) {
    this.runs = parsePinnedRuns(state.get(KEY, [])) ?? [];
  }

  get list(): PinnedRun[] {
    return this.runs;
  }

  /** Pins a run's record; the problem in words if it cannot be pinned. */
  async pin(record: RunRecord | null): Promise<string | null> {
    if (!record || record.steps.length === 0) return 'there is no training run to pin yet: train one (a few steps will do), then pin it.';
    if (this.runs.length >= MAX_PINS) return `${MAX_PINS} runs are pinned already: remove one (its × in the panel's Pinned runs), then pin again.`;
    const id = Math.max(0, ...this.runs.map((r) => r.id)) + 1;
    await this.save([...this.runs, { ...record, id }]);
    return null;
  }

  async unpin(id: number): Promise<void> {
    await this.save(this.runs.filter((r) => r.id !== id));
  }

  private async save(runs: PinnedRun[]): Promise<void> {
    this.runs = runs;
    // JSON turns the NaN of a layer without a norm into null; parsePinnedRuns turns it back.
    await this.state.update(KEY, runs);
    this.changed(runs);
  }
}
