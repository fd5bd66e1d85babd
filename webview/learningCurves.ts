import type { PanelView } from './view';
import * as d3 from './d3';
import type { PinnedRun, RunStatus, Snapshot } from '../engine/protocol';
import type { TrainingConfig } from '../engine/train/config';
import type { RunRecord } from '../engine/train/runRecord';
import { runLabel } from './runLabel';
import { ChartFrame } from './chart';
import { History } from '../engine/train/history';
import { readTheme } from './theme';

/** Validation points are drawn as dots up to this many epochs; past it, the line alone (the page stays bounded). */
const MAX_DOTS = 50;

/** Weight of the newest value in the smoothed loss (an exponential moving average). */
const SMOOTHING = 0.05;

/** A pinned run as these charts draw it: its smoothed loss and its validation accuracy, faint, with its label. */
interface PinnedCurves {
  readonly id: number;
  readonly config: TrainingConfig;
  readonly loss: [number, number][];
  readonly validation: [number, number][];
}

/** An exponential moving average of a series, as the current run's thick line is. */
function smoothed(steps: number[], values: number[]): [number, number][] {
  let m: number | null = null;
  return steps.map((s, i) => [s, (m = m === null ? values[i] : m + SMOOTHING * (values[i] - m))]);
}

/**
 * Training loss per step (raw and smoothed) and validation accuracy per epoch;
 * pinned runs as faint lines beneath, each labelled by what differs.
 */
export class LearningCurves implements PanelView {
  readonly region = 'charts';
  readonly frame = new ChartFrame('learning-curves', 'Learning curves', 'Training loss per step, raw and smoothed, and validation accuracy per epoch.');
  get node(): HTMLElement {
    return this.frame.root;
  }
  private readonly raw = new History();
  private readonly smooth = new History();
  private smoothed: number | null = null;
  private validation: [number, number][] = [];
  private last: Snapshot | null = null;
  private pinned: PinnedCurves[] = [];
  private current: TrainingConfig | null = null;

  status(s: RunStatus): void {
    this.current = s.config;
    this.validation = s.epochs.map((e) => [e.epoch, e.validationAccuracy]);
    if (s.state === 'loading') this.clear();
    this.draw();
  }

  /** The run's losses so far, for a panel opened after it began; the snapshots that follow go on from them. */
  history(r: RunRecord): void {
    this.raw.clear();
    this.smooth.clear();
    this.smoothed = null;
    r.steps.forEach((step, i) => this.push(step, r.loss[i]));
    this.draw();
  }

  pins(p: PinnedRun[]): void {
    this.pinned = p.map((r) => ({ id: r.id, config: r.config, loss: smoothed(r.steps, r.loss), validation: r.validation }));
    this.draw();
  }

  /** Every snapshot, as it arrives: its loss joins the history. */
  record(s: Snapshot): void {
    if (this.last && s.step < this.last.step) this.clear();
    this.last = s;
    if (s.phase.kind !== 'ready' || s.step === 0) return;
    this.push(s.step, s.loss);
  }

  private push(step: number, loss: number): void {
    this.smoothed = this.smoothed === null ? loss : this.smoothed + SMOOTHING * (loss - this.smoothed);
    this.raw.push(step, loss);
    this.smooth.push(step, this.smoothed);
  }

  /** Once per frame, with the newest snapshot. */
  snapshot(): void {
    this.draw();
  }

  redraw(): void {
    this.draw();
  }

  private clear(): void {
    this.raw.clear();
    this.smooth.clear();
    this.smoothed = null;
    this.last = null;
  }

  private draw(): void {
    const t = readTheme(), width = this.frame.width, lossHeight = 150, accHeight = 110, height = lossHeight + accHeight;
    const margin = { top: 18, right: 10, bottom: 22, left: 44 };
    this.frame.svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
    // The steps so far, at least one epoch: early training is not squeezed into the left edge.
    const pinnedSteps = d3.max(this.pinned, (p) => p.loss[p.loss.length - 1]?.[0]) ?? 0;
    const steps = Math.max(this.last ? Math.max(this.last.stepsPerEpoch, this.last.step) : 1, pinnedSteps);
    const x = d3.scaleLinear().domain([0, steps]).range([margin.left, width - margin.right]);
    const highest = Math.max(d3.max(this.raw.values) ?? 0, d3.max(this.pinned, (p) => d3.max(p.loss, (v) => v[1])) ?? 0) || 1;
    const y = d3.scaleLinear().domain([0, highest]).nice().range([lossHeight - margin.bottom, margin.top]);
    const epochs = Math.max(this.last?.epochs ?? 1, d3.max(this.pinned, (p) => d3.max(p.validation, (v) => v[0])) ?? 0);
    const xe = d3.scaleLinear().domain([0, epochs]).range([margin.left, width - margin.right]);
    const lowest = d3.min([...this.validation, ...this.pinned.flatMap((p) => p.validation)], (v) => v[1]);
    const ya = d3.scaleLinear().domain([Math.min(lowest ?? 0.8, 0.8), 1]).nice().range([height - margin.bottom, lossHeight + margin.top]);
    const svg = this.frame.svg;
    const axes: [string, string, d3.Axis<d3.NumberValue>][] = [
      ['loss-x', `translate(0,${lossHeight - margin.bottom})`, d3.axisBottom(x).ticks(Math.max(2, width / 90)).tickFormat(d3.format('~s'))],
      ['loss-y', `translate(${margin.left},0)`, d3.axisLeft(y).ticks(4)],
      ['acc-x', `translate(0,${height - margin.bottom})`, d3.axisBottom(xe).ticks(Math.min(epochs, 10)).tickFormat(d3.format('d'))],
      ['acc-y', `translate(${margin.left},0)`, d3.axisLeft(ya).ticks(3).tickFormat(d3.format('.0%'))],
    ];
    svg.selectAll<SVGGElement, (typeof axes)[number]>('g.axis').data(axes, (a) => a[0]).join('g')
      .attr('class', (a) => `axis ${a[0]}`).attr('transform', (a) => a[1])
      .each((a, i, nodes) => d3.select(nodes[i]).call(a[2]).attr('color', t.muted));
    const captions: [string, number, string][] = [['training loss per step (thin: raw, thick: smoothed)', margin.top - 6, 'loss'], ['validation accuracy per epoch', lossHeight + margin.top - 6, 'acc']];
    svg.selectAll<SVGTextElement, (typeof captions)[number]>('text.caption').data(captions).join('text')
      .attr('class', 'caption').attr('x', margin.left).attr('y', (c) => c[1]).attr('font-size', 10).attr('fill', t.muted).text((c) => c[0]);
    const line = d3.line<[number, number]>().x((p) => x(p[0])).y((p) => y(p[1]));
    const paths: [string, [number, number][], number, number][] = [
      ['loss-raw', this.raw.points(), 1, 0.35],
      ['loss-smooth', this.smooth.points(), 2, 1],
    ];
    svg.selectAll<SVGPathElement, (typeof paths)[number]>('path.curve').data(paths, (p) => p[0]).join('path')
      .attr('class', (p) => `curve ${p[0]}`).attr('fill', 'none').attr('stroke', t.positive)
      .attr('stroke-width', (p) => p[2]).attr('stroke-opacity', (p) => p[3]).attr('d', (p) => line(p[1]));
    const accLine = d3.line<[number, number]>().x((p) => xe(p[0])).y((p) => ya(p[1]));
    svg.selectAll('path.validation').data([this.validation]).join('path').attr('class', 'validation')
      .attr('fill', 'none').attr('stroke', t.negative).attr('stroke-width', 2).attr('d', (v) => accLine(v));
    svg.selectAll('circle.validation-point').data(this.validation.length <= MAX_DOTS ? this.validation : []).join('circle').attr('class', 'validation-point')
      .attr('cx', (v) => xe(v[0])).attr('cy', (v) => ya(v[1])).attr('r', 3).attr('fill', t.negative);
    // The current epoch: where it began, on the loss chart.
    const current = this.last ? [(this.last.epoch - 1) * this.last.stepsPerEpoch] : [];
    svg.selectAll('line.current-epoch').data(current).join('line').attr('class', 'current-epoch')
      .attr('x1', (s) => x(s)).attr('x2', (s) => x(s)).attr('y1', margin.top).attr('y2', lossHeight - margin.bottom)
      .attr('stroke', t.highlight).attr('stroke-dasharray', '3 3');
    this.drawPinned(x, y, xe, ya, width - margin.right);
    this.frame.setTable(['run', 'epoch', 'validation accuracy'], () => [
      ...this.validation.map(([e, a]): (string | number)[] => ['current', e, a]),
      ...this.pinned.flatMap((p) => p.validation.map(([e, a]): (string | number)[] => [`pinned ${p.id}: ${runLabel(p.config, this.current)}`, e, a])),
    ]);
  }

  /** The pinned runs' smoothed loss and validation accuracy, faint and dashed under the current run's, labelled at their ends. */
  private drawPinned(x: d3.ScaleLinear<number, number>, y: d3.ScaleLinear<number, number>, xe: d3.ScaleLinear<number, number>, ya: d3.ScaleLinear<number, number>, right: number): void {
    const t = readTheme(), colour = (i: number): string => t.series[(i + 2) % t.series.length];
    const loss = d3.line<[number, number]>().x((p) => x(p[0])).y((p) => y(p[1]));
    const accuracy = d3.line<[number, number]>().x((p) => xe(p[0])).y((p) => ya(p[1]));
    const lines = this.pinned.flatMap((p, i) => [
      { key: `loss-${p.id}`, d: loss(p.loss) ?? '', colour: colour(i) },
      { key: `acc-${p.id}`, d: accuracy(p.validation) ?? '', colour: colour(i) },
    ]);
    // Beneath the current run's lines: inserted before the first of them.
    this.frame.svg.selectAll<SVGPathElement, (typeof lines)[number]>('path.pinned').data(lines, (l) => l.key)
      .join((enter) => enter.insert('path', 'path.curve').attr('class', 'pinned'))
      .attr('data-key', (l) => l.key).attr('fill', 'none').attr('stroke', (l) => l.colour).attr('stroke-width', 1.5)
      .attr('stroke-opacity', 0.55).attr('stroke-dasharray', '4 3').attr('d', (l) => l.d);
    const labels = this.pinned.flatMap((p, i) => (p.loss.length ? [{ key: p.id, text: runLabel(p.config, this.current), at: p.loss[p.loss.length - 1], colour: colour(i) }] : []));
    this.frame.svg.selectAll<SVGTextElement, (typeof labels)[number]>('text.pinned-label').data(labels, (l) => l.key).join('text')
      .attr('class', 'pinned-label').attr('font-size', 10).attr('text-anchor', 'end').attr('fill', (l) => l.colour)
      .attr('x', (l) => Math.min(x(l.at[0]), right)).attr('y', (l) => y(l.at[1]) - 4).text((l) => l.text);
  }
}
