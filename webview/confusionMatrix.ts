import * as d3 from './d3';
import { ChartFrame } from './chart';
import { readTheme } from './theme';
import type { RunStatus } from '../engine/protocol';
import type { PanelView } from './view';

interface Cell {
  readonly trueClass: number;
  readonly predicted: number;
  readonly count: number;
  /** Its share of the digits of its true class. */
  readonly share: number;
}

/**
 * The validation set's confusion matrix at the last epoch's end (counted in the
 * worker): a true class per row, a predicted class per column. The diagonal is
 * what the network gets right; a cell off it opens its digits in the gallery.
 */
export class ConfusionMatrix implements PanelView {
  readonly region = 'charts';
  readonly frame = new ChartFrame('confusion-matrix', 'Confusion matrix', 'Validation digits by true class (rows) and predicted class (columns), at the last epoch\'s end. Choose a cell off the diagonal to see its digits.');
  readonly node = this.frame.root;
  private cells: Cell[] = [];
  private classes = 0;
  private epoch = 0;
  private selected: Cell | null = null;

  constructor(private readonly open: (trueClass: number, predicted: number) => void) {}

  status(s: RunStatus): void {
    const last = s.epochs[s.epochs.length - 1];
    if (!last) {
      this.cells = [];
      this.epoch = 0;
      this.selected = null;
    } else if (last.epoch !== this.epoch || this.cells.length === 0) {
      this.epoch = last.epoch;
      this.classes = Math.round(Math.sqrt(last.confusion.length));
      const K = this.classes, rowTotals = d3.range(K).map((t) => d3.sum(last.confusion.slice(t * K, (t + 1) * K)));
      this.cells = last.confusion.map((count, i) => ({ trueClass: Math.floor(i / K), predicted: i % K, count, share: count / (rowTotals[Math.floor(i / K)] || 1) }));
      // A new epoch: the gallery's cell is counted again.
      if (this.selected) this.choose(this.cells[this.selected.trueClass * K + this.selected.predicted]);
    }
    this.redraw();
  }

  redraw(): void {
    const t = readTheme(), K = this.classes, svg = this.frame.svg;
    this.node.hidden = this.cells.length === 0;
    const margin = 30, size = Math.max(12, Math.min(26, (Math.min(this.frame.width, 360) - margin - 4) / Math.max(K, 1)));
    svg.attr('width', margin + K * size + 4).attr('height', margin + K * size + 4);
    const right = d3.interpolateRgb(t.background, t.positive), wrong = d3.interpolateRgb(t.background, t.negative);
    const cells = svg.selectAll<SVGGElement, Cell>('g.cell').data(this.cells, (c) => `${c.trueClass},${c.predicted}`).join((enter) => {
      const g = enter.append('g').attr('class', 'cell');
      g.append('rect');
      g.append('text').attr('text-anchor', 'middle').attr('dominant-baseline', 'central');
      g.append('title');
      g.on('click', (_, c) => this.choose(c)).on('keydown', (e: KeyboardEvent, c) => {
        if (e.key === 'Enter' || e.key === ' ') this.choose(c);
      });
      return g;
    });
    const opens = (c: Cell): boolean => c.trueClass !== c.predicted && c.count > 0;
    cells.attr('transform', (c) => `translate(${margin + c.predicted * size},${margin + c.trueClass * size})`)
      .attr('tabindex', (c) => (opens(c) ? 0 : null)).attr('role', (c) => (opens(c) ? 'button' : null))
      .style('cursor', (c) => (opens(c) ? 'pointer' : 'default'));
    const isSelected = (c: Cell): boolean => this.selected?.trueClass === c.trueClass && this.selected.predicted === c.predicted;
    cells.select('rect').attr('width', size - 1).attr('height', size - 1)
      // Mistakes are few: a tenth of a class already shows at full strength.
      .attr('fill', (c) => (c.trueClass === c.predicted ? right(c.share) : wrong(Math.min(1, c.share * 10))))
      .attr('stroke', (c) => (isSelected(c) ? t.highlight : 'none')).attr('stroke-width', 2);
    cells.select('text').attr('x', (size - 1) / 2).attr('y', (size - 1) / 2).attr('fill', t.foreground).style('font-size', `${Math.min(10, size / 2.4)}px`)
      .text((c) => (c.count > 0 && size >= 18 ? c.count : ''));
    cells.select('title').text((c) => `true ${c.trueClass}, predicted ${c.predicted}: ${c.count} digit${c.count === 1 ? '' : 's'} (${(100 * c.share).toFixed(1)}% of the ${c.trueClass}s)`);
    this.axisLabels(margin, size, K, t.muted);
    this.frame.setTable(['true \\ predicted', ...d3.range(K).map(String)], () => d3.range(K).map((r) => [String(r), ...this.cells.slice(r * K, (r + 1) * K).map((c) => String(c.count))]));
  }

  private axisLabels(margin: number, size: number, K: number, colour: string): void {
    const labels = [
      ...d3.range(K).map((k) => ({ key: `p${k}`, x: margin + (k + 0.5) * size, y: margin - 4, text: String(k) })),
      ...d3.range(K).map((k) => ({ key: `t${k}`, x: margin - 8, y: margin + (k + 0.5) * size + 3, text: String(k) })),
      { key: 'predicted', x: margin + (K * size) / 2, y: 10, text: 'predicted' },
    ];
    this.frame.svg.selectAll<SVGTextElement, (typeof labels)[number]>('text.axis-label').data(labels, (l) => l.key).join('text')
      .attr('class', 'axis-label').attr('text-anchor', 'middle').attr('x', (l) => l.x).attr('y', (l) => l.y).attr('fill', colour).text((l) => l.text);
    this.frame.svg.selectAll('text.true-label').data([0]).join('text').attr('class', 'true-label').attr('fill', colour).attr('text-anchor', 'middle')
      .attr('transform', `translate(8,${margin + (K * size) / 2}) rotate(-90)`).text('true');
  }

  private choose(c: Cell): void {
    if (c.trueClass === c.predicted || c.count === 0) return;
    this.selected = c;
    this.open(c.trueClass, c.predicted);
    this.redraw();
  }
}
