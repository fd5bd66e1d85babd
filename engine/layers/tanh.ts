import { Activation } from './activation';

/** tanh(u) = 2 / (1 + e^{-2u}) - 1; dl/du = dl/dh * (1 - h^2). */
export class Tanh extends Activation {
  readonly type = 'tanh';
  protected f(u: number): number {
    return Math.tanh(u);
  }
  protected slope(_u: number, h: number): number {
    return 1 - h * h;
  }
}
