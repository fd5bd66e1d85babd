import type { Float, Precision } from './tensor';
import { typescriptKernels, type Kernels } from './kernels';
import type { Parameter } from './layers/layer';

export interface SgdOptions {
  /** eta */
  readonly learningRate: number;
  /** alpha; alpha <= 0 means plain SGD without a velocity. */
  readonly momentum: number;
  /** L2 strength lambda; 0 means no regularisation. */
  readonly lambda: number;
  /** Apply lambda to the biases too, as the homework's own code does. */
  readonly l2Biases: boolean;
}

/**
 * Mini-batch SGD as in mlp-math.md. For every parameter w with gradient g of the
 * mean batch loss:
 *   g <- g + lambda w
 *   alpha <= 0:  w <- w - eta g
 *   alpha  > 0:  v <- alpha v - eta g;  w <- w + v
 * The L2 term is written into the gradient buffer, so that the dW a panel or a
 * trace shows after the update is the gradient the step used.
 */
export class SGD {
  /** v per parameter, starting at 0; absent without momentum. */
  private readonly velocities: Float[] | null;

  constructor(
    private readonly params: Parameter[],
    readonly options: SgdOptions,
    precision: Precision,
    private readonly kernels: Kernels = typescriptKernels,
  ) {
    this.velocities = options.momentum > 0 ? params.map((p) => kernels.allocate(precision, p.value.length)) : null;
  }

  private decays(p: Parameter): boolean {
    return this.options.lambda !== 0 && (p.name === 'W' || this.options.l2Biases);
  }

  /** lambda/2 times the sum of squared entries of the regularised parameters. */
  penalty(): number {
    let s = 0;
    for (const p of this.params) if (this.decays(p)) s += this.kernels.sumOfSquares(p.value, p.value.length);
    return (this.options.lambda / 2) * s;
  }

  /** Whether p's update is w <- w - eta g alone: no velocity, no L2 term. */
  plain(p: Parameter): boolean {
    return !this.velocities && !this.decays(p);
  }

  /** The update of every parameter but the one whose value is `updated` (a layer's own update: Linear.backwardWithUpdate). */
  step(updated: Float | null = null): void {
    const { learningRate: eta, momentum: alpha, lambda } = this.options;
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k], decays = this.decays(p), v = this.velocities?.[k] ?? null;
      if (p.value === updated) continue;
      // Plain SGD leaves a row whose gradient is zero as it is: an input-major W updates only its other rows.
      if (p.rows && this.plain(p) && this.kernels.sgdStepInputMajor) {
        this.kernels.sgdStepInputMajor(p.value, p.grad, p.rows.mayBeNonZero, p.rows.inFeatures, p.rows.outFeatures, eta);
        continue;
      }
      this.kernels.sgdStep(p.value, p.grad, v, eta, alpha, lambda, decays);
      // g += lambda w may have filled any row.
      if (p.rows && decays) p.rows.mayBeNonZero.fill(1);
    }
  }
}
