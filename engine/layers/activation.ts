import { allocate, type Float } from '../tensor';
import type { ActivationType, BuildContext, Layer, Parameter } from './layer';

/**
 * h = f(u), unit by unit. The backward pass multiplies the incoming gradient by
 * f'(u), which each activation writes in whichever of u and h = f(u) is cheaper.
 */
export abstract class Activation implements Layer {
  abstract readonly type: ActivationType;
  readonly output: Float;
  readonly gradInput: Float;
  readonly outFeatures: number;
  rows = 0;
  input: Float | null = null;
  gradOutput: Float | null = null;

  constructor(readonly inFeatures: number, context: BuildContext) {
    this.outFeatures = inFeatures;
    this.output = allocate(context.precision, context.maxRows * inFeatures);
    this.gradInput = allocate(context.precision, context.maxRows * inFeatures);
  }

  protected abstract f(u: number): number;
  /** f'(u), given u and h = f(u). */
  protected abstract slope(u: number, h: number): number;

  forward(U: Float, rows: number): Float {
    this.input = U;
    this.rows = rows;
    const H = this.output;
    for (let i = 0, n = rows * this.inFeatures; i < n; i++) H[i] = this.f(U[i]);
    return H;
  }

  backward(dH: Float): Float {
    this.gradOutput = dH;
    const U = this.input!, H = this.output, dU = this.gradInput;
    for (let i = 0, n = this.rows * this.inFeatures; i < n; i++) dU[i] = dH[i] * this.slope(U[i], H[i]);
    return dU;
  }

  parameters(): Parameter[] {
    return [];
  }
}
