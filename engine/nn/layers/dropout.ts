import type { Float } from '../tensor';
import type { Random } from '../random';
import type { Kernels } from '../kernels';
import type { BuildContext, Layer, Parameter } from './layer';

/**
 * Inverted dropout with rate r in [0, 1): while training, unit j is kept when a
 * uniform draw p_j >= r, and kept units are scaled by 1 / (1 - r) so that the
 * expected output equals the input; at evaluation the layer is the identity.
 * The mask is drawn afresh on every training forward pass and kept for the
 * backward pass that follows.
 */
export class Dropout implements Layer {
  readonly type = 'dropout';
  readonly outFeatures: number;
  readonly output: Float;
  readonly gradInput: Float;
  /** 1 where the unit was kept in the last training pass, 0 where dropped. */
  readonly mask: Uint8Array;
  rows = 0;
  input: Float | null = null;
  gradOutput: Float | null = null;
  /** Whether the last forward pass was a training pass (and so used the mask). */
  training = false;
  private readonly random: Random;
  private readonly kernels: Kernels;
  private maskIsFixed = false;

  constructor(readonly inFeatures: number, readonly rate: number, context: BuildContext) {
    if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
    this.outFeatures = inFeatures;
    this.output = context.kernels.allocate(context.precision, context.maxRows * inFeatures);
    this.gradInput = context.kernels.allocate(context.precision, context.maxRows * inFeatures);
    this.mask = context.kernels.allocateMask(context.maxRows * inFeatures);
    this.random = context.random;
    this.kernels = context.kernels;
  }

  /**
   * Use `mask` (rows x units, 1 = keep) in every training pass instead of
   * drawing one: for a network spec with a given mask, and for gradient checks,
   * which need the same function at every evaluation. `null` draws again.
   */
  fixMask(mask: ArrayLike<number> | null): void {
    this.maskIsFixed = mask !== null;
    if (mask) for (let i = 0; i < mask.length; i++) this.mask[i] = mask[i] ? 1 : 0;
  }

  forward(Q: Float, rows: number, training: boolean): Float {
    this.input = Q;
    this.rows = rows;
    this.training = training;
    const S = this.output, m = this.mask, n = rows * this.inFeatures;
    if (!training) {
      for (let i = 0; i < n; i++) S[i] = Q[i];
      return S;
    }
    if (!this.maskIsFixed) {
      this.random.fillMask(m, n, this.rate, this.kernels);
    }
    this.kernels.applyMask(Q, m, S, n, 1 - this.rate);
    return S;
  }

  backward(dS: Float): Float {
    this.gradOutput = dS;
    const dQ = this.gradInput, m = this.mask, n = this.rows * this.inFeatures;
    if (!this.training) {
      for (let i = 0; i < n; i++) dQ[i] = dS[i];
      return dQ;
    }
    this.kernels.applyMask(dS, m, dQ, n, 1 - this.rate);
    return dQ;
  }

  parameters(): Parameter[] {
    return [];
  }
}
