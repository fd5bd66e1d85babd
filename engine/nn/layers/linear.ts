import type { Float } from '../tensor';
import type { Kernels } from '../kernels';
import type { BuildContext, Layer, Parameter } from './layer';

/** u = W x + b, batched as U = X W^T + b; W is out x in. */
export class Linear implements Layer {
  readonly type = 'linear';
  readonly W: Float;
  readonly b: Float;
  readonly dW: Float;
  readonly db: Float;
  readonly output: Float;
  readonly gradInput: Float | null;
  rows = 0;
  input: Float | null = null;
  gradOutput: Float | null = null;
  private readonly kernels: Kernels;

  /**
   * `inputGradient` false skips dL/dX, a third of the work of a network's first
   * layer, whose input is data that nothing learns from.
   */
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    context: BuildContext,
    inputGradient = true,
  ) {
    const { precision, maxRows, random, kernels } = context;
    const allocate = (length: number): Float => kernels.allocate(precision, length);
    this.kernels = kernels;
    this.W = allocate(outFeatures * inFeatures);
    this.b = allocate(outFeatures);
    this.dW = allocate(outFeatures * inFeatures);
    this.db = allocate(outFeatures);
    this.output = allocate(maxRows * outFeatures);
    this.gradInput = inputGradient ? allocate(maxRows * inFeatures) : null;
    // mlp-math.md: W ~ N(0, 0.1^2), b = 0.
    for (let i = 0; i < this.W.length; i++) this.W[i] = random.normal(0, 0.1);
  }

  forward(X: Float, rows: number): Float {
    this.input = X;
    this.rows = rows;
    this.kernels.linearForward(X, this.W, this.b, this.output, rows, this.inFeatures, this.outFeatures);
    return this.output;
  }

  backward(dU: Float): Float | null {
    const X = this.input!;
    this.gradOutput = dU;
    const { rows: N, inFeatures: I, outFeatures: O } = this;
    this.kernels.linearParameterGradients(dU, X, this.dW, this.db, N, I, O);
    if (this.gradInput) this.kernels.linearInputGradient(dU, this.W, this.gradInput, N, I, O);
    return this.gradInput;
  }

  parameters(): Parameter[] {
    return [
      { name: 'W', value: this.W, grad: this.dW },
      { name: 'b', value: this.b, grad: this.db },
    ];
  }
}
