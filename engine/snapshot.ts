import { sumOfSquares, type Float } from './tensor';
import { Dropout } from './layers/dropout';
import { Linear } from './layers/linear';
import type { Layer } from './layers/layer';
import { SoftmaxCrossEntropy } from './losses';
import type { LayerSummary, Snapshot } from './protocol';
import type { Trainer } from './trainer';

/**
 * A compact copy of where training stands, for the panel: gradient norms and
 * output statistics per layer, and the first example of the mini-batch followed
 * through every layer. It copies a few thousand numbers, so it is taken a few
 * times a second, never every step.
 */
export function takeSnapshot(trainer: Trainer, batchAccuracy: number | null): Snapshot {
  const net = trainer.network, phase = trainer.phase, layers = net.layers;
  const { X, Y, rows } = trainer.batch;
  // Which layers' gradients belong to this step: all after a full step, else those the backward pass reached.
  const backwardFrom = phase.kind === 'backward' ? phase.layer : phase.kind === 'ready' ? 0 : layers.length;
  const forwardTo = phase.kind === 'forward' ? phase.layer : layers.length - 1;
  const row = (a: Float | null, width: number): Float32Array | null => (a ? Float32Array.from(a.subarray(0, width)) : null);
  const { dataLoss, penalty } = trainer.currentLoss;
  const progress = trainer.epochSoFar();
  const K = net.outFeatures;
  return {
    step: trainer.step,
    epoch: trainer.epoch,
    epochs: trainer.config.epochs,
    stepsPerEpoch: trainer.stepsPerEpoch,
    phase,
    loss: dataLoss + penalty,
    dataLoss,
    penalty,
    batchAccuracy,
    samplesPerSecond: Number.isFinite(progress.samplesPerSecond) ? progress.samplesPerSecond : null,
    layers: layers.map((layer, l) => summarize(layer, l >= backwardFrom)),
    tracked: {
      label: labelOf(Y, K),
      input: Float32Array.from(X.subarray(0, net.inFeatures)),
      outputs: layers.map((layer, l) => (l <= forwardTo ? row(layer.output, layer.outFeatures)! : new Float32Array(layer.outFeatures))),
      gradOutputs: layers.map((layer, l) => (l >= backwardFrom ? row(layer.gradOutput, layer.outFeatures) : null)),
      masks: layers.map((layer) => (layer instanceof Dropout && layer.training ? layer.mask.slice(0, layer.outFeatures) : null)),
      probabilities: phase.kind === 'forward' || !(net.loss instanceof SoftmaxCrossEntropy) || rows === 0 ? null : row(net.loss.probabilities, K),
    },
  };
}

function labelOf(Y: Float, K: number): number {
  for (let k = 0; k < K; k++) if (Y[k] === 1) return k;
  return -1;
}

function summarize(layer: Layer, hasGradients: boolean): LayerSummary {
  const rows = layer.rows;
  const norm = (a: Float | null, length: number): number | null => (a && hasGradients ? Math.sqrt(sumOfSquares(a, length)) : null);
  const linear = layer instanceof Linear ? layer : null;
  return {
    type: layer.type,
    inFeatures: layer.inFeatures,
    outFeatures: layer.outFeatures,
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
