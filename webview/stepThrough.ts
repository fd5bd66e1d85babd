import type { PanelView } from './view';
import type { Matrix, MatrixName, RunStatus, Snapshot } from '../engine/protocol';
import { element } from './dom';
import { explain, largest, type Explanation } from './stepMath';
import { typeset } from './tex';
import { VectorList } from './vectorList';

export type Involved = Explanation['involved'];

/**
 * The sub-step a paused run stands at: the layer's formula, typeset, and the
 * selected unit's formula with the tracked example's real numbers, then the
 * vectors it reads and writes. It asks for the layer's parameters once per
 * sub-step, and only while paused.
 */
export class StepThrough implements PanelView {
  readonly region = 'top';
  readonly root = element('section', 'view step-through');
  get node(): HTMLElement {
    return this.root;
  }
  private readonly heading = element('h2', undefined, 'Step through');
  private readonly title = element('div', 'step-title');
  private readonly formulas = element('div', 'formulas');
  private readonly unit = element('div', 'formulas unit-formula');
  private readonly note = element('p', 'step-note');
  private readonly vectors = element('div', 'vectors');
  private readonly lists = new Map<string, VectorList>();
  private readonly matrices = new Map<MatrixName, Matrix>();
  private last: Snapshot | null = null;
  private paused = false;
  /** The sub-step (step and phase) the matrices belong to. */
  private key = '';
  private explanation: Explanation | null = null;
  private selected: { layer: number; unit: number } | null = null;

  constructor(private readonly requestMatrix: (layer: number, name: MatrixName) => void, private readonly onInvolved: (involved: Involved) => void) {
    this.root.id = 'step-through';
    this.root.setAttribute('aria-labelledby', 'step-through-title');
    this.heading.id = 'step-through-title';
    const hint = element('p', 'step-hint', 'Click a unit in the layer graph to follow it; until then the largest one is shown.');
    this.root.append(this.heading, this.title, this.formulas, this.unit, this.note, hint, this.vectors);
    this.root.hidden = true;
  }

  status(s: RunStatus): void {
    this.paused = s.state === 'paused';
    this.refresh();
  }

  snapshot(s: Snapshot): void {
    this.last = s;
    this.refresh();
  }

  select(layer: number, unit: number): void {
    this.selected = { layer, unit };
    this.refresh();
  }

  matrix(m: Matrix): void {
    if (!this.explanation || m.layer !== this.explanation.layer || !this.explanation.needs.includes(m.name)) return;
    this.matrices.set(m.name, m);
    this.refresh();
  }

  private refresh(): void {
    const s = this.last;
    this.root.hidden = !this.paused || !s;
    if (this.root.hidden || !s) {
      this.onInvolved([]);
      return;
    }
    const key = `${s.step}:${JSON.stringify(s.phase)}`;
    const fresh = key !== this.key;
    if (fresh) {
      this.key = key;
      this.matrices.clear();
    }
    const e = explain(s, this.matrices, (column, values) => {
      const picked = this.selected;
      return picked && picked.layer === column && picked.unit < values.length ? picked.unit : largest(values);
    });
    this.explanation = e;
    if (fresh) for (const name of e.needs) this.requestMatrix(e.layer, name);
    this.draw(e);
    this.onInvolved(e.involved);
  }

  private draw(e: Explanation): void {
    this.title.textContent = e.title;
    lines(this.formulas, e.formulas, true);
    // Inline, so that a long sum breaks after a + or = rather than running out of a narrow panel.
    lines(this.unit, e.unit, false);
    this.note.textContent = e.note;
    const keys = new Set(e.vectors.map((v) => v.key));
    for (const [key, list] of this.lists) {
      if (keys.has(key)) continue;
      list.root.remove();
      this.lists.delete(key);
    }
    for (const v of e.vectors) {
      let list = this.lists.get(v.key);
      if (!list) {
        list = new VectorList(v.key);
        this.lists.set(v.key, list);
      }
      list.show(v.name, v.values, v.caption);
      this.vectors.append(list.root);
    }
  }
}

/** One typeset line per formula, reusing the lines that are there. */
function lines(container: HTMLElement, formulas: string[], display: boolean): void {
  while (container.children.length > formulas.length) container.lastElementChild!.remove();
  formulas.forEach((tex, i) => {
    const line = (container.children[i] as HTMLElement | undefined) ?? container.appendChild(element('div', 'formula'));
    typeset(line, tex, display);
  });
}
