import type { PanelView } from './view';
import type { RunStatus } from '../engine/protocol';
import { element, fixed } from './dom';

/** Every finished epoch of the run, as a table. */
export class EpochTable implements PanelView {
  readonly region = 'bottom';
  readonly root = element('section', 'epochs');
  get node(): HTMLElement {
    return this.root;
  }
  private readonly body = element('tbody');

  constructor() {
    const table = element('table');
    table.setAttribute('aria-label', 'Results per epoch');
    const head = element('tr');
    for (const h of ['Epoch', 'Loss', 'Train acc', 'Val acc', 'Samples/s']) head.append(element('th', undefined, h));
    table.append(element('thead'), this.body);
    table.tHead!.append(head);
    this.root.append(element('h2', undefined, 'Epochs'), table);
  }

  status(s: RunStatus): void {
    this.root.hidden = s.epochs.length === 0;
    if (this.body.rows.length === s.epochs.length) return;
    this.body.replaceChildren(
      ...s.epochs.map((e) => {
        const row = element('tr');
        for (const v of [String(e.epoch), fixed(e.loss), fixed(e.trainAccuracy), fixed(e.validationAccuracy), Math.round(e.samplesPerSecond).toLocaleString('en-US')]) {
          row.append(element('td', undefined, v));
        }
        return row;
      }),
    );
  }
}
