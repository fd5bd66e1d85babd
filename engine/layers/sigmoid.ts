import { Activation } from './activation';

/** sigmoid(t) = 1 / (1 + e^{-t}); dl/dt = dl/dh * h (1 - h). */
export class Sigmoid extends Activation {
  readonly type = 'sigmoid';
  protected f(t: number): number {
    return 1 / (1 + Math.exp(-t));
  }
  protected slope(_t: number, h: number): number {
    return h * (1 - h);
  }
}
