import { format } from './chart';
import { element } from './dom';
import { typeset } from './tex';
import { vscode } from './vscode';

/** Entries shown before "Show all". */
const PREVIEW = 8;

/**
 * A vector of the tracked example: its first entries, then all of them on
 * request (as one block of text, to keep the page small), and Copy as JSON.
 */
export class VectorList {
  readonly root = element('div', 'vector');
  private readonly name = element('span', 'vector-name');
  private readonly caption = element('span', 'vector-caption');
  private readonly entries = element('div', 'vector-entries');
  private readonly toggle = element('button', 'link');
  private readonly copy = element('button', 'link', 'Copy as JSON');
  private values: ArrayLike<number> = [];
  private all = false;

  constructor(readonly key: string) {
    this.root.dataset.key = key;
    this.toggle.addEventListener('click', () => {
      this.all = !this.all;
      this.drawEntries();
    });
    this.copy.addEventListener('click', () => vscode.postMessage({ type: 'copy', text: JSON.stringify(Array.from(this.values)) }));
    const header = element('div', 'vector-header');
    header.append(this.name, this.caption, this.toggle, this.copy);
    this.root.append(header, this.entries);
  }

  show(name: string, values: ArrayLike<number>, caption: string): void {
    typeset(this.name, `${name} \\in \\mathbb{R}^{${values.length}}`, false);
    this.caption.textContent = caption;
    this.values = values;
    this.drawEntries();
  }

  private drawEntries(): void {
    const n = this.values.length, shown = this.all ? n : Math.min(n, PREVIEW);
    const parts: string[] = [];
    for (let i = 0; i < shown; i++) parts.push(format(this.values[i]));
    this.entries.textContent = `(${parts.join(', ')}${shown < n ? `, … ${n - shown} more` : ''})`;
    this.toggle.hidden = n <= PREVIEW;
    this.toggle.textContent = this.all ? 'Show fewer' : `Show all ${n}`;
    this.toggle.setAttribute('aria-expanded', String(this.all));
  }
}
