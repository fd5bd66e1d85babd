import { element } from './dom';
import { runLabel } from './runLabel';
import type { PinnedRun, RunStatus, WebviewMessage } from '../engine/protocol';
import type { TrainingConfig } from '../engine/train/config';
import { EXPERIMENTS } from '../engine/train/experiments';
import type { PanelView } from './view';

/**
 * Compare runs: pin the current run (its histories stay in the charts as faint
 * lines), remove pinned ones, and run an experiment, two short runs that are
 * both pinned. Each pinned run is named by what differs from the current run.
 */
export class PinnedRuns implements PanelView {
  readonly region = 'charts';
  readonly node = element('section', 'view');
  private readonly list = element('ul', 'pinned-list');
  private readonly experiment = element('vscode-dropdown' as 'select');
  private readonly lookAt = element('p', 'experiment-look');
  private pinned: PinnedRun[] = [];
  private current: TrainingConfig | null = null;

  constructor(private readonly post: (m: WebviewMessage) => void) {
    this.node.id = 'pinned-runs';
    const heading = element('h2', undefined, 'Compare runs');
    const pin = this.button('Pin this run', 'pin-run', () => this.post({ type: 'pin' }));
    this.experiment.setAttribute('aria-label', 'Experiment');
    for (const e of EXPERIMENTS) this.experiment.append(Object.assign(element('vscode-option' as 'option', undefined, e.title), { value: e.id }));
    this.experiment.addEventListener('change', () => this.describe());
    const run = this.button('Run experiment', 'run-experiment', () => this.post({ type: 'runExperiment', id: this.chosen().id }));
    const csv = this.button('Export CSV', 'export-histories', () => this.post({ type: 'exportHistories' }));
    csv.title = 'Save a run\'s histories (loss, validation accuracy, each layer\'s ‖dW‖) as CSV';
    const actions = element('div', 'view-controls');
    actions.append(pin, csv, this.experiment, run);
    this.list.setAttribute('aria-label', 'Pinned runs');
    this.node.append(heading, actions, this.lookAt, this.list);
    this.describe();
  }

  status(s: RunStatus): void {
    // Labels name what differs from the current training run.
    if (s.config !== this.current) {
      this.current = s.config;
      this.show();
    }
  }

  pins(p: PinnedRun[]): void {
    this.pinned = p;
    this.show();
  }

  private chosen(): (typeof EXPERIMENTS)[number] {
    const id = (this.experiment as unknown as { value: string }).value;
    return EXPERIMENTS.find((e) => e.id === id) ?? EXPERIMENTS[0];
  }

  private describe(): void {
    this.lookAt.textContent = this.chosen().lookAt;
  }

  private show(): void {
    this.list.replaceChildren(...this.pinned.map((p) => {
      const item = element('li', 'pinned-run');
      item.append(element('span', 'pinned-label', `${p.id}: ${runLabel(p.config, this.current)}`));
      const remove = this.button('×', `unpin-${p.id}`, () => this.post({ type: 'unpin', id: p.id }));
      remove.setAttribute('appearance', 'icon');
      remove.setAttribute('aria-label', `Remove pinned run ${p.id}`);
      item.append(remove);
      return item;
    }));
    if (this.pinned.length === 0) this.list.append(element('li', 'pinned-none', 'No pinned runs: pin a paused or finished run, or run an experiment.'));
  }

  private button(label: string, id: string, act: () => void): HTMLElement {
    const button = element('vscode-button' as 'button', undefined, label);
    button.id = id;
    button.setAttribute('appearance', 'secondary');
    button.addEventListener('click', act);
    return button;
  }
}
