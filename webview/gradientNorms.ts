import type { PanelView } from './view';
import * as d3 from './d3';
import type { Snapshot } from '../engine/protocol';
import { ChartFrame, format } from './chart';
import { History } from './history';
import { readTheme } from './theme';

type Measure = 'dW' | 'input';

/**
 * ||dW||_F of every linear layer over the steps, on a log scale, so that
 * vanishing or exploding gradients are plain to see; a toggle shows
 * ||dL/d(input)|| of every layer instead.
 */
export class GradientNorms implements PanelView {
  readonly region = 'charts';
  readonly frame = new ChartFrame('gradient-norms', 'Gradient norms per layer', 'Frobenius norm of each layer\'s weight gradient over the training steps, log scale.');
  get node(): HTMLElement {
    return this.frame.root;
  }
  private measure: Measure = 'dW';
  private readonly series = new Map<string, { label: string; history: History }>();
  private readonly root = this.frame.svg.append('g');
  private readonly readout = this.frame.svg.append('text').attr('class', 'readout').attr('x', 8).attr('y', 14);
  private shape = '';

  constructor() {
    const toggle = document.createElement('vscode-button');
    toggle.setAttribute('appearance', 'secondary');
    toggle.id = 'gradient-norms-measure';
    toggle.textContent = 'Show ‖dL/d(input)‖';
    toggle.addEventListener('click', () => {
      this.measure = this.measure === 'dW' ? 'input' : 'dW';
      toggle.textContent = this.measure === 'dW' ? 'Show ‖dL/d(input)‖' : 'Show ‖dW‖';
      this.draw();
    });
    this.frame.controls.append(toggle);
  }

  /** Every snapshot, as it arrives: its norms join the history. */
  record(s: Snapshot): void {
    const shape = s.layers.map((l) => l.type).join('-');
    if (shape !== this.shape) {
      this.shape = shape;
      this.series.clear();
    }
    // Only whole steps: inside a step, some layers' gradients are from the last one.
    if (s.phase.kind !== 'ready') return;
    s.layers.forEach((l, i) => {
      for (const [measure, value] of [['dW', l.dWNorm], ['input', l.gradInputNorm]] as const) {
        if (value === null || !(value > 0)) continue;
        const key = `${measure}:${i}`;
        if (!this.series.has(key)) this.series.set(key, { label: `layer ${i} ${l.type}`, history: new History() });
        this.series.get(key)!.history.push(s.step, value);
      }
    });
  }

  /** Once per frame, with the newest snapshot. */
  snapshot(): void {
    this.draw();
  }

  /** The series currently drawn, one per layer. */
  private shown(): { key: string; label: string; history: History }[] {
    return [...this.series].filter(([key]) => key.startsWith(`${this.measure}:`)).map(([key, v]) => ({ key, ...v }));
  }

  redraw(): void {
    this.draw();
  }

  private draw(): void {
    const t = readTheme(), width = this.frame.width, height = 200;
    const margin = { top: 22, right: 10, bottom: 22, left: 52 };
    const lines = this.shown();
    this.frame.svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
    const all = lines.flatMap((l) => l.history.points());
    const x = d3.scaleLinear().domain(d3.extent(all, (p) => p[0]) as [number, number]).range([margin.left, width - margin.right]);
    const [lo, hi] = d3.extent(all, (p) => p[1]) as [number, number];
    const y = d3.scaleLog().domain(all.length ? [lo / 1.5, hi * 1.5] : [1e-3, 1]).range([height - margin.bottom, margin.top]).clamp(true);
    if (!all.length) x.domain([0, 1]);
    this.root.selectAll('g.axis').data(['x', 'y']).join('g').attr('class', (d) => `axis axis-${d}`)
      .attr('transform', (d) => (d === 'x' ? `translate(0,${height - margin.bottom})` : `translate(${margin.left},0)`))
      .each((d, i, nodes) => {
        const axis = d === 'x' ? d3.axisBottom(x).ticks(Math.max(2, width / 80)).tickFormat(d3.format('~s')) : d3.axisLeft(y).ticks(4, '~g');
        d3.select(nodes[i] as SVGGElement).call(axis).attr('color', t.muted);
      });
    const line = d3.line<[number, number]>().x((p) => x(p[0])).y((p) => y(p[1]));
    this.root.selectAll<SVGPathElement, (typeof lines)[number]>('path.norm').data(lines, (l) => l.key).join('path')
      .attr('class', 'norm').attr('data-key', (l) => l.key).attr('data-points', (l) => l.history.length)
      .attr('fill', 'none').attr('stroke-width', 1.5)
      .attr('stroke', (_l, i) => t.series[i % t.series.length])
      .attr('d', (l) => line(l.history.points()));
    this.root.selectAll<SVGTextElement, (typeof lines)[number]>('text.series-label').data(lines, (l) => l.key).join('text')
      .attr('class', 'series-label').attr('font-size', 10)
      .attr('x', width - margin.right).attr('text-anchor', 'end').attr('y', (_l, i) => margin.top + 10 + i * 12)
      .attr('fill', (_l, i) => t.series[i % t.series.length])
      .text((l) => `${l.label}: ${format(l.history.values[l.history.length - 1])}`);
    this.readout.attr('fill', t.muted).text(this.measure === 'dW' ? '‖dW‖_F per step (log)' : '‖dL/d(input)‖ per step (log)');
    this.frame.svg.on('pointermove', (event: PointerEvent) => {
      const step = x.invert(d3.pointer(event)[0]);
      const values = lines.map((l) => {
        const i = Math.min(l.history.length - 1, d3.bisectLeft(l.history.steps, step));
        return `${l.label} ${format(l.history.values[i])}`;
      });
      this.readout.text(`step ${Math.round(step)}: ${values.join(' · ')}`);
    });
    this.frame.setTable(['layer', 'step', this.measure === 'dW' ? '‖dW‖' : '‖dL/d(input)‖'], () =>
      lines.flatMap((l) => l.history.points().slice(-20).map(([step, v]) => [l.label, step, v])),
    );
  }
}
