import * as d3 from './d3';
import { ChartFrame, format } from './chart';
import { element } from './dom';
import { readTheme } from './theme';
import { mnistImage, SIDE } from './digitImage';
import { digitCanvas, paintDigit } from './digitCanvas';
import { DIGIT_CLASSES, type ChosenDigit, type DigitOutcome, type RunStatus, type SaliencyFor, type Snapshot } from '../engine/protocol';
import type { Reading } from '../engine/train/probe';
import type { PanelView } from './view';

/** The pad's own pixels, whatever its size on screen: the preprocessing sees the same raster everywhere. */
const PAD = 280;
/** A pen about a tenth of a digit's height, like MNIST's strokes. */
const PEN = 18;
/** The drawing's name where the views follow it. */
const DRAWN = 'the drawn digit';
/** While the network trains, the drawn digit is read again at most this often. */
const REREAD_MS = 250;
/** A request unanswered this long is given up. */
const ANSWER_MS = 2000;

type Point = readonly [number, number];

/** What the view asks of the host: readings of a drawing, and following one through the network. */
export interface DigitHost {
  read(id: number, pixels: Float32Array, saliencyFor: SaliencyFor): void;
  track(digit: ChosenDigit | null): void;
}

/**
 * Draw a digit: a pad (mouse, touch, pen) whose drawing is made into a 28 x 28
 * image as MNIST's digits were (digitImage.ts), shown as the network sees it and
 * read by the current network in evaluation mode: its ten probabilities as bars,
 * the predicted digit announced, and on request the saliency dL/dx over the digit.
 */
export class DrawDigit implements PanelView {
  readonly region = 'charts';
  readonly frame = new ChartFrame('draw-digit', 'Draw a digit', 'The probability the network gives each digit for the drawing.');
  readonly node = this.frame.root;
  private readonly pad = document.createElement('canvas');
  private readonly seen = digitCanvas('digit-seen', 'The 28 by 28 image the network sees, with the saliency over it when it is on');
  private readonly announcement = element('p', 'digit-status');
  private readonly saliencyChoice = element('vscode-dropdown' as 'select');
  private strokes: Point[][] = [];
  private drawing = false;
  private image: Float32Array | null = null;
  private reading: Reading | null = null;
  /** The id of the last request; while it is unanswered, a newer image waits (stale) for the answer. */
  private sent = 0;
  private waiting = false;
  private stale = false;
  private lastRead = 0;

  /** Whether the views follow the drawing instead of the mini-batch's first example. */
  private tracking = false;
  private readonly trackButton: HTMLElement;

  constructor(private readonly host: DigitHost) {
    this.pad.width = this.pad.height = PAD;
    this.pad.className = 'digit-pad';
    this.pad.setAttribute('role', 'img');
    this.pad.setAttribute('aria-label', 'Draw a digit: drag with the mouse, a finger or a pen. Undo removes the last stroke, Clear all of them.');
    this.announcement.setAttribute('role', 'status');
    this.announcement.textContent = 'Draw a digit on the pad.';
    this.trackButton = this.button('Track', () => (this.tracking = !this.tracking && this.image !== null));
    this.trackButton.title = 'Follow this digit in the layer graph, the step-through and the inspector';
    this.frame.controls.append(this.button('Undo', () => this.strokes.pop()), this.button('Clear', () => (this.strokes = [])), this.trackButton, this.saliencyMenu());
    const row = element('div', 'digit-row');
    row.append(this.pad, this.seen);
    this.node.insertBefore(row, this.frame.svg.node());
    this.node.insertBefore(this.announcement, this.frame.svg.node());
    this.listen();
    this.frame.setTable(['entry', 'value', 'dL/dx'], () => this.tableRows());
  }

  status(s: RunStatus): void {
    // A new run, a finished one, or a step: the network changed.
    if (s.state !== 'running') this.read();
  }

  snapshot(s: Snapshot): void {
    if (performance.now() - this.lastRead > REREAD_MS) this.read();
    // Another view chose a digit to track: this one no longer is.
    if (this.tracking && s.tracked.chosen !== null && s.tracked.chosen !== DRAWN) {
      this.tracking = false;
      this.showTracking();
    }
  }

  /** What the network made of it; answers to older drawings are dropped. */
  digit(d: DigitOutcome): void {
    if (d.id !== this.sent) return;
    this.waiting = false;
    if ('problem' in d) {
      this.reading = null;
      this.announcement.textContent = d.problem;
    } else {
      this.reading = d.reading;
      const p = d.reading.probabilities, k = d.reading.predicted;
      this.announcement.textContent = `The network reads ${k} (probability ${(100 * p[k]).toFixed(1)}%).`;
    }
    this.redraw();
    if (this.stale) this.read();
  }

  redraw(): void {
    paintDigit(this.seen, this.image, this.reading?.saliency?.gradient ?? null);
    this.drawBars();
    this.frame.setTable(['entry', 'value', 'dL/dx'], () => this.tableRows());
  }

  /** Asks for a reading of the current image: one request at a time, the newest image next. */
  private read(): void {
    if (!this.image) return;
    // An answer lost on the way (a run ending as it was asked) must not stop the readings for good.
    if (this.waiting && performance.now() - this.lastRead < ANSWER_MS) {
      this.stale = true;
      return;
    }
    this.stale = false;
    this.waiting = true;
    this.lastRead = performance.now();
    this.host.read(++this.sent, this.image, this.saliencyFor());
  }

  /** Tells the host which digit the views follow: this drawing (as the digit the saliency is for), or none. */
  private retrack(): void {
    this.tracking &&= this.image !== null;
    this.showTracking();
    const saliency = this.saliencyFor();
    this.host.track(this.tracking ? { pixels: this.image!, target: saliency === null ? 'predicted' : saliency, name: DRAWN } : null);
  }

  /** Shows Track as pressed or not. */
  private showTracking(): void {
    this.trackButton.setAttribute('aria-pressed', String(this.tracking));
    this.trackButton.textContent = this.tracking ? 'Untrack' : 'Track';
  }

  private saliencyFor(): SaliencyFor {
    const v = (this.saliencyChoice as unknown as { value: string }).value;
    return v === 'off' ? null : v === 'predicted' ? 'predicted' : Number(v);
  }

  private saliencyMenu(): HTMLElement {
    const menu = this.saliencyChoice;
    menu.setAttribute('aria-label', 'Saliency');
    const options: [string, string][] = [['off', 'No saliency'], ['predicted', 'Saliency: predicted digit'], ...Array.from({ length: DIGIT_CLASSES }, (_, k): [string, string] => [String(k), `Saliency: digit ${k}`])];
    for (const [value, label] of options) menu.append(Object.assign(element('vscode-option' as 'option', undefined, label), { value }));
    menu.addEventListener('change', () => {
      this.read();
      if (this.tracking) this.retrack();
    });
    return menu;
  }

  private button(label: string, act: () => void): HTMLElement {
    const button = element('vscode-button' as 'button', undefined, label);
    button.id = `digit-${label.toLowerCase()}`;
    button.setAttribute('appearance', 'secondary');
    button.addEventListener('click', () => {
      const wasTracking = this.tracking;
      act();
      this.changed();
      if (this.tracking || wasTracking) this.retrack();
    });
    return button;
  }

  private listen(): void {
    const pad = this.pad;
    pad.addEventListener('pointerdown', (e) => {
      pad.setPointerCapture(e.pointerId);
      this.drawing = true;
      this.strokes.push([this.point(e)]);
      this.changed();
      e.preventDefault();
    });
    pad.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      const stroke = this.strokes[this.strokes.length - 1];
      for (const c of e.getCoalescedEvents?.() ?? [e]) stroke.push(this.point(c));
      this.changed();
    });
    const end = (): void => {
      if (this.drawing && this.tracking) this.retrack();
      this.drawing = false;
    };
    pad.addEventListener('pointerup', end);
    pad.addEventListener('pointercancel', end);
  }

  /** A pointer's position in the pad's own pixels. */
  private point(e: PointerEvent): Point {
    const box = this.pad.getBoundingClientRect();
    return [((e.clientX - box.left) * PAD) / box.width, ((e.clientY - box.top) * PAD) / box.height];
  }

  /** The strokes changed: draw them, make the image again, and read it. */
  private changed(): void {
    const context = this.pad.getContext('2d', { willReadFrequently: true })!;
    context.clearRect(0, 0, PAD, PAD);
    context.strokeStyle = context.fillStyle = readTheme().foreground;
    context.lineWidth = PEN;
    context.lineCap = context.lineJoin = 'round';
    for (const stroke of this.strokes) {
      context.beginPath();
      context.moveTo(...stroke[0]);
      // A tap is a dot: a line of length zero draws nothing, so it ends a hair away.
      if (stroke.length === 1) context.lineTo(stroke[0][0] + 0.01, stroke[0][1]);
      for (const p of stroke.slice(1)) context.lineTo(...p);
      context.stroke();
    }
    const rgba = context.getImageData(0, 0, PAD, PAD).data, ink = new Float32Array(PAD * PAD);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i + 3] / 255;
    this.image = mnistImage(ink, PAD, PAD);
    if (this.image) return this.read();
    this.reading = null;
    this.announcement.textContent = 'Draw a digit on the pad.';
    this.redraw();
  }

  private drawBars(): void {
    const t = readTheme(), width = Math.min(this.frame.width, 360), height = 110, top = 8, bottom = 18;
    const p = this.reading ? Array.from(this.reading.probabilities) : new Array<number>(DIGIT_CLASSES).fill(0);
    const x = d3.scaleBand<number>().domain(d3.range(DIGIT_CLASSES)).range([0, width]).padding(0.2);
    const y = d3.scaleLinear().domain([0, 1]).range([height - bottom, top]);
    const svg = this.frame.svg.attr('width', width).attr('height', height);
    const bars = svg.selectAll<SVGGElement, number>('g.probability').data(p).join((enter) => {
      const g = enter.append('g').attr('class', 'probability');
      g.append('rect');
      g.append('text').attr('text-anchor', 'middle');
      g.append('title');
      return g;
    });
    const predicted = this.reading?.predicted ?? -1;
    bars.select('rect').attr('x', (_, k) => x(k)!).attr('width', x.bandwidth()).attr('y', (v) => y(v)).attr('height', (v) => y(0) - y(v))
      .attr('fill', (_, k) => (k === predicted ? t.positive : t.muted));
    bars.select('text').attr('x', (_, k) => x(k)! + x.bandwidth() / 2).attr('y', height - 4).attr('fill', t.foreground).text((_, k) => k);
    bars.select('title').text((v, k) => `p(${k}) = ${format(v)}`);
  }

  private tableRows(): (string | number)[][] {
    const rows: (string | number)[][] = this.reading ? Array.from(this.reading.probabilities, (v, k) => [`p(${k})`, v, '']) : [];
    const image = this.image, gradient = this.reading?.saliency?.gradient;
    // The image's pixels with ink, or all of them where the saliency is on (it is not zero off the ink).
    if (image) {
      for (let p = 0; p < SIDE * SIDE; p++) {
        if (image[p] > 0 || gradient) rows.push([`x[${Math.floor(p / SIDE)}, ${p % SIDE}]`, image[p], gradient ? gradient[p] : '']);
      }
    }
    return rows;
  }
}
