import { Network } from '../nn/network';
import { Random } from '../nn/random';
import { Linear } from '../nn/layers/linear';
import { Dropout } from '../nn/layers/dropout';
import { SoftmaxCrossEntropy } from '../nn/losses';
import type { LayerSpec } from '../nn/layers/layer';
import { argmax } from './metrics';

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
    this.twin = new Network(network.inFeatures, layerSpecs(network), {
      precision: 'float64', maxRows: 1, loss: network.loss.type, random: new Random(0), inputGradient: true,
    });
    this.x = new Float64Array(network.inFeatures);
    this.y = new Float64Array(network.outFeatures);
  }

  /** p for input x and, if `saliencyFor` is a class or 'predicted', dL/dx for that class. */
  read(x: ArrayLike<number>, saliencyFor: number | 'predicted' | null): Reading {
    if (x.length !== this.x.length) throw new RangeError(`the network takes ${this.x.length} inputs, not ${x.length}`);
    this.copyWeights();
    this.x.set(x);
    const twin = this.twin, K = twin.outFeatures;
    twin.forward(this.x, 1, false);
    this.lossFor(0);
    const p = (twin.loss as SoftmaxCrossEntropy).probabilities;
    const probabilities = Float64Array.from(p.subarray(0, K)), predicted = argmax(p, 0, K);
    if (saliencyFor === null) return { probabilities, predicted, saliency: null };
    const target = saliencyFor === 'predicted' ? predicted : saliencyFor;
    if (!(Number.isInteger(target) && target >= 0 && target < K)) throw new RangeError(`there is no class ${target}: the network has ${K}`);
    this.lossFor(target);
    twin.backward();
    return { probabilities, predicted, saliency: { target, gradient: Float64Array.from(twin.inputGradient!) } };
  }

  /** L = -log p_c of the last forward pass (which also leaves p in the loss). */
  private lossFor(c: number): void {
    this.y.fill(0);
    this.y[c] = 1;
    this.twin.computeLoss(this.y, 1);
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

/** The specs that build a network like this one. */
function layerSpecs(network: Network): LayerSpec[] {
  return network.layers.map((layer): LayerSpec => {
    if (layer instanceof Linear) return { type: 'linear', out: layer.outFeatures };
    if (layer instanceof Dropout) return { type: 'dropout', rate: layer.rate };
    return { type: layer.type as 'relu' | 'tanh' | 'sigmoid' };
  });
}
