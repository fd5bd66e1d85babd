import type { Float } from '../tensor';
import type { Kernels } from '../kernels';
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
  protected readonly kernels: Kernels;

  constructor(readonly inFeatures: number, context: BuildContext) {
    this.kernels = context.kernels;
    this.outFeatures = inFeatures;
    this.output = context.kernels.allocate(context.precision, context.maxRows * inFeatures);
    this.gradInput = context.kernels.allocate(context.precision, context.maxRows * inFeatures);
  }

  /** H = f(U) on the first n entries. */
  protected abstract map(U: Float, H: Float, n: number): void;
  /** dU = dH * f'(U) on the first n entries, given U and H = f(U). */
  protected abstract chain(U: Float, H: Float, dH: Float, dU: Float, n: number): void;

  forward(U: Float, rows: number): Float {
    this.input = U;
    this.rows = rows;
    this.map(U, this.output, rows * this.inFeatures);
    return this.output;
  }

  backward(dH: Float): Float {
    this.gradOutput = dH;
    this.chain(this.input!, this.output, dH, this.gradInput, this.rows * this.inFeatures);
    return this.gradInput;
  }

  parameters(): Parameter[] {
    return [];
  }
}
