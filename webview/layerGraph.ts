import type { PanelView } from './view';
import * as d3 from './d3';
import type { Matrix, RunStatus, Snapshot } from '../engine/protocol';
import { ChartFrame, format } from './chart';
import { readTheme, type Theme } from './theme';

/** Units drawn per column at most; the rest are summarised as "+N not shown". */
const MAX_UNITS = 24;
/** Strongest incoming weights drawn per unit. */
const EDGES_PER_UNIT = 3;
/** The weights behind the edges are fetched again at most this often. */
const WEIGHTS_EVERY_MS = 2000;

interface Column {
  readonly key: string;
  readonly label: string;
  /** The engine layer this column shows the output of; -1 for the input, L for the softmax. */
  readonly layer: number;
  readonly size: number;
  /** Which units are drawn: all, or an even sample. */
  readonly shown: number[];
}

interface Unit {
  readonly column: Column;
  readonly index: number;
  readonly x: number;
  readonly y: number;
}

/** An even sample of at most MAX_UNITS indices of 0 .. size - 1, first and last included. */
export function sampleUnits(size: number): number[] {
  if (size <= MAX_UNITS) return d3.range(size);
  return d3.range(MAX_UNITS).map((i) => Math.round((i * (size - 1)) / (MAX_UNITS - 1)));
}

/** An input of a square number of pixels is a picture (the digit); any other is a column of units. */
function isImage(features: number): boolean {
  return features >= 64 && Number.isInteger(Math.sqrt(features));
}

function columnsOf(s: Snapshot): Column[] {
  const n = s.tracked.input.length;
  const input: Column[] = isImage(n) ? [] : [{ key: 'input', label: `input|${n}`, layer: -1, size: n, shown: sampleUnits(n) }];
  const layerColumns = s.layers.map((l, i): Column => ({
    key: `layer-${i}`,
    label: l.type === 'linear' ? `linear|${l.inFeatures}→${l.outFeatures}` : `${l.type}|${l.outFeatures}`,
    layer: i,
    size: l.outFeatures,
    shown: sampleUnits(l.outFeatures),
  }));
  const K = s.layers[s.layers.length - 1].outFeatures;
  const softmax: Column[] = s.lossFunction === 'softmax-cross-entropy' ? [{ key: 'softmax', label: `softmax|z`, layer: s.layers.length, size: K, shown: d3.range(K) }] : [];
  return [...input, ...layerColumns, ...softmax];
}

/**
 * The network as columns of units: the tracked example's digit, each layer's
 * output, and the softmax probabilities with the label. Units are filled by
 * activation in the forward phase and by dL/d(unit) in the backward phase.
 */
export class LayerGraph implements PanelView {
  readonly region = 'charts';
  readonly frame = new ChartFrame('layer-graph', 'Layer graph', 'Each layer of the network as a column of units, coloured by value, with the strongest weights as lines.');
  get node(): HTMLElement {
    return this.frame.root;
  }
  private columns: Column[] = [];
  private shape = '';
  private last: Snapshot | null = null;
  private selected: { layer: number; unit: number } | null = null;
  /** Units of the step-through's current sub-step, as "column:unit". */
  private involved = new Set<string>();
  /** The input is drawn as a picture in a column of its own, left of the unit columns. */
  private image = true;
  private readonly weights = new Map<number, Matrix>();
  /** The layer where a diverged run's first NaN or infinity appeared (null: the loss); undefined while none did. */
  private diverged: number | null | undefined;
  private weightsAskedAt = -Infinity;
  private readonly root = this.frame.svg.append('g');

  constructor(private readonly onSelect: (layer: number, unit: number) => void, private readonly requestWeights: (layer: number) => void) {}

  /** What the values are now: activations going forward, gradients coming back. */
  private mode(s: Snapshot): 'activation' | 'gradient' {
    return s.phase.kind === 'backward' ? 'gradient' : 'activation';
  }

  snapshot(s: Snapshot): void {
    this.last = s;
    // The columns depend on the input (a picture or units) and the loss (a softmax column or none) too.
    const shape = [s.tracked.input.length, ...s.layers.map((l) => `${l.type}${l.outFeatures}`), s.lossFunction].join('-');
    if (shape !== this.shape) {
      this.shape = shape;
      this.columns = columnsOf(s);
      this.image = isImage(s.tracked.input.length);
      this.weights.clear();
      this.layout();
    }
    // Edges need the weights of small linear layers whose inputs are drawn units.
    if (performance.now() - this.weightsAskedAt > WEIGHTS_EVERY_MS) {
      this.weightsAskedAt = performance.now();
      s.layers.forEach((l, i) => {
        if (l.type === 'linear' && (i > 0 || !this.image) && l.inFeatures * l.outFeatures <= 200000) this.requestWeights(i);
      });
    }
    this.draw();
  }

  status(s: RunStatus): void {
    const diverged = s.divergence ? s.divergence.layer : undefined;
    if (diverged === this.diverged) return;
    this.diverged = diverged;
    this.draw();
  }

  matrix(m: Matrix): void {
    if (m.name !== 'W') return;
    this.weights.set(m.layer, m);
    this.draw();
  }

  redraw(): void {
    this.layout();
    this.draw();
  }

  select(layer: number, unit: number): void {
    this.selected = { layer, unit };
    this.draw();
  }

  /** Marks the units a step-through sub-step reads and writes. */
  involve(involved: readonly { readonly column: number; readonly units: readonly number[] }[]): void {
    const next = new Set(involved.flatMap((c) => c.units.map((u) => `${c.column}:${u}`)));
    if (next.size === this.involved.size && [...next].every((k) => this.involved.has(k))) return;
    this.involved = next;
    this.draw();
  }

  private geometry(): { width: number; height: number; top: number; x: (c: number) => number; unitY: (i: number, n: number) => number } {
    const width = this.frame.width, height = 420, top = 56, bottom = 50;
    const n = this.columns.length + (this.image ? 1 : 0);
    const x = (c: number): number => ((c + 0.5) * width) / n;
    const unitY = (i: number, count: number): number => top + ((i + 0.5) * (height - top - bottom)) / count;
    return { width, height, top, x, unitY };
  }

  private units(): Unit[] {
    const g = this.geometry();
    const offset = this.image ? 1 : 0;
    return this.columns.flatMap((column, c) => column.shown.map((index, i) => ({ column, index, x: g.x(c + offset), y: g.unitY(i, column.shown.length) })));
  }

  /** The parts that change only with the network's shape or the panel's width. */
  private layout(): void {
    if (!this.last) return;
    const g = this.geometry(), t = readTheme();
    this.frame.svg.attr('width', g.width).attr('height', g.height).attr('viewBox', `0 0 ${g.width} ${g.height}`);
    this.root.selectAll('*').remove();
    this.root.append('g').attr('class', 'highlight');
    this.root.append('g').attr('class', 'edges');
    if (this.image) this.layoutImage(g);
    // Column captions in short lines, so that narrow columns do not run into each other.
    const labels = this.root.append('g').attr('class', 'column-labels').attr('font-size', 10);
    const narrow = g.x(1) - g.x(0) < 70;
    const columnCaptions = this.columns.map((c) => [c.label, ...(c.shown.length < c.size ? [`+${c.size - c.shown.length}${narrow ? '' : ' hidden'}`] : [])]);
    const captions = this.image ? [[`input|${this.last.tracked.input.length}`], ...columnCaptions] : columnCaptions;
    captions.forEach((lines, i) => {
      const text = labels.append('text').attr('x', g.x(i)).attr('y', g.height - 30).attr('text-anchor', 'middle').attr('fill', t.muted);
      lines.flatMap((l) => l.split('|')).forEach((line, k) => text.append('tspan').attr('x', g.x(i)).attr('dy', k === 0 ? 0 : 11).text(line));
    });
    this.root.append('g').attr('class', 'units');
    this.root.append('text').attr('class', 'phase-label').attr('x', 4).attr('y', 14).attr('fill', t.foreground);
    this.legend(g.width);
  }

  /** The input digit: 28 x 28 cells. */
  private layoutImage(g: ReturnType<LayerGraph['geometry']>): void {
    const t = readTheme();
    const features = this.last!.tracked.input.length, side = Math.sqrt(features);
    const cell = Math.min(3.2, (g.x(1) - g.x(0)) * 0.8 / side);
    const input = this.root.append('g').attr('class', 'input').attr('transform', `translate(${g.x(0) - (cell * side) / 2},${g.top})`);
    input.selectAll('rect').data(d3.range(features)).join('rect')
      .attr('x', (i) => (i % side) * cell).attr('y', (i) => Math.floor(i / side) * cell).attr('width', cell).attr('height', cell);
    input.append('text').attr('class', 'input-label').attr('x', (cell * side) / 2).attr('y', cell * side + 14).attr('text-anchor', 'middle').attr('fill', t.muted);
  }

  private legend(width: number): void {
    const t = readTheme(), w = Math.min(160, width - 20);
    // Below the phase label, so that the two never meet in a narrow side bar.
    const legend = this.root.append('g').attr('class', 'legend').attr('transform', `translate(${width - w - 8},22)`);
    const id = 'layer-graph-legend-gradient';
    const gradient = legend.append('defs').append('linearGradient').attr('id', id);
    for (const stop of [-1, -0.5, 0, 0.5, 1]) gradient.append('stop').attr('offset', `${(stop + 1) * 50}%`).attr('stop-color', t.diverging(stop));
    legend.append('rect').attr('width', w).attr('height', 8).attr('fill', `url(#${id})`).attr('stroke', t.border);
    legend.append('text').attr('class', 'legend-caption').attr('y', 22).attr('fill', t.muted).attr('font-size', 10);
    legend.append('text').attr('y', 22).attr('x', w).attr('text-anchor', 'end').attr('fill', t.muted).attr('font-size', 10).text('+');
  }

  private values(s: Snapshot, column: Column): ArrayLike<number> | null {
    if (column.layer === s.layers.length) return s.tracked.probabilities;
    if (column.layer === -1) return this.mode(s) === 'gradient' ? s.tracked.inputGradient : s.tracked.input;
    return this.mode(s) === 'gradient' ? s.tracked.gradOutputs[column.layer] : s.tracked.outputs[column.layer];
  }

  private draw(): void {
    const s = this.last;
    if (!s) return;
    const g = this.geometry(), t = readTheme(), mode = this.mode(s);
    this.root.select('.legend-caption').text(mode === 'gradient' ? '− dL/d(unit) 0' : '− activation 0');
    this.root.select('.phase-label').text(phaseLabel(s));
    const digitMax = d3.max(s.tracked.input) || 1;
    this.root.select('.input').selectAll<SVGRectElement, number>('rect').attr('fill', (i) => t.diverging(s.tracked.input[i] / digitMax));
    this.root.select('.input-label').text(s.tracked.chosen ? `${s.tracked.chosen}, as ${s.tracked.label}` : `label ${s.tracked.label}`);
    this.drawHighlight(s, g);
    const scales = new Map(this.columns.map((c) => {
      const v = this.values(s, c);
      return [c.key, v ? d3.max(c.shown, (i) => Math.abs(v[i])) || 1 : 1] as const;
    }));
    const units = this.units();
    const predicted = s.tracked.probabilities ? d3.maxIndex(s.tracked.probabilities) : -1;
    this.root.select('.units').selectAll<SVGGElement, Unit>('g.unit').data(units, (u) => `${u.column.key}:${u.index}`)
      .join((enter) => {
        const unit = enter.append('g').attr('class', 'unit');
        unit.append('circle');
        unit.append('title');
        unit.on('click', (_event, u) => {
          this.selected = { layer: u.column.layer, unit: u.index };
          this.onSelect(u.column.layer, u.index);
          this.draw();
        });
        return unit;
      })
      .attr('data-layer', (u) => u.column.layer)
      .attr('data-unit', (u) => u.index)
      .each((u, i, nodes) => {
        const v = this.values(s, u.column);
        const value = v ? v[u.index] : NaN;
        const softmax = u.column.layer === s.layers.length;
        const selected = this.selected?.layer === u.column.layer && this.selected.unit === u.index;
        const involved = this.involved.has(`${u.column.layer}:${u.index}`);
        const circle = d3.select(nodes[i]).select('circle')
          .attr('cx', u.x).attr('cy', u.y).attr('r', Math.min(6, (g.height - 90) / (2.6 * u.column.shown.length)))
          .attr('fill', Number.isNaN(value) ? t.background : softmax ? t.diverging(value) : t.diverging(value / scales.get(u.column.key)!))
          .attr('stroke', selected || involved ? t.highlight : softmax && u.index === s.tracked.label ? t.foreground : t.border)
          .attr('stroke-width', selected || (softmax && u.index === s.tracked.label) ? 2.5 : involved ? 2 : 1);
        circle.classed('predicted', softmax && u.index === predicted).classed('involved', involved);
        const what = softmax ? `z_${u.index + 1} = P(class ${u.index})` : mode === 'gradient' ? `dL/d(unit ${u.index + 1})` : `unit ${u.index + 1}`;
        d3.select(nodes[i]).select('title').text(`${u.column.label.replace('|', ' ')}: ${what} = ${format(value)}${softmax && u.index === s.tracked.label ? ' (the label)' : ''}`);
      });
    this.drawEdges(units, t);
    this.frame.setTable(['column', 'unit', mode], () => units.map((u) => {
      const v = this.values(s, u.column);
      return [u.column.label.replace('|', ' '), u.index, v ? v[u.index] : NaN];
    }));
  }

  private drawHighlight(s: Snapshot, g: ReturnType<LayerGraph['geometry']>): void {
    // The loss sits on the softmax column, or on the output layer's where there is none.
    const lossColumn = s.lossFunction === 'softmax-cross-entropy' ? s.layers.length : s.layers.length - 1;
    const current = s.phase.kind === 'forward' || s.phase.kind === 'backward' ? s.phase.layer : s.phase.kind === 'loss' ? lossColumn : null;
    const diverged = this.diverged === undefined ? [] : [{ kind: 'diverged-layer', column: this.diverged ?? lossColumn }];
    const marks = [...(current === null ? [] : [{ kind: 'current-layer', column: current }]), ...diverged];
    const width = g.x(1) - g.x(0), t = readTheme();
    this.root.select('.highlight').selectAll('rect').data(marks).join('rect')
      .attr('class', (m) => m.kind)
      .attr('x', (m) => g.x(m.column + 1) - width / 2 + 2).attr('y', g.top - 8).attr('width', width - 4).attr('height', g.height - g.top - 22)
      .attr('rx', 4).attr('fill', (m) => (m.kind === 'diverged-layer' ? t.error : 'none')).attr('fill-opacity', 0.12)
      .attr('stroke', (m) => (m.kind === 'diverged-layer' ? t.error : t.highlight)).attr('stroke-dasharray', (m) => (m.kind === 'diverged-layer' ? null : '4 3'));
  }

  private drawEdges(units: Unit[], t: Theme): void {
    const byColumn = d3.group(units, (u) => u.column.layer);
    const edges: { from: Unit; to: Unit; w: number }[] = [];
    for (const [layer, W] of this.weights) {
      const sources = byColumn.get(layer - 1), targets = byColumn.get(layer);
      if (!sources || !targets) continue;
      for (const to of targets) {
        const strongest = sources.map((from) => ({ from, to, w: W.data[to.index * W.cols + from.index] }))
          .sort((a, b) => Math.abs(b.w) - Math.abs(a.w)).slice(0, EDGES_PER_UNIT);
        edges.push(...strongest);
      }
    }
    const max = d3.max(edges, (e) => Math.abs(e.w)) || 1;
    this.root.select('.edges').selectAll('line').data(edges).join('line')
      .attr('x1', (e) => e.from.x).attr('y1', (e) => e.from.y).attr('x2', (e) => e.to.x).attr('y2', (e) => e.to.y)
      .attr('stroke', (e) => (e.w < 0 ? t.negative : t.positive))
      .attr('stroke-opacity', (e) => 0.15 + (0.75 * Math.abs(e.w)) / max)
      .attr('stroke-width', (e) => 0.5 + (2 * Math.abs(e.w)) / max);
  }
}

function phaseLabel(s: Snapshot): string {
  switch (s.phase.kind) {
    case 'ready': return `step ${s.step}: update applied`;
    case 'forward': return `forward: layer ${s.phase.layer} (${s.layers[s.phase.layer].type})`;
    case 'loss': return s.lossFunction === 'mse' ? 'loss: ½‖a − y‖², dL/da = (a − y)/N' : 'loss: z = softmax(a), dL/da = (z − y)/N';
    case 'backward': return `backward: layer ${s.phase.layer} (${s.layers[s.phase.layer].type})`;
  }
}
