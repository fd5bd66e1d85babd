import * as d3 from './d3';
import type { CheckOutcome } from '../engine/protocol';
import type { CheckResult } from '../engine/check/report';
import { differs, scaleOf, unravel, type Tensor } from '../engine/check/compare';
import { number, ownForwardText } from '../engine/check/text';
import { element } from './dom';
import { explainEntry } from './checkMath';
import { readTheme } from './theme';
import { typeset } from './tex';
import { vscode } from './vscode';
import type { PanelView } from './view';

const MARK = (ok: boolean | null): string => (ok === null ? '–' : ok ? '✓' : '✗');

function title(c: CheckResult): string {
  return `${c.name} ${c.tensor}${c.case ? ` (${c.case})` : ''}`;
}

/** An entry's index as the student writes it in Python: dW[0, 1]. */
function entryName(c: CheckResult, index: readonly number[]): string {
  return index.length ? `${c.tensor}[${index.join(', ')}]` : c.tensor;
}

/** A tensor of any rank as a matrix: its first axis down, everything else across. */
function asMatrix(t: Tensor): { rows: number; cols: number } {
  const rows = t.shape.length === 0 ? 1 : t.shape.length === 1 ? 1 : t.shape[0];
  return { rows, cols: Math.max(1, t.data.length / rows) };
}

/**
 * Check My Backprop's results: a row per check with ✓, ✗ or skipped; for the
 * selected failure, the hint, the first wrong entry, expected and actual as heat
 * maps with the differing entries marked, and the formula of any entry with the
 * reference's numbers (Explain this entry).
 */
export class CheckView implements PanelView {
  readonly region = 'top';
  readonly node = element('section', 'view check-view');
  private readonly summary = element('p', 'check-summary');
  private readonly list = element('ul', 'check-list');
  private readonly detail = element('div', 'check-detail');
  private outcome: CheckOutcome | null = null;
  private selected = -1;
  /** The entry Explain this entry shows, in the expected tensor's shape; null until asked. */
  private explained: number[] | null = null;

  constructor() {
    this.node.id = 'check-view';
    this.node.setAttribute('aria-labelledby', 'check-view-title');
    const header = element('div', 'view-header');
    const heading = element('h2', undefined, 'Check My Backprop');
    heading.id = 'check-view-title';
    const again = element('vscode-button' as 'button', undefined, 'Check again');
    again.id = 'check-again';
    again.setAttribute('appearance', 'secondary');
    again.addEventListener('click', () => vscode.postMessage({ type: 'checkAgain' }));
    const hide = element('vscode-button' as 'button', undefined, 'Hide');
    hide.setAttribute('appearance', 'secondary');
    hide.addEventListener('click', () => (this.node.hidden = true));
    header.append(heading, again, hide);
    this.summary.setAttribute('role', 'status');
    this.list.setAttribute('aria-label', 'Checks');
    this.node.append(header, this.summary, this.list, this.detail);
    this.node.hidden = true;
  }

  check(outcome: CheckOutcome): void {
    this.outcome = outcome;
    this.explained = null;
    this.selected = 'report' in outcome ? outcome.report.checks.findIndex((c) => c.ok === false) : -1;
    this.node.hidden = false;
    this.redraw();
    this.node.scrollIntoView({ block: 'start' });
  }

  redraw(): void {
    const o = this.outcome;
    if (!o) return;
    const file = o.file.split(/[\\/]/).pop()!;
    if ('error' in o) {
      this.summary.textContent = `${file} could not be checked: ${o.error}`;
      this.summary.classList.add('check-error');
      this.list.replaceChildren();
      this.detail.replaceChildren();
      return;
    }
    const r = o.report;
    this.summary.classList.toggle('check-error', r.failed > 0);
    this.summary.textContent = `${file} (${r.style}): ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`;
    this.list.replaceChildren(...r.checks.map((c, i) => this.row(c, i)));
    this.showDetail();
  }

  private row(c: CheckResult, i: number): HTMLElement {
    const item = element('li', `check-row ${c.ok === null ? 'skipped' : c.ok ? 'passed' : 'failed'}`);
    const text = `${MARK(c.ok)} ${title(c)}${c.ok === null ? `: skipped, ${c.message}` : ''}`;
    if (c.ok !== false) {
      item.textContent = text;
      return item;
    }
    const button = element('button', 'check-select', text);
    button.setAttribute('aria-pressed', String(i === this.selected));
    button.addEventListener('click', () => {
      this.selected = i;
      this.explained = null;
      this.redraw();
    });
    item.append(button);
    return item;
  }

  private showDetail(): void {
    const o = this.outcome;
    const c = o && 'report' in o ? o.report.checks[this.selected] : undefined;
    if (!c) {
      this.detail.replaceChildren();
      return;
    }
    const parts: HTMLElement[] = [element('h3', undefined, `✗ ${title(c)}`)];
    if (c.location) {
      const go = element('a', 'check-location', `Go to the definition (${c.location.file.split(/[\\/]/).pop()}:${c.location.line})`);
      go.setAttribute('href', '#');
      go.addEventListener('click', (e) => {
        e.preventDefault();
        vscode.postMessage({ type: 'revealCheck', index: this.selected });
      });
      parts.push(go);
    }
    if (c.hint) parts.push(element('p', 'check-hint', `Hint: ${c.hint}`));
    if (c.error && c.message) parts.push(element('p', 'check-hint', c.message));
    if (c.first) {
      parts.push(element('p', 'check-first', `First wrong entry ${entryName(c, c.first.index)}: yours ${number(c.first.actual)}, expected ${number(c.first.expected)}. ${c.mismatches} of ${c.detail.expected?.data.length} entries differ.`));
    }
    const own = ownForwardText(c);
    if (own) parts.push(element('p', 'check-own', own[0].toUpperCase() + own.slice(1) + '.'));
    if (c.message && !c.error) parts.push(element('p', 'check-note', c.message));
    const { expected, actual } = c.detail;
    if (expected && actual) parts.push(this.heatmaps(c, expected, actual));
    if (expected) parts.push(this.explanation(c));
    this.detail.replaceChildren(...parts);
  }

  private heatmaps(c: CheckResult, expected: Tensor, actual: Tensor): HTMLElement {
    const box = element('div', 'check-heatmaps');
    const sameSize = expected.data.length === actual.data.length;
    const scale = scaleOf(expected.data);
    const marked = (i: number): boolean => sameSize && differs(actual.data[i], expected.data[i], scale);
    const max = Math.max(1e-12, ...expected.data.map(Math.abs), ...actual.data.filter(Number.isFinite).map(Math.abs));
    box.append(
      this.heatmap('Expected (Backprop Lens)', 'expected', expected, max, marked, (i) => this.explain(unravel(i, expected.shape))),
      this.heatmap('Yours', 'actual', actual, max, marked, (i) => sameSize && this.explain(unravel(i, expected.shape))),
    );
    box.setAttribute('aria-label', `${title(c)}: expected and yours, ${sameSize ? `${expected.data.filter((_, i) => marked(i)).length} entries differ` : 'of different sizes'}`);
    return box;
  }

  private heatmap(label: string, key: string, t: Tensor, max: number, differs: (i: number) => boolean, click: (i: number) => void): HTMLElement {
    const figure = element('figure', `check-heatmap check-heatmap-${key}`);
    const caption = element('figcaption', undefined, `${label} (${t.shape.join(' × ') || 'a number'})`);
    const { rows, cols } = asMatrix(t);
    const cell = Math.max(6, Math.min(18, Math.floor((Math.max(200, this.node.clientWidth) - 24) / cols)));
    const theme = readTheme();
    const svg = d3.select(document.createElementNS('http://www.w3.org/2000/svg', 'svg'))
      .attr('width', cols * cell + 2).attr('height', rows * cell + 2)
      .attr('role', 'img').attr('aria-label', `${label}: ${t.shape.join(' by ')}`);
    svg.selectAll('rect').data(t.data).join('rect')
      .attr('class', (_v, i) => (differs(i) ? 'cell differs' : 'cell'))
      .attr('x', (_v, i) => 1 + (i % cols) * cell).attr('y', (_v, i) => 1 + Math.floor(i / cols) * cell)
      .attr('width', cell - 1).attr('height', cell - 1)
      .attr('fill', (v) => (Number.isFinite(v) ? theme.diverging(v / max) : theme.highlight))
      .attr('stroke', (_v, i) => (differs(i) ? theme.foreground : 'none'))
      .attr('data-index', (_v, i) => i)
      .on('click', (e: MouseEvent) => click(Number((e.currentTarget as Element).getAttribute('data-index'))))
      .append('title').text((v, i) => `[${unravel(i, t.shape).join(', ')}] ${number(v)}`);
    figure.append(caption, svg.node()!);
    return figure;
  }

  private explain(index: number[]): void {
    this.explained = index;
    this.showDetail();
  }

  private explanation(c: CheckResult): HTMLElement {
    const box = element('div', 'check-explain');
    const index = this.explained;
    if (!index) {
      const button = element('vscode-button' as 'button', undefined, 'Explain this entry');
      button.id = 'check-explain';
      button.addEventListener('click', () => this.explain(c.first?.index ?? []));
      box.append(button, element('p', 'step-hint', 'Or click an entry of a heat map.'));
      return box;
    }
    const e = explainEntry(c, index);
    if (!e) return box;
    box.append(element('p', 'check-explain-title', `${entryName(c, index)} should be:`));
    for (const tex of [e.formula, e.numbers]) {
      const line = element('div', 'formula');
      typeset(line, tex, false);
      box.append(line);
    }
    return box;
  }
}
