import type { Divergence, RunStatus, Snapshot } from '../../engine';
import type { RunListener } from '../../extension/runController';

/** A listener that keeps everything it hears, and lets a test wait for what it expects. */
export class Recorder implements RunListener {
  statuses: RunStatus[] = [];
  snapshots: Snapshot[] = [];
  epochs = 0;
  finals: number[] = [];
  failures: string[] = [];
  divergences: Divergence[] = [];
  logs: string[] = [];
  private waiters: (() => void)[] = [];

  status(s: RunStatus): void { this.statuses.push(s); this.wake(); }
  snapshot(s: Snapshot): void { this.snapshots.push(s); this.wake(); }
  epoch(): void { this.epochs++; this.wake(); }
  finished(r: { testAccuracy: number }): void { this.finals.push(r.testAccuracy); this.wake(); }
  failed(message: string): void { this.failures.push(message); this.wake(); }
  diverged(d: Divergence): void { this.divergences.push(d); this.wake(); }
  log(line: string): void { this.logs.push(line); }

  get last(): RunStatus { return this.statuses[this.statuses.length - 1]; }

  private wake(): void { this.waiters.splice(0).forEach((w) => w()); }

  /** Resolves once `ok()` holds, checking after every event. */
  async until(ok: () => boolean, what: string, timeoutMs = 20000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last status ${JSON.stringify(this.last)}; log: ${this.logs.slice(-3).join(' / ').slice(0, 600)}`);
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 50); });
    }
  }
}

