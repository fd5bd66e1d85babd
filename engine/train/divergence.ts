import type { Float } from '../nn/tensor';
import type { Network } from '../nn/network';
import { Linear } from '../nn/layers/linear';
import type { TrainingConfig } from './config';

/**
 * Divergence: a loss, a gradient or a parameter that became NaN or infinite.
 * Training checks every step before its update (cheaply: the loss and the
 * gradients each layer received), so that a broken step is never applied and
 * its records stay to be inspected; only then does it look for where the first
 * bad value appeared, in the order the step computed them.
 */

export type Pass = 'update' | 'forward' | 'loss' | 'backward';

/** Where the first NaN or infinity of a step appeared. */
export interface NonFinite {
  /** The layer's index, or null for the loss. */
  readonly layer: number | null;
  /** 'update': a parameter that the previous step's update made non-finite. */
  readonly pass: Pass;
  /** By its name in the math: W, b, output, dW, db, gradInput, loss, penalty. */
  readonly tensor: string;
  readonly value: 'NaN' | 'Infinity';
}

export interface Divergence extends NonFinite {
  /** The step that stopped (1-based, the one whose update was not applied) and its epoch. */
  readonly step: number;
  readonly epoch: number;
  /** Where the first bad value appeared, in words: "the first NaN appeared in ...". */
  readonly found: string;
  /** The likely cause and what to try. */
  readonly cause: string;
  /** All of it in one sentence, for the command line, notifications and the log. */
  readonly message: string;
}

/**
 * The cheap test of every step: the loss, and the gradient that reached each
 * layer (or reaches it, for a first layer whose backward pass comes with the update).
 */
export function stepIsFinite(network: Network, dataLoss: number, penalty: number): boolean {
  if (!Number.isFinite(dataLoss) || !Number.isFinite(penalty)) return false;
  const layers = network.layers;
  for (let l = 0; l < layers.length; l++) {
    if (!network.kernels.allFinite(network.gradientInto(l), layers[l].rows * layers[l].outFeatures)) return false;
  }
  return true;
}

function firstBad(a: Float, length: number): 'NaN' | 'Infinity' | null {
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(a[i])) return Number.isNaN(a[i]) ? 'NaN' : 'Infinity';
  }
  return null;
}

/** Where the first non-finite value of the current step is, in the order the step computed it; null if there is none. */
export function firstNonFinite(network: Network, dataLoss: number, penalty: number): NonFinite | null {
  const layers = network.layers;
  const checks: [number | null, Pass, string, Float | null, number][] = [];
  layers.forEach((l, i) => {
    if (l instanceof Linear) checks.push([i, 'update', 'W', l.W, l.W.length], [i, 'update', 'b', l.b, l.b.length]);
  });
  layers.forEach((l, i) => checks.push([i, 'forward', 'output', l.output, l.rows * l.outFeatures]));
  const scalars = new Float64Array([dataLoss, penalty]);
  checks.push([null, 'loss', 'loss', scalars, 1], [null, 'loss', 'penalty', scalars.subarray(1), 1]);
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    if (l instanceof Linear) checks.push([i, 'backward', 'dW', l.dW, l.dW.length], [i, 'backward', 'db', l.db, l.db.length]);
    checks.push([i, 'backward', 'gradInput', l.gradInput, l.rows * l.inFeatures]);
  }
  for (const [layer, pass, tensor, a, length] of checks) {
    const value = a && firstBad(a, length);
    if (value) return { layer, pass, tensor, value };
  }
  return null;
}

/** What most likely made a run diverge, and what to try instead. */
export function likelyCause(c: Pick<TrainingConfig, 'learningRate' | 'momentum'>): string {
  const eta = c.learningRate;
  if (eta >= 1) return `the learning rate ${eta} is far too large for this network; 0.01 is the homework's value`;
  if (c.momentum >= 0.95) return `momentum ${c.momentum} lets the steps grow faster than the loss can fall; try momentum 0.9 or 0 (the homework's), or a smaller learning rate than ${eta}`;
  return `the learning rate ${eta} is too large for this network; try ${eta / 10}, or 0.01, the homework's value`;
}

function where(at: NonFinite, network: Network): string {
  if (at.layer === null) return `the ${at.tensor === 'penalty' ? 'L2 penalty' : 'loss'}`;
  const name = `layer ${at.layer} (${network.layers[at.layer].type})`;
  if (at.pass === 'update') return `${at.tensor} of ${name}, which the previous step's update made ${at.value === 'NaN' ? 'NaN' : 'infinite'}`;
  const tensor = at.tensor === 'output' ? 'output' : at.tensor === 'gradInput' ? 'gradient dL/d(input)' : at.tensor;
  return `the ${tensor} of ${name} in the ${at.pass} pass`;
}

/** The whole story of a step whose values are not all finite. */
export function diagnose(network: Network, dataLoss: number, penalty: number, step: number, epoch: number, config: Pick<TrainingConfig, 'learningRate' | 'momentum'>): Divergence {
  const at = firstNonFinite(network, dataLoss, penalty) ?? { layer: null, pass: 'loss', tensor: 'loss', value: 'NaN' as const };
  const found = `the first ${at.value === 'NaN' ? 'NaN' : 'infinite value'} appeared in ${where(at, network)}`;
  const cause = likelyCause(config);
  const message = `Training diverged at step ${step} (epoch ${epoch}): ${found}. Likely cause: ${cause}.`;
  return { ...at, step, epoch, found, cause, message };
}
