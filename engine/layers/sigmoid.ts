import type { Float } from '../tensor';
import { Activation } from './activation';

/** sigmoid(t) = 1 / (1 + e^{-t}); dl/dt = dl/dh * h (1 - h). */
export class Sigmoid extends Activation {
  readonly type = 'sigmoid';
  protected map(T: Float, H: Float, n: number): void {
    for (let i = 0; i < n; i++) H[i] = 1 / (1 + Math.exp(-T[i]));
  }
  protected chain(_T: Float, H: Float, dH: Float, dT: Float, n: number): void {
    for (let i = 0; i < n; i++) dT[i] = dH[i] * H[i] * (1 - H[i]);
  }
}
