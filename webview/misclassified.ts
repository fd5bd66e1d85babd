import { element } from './dom';
import { digitCanvas, paintDigit } from './digitCanvas';
import type { ChosenDigit, ConfusionCell, RunStatus, Snapshot } from '../engine/protocol';
import type { PanelView } from './view';

/**
 * The validation digits of the confusion matrix's chosen cell (true 4, read as
 * 9). Choosing one makes it the tracked example, followed through the network
 * for its true class: its saliency (dL/dx, which pixels would make it more of a
 * 4) is then drawn beside it.
 */
export class Misclassified implements PanelView {
  readonly region = 'charts';
  readonly node = element('section', 'view');
  private readonly caption = element('p', 'gallery-caption');
  private readonly gallery = element('div', 'digit-gallery');
  private readonly saliency = digitCanvas('digit-seen', 'The chosen digit with its saliency for its true class');
  private readonly saliencyCaption = element('p', 'gallery-caption');
  private cell: ConfusionCell | null = null;
  private chosen: { readonly name: string; readonly pixels: Float32Array } | null = null;

  constructor(private readonly track: (digit: ChosenDigit | null) => void) {
    this.node.id = 'misclassified';
    const heading = element('h2', undefined, 'Misclassified digits');
    this.gallery.setAttribute('role', 'list');
    const detail = element('div', 'digit-row');
    detail.append(this.saliency, this.saliencyCaption);
    this.node.append(heading, this.caption, this.gallery, detail);
    this.node.hidden = true;
  }

  status(s: RunStatus): void {
    if (s.epochs.length === 0 && this.cell) this.show(null);
  }

  confusionCell(cell: ConfusionCell): void {
    this.show(cell);
  }

  /** The tracked example's dL/dx, once it is the chosen digit and the backward pass has reached the input. */
  snapshot(s: Snapshot): void {
    // Nothing chosen here: nothing to draw, at 20 snapshots a second.
    if (!this.chosen) return;
    const ours = s.tracked.chosen === this.chosen.name;
    if (s.tracked.chosen !== null && !ours) {
      // Another view chose a digit to track.
      this.chosen = null;
      paintDigit(this.saliency, null);
      this.saliencyCaption.textContent = '';
      this.show(this.cell);
      return;
    }
    paintDigit(this.saliency, ours ? this.chosen.pixels : null, ours ? s.tracked.inputGradient : null);
    this.saliencyCaption.textContent = ours && s.tracked.inputGradient
      ? `Tracked: dL/dx for its true class ${s.tracked.label}. Blue pixels would make it more of a ${s.tracked.label} if darker, orange ones if lighter.`
      : 'Tracked: its numbers appear with the next snapshot.';
  }

  redraw(): void {
    if (this.cell) this.show(this.cell);
  }

  private show(cell: ConfusionCell | null): void {
    this.cell = cell;
    this.node.hidden = cell === null;
    if (!cell) return;
    const { trueClass: t, predicted: p, count, epoch } = cell;
    this.caption.textContent = `True ${t}, read as ${p}: ${count} digit${count === 1 ? '' : 's'} at the end of epoch ${epoch}${count > cell.digits.length ? `, the first ${cell.digits.length} shown` : ''}.`;
    this.gallery.replaceChildren(...cell.digits.map((d) => {
      const button = element('button', 'gallery-digit');
      button.setAttribute('role', 'listitem');
      button.setAttribute('aria-label', `Validation digit ${d.index}, a ${t} read as ${p}: track it`);
      button.setAttribute('aria-pressed', String(this.chosen?.name === nameOf(d.index)));
      const canvas = digitCanvas('gallery-image', `validation digit ${d.index}`);
      paintDigit(canvas, d.pixels);
      button.append(canvas);
      button.addEventListener('click', () => this.choose(nameOf(d.index), d.pixels, t));
      return button;
    }));
  }

  private choose(name: string, pixels: Float32Array, trueClass: number): void {
    this.chosen = { name, pixels };
    this.track({ pixels, target: trueClass, name });
    this.show(this.cell);
  }
}

/** How the views name a validation digit they follow. */
function nameOf(index: number): string {
  return `validation digit ${index}`;
}
