import { Network } from '../nn/network';
import { SGD } from '../nn/optimizer';
import { Random } from '../nn/random';
import { Dropout } from '../nn/layers/dropout';
import { Linear } from '../nn/layers/linear';
import { SoftmaxCrossEntropy } from '../nn/losses';
import { fillBatch, identityOrder, type Splits } from '../data/dataset';
import { loadEmbeddedSplits } from '../data/mnist';
import { toRows } from '../nn/tensor';
import { specLayers, type NetworkSpec } from './spec';
import { Stepper } from '../train/stepper';
import type { Divergence } from '../train/divergence';

/** A spec made runnable: its float64 network with the given weights, its optimizer, and its one batch. */
export interface SpecRun {
  readonly spec: NetworkSpec;
  readonly network: Network;
  readonly optimizer: SGD;
  /** Steps on the spec's one batch, a sub-step at a time or whole. */
  readonly stepper: Stepper;
  readonly X: Float64Array;
  readonly Y: Float64Array;
  readonly rows: number;
}

export function buildSpecRun(spec: NetworkSpec, mnist: () => Splits = loadEmbeddedSplits): SpecRun {
  const data = spec.data;
  const rows = 'dataset' in data ? data.batchSize : data.inputs.length;
  const inputs = 'dataset' in data ? 784 : data.inputs[0].length;
  const network = new Network(inputs, specLayers(spec), {
    precision: 'float64', maxRows: rows, loss: spec.loss, random: new Random(spec.seed), inputGradient: true,
  });
  spec.layers.forEach((l, i) => {
    const layer = network.layers[i];
    if (l.type === 'linear' && layer instanceof Linear) {
      if (l.W) layer.W.set(l.W.flat());
      if (l.b) layer.b.set(l.b);
    }
    if (l.type === 'dropout' && l.mask && layer instanceof Dropout) {
      // One row for every example, or one row per example.
      const perRow = Array.isArray(l.mask[0]) ? (l.mask as number[][]) : Array.from({ length: rows }, () => l.mask as number[]);
      layer.fixMask(perRow.flat());
    }
  });
  const K = network.outFeatures;
  const X = new Float64Array(rows * inputs), Y = new Float64Array(rows * K);
  if ('dataset' in data) fillBatch(mnist().train, identityOrder(rows), 0, rows, X, Y);
  else {
    X.set(data.inputs.flat());
    if ('targets' in data) Y.set(data.targets.flat());
    else data.labels.forEach((label, r) => (Y[r * K + label] = 1));
  }
  const { learningRate, momentum, l2, l2Biases } = spec.optimizer;
  const optimizer = new SGD(network.parameters(), { learningRate, momentum, lambda: l2, l2Biases }, 'float64');
  return { spec, network, optimizer, stepper: new Stepper(network, optimizer), X, Y, rows };
}

/** One training step of a spec, every number of it: the `trace` command's output. */
export interface Trace {
  readonly forward: { layer: number; type: string; output: number[][] }[];
  readonly probabilities?: number[][];
  /** The batch mean of the data loss plus the L2 penalty. */
  readonly loss: number;
  readonly dataLoss: number;
  readonly penalty: number;
  /** From the last layer to the first; dW is the gradient the optimizer used (lambda W included). */
  readonly backward: { layer: number; type: string; gradOutput: number[][]; gradInput: number[][]; dW?: number[][]; db?: number[] }[];
  readonly updated: { layer: number; W: number[][]; b: number[] }[];
  /** Set when a value of the step is NaN or infinite: then `updated` holds the weights as they were. */
  readonly divergence?: Divergence;
}

export function traceStep(run: SpecRun): Trace {
  const { network: net, stepper, X, Y, rows } = run;
  stepper.begin(X, Y, rows);
  while (!stepper.readyToUpdate) stepper.advance();
  const forward = net.layers.map((l, layer) => ({ layer, type: l.type, output: toRows(l.output, rows, l.outFeatures) }));
  const { dataLoss, penalty } = stepper;
  const probabilities = net.loss instanceof SoftmaxCrossEntropy ? toRows(net.loss.probabilities, rows, net.outFeatures) : undefined;
  const applied = stepper.update();
  const divergence = applied ? undefined : stepper.diagnose(1, 1);
  const backward = net.layers.map((l, layer) => ({
    layer,
    type: l.type,
    gradOutput: toRows(l.gradOutput!, rows, l.outFeatures),
    gradInput: toRows(l.gradInput!, rows, l.inFeatures),
    ...(l instanceof Linear ? { dW: toRows(l.dW, l.outFeatures, l.inFeatures), db: Array.from(l.db) } : {}),
  })).reverse();
  const updated = net.layers.flatMap((l, layer) => (l instanceof Linear ? [{ layer, W: toRows(l.W, l.outFeatures, l.inFeatures), b: Array.from(l.b) }] : []));
  return { forward, ...(probabilities ? { probabilities } : {}), loss: dataLoss + penalty, dataLoss, penalty, backward, updated, ...(divergence ? { divergence } : {}) };
}
