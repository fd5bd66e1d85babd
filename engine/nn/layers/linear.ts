import type { Float } from '../tensor';
import { panelIndex, type InputLists, type Kernels } from '../kernels';
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
  readonly db: Float;
  readonly output: Float;
  readonly gradInput: Float | null;
  /** W and dW are stored input-major, in panels (see above). */
  readonly inputMajor: boolean;
  /** Where W[o][i] (and dW[o][i]) is stored. */
  private readonly at: (o: number, i: number) => number;
  /** Stored input-major: a byte per input, 0 where its row of dW is all zero (inputs that were 0 in every example). */
  private readonly gradientRows: Uint8Array | null;
  /** dW's buffer; read through `dW`, which computes it first if a step left it owed. */
  private readonly gradient: Float;
  /** What dW is computed from while `due`, after a step that updated W without it (backwardWithUpdate): one record, reused, so a step allocates nothing. */
  private readonly owed: { due: boolean; X: Float | null; lists: InputLists | null; dU: Float | null; rows: number } = { due: false, X: null, lists: null, dU: null, rows: 0 };
  rows = 0;
  input: Float | null = null;
  /** The input's lists of non-zero entries, where the last forward pass was given them. */
  private inputLists: InputLists | null = null;
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
    this.gradient = allocate(outFeatures * inFeatures);
    this.db = allocate(outFeatures);
    this.output = allocate(maxRows * outFeatures);
    this.gradInput = inputGradient ? allocate(maxRows * inFeatures) : null;
    // mlp-math.md: W ~ N(0, 0.1^2), b = 0; drawn in W's own order whatever the storage, so a seed gives one W.
    for (let o = 0; o < outFeatures; o++) {
      for (let i = 0; i < inFeatures; i++) this.W[this.at(o, i)] = random.normal(0, 0.1);
    }
  }

  forward(X: Float, rows: number, _training = false, lists: InputLists | null = null): Float {
    this.input = X;
    this.rows = rows;
    this.inputLists = lists;
    const { inFeatures: I, outFeatures: O } = this;
    if (this.inputMajor) this.kernels.linearForwardInputMajor!(X, this.W, this.b, this.output, rows, I, O, lists);
    else this.kernels.linearForward(X, this.W, this.b, this.output, rows, I, O);
    return this.output;
  }

  backward(dU: Float): Float | null {
    this.gradOutput = dU;
    this.owed.due = false;
    this.parameterGradients(this.input!, this.inputLists, dU, this.rows);
    if (this.gradInput) this.kernels.linearInputGradient(dU, this.W, this.gradInput, this.rows, this.inFeatures, this.outFeatures);
    return this.gradInput;
  }

  /** dW = dU^T X and db = dU^T 1_N. */
  private parameterGradients(X: Float, lists: InputLists | null, dU: Float, N: number): void {
    const { inFeatures: I, outFeatures: O } = this;
    if (this.gradientRows) this.kernels.linearParameterGradientsInputMajor!(dU, X, this.gradient, this.db, this.gradientRows, N, I, O, lists);
    else this.kernels.linearParameterGradients(dU, X, this.gradient, this.db, N, I, O);
  }

  /** Whether backwardWithUpdate runs here: W stored input-major, on kernels that fuse the two. */
  get updatesInBackward(): boolean {
    return this.inputMajor && this.kernels.linearSgdStepInputMajor !== undefined;
  }

  /**
   * backward() and plain SGD on W (W -= eta dW) in one pass, for a whole step
   * that reads no gradient before its update: W ends the same bit for bit, db is
   * computed, and dW only when asked for (`dW`), from this step's X and dU. The
   * caller keeps those until then (Network.settleGradients).
   */
  backwardWithUpdate(dU: Float, eta: number): void {
    const X = this.input!, lists = this.inputLists, N = this.rows;
    this.gradOutput = dU;
    this.kernels.linearSgdStepInputMajor!(dU, X, this.W, this.gradient, this.db, this.gradientRows!, N, this.inFeatures, this.outFeatures, eta, lists);
    const owed = this.owed;
    owed.due = true;
    owed.X = X;
    owed.lists = lists;
    owed.dU = dU;
    owed.rows = N;
  }

  /** dL/dW of the last backward pass, out x in or input-major (see matrix()). */
  get dW(): Float {
    this.settle();
    return this.gradient;
  }

  /** Computes dW if the last step left it owed (backwardWithUpdate). */
  settle(): void {
    const owed = this.owed;
    if (!owed.due) return;
    owed.due = false;
    this.parameterGradients(owed.X!, owed.lists, owed.dU!, owed.rows);
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
      { name: 'W', value: this.W, grad: this.gradient, rows },
      { name: 'b', value: this.b, grad: this.db },
    ];
  }
}
