import type { PanelView } from './view';
import type { RunStatus } from '../engine/protocol';
import { element, fixed } from './dom';

/** Rows the table keeps: a run of thousands of epochs must not grow the page without end. */
const MAX_ROWS = 20;

/** The run's last MAX_ROWS finished epochs, as a table; the learning curves show them all. */
export class EpochTable implements PanelView {
  readonly region = 'bottom';
  readonly root = element('section', 'epochs');
  get node(): HTMLElement {
    return this.root;
  }
  private readonly body = element('tbody');
  private readonly earlier = element('p', 'earlier');
  private shown = -1;

  constructor() {
    const table = element('table');
    table.setAttribute('aria-label', 'Results per epoch');
    const head = element('tr');
    for (const h of ['Epoch', 'Loss', 'Train acc', 'Val acc', 'Samples/s']) head.append(element('th', undefined, h));
    table.append(element('thead'), this.body);
    table.tHead!.append(head);
    this.root.append(element('h2', undefined, 'Epochs'), table, this.earlier);
  }

  status(s: RunStatus): void {
    this.root.hidden = s.epochs.length === 0;
    if (this.shown === s.epochs.length) return;
    this.shown = s.epochs.length;
    const hidden = Math.max(0, s.epochs.length - MAX_ROWS);
    this.earlier.textContent = hidden > 0 ? `The last ${MAX_ROWS} epochs; epochs 1 to ${hidden} are in the learning curves.` : '';
    this.body.replaceChildren(
      ...s.epochs.slice(hidden).map((e) => {
        const row = element('tr');
        for (const v of [String(e.epoch), fixed(e.loss), fixed(e.trainAccuracy), fixed(e.validationAccuracy), Math.round(e.samplesPerSecond).toLocaleString('en-US')]) {
          row.append(element('td', undefined, v));
        }
        return row;
      }),
    );
  }
}
