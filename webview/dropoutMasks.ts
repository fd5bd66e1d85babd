import type { PanelView } from './view';
import * as d3 from './d3';
import type { RunStatus, Snapshot } from '../engine/protocol';
import { ChartFrame } from './chart';
import { readTheme } from './theme';

/** Steps of masks kept for the strip. */
const STRIP_STEPS = 32;

/**
 * For each dropout layer: the tracked example's mask this step as a grid of kept
 * and dropped units, the kept share against 1 - r, and a strip of the masks of
 * the last steps (one row per step, drawn on a canvas: it would be tens of
 * thousands of SVG elements).
 */
export class DropoutMasks implements PanelView {
  readonly region = 'charts';
  readonly frame = new ChartFrame('dropout-masks', 'Dropout masks', 'The tracked example\'s dropout mask: filled cells are kept units, empty cells dropped ones.');
  get node(): HTMLElement {
    return this.frame.root;
  }
  private readonly strip = document.createElement('canvas');
  private readonly recent = new Map<number, Uint8Array[]>();
  private rate: number | null = null;
  private last: Snapshot | null = null;

  constructor() {
    this.strip.className = 'mask-strip';
    this.strip.setAttribute('role', 'img');
    this.strip.setAttribute('aria-label', 'Dropout masks of the last steps, one row per step');
    this.frame.root.append(this.strip);
  }

  status(s: RunStatus): void {
    this.rate = s.config?.dropout ?? null;
  }

  /** Every snapshot, as it arrives: its masks join the strip. */
  record(s: Snapshot): void {
    this.last = s;
    s.tracked.masks.forEach((mask, layer) => {
      if (!mask) return;
      const rows = this.recent.get(layer) ?? [];
      const newest = rows[rows.length - 1];
      // One row per step: a snapshot inside the same step shows the same mask.
      if (!newest || !sameMask(newest, mask)) rows.push(mask);
      if (rows.length > STRIP_STEPS) rows.shift();
      this.recent.set(layer, rows);
    });
  }

  /** Once per frame, with the newest snapshot. */
  snapshot(): void {
    this.draw();
  }

  redraw(): void {
    this.draw();
  }

  private draw(): void {
    const s = this.last;
    const layers = s ? s.tracked.masks.flatMap((m, i) => (m ? [{ layer: i, mask: m }] : [])) : [];
    this.frame.root.hidden = layers.length === 0;
    if (!s || layers.length === 0) return;
    const t = readTheme(), width = this.frame.width;
    const blockHeight = (n: number): number => Math.ceil(n / columnsFor(n, width)) * cellFor(n, width) + 30;
    const height = d3.sum(layers, (l) => blockHeight(l.mask.length));
    this.frame.svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
    let y = 0;
    const blocks = this.frame.svg.selectAll<SVGGElement, (typeof layers)[number]>('g.mask').data(layers, (l) => String(l.layer)).join((enter) => {
      const g = enter.append('g').attr('class', 'mask');
      g.append('text').attr('class', 'mask-caption').attr('y', 12);
      g.append('g').attr('class', 'cells');
      return g;
    });
    blocks.each((l, i, nodes) => {
      const g = d3.select(nodes[i]).attr('transform', `translate(0,${y})`).attr('data-layer', l.layer);
      const n = l.mask.length, cols = columnsFor(n, width), cell = cellFor(n, width);
      const kept = d3.sum(l.mask);
      const expected = this.rate === null ? '' : ` (1 − r = ${(1 - this.rate).toFixed(2)})`;
      g.select('.mask-caption').attr('fill', t.foreground).text(`layer ${l.layer}: kept ${kept} of ${n} = ${(kept / n).toFixed(3)}${expected}`);
      const cells = g.select('.cells').attr('transform', 'translate(0,18)').selectAll<SVGRectElement, number>('rect').data(d3.range(n)).join('rect');
      // Geometry only when the grid's shape changes; every frame, only which cells are kept.
      const layout = `${cols}:${cell}`;
      if (g.attr('data-layout') !== layout) {
        g.attr('data-layout', layout);
        cells.attr('x', (u) => (u % cols) * cell).attr('y', (u) => Math.floor(u / cols) * cell).attr('width', cell - 1).attr('height', cell - 1);
      }
      cells
        .attr('class', (u) => (l.mask[u] ? 'kept' : 'dropped'))
        .attr('fill', (u) => (l.mask[u] ? t.positive : 'none'))
        .attr('stroke', (u) => (l.mask[u] ? 'none' : t.border));
      y += blockHeight(n);
    });
    this.drawStrip(layers[0].layer, width, t.positive, t.background);
    this.frame.setTable(['layer', 'unit', 'kept'], () => layers.flatMap((l) => Array.from(l.mask, (m, u) => [l.layer, u, m ? 'kept' : 'dropped'])));
  }

  private drawStrip(layer: number, width: number, kept: string, dropped: string): void {
    const rows = this.recent.get(layer) ?? [];
    if (rows.length === 0) return;
    const n = rows[0].length, rowHeight = 3;
    this.strip.width = n;
    this.strip.height = STRIP_STEPS * rowHeight;
    this.strip.style.width = `${width}px`;
    this.strip.style.height = `${STRIP_STEPS * rowHeight}px`;
    const context = this.strip.getContext('2d')!;
    context.fillStyle = dropped;
    context.fillRect(0, 0, this.strip.width, this.strip.height);
    context.fillStyle = kept;
    rows.forEach((mask, r) => {
      for (let u = 0; u < n; u++) if (mask[u]) context.fillRect(u, r * rowHeight, 1, rowHeight);
    });
  }
}

function columnsFor(n: number, width: number): number {
  return Math.max(1, Math.min(n, Math.floor(width / Math.max(4, Math.sqrt((width * 120) / n)))));
}

function cellFor(n: number, width: number): number {
  return Math.max(3, Math.floor(width / columnsFor(n, width)));
}

function sameMask(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
