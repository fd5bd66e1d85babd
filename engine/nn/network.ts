import type { Float, Precision } from './tensor';
import { typescriptKernels, type InputLists, type Kernels } from './kernels';
import { Random } from './random';
import type { BuildContext, Layer, LayerSpec, Parameter } from './layers/layer';
import { Linear } from './layers/linear';
import { ReLU } from './layers/relu';
import { Tanh } from './layers/tanh';
import { Sigmoid } from './layers/sigmoid';
import { Dropout } from './layers/dropout';
import { createLoss, type Loss, type LossType } from './losses';

export interface NetworkOptions {
  readonly precision: Precision;
  /** The largest batch any pass will carry; every buffer is allocated for it. */
  readonly maxRows: number;
  readonly loss: LossType;
  /** The run's one generator: initialisation here, dropout masks later. */
  readonly random: Random;
  readonly kernels?: Kernels;
  /** Compute dL/dX for the network's input as well (traces and gradient checks). */
  readonly inputGradient?: boolean;
}

/** Layers in sequence, then a loss: forward, loss, backward. */
export class Network {
  readonly layers: readonly Layer[];
  readonly loss: Loss;
  readonly precision: Precision;
  readonly maxRows: number;
  /** The back end of every layer's products, whose memory holds every buffer. */
  readonly kernels: Kernels;
  private readonly params: Parameter[];
  private input: Float | null = null;
  private inputLists: InputLists | null = null;
  private rows = 0;
  private lastOutput: Float | null = null;

  constructor(readonly inFeatures: number, specs: readonly LayerSpec[], options: NetworkOptions) {
    this.kernels = options.kernels ?? typescriptKernels;
    const context: BuildContext = {
      precision: options.precision,
      maxRows: options.maxRows,
      random: options.random,
      kernels: this.kernels,
    };
    let features = inFeatures;
    this.layers = specs.map((spec, index) => {
      const first = index === 0;
      const layer = buildLayer(spec, features, context, !first || options.inputGradient === true);
      features = layer.outFeatures;
      return layer;
    });
    this.precision = options.precision;
    this.maxRows = options.maxRows;
    this.loss = createLoss(options.loss, features, options.precision, options.maxRows, this.kernels);
    this.params = this.layers.flatMap((layer) => layer.parameters());
  }

  get outFeatures(): number {
    return this.loss.classes;
  }

  parameters(): Parameter[] {
    return this.params;
  }

  /** The last layer's output for `rows` examples of X (rows x inFeatures). */
  forward(X: Float, rows: number, training: boolean): Float {
    this.beginForward(X, rows);
    for (let l = 0; l < this.layers.length; l++) this.forwardLayer(l, training);
    return this.lastOutput!;
  }

  /**
   * Sets the input of a forward pass that forwardLayer then takes one layer at a
   * time; `lists` are its non-zero entries, where the batch came with them (Kernels.gatherRows).
   */
  beginForward(X: Float, rows: number, lists: InputLists | null = null): void {
    this.input = X;
    this.inputLists = lists;
    this.rows = rows;
    this.lastOutput = X;
  }

  /** Layer l's forward pass, on layer l - 1's output (or the input, for l = 0). */
  forwardLayer(l: number, training: boolean): Float {
    const A = l === 0 ? this.input! : this.layers[l - 1].output;
    this.lastOutput = this.layers[l].forward(A, this.rows, training, l === 0 ? this.inputLists : null);
    return this.lastOutput;
  }

  /** Mean data loss of the last forward pass against targets Y (rows x classes). */
  computeLoss(Y: Float, rows: number): number {
    return this.loss.forward(this.lastOutput!, Y, rows);
  }

  /** dL/dX of the last backward pass; null unless built with `inputGradient`. */
  get inputGradient(): Float | null {
    return this.layers.length > 0 ? this.layers[0].gradInput : this.loss.gradInput;
  }

  /** Gradients of the mean data loss of the last computeLoss, into every layer's records. */
  backward(): void {
    this.loss.backward();
    for (let l = this.layers.length - 1; l >= 0; l--) this.backwardLayer(l);
  }

  /** Layer l's backward pass, on the gradient that layer l + 1 (or the loss) passed down. */
  backwardLayer(l: number): void {
    this.layers[l].backward(this.gradientInto(l));
  }

  /** dL/d(output of layer l): what layer l + 1 (or the loss, for the last layer) passed down. */
  gradientInto(l: number): Float {
    return l === this.layers.length - 1 ? this.loss.gradInput : this.layers[l + 1].gradInput!;
  }

  /**
   * Computes every dW that a step left owed (Linear.backwardWithUpdate), while
   * the inputs it is computed from are still there: before a new batch overwrites them.
   */
  settleGradients(): void {
    for (const layer of this.layers) if (layer instanceof Linear) layer.settle();
  }
}

/** The spec that builds a layer like this one (its size and kind; not its weights): buildLayer's inverse. */
export function layerSpec(layer: Layer): LayerSpec {
  if (layer instanceof Linear) return { type: 'linear', in: layer.inFeatures, out: layer.outFeatures };
  if (layer instanceof Dropout) return { type: 'dropout', rate: layer.rate };
  return { type: layer.type as 'relu' | 'tanh' | 'sigmoid' };
}

function buildLayer(spec: LayerSpec, features: number, context: BuildContext, inputGradient: boolean): Layer {
  if (spec.type !== 'linear' && features <= 0) throw new RangeError(`a ${spec.type} layer needs inputs`);
  switch (spec.type) {
    case 'linear':
      if (spec.in !== undefined && spec.in !== features) {
        throw new RangeError(`linear layer expects ${spec.in} inputs but receives ${features}`);
      }
      return new Linear(features, spec.out, context, inputGradient);
    case 'relu':
      return new ReLU(features, context);
    case 'tanh':
      return new Tanh(features, context);
    case 'sigmoid':
      return new Sigmoid(features, context);
    case 'dropout':
      return new Dropout(features, spec.rate, context);
  }
}
