import { History } from './history';
import type { TrainingConfig } from './config';
import type { EpochResult } from './trainer';
import type { Snapshot } from '../protocol';

/**
 * A training run's histories, for comparing runs and for export: the loss and
 * each linear layer's ||dW||_F per step (as often as snapshots came), and the
 * validation accuracy per epoch. Bounded: long runs keep their whole shape at a
 * coarser grain (History).
 */
export interface RunRecord {
  readonly config: TrainingConfig;
  /** Each linear layer's name, "layer 0 linear", in the order of `gradNorms`. */
  readonly layers: string[];
  readonly steps: number[];
  readonly loss: number[];
  /** Per linear layer, ||dW||_F at each of `steps`. */
  readonly gradNorms: number[][];
  /** (epoch, validation accuracy) at each epoch's end, which is step epoch x stepsPerEpoch. */
  readonly validation: [number, number][];
  readonly stepsPerEpoch: number;
}

/** Builds a RunRecord from the snapshots and epochs of one run as they arrive. */
export class RunRecorder {
  private readonly loss = new History();
  private norms: History[] = [];
  private layers: string[] = [];
  private readonly validation: [number, number][] = [];
  private stepsPerEpoch = 0;

  constructor(readonly config: TrainingConfig) {}

  /** Whole steps only: inside a step, some layers' gradients are the last step's. */
  snapshot(s: Snapshot): void {
    this.stepsPerEpoch = s.stepsPerEpoch;
    if (s.phase.kind !== 'ready' || s.step === 0) return;
    const linear = s.layers.flatMap((l, i) => (l.type === 'linear' ? [{ name: `layer ${i} linear`, norm: l.dWNorm ?? NaN }] : []));
    if (this.norms.length === 0) {
      this.layers = linear.map((l) => l.name);
      this.norms = linear.map(() => new History());
    }
    // Every series takes every step, so they halve together and share one list of steps.
    this.loss.push(s.step, s.loss);
    linear.forEach((l, i) => this.norms[i].push(s.step, l.norm));
  }

  epoch(e: EpochResult): void {
    this.validation.push([e.epoch, e.validationAccuracy]);
  }

  record(): RunRecord {
    return {
      config: this.config,
      layers: [...this.layers],
      steps: [...this.loss.steps],
      loss: [...this.loss.values],
      gradNorms: this.norms.map((h) => [...h.values]),
      validation: this.validation.map(([e, a]) => [e, a]),
      stepsPerEpoch: this.stepsPerEpoch,
    };
  }
}

/**
 * A run's histories as CSV: a row per recorded step (its loss and each layer's
 * ||dW||_F) and per epoch's end (its validation accuracy), in step order; a row
 * that is both has all of them, a cell with nothing is empty.
 */
export function historiesCsv(r: RunRecord): string {
  const rows = new Map<number, (number | string)[]>();
  const row = (step: number): (number | string)[] => rows.get(step) ?? rows.set(step, [step, '', '', ...r.layers.map(() => '')]).get(step)!;
  r.steps.forEach((step, i) => {
    const cells = row(step);
    cells[1] = r.loss[i];
    r.gradNorms.forEach((norms, l) => (cells[3 + l] = Number.isNaN(norms[i]) ? '' : norms[i]));
  });
  for (const [epoch, accuracy] of r.validation) row(epoch * r.stepsPerEpoch)[2] = accuracy;
  const head = ['step', 'loss', 'validation accuracy', ...r.layers.map((l) => `${l} ||dW||`)];
  return [head, ...[...rows.keys()].sort((a, b) => a - b).map((step) => rows.get(step)!)].map((cells) => cells.join(',')).join('\n') + '\n';
}
