import type { Float } from '../nn/tensor';
import type { Network } from '../nn/network';
import type { InputLists } from '../nn/kernels';
import { Linear } from '../nn/layers/linear';
import type { SGD } from '../nn/optimizer';
import { diagnose, stepIsFinite, type Divergence } from './divergence';

/**
 * Where a training step stands. One step on a mini-batch is a sequence of
 * sub-steps: each layer forward, the loss (with dL/dA), each layer backward from
 * the last, and the update. `ready`: the next sub-step starts a new mini-batch.
 */
export type Phase =
  | { readonly kind: 'ready' }
  | { readonly kind: 'forward'; readonly layer: number }
  | { readonly kind: 'loss' }
  | { readonly kind: 'backward'; readonly layer: number };

/**
 * One training step taken one sub-step at a time, on whatever batch the caller
 * begins: the trainer's shuffled mini-batches, or a network spec's fixed batch.
 * Taken all at once, the sub-steps are exactly forward, loss, backward, update.
 */
export class Stepper {
  /** Sub-steps of the current batch done: 0 .. 2L + 1 for L layers. */
  private done = 0;
  private Y: Float | null = null;
  private rows = 0;
  dataLoss = 0;
  penalty = 0;

  /** The first layer, if it can take its update with its backward pass (finish()): W input-major, under plain SGD. */
  private readonly updatedInBackward: Linear | null;

  constructor(readonly network: Network, readonly optimizer: SGD) {
    const first = network.layers[0];
    this.updatedInBackward = first instanceof Linear && first.updatesInBackward && optimizer.plain(first.parameters()[0]) ? first : null;
  }

  /** No sub-step of a batch is done: the next one needs a batch (begin). */
  get between(): boolean {
    return this.done === 0;
  }

  get phase(): Phase {
    const L = this.network.layers.length, p = this.done;
    if (p === 0) return { kind: 'ready' };
    if (p <= L) return { kind: 'forward', layer: p - 1 };
    if (p === L + 1) return { kind: 'loss' };
    return { kind: 'backward', layer: 2 * L + 1 - p };
  }

  /** Every forward and backward sub-step is done: the update is next. */
  get readyToUpdate(): boolean {
    return this.done === 2 * this.network.layers.length + 1;
  }

  /** The batch of the next step: inputs X and targets Y, `rows` of each, and X's lists of non-zero inputs if it came with them. */
  begin(X: Float, Y: Float, rows: number, lists: InputLists | null = null): void {
    if (!this.between) throw new Error('a new batch begins only between steps');
    this.Y = Y;
    this.rows = rows;
    this.network.beginForward(X, rows, lists);
  }

  /** The next sub-step: a layer forward, the loss, or a layer backward; nothing once only the update is left. */
  advance(): void {
    const net = this.network, L = net.layers.length, p = this.done;
    if (p < L) net.forwardLayer(p, true);
    else if (p === L) {
      this.dataLoss = net.computeLoss(this.Y!, this.rows);
      this.penalty = this.optimizer.penalty();
      net.loss.backward();
    } else if (p <= 2 * L) net.backwardLayer(2 * L - p);
    else return;
    this.done++;
  }

  /**
   * Applies the optimizer after the backward pass, ending the step; false when the
   * loss or a gradient of the step is NaN or infinite. Then nothing is applied and
   * the step stays as it is, every record of it readable (see divergence.ts).
   */
  update(): boolean {
    if (!this.readyToUpdate) throw new Error('the update comes after the forward and backward passes of a step');
    if (!stepIsFinite(this.network, this.dataLoss, this.penalty)) return false;
    this.optimizer.step();
    this.done = 0;
    return true;
  }

  /**
   * The rest of the step at once: the same result as advancing to the update,
   * then update(). Under plain SGD, a first layer that keeps W input-major takes
   * its backward pass and its update in one pass (Linear.backwardWithUpdate),
   * after the same check, and leaves its dW to be computed when asked for.
   */
  finish(): boolean {
    const net = this.network, L = net.layers.length, first = this.updatedInBackward;
    if (!first || this.done > 2 * L) {
      while (!this.readyToUpdate) this.advance();
      return this.update();
    }
    while (this.done < 2 * L) this.advance();
    // A broken step gets its last backward pass as usual, so that every record of it can be read.
    if (!stepIsFinite(net, this.dataLoss, this.penalty)) {
      this.advance();
      return false;
    }
    first.backwardWithUpdate(net.gradientInto(0), this.optimizer.options.learningRate);
    this.optimizer.step(first.W);
    this.done = 0;
    return true;
  }

  /** Where and why this step's values are not all finite, and what to try: after update() refused it. */
  diagnose(step: number, epoch: number): Divergence {
    return diagnose(this.network, this.dataLoss, this.penalty, step, epoch, this.optimizer.options);
  }
}
