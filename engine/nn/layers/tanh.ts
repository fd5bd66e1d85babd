import type { Float } from '../tensor';
import { Activation } from './activation';

/** tanh(u) = 2 / (1 + e^{-2u}) - 1; dl/du = dl/dh * (1 - h^2). */
export class Tanh extends Activation {
  readonly type = 'tanh';
  protected map(U: Float, H: Float, n: number): void {
    this.kernels.tanhForward(U, H, n);
  }
  protected chain(_U: Float, H: Float, dH: Float, dU: Float, n: number): void {
    this.kernels.tanhBackward(H, dH, dU, n);
  }
}
