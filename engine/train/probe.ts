import { layerSpec, Network } from '../nn/network';
import { Random } from '../nn/random';
import { Linear } from '../nn/layers/linear';
import { SoftmaxCrossEntropy } from '../nn/losses';
import { argmax } from './metrics';
import { trackedExample } from './snapshot';
import type { Phase } from './stepper';
import type { TrackedExample } from '../protocol';

/** What a classifier makes of one input, in evaluation mode (dropout off), computed in float64. */
export interface Reading {
  /** The softmax probabilities p. */
  readonly probabilities: Float64Array;
  /** argmax p. */
  readonly predicted: number;
  /** dL/dx for L = -log p_c, when asked: which inputs would change the answer for class c. */
  readonly saliency: { readonly target: number; readonly gradient: Float64Array } | null;
}

/**
 * A float64 twin of a classifier, for reading single inputs (a drawn digit)
 * without touching the run: not its buffers, nor its random stream, nor its
 * phase. Each read copies the network's current weights first, so it answers
 * for the network as it is now, paused mid-step or training.
 */
export class Probe {
  private readonly twin: Network;
  private readonly x: Float64Array;
  private readonly y: Float64Array;

  constructor(private readonly network: Network) {
    if (!(network.loss instanceof SoftmaxCrossEntropy)) throw new RangeError('only a classifier (softmax cross-entropy) has class probabilities');
    this.twin = new Network(network.inFeatures, network.layers.map(layerSpec), {
      precision: 'float64', maxRows: 1, loss: network.loss.type, random: new Random(0), inputGradient: true,
    });
    this.x = new Float64Array(network.inFeatures);
    this.y = new Float64Array(network.outFeatures);
  }

  /** p for input x and, if `saliencyFor` is a class or 'predicted', dL/dx for that class. */
  read(x: ArrayLike<number>, saliencyFor: number | 'predicted' | null): Reading {
    this.forward(x);
    const p = (this.twin.loss as SoftmaxCrossEntropy).probabilities, K = this.twin.outFeatures;
    const probabilities = Float64Array.from(p.subarray(0, K)), predicted = argmax(p, 0, K);
    if (saliencyFor === null) return { probabilities, predicted, saliency: null };
    const target = saliencyFor === 'predicted' ? predicted : saliencyFor;
    this.backward(target);
    return { probabilities, predicted, saliency: { target, gradient: Float64Array.from(this.twin.inputGradient!) } };
  }

  /**
   * Input x followed through the network, with the gradients of L = -log p_c for
   * class `target` (or the predicted one), shown as far as the run's `phase` has
   * gone: the tracked example of the panel's views, when the user chose one.
   */
  track(x: ArrayLike<number>, target: number | 'predicted', phase: Phase, name: string): TrackedExample {
    this.forward(x);
    const K = this.twin.outFeatures, c = target === 'predicted' ? argmax((this.twin.loss as SoftmaxCrossEntropy).probabilities, 0, K) : target;
    const loss = this.backward(c);
    return trackedExample(this.twin, { X: this.x, Y: this.y, rows: 1 }, phase, name, loss);
  }

  /** The evaluation pass on x with the network's current weights; its loss (for class 0) leaves p. */
  private forward(x: ArrayLike<number>): void {
    if (x.length !== this.x.length) throw new RangeError(`the network takes ${this.x.length} inputs, not ${x.length}`);
    this.copyWeights();
    this.x.set(x);
    this.twin.forward(this.x, 1, false);
    this.lossFor(0);
  }

  /** L = -log p_c and its gradients, after forward(); returns L. */
  private backward(c: number): number {
    const K = this.twin.outFeatures;
    if (!(Number.isInteger(c) && c >= 0 && c < K)) throw new RangeError(`there is no class ${c}: the network has ${K}`);
    const loss = this.lossFor(c);
    this.twin.backward();
    return loss;
  }

  private lossFor(c: number): number {
    this.y.fill(0);
    this.y[c] = 1;
    return this.twin.computeLoss(this.y, 1);
  }

  private copyWeights(): void {
    this.network.layers.forEach((layer, l) => {
      const copy = this.twin.layers[l];
      if (!(layer instanceof Linear && copy instanceof Linear)) return;
      copy.W.set(layer.matrix('W'));
      copy.b.set(layer.b);
    });
  }
}
