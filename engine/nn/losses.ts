import type { Float, Precision } from './tensor';
import { typescriptKernels, type Kernels } from './kernels';

export type LossType = 'softmax-cross-entropy' | 'mse';

/**
 * A loss compares the network's last output A (N x K) with targets Y (N x K:
 * one-hot rows for class labels, or any target vectors) and returns the mean over
 * the batch; backward() then gives dL/dA.
 */
export interface Loss {
  readonly type: LossType;
  readonly classes: number;
  /** dL/dA of the last forward pass, the first gradient of the backward pass. */
  readonly gradInput: Float;
  forward(A: Float, Y: Float, rows: number): number;
  backward(): Float;
}

/**
 * Softmax and cross-entropy fused: z = softmax(a), l = -y^T log z, and together
 * dl/da = z - y. The logits are shifted by their maximum so that exp never
 * overflows; log z is then a - max - log(sum), so exp runs once per logit.
 */
export class SoftmaxCrossEntropy implements Loss {
  readonly type = 'softmax-cross-entropy';
  /** z, the softmax probabilities of the last forward pass. */
  readonly probabilities: Float;
  readonly gradInput: Float;
  /** One row's e^(a - max), kept in double precision until it is divided by the sum. */
  private readonly exps: Float64Array;
  private targets: Float | null = null;
  private rows = 0;

  constructor(readonly classes: number, precision: Precision, maxRows: number, kernels: Kernels = typescriptKernels) {
    this.probabilities = kernels.allocate(precision, maxRows * classes);
    this.gradInput = kernels.allocate(precision, maxRows * classes);
    this.exps = new Float64Array(classes);
  }

  forward(A: Float, Y: Float, rows: number): number {
    const K = this.classes, Z = this.probabilities, e = this.exps;
    this.targets = Y;
    this.rows = rows;
    let total = 0;
    for (let n = 0; n < rows; n++) {
      const r = n * K;
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (A[r + k] > max) max = A[r + k];
      let sum = 0;
      for (let k = 0; k < K; k++) sum += e[k] = Math.exp(A[r + k] - max);
      const logSum = Math.log(sum);
      for (let k = 0; k < K; k++) {
        Z[r + k] = e[k] / sum;
        if (Y[r + k] !== 0) total -= Y[r + k] * (A[r + k] - max - logSum);
      }
    }
    return total / rows;
  }

  backward(): Float {
    const Y = this.targets!, Z = this.probabilities, dA = this.gradInput, N = this.rows;
    for (let i = 0, n = N * this.classes; i < n; i++) dA[i] = (Z[i] - Y[i]) / N;
    return dA;
  }
}

/** E = 1/2 sum_j (a_j - y_j)^2 per example; dE/da = a - y. */
export class MeanSquaredError implements Loss {
  readonly type = 'mse';
  readonly gradInput: Float;
  private outputs: Float | null = null;
  private targets: Float | null = null;
  private rows = 0;

  constructor(readonly classes: number, precision: Precision, maxRows: number, kernels: Kernels = typescriptKernels) {
    this.gradInput = kernels.allocate(precision, maxRows * classes);
  }

  forward(A: Float, Y: Float, rows: number): number {
    this.outputs = A;
    this.targets = Y;
    this.rows = rows;
    let total = 0;
    for (let i = 0, n = rows * this.classes; i < n; i++) {
      const e = A[i] - Y[i];
      total += 0.5 * e * e;
    }
    return total / rows;
  }

  backward(): Float {
    const A = this.outputs!, Y = this.targets!, dA = this.gradInput, N = this.rows;
    for (let i = 0, n = N * this.classes; i < n; i++) dA[i] = (A[i] - Y[i]) / N;
    return dA;
  }
}

export function createLoss(type: LossType, classes: number, precision: Precision, maxRows: number, kernels: Kernels = typescriptKernels): Loss {
  return type === 'mse'
    ? new MeanSquaredError(classes, precision, maxRows, kernels)
    : new SoftmaxCrossEntropy(classes, precision, maxRows, kernels);
}
