import type { Float } from '../tensor';
import { Activation } from './activation';

/** tanh(u) = 2 / (1 + e^{-2u}) - 1; dl/du = dl/dh * (1 - h^2). */
export class Tanh extends Activation {
  readonly type = 'tanh';
  protected map(U: Float, H: Float, n: number): void {
    for (let i = 0; i < n; i++) H[i] = Math.tanh(U[i]);
  }
  protected chain(_U: Float, H: Float, dH: Float, dU: Float, n: number): void {
    for (let i = 0; i < n; i++) dU[i] = dH[i] * (1 - H[i] * H[i]);
  }
}
