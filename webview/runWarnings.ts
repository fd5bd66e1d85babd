import type { PanelView } from './view';
import type { RunStatus, Snapshot } from '../engine/protocol';
import { element } from './dom';

/** Snapshots a trend is judged over: a few seconds at the panel's usual rate. */
const WINDOW = 20;
/** A ReLU layer whose outputs are this often 0 has almost no live units left. */
const DEAD_SHARE = 0.95;
/** Snapshots in a row that must show it, so that one odd mini-batch does not. */
const DEAD_SNAPSHOTS = 5;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Ranks of values, 0 for the smallest. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const rank = new Array<number>(values.length);
  order.forEach(([, i], r) => (rank[i] = r));
  return rank;
}

/**
 * The loss grows steadily: over the last WINDOW snapshots it trends upward
 * (Spearman's rank correlation with time at least 0.5), the later half's median
 * is more than twice the earlier half's, and above `initial`, the loss of the
 * untrained network. Single mini-batches are noisy; ranks and medians are not
 * fooled by one of them, and a well-trained loss that wobbles stays far below
 * where it began.
 */
export function lossExploding(losses: readonly number[], initial: number): boolean {
  if (losses.length < WINDOW) return false;
  const recent = losses.slice(-WINDOW), n = WINDOW;
  const r = ranks(recent);
  const d2 = r.reduce((sum, rank, i) => sum + (rank - i) ** 2, 0);
  const spearman = 1 - (6 * d2) / (n * (n * n - 1));
  const later = median(recent.slice(n / 2));
  return spearman >= 0.5 && later > 2 * median(recent.slice(0, n / 2)) && later > initial;
}

/** ReLU layers whose outputs were almost all 0 in each of the last DEAD_SNAPSHOTS snapshots, with that share. */
export function deadReluLayers(recent: readonly Snapshot[]): { layer: number; share: number }[] {
  if (recent.length < DEAD_SNAPSHOTS) return [];
  const last = recent.slice(-DEAD_SNAPSHOTS);
  return last[0].layers.flatMap((l, i) => {
    if (l.type !== 'relu') return [];
    const shares = last.map((s) => s.layers[i]?.activation.zeroFraction ?? 0);
    return Math.min(...shares) >= DEAD_SHARE ? [{ layer: i, share: shares[shares.length - 1] }] : [];
  });
}

/**
 * Banners over the views: a diverged run (it stopped), and warnings that do not
 * stop it, a loss that keeps growing and ReLU layers that have died.
 */
export class RunWarnings implements PanelView {
  readonly region = 'top';
  readonly node = element('section', 'warnings');
  private readonly alert = element('div', 'banner error');
  private readonly warning = element('div', 'banner warning');
  private losses: number[] = [];
  /** The run's first loss: the untrained network's. */
  private initial = Infinity;
  private recent: Snapshot[] = [];
  private lastStep = -1;

  constructor() {
    this.alert.id = 'divergence';
    this.alert.setAttribute('role', 'alert');
    this.warning.id = 'run-warnings';
    this.warning.setAttribute('role', 'status');
    this.alert.hidden = this.warning.hidden = true;
    this.node.append(this.alert, this.warning);
  }

  status(s: RunStatus): void {
    if (s.state === 'loading') this.forget();
    const d = s.divergence;
    this.alert.hidden = !d;
    if (!d) return this.alert.replaceChildren();
    const found = d.found.charAt(0).toUpperCase() + d.found.slice(1);
    this.alert.replaceChildren(
      element('strong', undefined, `Training diverged at step ${d.step}, epoch ${d.epoch}`),
      element('p', undefined, `${found}.`),
      element('p', undefined, `Likely cause: ${d.cause}.`),
      element('p', undefined, 'The run is paused at that step and its update was not applied: every layer still shows the numbers of the step that broke. Change the setting, then Reset (or Stop, then Train).'),
    );
  }

  record(s: Snapshot): void {
    // A new run, or Reset, starts the histories again.
    if (s.step < this.lastStep) this.forget();
    this.lastStep = s.step;
    if (Number.isFinite(s.loss) && s.phase.kind === 'ready') {
      if (this.initial === Infinity) this.initial = s.loss;
      this.losses.push(s.loss);
    }
    this.recent.push(s);
    if (this.losses.length > WINDOW) this.losses.shift();
    if (this.recent.length > DEAD_SNAPSHOTS) this.recent.shift();
  }

  snapshot(): void {
    const notes: string[] = [];
    if (lossExploding(this.losses, this.initial)) {
      notes.push(`The loss keeps growing: it more than doubled over the last ${WINDOW} updates. The learning rate is likely too large; training goes on, but it will not learn like this.`);
    }
    for (const { layer, share } of deadReluLayers(this.recent)) {
      notes.push(`Layer ${layer} (relu): ${Math.round(share * 100)}% of its outputs are 0. Almost all its units are dead: they pass no gradient back and stop learning. A smaller learning rate, or tanh, keeps them alive.`);
    }
    const text = notes.join('');
    if (text === this.warning.textContent) return;
    this.warning.hidden = notes.length === 0;
    this.warning.replaceChildren(...notes.map((n) => element('p', undefined, n)));
  }

  private forget(): void {
    this.losses = [];
    this.initial = Infinity;
    this.recent = [];
    this.lastStep = -1;
  }
}
