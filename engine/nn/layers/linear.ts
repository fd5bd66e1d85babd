import type { Float } from '../tensor';
import { panelIndex, type Kernels } from '../kernels';
import type { BuildContext, Layer, Parameter } from './layer';

/**
 * u = W x + b, batched as U = X W^T + b; W is out x in.
 *
 * A network's first layer, on kernels that have the input-major products (the
 * SIMD ones), stores W and dW input-major instead, in panels of outputs
 * (panelIndex): there an example's non-zero pixels pick whole rows, a fifth of the
 * dense work on digits. matrix() gives W and dW out x in either way, for
 * everything that shows or saves them; the training path never transposes.
 */
export class Linear implements Layer {
  readonly type = 'linear';
  readonly W: Float;
  readonly b: Float;
  readonly dW: Float;
  readonly db: Float;
  readonly output: Float;
  readonly gradInput: Float | null;
  /** W and dW are stored input-major, in panels (see above). */
  readonly inputMajor: boolean;
  /** Where W[o][i] (and dW[o][i]) is stored. */
  private readonly at: (o: number, i: number) => number;
  /** Stored input-major: a byte per input, 0 where its row of dW is all zero (inputs that were 0 in every example). */
  private readonly gradientRows: Uint8Array | null;
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
    this.inputMajor = !inputGradient && outFeatures % 4 === 0
      && kernels.linearForwardInputMajor !== undefined && kernels.linearParameterGradientsInputMajor !== undefined;
    this.at = this.inputMajor ? panelIndex(outFeatures, inFeatures) : (o, i) => o * inFeatures + i;
    this.gradientRows = this.inputMajor ? kernels.allocateMask(inFeatures) : null;
    this.W = allocate(outFeatures * inFeatures);
    this.b = allocate(outFeatures);
    this.dW = allocate(outFeatures * inFeatures);
    this.db = allocate(outFeatures);
    this.output = allocate(maxRows * outFeatures);
    this.gradInput = inputGradient ? allocate(maxRows * inFeatures) : null;
    // mlp-math.md: W ~ N(0, 0.1^2), b = 0; drawn in W's own order whatever the storage, so a seed gives one W.
    for (let o = 0; o < outFeatures; o++) {
      for (let i = 0; i < inFeatures; i++) this.W[this.at(o, i)] = random.normal(0, 0.1);
    }
  }

  forward(X: Float, rows: number): Float {
    this.input = X;
    this.rows = rows;
    const { inFeatures: I, outFeatures: O } = this;
    if (this.inputMajor) this.kernels.linearForwardInputMajor!(X, this.W, this.b, this.output, rows, I, O);
    else this.kernels.linearForward(X, this.W, this.b, this.output, rows, I, O);
    return this.output;
  }

  backward(dU: Float): Float | null {
    const X = this.input!;
    this.gradOutput = dU;
    const { rows: N, inFeatures: I, outFeatures: O } = this;
    if (this.gradientRows) this.kernels.linearParameterGradientsInputMajor!(dU, X, this.dW, this.db, this.gradientRows, N, I, O);
    else this.kernels.linearParameterGradients(dU, X, this.dW, this.db, N, I, O);
    if (this.gradInput) this.kernels.linearInputGradient(dU, this.W, this.gradInput, N, I, O);
    return this.gradInput;
  }

  /** W or dW out x in, as the math writes them (the buffer itself, or a transposed copy where it is stored input-major), or b or db. */
  matrix(name: 'W' | 'dW' | 'b' | 'db'): Float {
    const stored = this[name];
    if (!this.inputMajor || name === 'b' || name === 'db') return stored;
    const { inFeatures: I, outFeatures: O } = this;
    const out = new Float32Array(O * I);
    for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) out[o * I + i] = stored[this.at(o, i)];
    return out;
  }

  parameters(): Parameter[] {
    const rows = this.gradientRows ? { mayBeNonZero: this.gradientRows, inFeatures: this.inFeatures, outFeatures: this.outFeatures } : undefined;
    return [
      { name: 'W', value: this.W, grad: this.dW, rows },
      { name: 'b', value: this.b, grad: this.db },
    ];
  }
}
