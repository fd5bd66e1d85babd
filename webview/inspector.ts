import type { PanelView } from './view';
import * as d3 from './d3';
import type { Matrix, MatrixName, Snapshot } from '../engine/protocol';
import { ChartFrame, format } from './chart';
import { readTheme, type Theme } from './theme';
import { sampleUnits } from './layerGraph';

/** How often the inspector fetches its matrices again while training runs. */
const REFRESH_MS = 3000;

interface Summary {
  readonly label: string;
  readonly value: number;
}

/**
 * The selected layer (or unit) up close: histograms of dW and of the
 * activations; for a first layer, the selected unit's incoming weights and their
 * gradients as images of the input; and summary numbers. The matrices come from
 * the host on request, never with every snapshot.
 */
export class Inspector implements PanelView {
  readonly region = 'charts';
  readonly frame = new ChartFrame('inspector', 'Inspector', 'Histograms of the selected layer\'s weight gradients and activations, and the selected unit\'s incoming weights as an image.');
  get node(): HTMLElement {
    return this.frame.root;
  }
  private layer = 0;
  private unit = 0;
  private last: Snapshot | null = null;
  private readonly matrices = new Map<string, Matrix>();
  private lastImages: { W?: Matrix; dW?: Matrix } = {};
  private askedAt = -Infinity;
  /** What a dW matrix shows, computed once when it arrives: a 784 x 1000 one is too big to go over every frame. */
  private dWView: { matrix: Matrix; summaries: Summary[]; histogram: Histogram } | null = null;
  /** The unit, size and theme the images were drawn for, and from which matrices: redrawn only when these change. */
  private imagesOf = '';

  /** Every sampled first-layer unit's incoming weights (top) and their gradients (bottom), as images of the input. */
  private readonly gallery = document.createElement('canvas');

  constructor(private readonly request: (layer: number, name: MatrixName) => void) {
    this.gallery.className = 'weight-gallery';
    this.gallery.setAttribute('role', 'img');
    this.gallery.setAttribute('aria-label', 'Incoming weights (top row) and their gradients (bottom row) of sampled first-layer units, as 28 by 28 images');
    this.frame.root.append(this.gallery);
  }

  /** The linear layer behind a column: itself, or the nearest one before it. */
  private linearFor(s: Snapshot, layer: number): number {
    for (let l = Math.min(layer, s.layers.length - 1); l >= 0; l--) if (s.layers[l].type === 'linear') return l;
    return 0;
  }

  select(layer: number, unit: number): void {
    this.layer = layer;
    this.unit = unit;
    this.askedAt = -Infinity;
    if (this.last) this.snapshot(this.last);
  }

  snapshot(s: Snapshot): void {
    this.last = s;
    const linear = this.linearFor(s, this.layer);
    if (performance.now() - this.askedAt > REFRESH_MS) {
      this.askedAt = performance.now();
      this.request(linear, 'dW');
      this.request(linear, 'W');
    }
    this.draw();
  }

  matrix(m: Matrix): void {
    if (m.name !== 'W' && m.name !== 'dW') return;
    this.matrices.set(m.name, m);
    if (m.name === 'dW') this.dWView = { matrix: m, summaries: gradientSummaries(m.data), histogram: histogramOf(m.data) };
    this.draw();
    this.drawGallery();
  }

  /** The ConvNetJS view: what each first-layer unit looks for in a digit, and how this step changes it. */
  private drawGallery(): void {
    const W = this.matrices.get('W'), dW = this.matrices.get('dW');
    const show = W !== undefined && W.layer === 0 && W.cols === 784;
    this.gallery.hidden = !show;
    if (!show) return;
    const t = readTheme(), units = sampleUnits(W.rows), gap = 2, tile = 28 + gap;
    this.gallery.width = units.length * tile;
    this.gallery.height = 2 * tile;
    this.gallery.style.width = `${Math.min(this.frame.width, this.gallery.width * 2)}px`;
    const context = this.gallery.getContext('2d')!;
    context.clearRect(0, 0, this.gallery.width, this.gallery.height);
    const rows = [W, dW && dW.layer === 0 ? dW : undefined];
    rows.forEach((m, r) => {
      if (!m) return;
      units.forEach((unit, k) => {
        const row = rowOf(m, unit), max = d3.max(row, (v) => Math.abs(v)) || 1;
        const image = context.createImageData(28, 28);
        for (let p = 0; p < 784; p++) {
          const c = d3.rgb(t.diverging(row[p] / max));
          image.data.set([c.r, c.g, c.b, 255], p * 4);
        }
        context.putImageData(image, k * tile, r * tile);
      });
    });
  }

  redraw(): void {
    this.imagesOf = '';
    this.draw();
    this.drawGallery();
  }

  private draw(): void {
    const s = this.last;
    if (!s) return;
    const t = readTheme(), width = this.frame.width;
    const linear = this.linearFor(s, this.layer);
    const column = Math.min(this.layer, s.layers.length - 1);
    const dW = this.matrices.get('dW'), W = this.matrices.get('W');
    const current = (m: Matrix | undefined): Matrix | undefined => (m && m.layer === linear ? m : undefined);
    const activations = s.tracked.outputs[column];
    const summaries = this.summaries(s, column, current(dW));
    const histHeight = 110, imageSide = Math.min(140, (width - 30) / 2);
    const showImages = linear === 0 && s.tracked.input.length === 784 && current(W) !== undefined;
    const height = 40 + summaries.length * 14 + 2 * (histHeight + 16) + (showImages ? imageSide + 30 : 0);
    this.frame.svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
    const svg = this.frame.svg;
    svg.selectAll('text.selection').data([0]).join('text').attr('class', 'selection').attr('x', 4).attr('y', 14).attr('fill', t.foreground)
      .text(`layer ${column} (${s.layers[column].type})${linear !== column ? `, weights of layer ${linear}` : ''}, unit ${this.unit + 1} of ${s.layers[column].outFeatures}`);
    svg.selectAll('text.summary').data(summaries).join('text').attr('class', 'summary').attr('x', 4).attr('y', (_d, i) => 32 + i * 14)
      .attr('font-size', 11).attr('fill', t.muted).text((d) => `${d.label}: ${format(d.value)}`);
    let y = 40 + summaries.length * 14;
    const dWmatrix = current(dW);
    const dWHistogram = dWmatrix && this.dWView?.matrix === dWmatrix ? this.dWView.histogram : histogramOf([]);
    this.histogram('dW', dWHistogram, `dW of layer ${linear}`, y, width, histHeight, t);
    y += histHeight + 16;
    this.histogram('activations', histogramOf(activations), `layer ${column} output (the tracked example)`, y, width, histHeight, t);
    y += histHeight + 16;
    const images = showImages ? [
      { key: 'W', title: `W row ${this.unit}: incoming weights`, data: rowOf(current(W)!, this.unit) },
      { key: 'dW', title: `dW row ${this.unit}: their gradients`, data: dWmatrix ? rowOf(dWmatrix, this.unit) : new Float32Array(784) },
    ] : [];
    const groups = svg.selectAll<SVGGElement, (typeof images)[number]>('g.unit-image').data(images, (d) => d.key).join((enter) => {
      const g = enter.append('g').attr('class', 'unit-image');
      g.append('text').attr('class', 'image-title').attr('font-size', 10);
      g.append('g').attr('class', 'pixels');
      return g;
    });
    groups.attr('transform', (_d, i) => `translate(${4 + i * (imageSide + 16)},${y})`);
    const imagesOf = `${this.unit}:${imageSide}:${t.background}`;
    const sameImages = imagesOf === this.imagesOf && this.lastImages.W === current(W) && this.lastImages.dW === dWmatrix;
    this.imagesOf = imagesOf;
    this.lastImages = { W: current(W), dW: dWmatrix };
    if (!sameImages) groups.each((d, i, nodes) => {
      const g = d3.select(nodes[i]);
      const max = d3.max(d.data, (v) => Math.abs(v)) || 1, cell = imageSide / 28;
      g.select('.image-title').attr('y', 10).attr('fill', t.muted).text(d.title);
      g.select('.pixels').attr('transform', 'translate(0,16)').selectAll<SVGRectElement, number>('rect').data(d3.range(784)).join('rect')
        .attr('x', (p) => (p % 28) * cell).attr('y', (p) => Math.floor(p / 28) * cell).attr('width', cell).attr('height', cell)
        .attr('fill', (p) => t.diverging(d.data[p] / max));
    });
    this.frame.setTable(['measure', 'value'], () => summaries.map((d) => [d.label, d.value]));
  }

  private summaries(s: Snapshot, column: number, dW: Matrix | undefined): Summary[] {
    const layer = s.layers[column];
    const out: Summary[] = [
      { label: 'activation mean (batch)', value: layer.activation.mean },
      { label: 'activation std (batch)', value: layer.activation.std },
    ];
    if (layer.type === 'relu') out.push({ label: 'dead ReLUs (share of outputs at 0)', value: layer.activation.zeroFraction });
    if (dW && this.dWView?.matrix === dW) out.push(...this.dWView.summaries);
    return out;
  }

  private histogram(key: string, h: Histogram, title: string, y: number, width: number, height: number, t: Theme): void {
    const x = d3.scaleLinear().domain(h.domain).range([34, width - 8]);
    const bins = h.bins;
    const yScale = d3.scaleLinear().domain([0, d3.max(bins, (b) => b.length) || 1]).range([height - 18, 14]);
    const g = this.frame.svg.selectAll<SVGGElement, string>(`g.histogram-${key}`).data([key]).join((enter) => {
      const group = enter.append('g').attr('class', `histogram histogram-${key}`);
      group.append('text').attr('class', 'histogram-title').attr('font-size', 10).attr('y', 10);
      group.append('g').attr('class', 'bars');
      group.append('g').attr('class', 'axis');
      return group;
    }).attr('transform', `translate(0,${y})`);
    g.select('.histogram-title').attr('x', 34).attr('fill', t.muted).text(`${title}: ${h.count} values`);
    g.select('.bars').selectAll('rect').data(bins).join('rect')
      .attr('x', (b) => x(b.x0!)).attr('width', (b) => Math.max(0, x(b.x1!) - x(b.x0!) - 1))
      .attr('y', (b) => yScale(b.length)).attr('height', (b) => yScale(0) - yScale(b.length)).attr('fill', t.positive);
    g.select<SVGGElement>('.axis').attr('transform', `translate(0,${height - 18})`).call(d3.axisBottom(x).ticks(5, '~g')).attr('color', t.muted);
  }
}

interface Histogram {
  readonly domain: [number, number];
  readonly bins: d3.Bin<number, number>[];
  readonly count: number;
}

/** About 30 bins over the values' range, rounded to nice numbers. */
function histogramOf(values: ArrayLike<number>): Histogram {
  const data = Array.from(values);
  const extent = d3.extent(data) as [number, number];
  const domain = d3.scaleLinear().domain(data.length ? extent : [0, 1]).nice().domain() as [number, number];
  return { domain, bins: d3.bin().domain(domain).thresholds(d3.ticks(domain[0], domain[1], 30))(data), count: data.length };
}

function gradientSummaries(g: Float32Array): Summary[] {
  let sum = 0, squares = 0, max = 0;
  for (const v of g) {
    sum += v;
    squares += v * v;
    max = Math.max(max, Math.abs(v));
  }
  const mean = sum / g.length;
  return [
    { label: 'dW mean', value: mean },
    { label: 'dW std', value: Math.sqrt(Math.max(0, squares / g.length - mean * mean)) },
    { label: 'max |dW|', value: max },
    { label: '‖dW‖_F', value: Math.sqrt(squares) },
  ];
}

function rowOf(m: Matrix, unit: number): Float32Array {
  const r = Math.min(unit, m.rows - 1);
  return m.data.subarray(r * m.cols, (r + 1) * m.cols);
}
