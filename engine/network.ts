import type { Float, Precision } from './tensor';
import { typescriptKernels, type Kernels } from './kernels';
import { Random } from './random';
import type { BuildContext, Layer, LayerRecord, LayerSpec, Parameter } from './layers/layer';
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
  private readonly params: Parameter[];
  private lastOutput: Float | null = null;

  constructor(readonly inFeatures: number, specs: readonly LayerSpec[], options: NetworkOptions) {
    const context: BuildContext = {
      precision: options.precision,
      maxRows: options.maxRows,
      random: options.random,
      kernels: options.kernels ?? typescriptKernels,
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
    this.loss = createLoss(options.loss, features, options.precision, options.maxRows);
    this.params = this.layers.flatMap((layer) => layer.parameters());
  }

  get outFeatures(): number {
    return this.loss.classes;
  }

  /** Read-only views of each layer's last passes (no copies). */
  get records(): readonly LayerRecord[] {
    return this.layers;
  }

  parameters(): Parameter[] {
    return this.params;
  }

  /** The last layer's output for `rows` examples of X (rows x inFeatures). */
  forward(X: Float, rows: number, training: boolean): Float {
    let A = X;
    for (const layer of this.layers) A = layer.forward(A, rows, training);
    this.lastOutput = A;
    return A;
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
    let grad: Float | null = this.loss.backward();
    for (let l = this.layers.length - 1; l >= 0 && grad; l--) grad = this.layers[l].backward(grad);
  }
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
