import type { Float } from '../tensor';
import { Activation } from './activation';

/** sigmoid(t) = 1 / (1 + e^{-t}); dl/dt = dl/dh * h (1 - h). */
export class Sigmoid extends Activation {
  readonly type = 'sigmoid';
  protected map(T: Float, H: Float, n: number): void {
    this.kernels.sigmoidForward(T, H, n);
  }
  protected chain(_T: Float, H: Float, dH: Float, dT: Float, n: number): void {
    this.kernels.sigmoidBackward(H, dH, dT, n);
  }
}
