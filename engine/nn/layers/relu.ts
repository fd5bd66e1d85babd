import type { Float } from '../tensor';
import { Activation } from './activation';

/** relu(u) = max(0, u); dl/du = dl/dh * 1[u > 0]. */
export class ReLU extends Activation {
  readonly type = 'relu';
  protected map(U: Float, H: Float, n: number): void {
    this.kernels.reluForward(U, H, n);
  }
  protected chain(U: Float, _H: Float, dH: Float, dU: Float, n: number): void {
    this.kernels.reluBackward(U, dH, dU, n);
  }
}
