import type { Float } from '../nn/tensor';
import type { Kernels } from '../nn/kernels';
import { Dropout } from '../nn/layers/dropout';
import { Linear } from '../nn/layers/linear';
import type { Layer } from '../nn/layers/layer';
import { SoftmaxCrossEntropy } from '../nn/losses';
import type { LayerSummary, Snapshot, TrackedExample } from '../protocol';
import type { Network } from '../nn/network';
import type { Phase } from './stepper';

/** What a snapshot reads: a training run, or a network spec stepped on its one batch. */
export interface SnapshotSource {
  readonly network: Network;
  readonly phase: Phase;
  /** The current batch: inputs X and targets Y, `rows` of each. */
  readonly batch: { readonly X: Float; readonly Y: Float; readonly rows: number };
  readonly currentLoss: { readonly dataLoss: number; readonly penalty: number };
  readonly step: number;
  readonly epoch: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** Training speed this epoch so far; null before it is measured. */
  readonly samplesPerSecond: number | null;
}

/**
 * A compact copy of where training stands, for the panel: gradient norms and
 * output statistics per layer, and the first example of the mini-batch followed
 * through every layer. It copies a few thousand numbers, so it is taken a few
 * times a second, never every step.
 */
export function takeSnapshot(source: SnapshotSource, batchAccuracy: number | null): Snapshot {
  const net = source.network, phase = source.phase, layers = net.layers;
  const { dataLoss, penalty } = source.currentLoss;
  const { backwardFrom } = reached(phase, layers.length);
  return {
    step: source.step,
    epoch: source.epoch,
    epochs: source.epochs,
    stepsPerEpoch: source.stepsPerEpoch,
    rows: source.batch.rows,
    lossFunction: net.loss.type,
    phase,
    loss: dataLoss + penalty,
    dataLoss,
    penalty,
    batchAccuracy,
    samplesPerSecond: source.samplesPerSecond,
    layers: layers.map((layer, l) => summarize(layer, l >= backwardFrom, net.kernels)),
    tracked: trackedExample(net, source.batch, phase, null, dataLoss),
  };
}

/** Which layers a phase's passes have reached: forward up to forwardTo, backward down to backwardFrom. */
function reached(phase: Phase, L: number): { forwardTo: number; backwardFrom: number } {
  return {
    forwardTo: phase.kind === 'forward' ? phase.layer : L - 1,
    backwardFrom: phase.kind === 'backward' ? phase.layer : phase.kind === 'ready' ? 0 : L,
  };
}

/**
 * The first example of a batch followed through every layer, as far as `phase`
 * has gone: the network's records of its last passes on that batch. `dataLoss`
 * is the batch's mean loss, which the example's gradients are a share of.
 */
export function trackedExample(net: Network, batch: SnapshotSource['batch'], phase: Phase, chosen: string | null, dataLoss: number): TrackedExample {
  const layers = net.layers, { X, Y, rows } = batch;
  const { forwardTo, backwardFrom } = reached(phase, layers.length);
  // The layer below the backward pass has its gradient already: the one the loss or the last layer stepped back just sent it.
  const sentBelow = phase.kind === 'loss' ? layers.length - 1 : phase.kind === 'backward' ? phase.layer - 1 : -1;
  const sent = (l: number): Float | null => (l === layers.length - 1 ? net.loss.gradInput : layers[l + 1].gradInput);
  const row = (a: Float | null, width: number): Float32Array | null => (a ? Float32Array.from(a.subarray(0, width)) : null);
  const K = net.outFeatures, first = layers[0];
  return {
    chosen,
    rows,
    dataLoss,
    label: labelOf(Y, K),
    target: Float32Array.from(Y.subarray(0, K)),
    input: Float32Array.from(X.subarray(0, net.inFeatures)),
    inputGradient: backwardFrom === 0 && first ? row(first.gradInput, net.inFeatures) : null,
    outputs: layers.map((layer, l) => (l <= forwardTo ? row(layer.output, layer.outFeatures)! : new Float32Array(layer.outFeatures))),
    gradOutputs: layers.map((layer, l) => (l >= backwardFrom ? row(layer.gradOutput, layer.outFeatures) : l === sentBelow ? row(sent(l), layer.outFeatures) : null)),
    masks: layers.map((layer) => (layer instanceof Dropout && layer.training ? layer.mask.slice(0, layer.outFeatures) : null)),
    probabilities: phase.kind === 'forward' || !(net.loss instanceof SoftmaxCrossEntropy) || rows === 0 ? null : row(net.loss.probabilities, K),
  };
}

/** The class a one-hot target marks; -1 for other targets (regression, squared error). */
function labelOf(Y: Float, K: number): number {
  let label = -1;
  for (let k = 0; k < K; k++) {
    if (Y[k] === 1 && label < 0) label = k;
    else if (Y[k] !== 0) return -1;
  }
  return label;
}

function summarize(layer: Layer, hasGradients: boolean, kernels: Kernels): LayerSummary {
  const rows = layer.rows;
  const norm = (a: Float | null, length: number): number | null => (a && hasGradients ? Math.sqrt(kernels.sumOfSquares(a, length)) : null);
  const linear = layer instanceof Linear ? layer : null;
  return {
    type: layer.type,
    inFeatures: layer.inFeatures,
    outFeatures: layer.outFeatures,
    dropoutRate: layer instanceof Dropout ? layer.rate : null,
    dWNorm: linear ? norm(linear.dW, linear.dW.length) : null,
    dbNorm: linear ? norm(linear.db, linear.db.length) : null,
    gradInputNorm: norm(layer.gradInput, rows * layer.inFeatures),
    activation: statistics(layer.output, rows * layer.outFeatures),
  };
}

function statistics(a: Float, n: number): LayerSummary['activation'] {
  let sum = 0, squares = 0, min = Infinity, max = -Infinity, zeros = 0;
  for (let i = 0; i < n; i++) {
    const v = a[i];
    sum += v;
    squares += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v === 0) zeros++;
  }
  if (n === 0) return { mean: 0, std: 0, min: 0, max: 0, zeroFraction: 0 };
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, squares / n - mean * mean)), min, max, zeroFraction: zeros / n };
}
