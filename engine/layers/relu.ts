import { Activation } from './activation';

/** relu(u) = max(0, u); dl/du = dl/dh * 1[u > 0]. */
export class ReLU extends Activation {
  readonly type = 'relu';
  protected f(u: number): number {
    return u > 0 ? u : 0;
  }
  protected slope(u: number): number {
    return u > 0 ? 1 : 0;
  }
}
