import { countCorrect } from '../train/metrics';
import { SoftmaxCrossEntropy } from '../nn/losses';
import type { SnapshotSource } from '../train/snapshot';
import type { SpecRun } from './specRun';
import type { Divergence } from '../train/divergence';

export interface SpecStepResult {
  readonly batchAccuracy: number | null;
  /** Set when a value of the step is NaN or infinite: the step was not applied. */
  readonly divergence: Divergence | null;
}

/**
 * A network spec stepped in the panel: its one batch, step after step, a
 * sub-step at a time or whole, just as a training run steps its mini-batches.
 * Every step is a pass over all of the spec's data, so epochs do not apply.
 */
export class SpecSession implements SnapshotSource {
  step = 0;
  readonly epoch = 1;
  readonly epochs = 1;
  readonly stepsPerEpoch = 1;
  readonly samplesPerSecond = null;
  /** A spec never runs out of steps. */
  readonly finished = false;
  readonly atEpochEnd = false;
  divergence: Divergence | null = null;

  constructor(readonly run: SpecRun) {}

  get network(): SpecRun['network'] {
    return this.run.network;
  }

  get phase(): SpecRun['stepper']['phase'] {
    return this.run.stepper.phase;
  }

  get batch(): { readonly X: Float64Array; readonly Y: Float64Array; readonly rows: number } {
    return this.run;
  }

  get currentLoss(): { readonly dataLoss: number; readonly penalty: number } {
    return this.run.stepper;
  }

  get readyToUpdate(): boolean {
    return this.run.stepper.readyToUpdate;
  }

  /** The next sub-step, beginning the batch again when a step is over. */
  advance(): void {
    const { stepper, X, Y, rows } = this.run;
    if (stepper.between) stepper.begin(X, Y, rows);
    stepper.advance();
  }

  /** Applies the optimizer, unless a value of the step is NaN or infinite; accuracy only where the targets are classes. */
  update(): SpecStepResult {
    const { stepper, network: net, Y, rows } = this.run;
    const output = net.layers[net.layers.length - 1].output;
    const batchAccuracy = net.loss instanceof SoftmaxCrossEntropy ? countCorrect(output, Y, rows, net.outFeatures) / rows : null;
    if (!stepper.update()) {
      this.divergence ??= stepper.diagnose(this.step + 1, 1);
      return { batchAccuracy, divergence: this.divergence };
    }
    this.step++;
    return { batchAccuracy, divergence: null };
  }

  trainStep(): SpecStepResult {
    while (!this.readyToUpdate) this.advance();
    return this.update();
  }
}
