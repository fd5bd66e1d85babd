import type { PanelView } from './view';
import * as d3 from './d3';
import type { PinnedRun, RunStatus, Snapshot } from '../engine/protocol';
import type { TrainingConfig } from '../engine/train/config';
import type { RunRecord } from '../engine/train/runRecord';
import { runLabel } from './runLabel';
import { ChartFrame, format } from './chart';
import { History } from '../engine/train/history';
import { readTheme } from './theme';

type Measure = 'dW' | 'input';

/** One line of the chart: a layer of the current run, or of a pinned one (faint, dashed). */
interface Line {
  readonly key: string;
  readonly label: string;
  readonly points: [number, number][];
  readonly colour: string;
  readonly dash: string | null;
  readonly last: number;
  /** For a pinned run's line: the run, as the legend names it. */
  readonly run?: string;
}

/** Dashes that tell pinned runs apart, in order of pinning. */
const DASHES = ['4 3', '1 3', '8 3', '4 2 1 2', '2 2'];

/**
 * ||dW||_F of every linear layer over the steps, on a log scale, so that
 * vanishing or exploding gradients are plain to see; a toggle shows
 * ||dL/d(input)|| of every layer instead. Pinned runs' ||dW|| lines lie faint
 * beneath; a menu shows one layer across all runs, or all layers of one run.
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
  private pinned: PinnedRun[] = [];
  private current: TrainingConfig | null = null;
  /** 'all', 'layer:k' (the k-th linear layer of every run) or 'run:id' (every layer of a pinned run). */
  private view = 'all';
  private readonly viewMenu = document.createElement('vscode-dropdown') as HTMLElement & { value: string };

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
    this.viewMenu.id = 'gradient-norms-view';
    this.viewMenu.setAttribute('aria-label', 'Which runs and layers');
    this.viewMenu.addEventListener('change', () => {
      this.view = this.viewMenu.value;
      this.draw();
    });
    this.frame.controls.append(this.viewMenu, toggle);
    this.fillMenu();
  }

  status(s: RunStatus): void {
    this.current = s.config;
  }

  /** The run's ||dW|| so far, for a panel opened after it began. */
  history(r: RunRecord): void {
    for (const key of [...this.series.keys()]) if (key.startsWith('dW:')) this.series.delete(key);
    r.layers.forEach((name, l) => {
      const history = new History();
      r.steps.forEach((step, i) => history.push(step, r.gradNorms[l][i]));
      // "layer 3 linear" is layer 3: the key its snapshots use.
      this.series.set(`dW:${name.split(' ')[1]}`, { label: name, history });
    });
    this.fillMenu();
    this.draw();
  }

  pins(p: PinnedRun[]): void {
    this.pinned = p;
    this.fillMenu();
    this.draw();
  }

  /** The menu's choices: every run's layers, the k-th layer of every run, or one pinned run. */
  private fillMenu(): void {
    const layers = Math.max(1, this.linearCount(), ...this.pinned.map((p) => p.layers.length));
    const options: [string, string][] = [
      ['all', 'All layers, all runs'],
      ...d3.range(layers).map((k): [string, string] => [`layer:${k}`, `Linear layer ${k + 1}, every run`]),
      ...this.pinned.map((p): [string, string] => [`run:${p.id}`, `Pinned run ${p.id}, every layer`]),
    ];
    if (!options.some(([v]) => v === this.view)) this.view = 'all';
    this.viewMenu.replaceChildren(...options.map(([value, label]) => Object.assign(document.createElement('vscode-option'), { value, textContent: label })));
    this.viewMenu.value = this.view;
  }

  /** The current run's linear layers, as many as have a ||dW|| history. */
  private linearCount(): number {
    return [...this.series.keys()].filter((k) => k.startsWith('dW:')).length;
  }

  /** Every snapshot, as it arrives: its norms join the history. */
  record(s: Snapshot): void {
    const shape = s.layers.map((l) => l.type).join('-');
    if (shape !== this.shape) {
      this.shape = shape;
      this.series.clear();
      this.fillMenu();
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

  /** The lines the menu asks for: the current run's first, solid; pinned runs' after, dashed. */
  private shown(): Line[] {
    const t = readTheme(), colour = (i: number): string => t.series[i % t.series.length];
    const own = [...this.series].filter(([key]) => key.startsWith(`${this.measure}:`)).map(([key, v], i): Line => ({
      key, label: v.label, points: v.history.points(), colour: colour(i), dash: null, last: v.history.values[v.history.length - 1],
    }));
    // Pinned runs recorded ||dW|| only.
    const pinned = this.measure === 'dW' ? this.pinned : [];
    const pinnedLine = (p: PinnedRun, i: number, l: number, c: string, label: string): Line => ({
      key: `pinned:${p.id}:${l}`, label, colour: c, run: `pinned ${p.id}: ${runLabel(p.config, this.current)}`,
      points: p.steps.map((s, k): [number, number] => [s, p.gradNorms[l][k]]).filter((q) => q[1] > 0), dash: DASHES[i % DASHES.length], last: p.gradNorms[l][p.steps.length - 1],
    });
    if (this.view.startsWith('layer:')) {
      const k = Number(this.view.slice(6)), mine = own.filter((l) => l.label.endsWith('linear'))[k];
      const run = (p: PinnedRun): string => `pinned ${p.id}: ${runLabel(p.config, this.current)}`;
      return [...(mine ? [{ ...mine, label: `this run, ${mine.label}`, colour: colour(0) }] : []), ...pinned.flatMap((p, i) => (k < p.layers.length ? [pinnedLine(p, i, k, colour(i + 1), run(p))] : []))];
    }
    if (this.view.startsWith('run:')) {
      const p = pinned.find((r) => `run:${r.id}` === this.view);
      return p ? p.layers.map((name, l) => ({ ...pinnedLine(p, 0, l, colour(l), name), dash: null })) : [];
    }
    return [...own, ...pinned.flatMap((p, i) => p.layers.map((name, l) => pinnedLine(p, i, l, colour(l), name)))];
  }

  redraw(): void {
    this.draw();
  }

  private draw(): void {
    const t = readTheme(), width = this.frame.width, height = 200;
    const margin = { top: 22, right: 10, bottom: 22, left: 52 };
    const lines = this.shown();
    this.frame.svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
    const all = lines.flatMap((l) => l.points);
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
    // Pinned runs' lines first, so that the current run's are drawn over them.
    const ordered = [...lines].sort((a, b) => Number(a.dash === null) - Number(b.dash === null));
    this.root.selectAll<SVGPathElement, Line>('path.norm').data(ordered, (l) => l.key).join('path')
      .attr('class', (l) => (l.dash ? 'norm pinned' : 'norm')).attr('data-key', (l) => l.key).attr('data-points', (l) => l.points.length)
      .attr('fill', 'none').attr('stroke-width', 1.5).attr('stroke', (l) => l.colour)
      .attr('stroke-dasharray', (l) => l.dash).attr('stroke-opacity', (l) => (l.dash ? 0.55 : 1))
      .attr('d', (l) => line(l.points)).order();
    // With every run on show, a pinned run's layers share its dashes and one legend line.
    const summary = this.view === 'all';
    const legend = summary ? lines.filter((l) => !l.run || l.key.endsWith(':0')) : lines;
    this.root.selectAll<SVGTextElement, Line>('text.series-label').data(legend, (l) => l.key).join('text')
      .attr('class', 'series-label').attr('font-size', 10)
      .attr('x', width - margin.right).attr('text-anchor', 'end').attr('y', (_l, i) => margin.top + 10 + i * 12)
      .attr('fill', (l) => (summary && l.run ? t.muted : l.colour))
      .text((l) => (summary && l.run ? `dashed: ${l.run}` : `${l.label}: ${format(l.last)}`));
    this.readout.attr('fill', t.muted).text(this.measure === 'dW' ? '‖dW‖_F per step (log)' : '‖dL/d(input)‖ per step (log)');
    this.frame.svg.on('pointermove', (event: PointerEvent) => {
      const step = x.invert(d3.pointer(event)[0]);
      const values = lines.filter((l) => !l.dash).map((l) => {
        const i = Math.min(l.points.length - 1, d3.bisectLeft(l.points.map((p) => p[0]), step));
        return `${l.label} ${format(l.points[i]?.[1])}`;
      });
      this.readout.text(`step ${Math.round(step)}: ${values.join(' · ')}`);
    });
    this.frame.setTable(['layer', 'step', this.measure === 'dW' ? '‖dW‖' : '‖dL/d(input)‖'], () =>
      lines.flatMap((l) => l.points.slice(-20).map(([step, v]) => [l.label, step, v])),
    );
  }
}
