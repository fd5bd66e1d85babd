import type { Float, Precision } from '../nn/tensor';
import { typescriptKernels, type InputLists, type Kernels, type SparseImages } from '../nn/kernels';
import { wasmKernels } from '../nn/wasmKernels';
import { Random } from '../nn/random';
import { Network } from '../nn/network';
import { SGD } from '../nn/optimizer';
import { fillBatch, fillTargets, identityOrder, type Dataset, type Splits } from '../data/dataset';
import { Linear } from '../nn/layers/linear';
import { countCorrect, tallyConfusion } from './metrics';
import { configProblems, EVAL_ROWS, mlpLayers, type TrainingConfig } from './config';
import { loadSplits } from '../data/data';
import { DataFileError } from '../data/idx';
import { Stepper, type Phase } from './stepper';
import type { Divergence } from './divergence';

export interface StepResult {
  /** 1-based epoch this step belongs to. */
  readonly epoch: number;
  /** Steps taken since the run began, this one included. */
  readonly step: number;
  readonly rows: number;
  /** J = data loss + penalty. */
  readonly loss: number;
  readonly dataLoss: number;
  readonly penalty: number;
  readonly batchAccuracy: number;
  /** Set when a value of this step is NaN or infinite: the step was not applied, and the run cannot go on. */
  readonly divergence: Divergence | null;
}

export interface EpochResult {
  readonly epoch: number;
  /** Means over the epoch's mini-batches, weighted by their size. */
  readonly loss: number;
  readonly dataLoss: number;
  readonly penalty: number;
  /** Accuracy on the mini-batches as they were trained (dropout on). */
  readonly trainAccuracy: number;
  readonly validationAccuracy: number;
  readonly validationLoss: number;
  /** The validation set's confusion matrix: K x K counts, row-major, the true class's row and the predicted class's column. */
  readonly confusion: number[];
  /** Time spent training (not evaluating) in this epoch. */
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

export interface Evaluation {
  readonly loss: number;
  readonly accuracy: number;
  /** K x K counts, row-major: the true class's row, the predicted class's column. */
  readonly confusion: number[];
  /** Each example's predicted class. */
  readonly predicted: Uint8Array;
}

export interface TrainerOptions {
  readonly precision?: Precision;
  /** Default: WebAssembly SIMD for float32 where it runs (see wasmProblem()), else TypeScript. */
  readonly kernels?: Kernels;
}

/** The fastest kernels that run here for a precision. */
export function defaultKernels(precision: Precision): Kernels {
  return (precision === 'float32' ? wasmKernels() : null) ?? typescriptKernels;
}

/**
 * The data of a training run, checked against its network before anything is
 * allocated for it: images too large for the network are the data's problem.
 */
export function loadTrainingData(config: TrainingConfig, folder?: string): Splits {
  const data = loadSplits(folder);
  const [problem] = configProblems(config, data.train.features, data.train.classes);
  if (problem) throw new DataFileError(folder ?? data.source, `its images have ${data.train.features} pixels, and ${problem.message}`);
  return data;
}

/**
 * A training run: the network, its optimizer and the one random generator, fed
 * mini-batches of a freshly shuffled training set every epoch. It advances by
 * whole steps (trainStep) or by sub-steps (advance), so a caller can pause between
 * any two steps, or inside one, and the result is the same.
 */
export class Trainer {
  readonly network: Network;
  readonly optimizer: SGD;
  readonly random: Random;
  /** Completed steps, and the 1-based epoch of the current (or last) step. */
  step = 0;
  epoch = 0;
  /** Where and why the run diverged; null while every value is finite. */
  divergence: Divergence | null = null;
  /** Examples of the current epoch taken into mini-batches so far. */
  private position = 0;
  private rows = 0;
  /** Where in `order` the current mini-batch starts. */
  private batchStart = 0;
  /** X still lacks the current mini-batch's rows: a whole step's products read only its lists. */
  private rowsOwed = false;
  private readonly stepper: Stepper;
  private readonly order: Int32Array;
  private readonly X: Float;
  private readonly Y: Float;
  /**
   * The training images as the kernels keep them, where a first layer sums over
   * lists of non-zero inputs: a batch is gathered from them with its lists.
   */
  private readonly gathered: { readonly images: SparseImages; readonly lists: InputLists } | null;
  /** Evaluation has buffers of its own, so that the current mini-batch stays readable. */
  private readonly evalX: Float;
  private readonly evalY: Float;
  private readonly tally = { loss: 0, dataLoss: 0, penalty: 0, correct: 0, seen: 0, seconds: 0 };

  constructor(readonly config: TrainingConfig, readonly data: Splits, options: TrainerOptions = {}) {
    const precision = options.precision ?? 'float32';
    const { train } = data;
    const [problem] = configProblems(config, train.features, train.classes);
    if (problem) throw new RangeError(problem.message);
    const maxRows = Math.max(config.batchSize, EVAL_ROWS);
    const kernels = options.kernels ?? defaultKernels(precision);
    this.random = new Random(config.seed);
    this.network = new Network(train.features, mlpLayers(config, train.classes), {
      precision,
      maxRows,
      loss: 'softmax-cross-entropy',
      random: this.random,
      kernels,
    });
    this.optimizer = new SGD(this.network.parameters(), config, precision, kernels);
    this.stepper = new Stepper(this.network, this.optimizer);
    this.order = identityOrder(train.count);
    this.X = kernels.allocate(precision, maxRows * train.features);
    this.Y = kernels.allocate(precision, maxRows * train.classes);
    this.evalX = kernels.allocate(precision, EVAL_ROWS * train.features);
    this.evalY = kernels.allocate(precision, EVAL_ROWS * train.classes);
    const first = this.network.layers[0];
    const images = first instanceof Linear && first.inputMajor ? kernels.sparseImages?.(train.images, train.count, train.features) : null;
    this.gathered = images ? { images, lists: kernels.allocateLists!(config.batchSize, train.features) } : null;
  }

  /** All epochs trained, and no step under way. */
  get finished(): boolean {
    return this.epoch >= this.config.epochs && this.position === 0 && this.stepper.between;
  }

  /** The last step ended an epoch (and endEpoch has its numbers). */
  get atEpochEnd(): boolean {
    return this.position === 0 && this.stepper.between && this.tally.seen > 0;
  }

  get epochs(): number {
    return this.config.epochs;
  }

  get samplesPerSecond(): number | null {
    const speed = this.epochSoFar().samplesPerSecond;
    return Number.isFinite(speed) ? speed : null;
  }

  get stepsPerEpoch(): number {
    return Math.ceil(this.data.train.count / this.config.batchSize);
  }

  /** The current mini-batch: its inputs X and one-hot targets Y, `rows` of each. */
  get batch(): { readonly X: Float; readonly Y: Float; readonly rows: number } {
    if (this.rowsOwed) this.gather(true);
    return { X: this.X, Y: this.Y, rows: this.rows };
  }

  get phase(): Phase {
    return this.stepper.phase;
  }

  /** Every forward and backward sub-step of this mini-batch is done: the update is next. */
  get readyToUpdate(): boolean {
    return this.stepper.readyToUpdate;
  }

  /** Mean data loss and penalty of the current mini-batch, once its loss sub-step is done. */
  get currentLoss(): { readonly dataLoss: number; readonly penalty: number } {
    return { dataLoss: this.stepper.dataLoss, penalty: this.stepper.penalty };
  }

  /**
   * The next sub-step of the current mini-batch (starting one if none is under
   * way): a layer forward, the loss, or a layer backward. Does nothing once only
   * the update is left (see update()).
   */
  advance(): void {
    if (this.stepper.between) {
      // The last step's dW, if it was left owed, before this batch overwrites what it is computed from.
      this.network.settleGradients();
      this.beginBatch(true);
    }
    this.stepper.advance();
  }

  /**
   * Applies the optimizer after the backward pass, ending the step; unless a
   * value of the step is NaN or infinite: then the step stays unapplied, and
   * `divergence` says where and why.
   */
  update(): StepResult {
    return this.ended(this.stepper.update());
  }

  /** The step's result, once the stepper has applied its update (or refused it: `applied` false). */
  private ended(applied: boolean): StepResult {
    const layers = this.network.layers, rows = this.rows;
    const { dataLoss, penalty } = this.stepper, loss = dataLoss + penalty;
    const correct = countCorrect(layers[layers.length - 1].output, this.Y, rows, this.data.train.classes);
    if (!applied) {
      this.divergence ??= this.stepper.diagnose(this.step + 1, this.epoch);
      return { epoch: this.epoch, step: this.step + 1, rows, loss, dataLoss, penalty, batchAccuracy: correct / rows, divergence: this.divergence };
    }
    this.step++;
    if (this.position >= this.data.train.count) this.position = 0;
    const t = this.tally;
    t.loss += loss * rows;
    t.dataLoss += dataLoss * rows;
    t.penalty += penalty * rows;
    t.correct += correct;
    t.seen += rows;
    return { epoch: this.epoch, step: this.step, rows, loss, dataLoss, penalty, batchAccuracy: correct / rows, divergence: null };
  }

  /** The rest of the current step (all of it, between steps): forward, loss, backward, update. */
  trainStep(): StepResult {
    const started = performance.now();
    // Nothing reads this step between its sub-steps: its first layer may take its update with its backward pass (Stepper.finish).
    if (this.stepper.between) this.beginBatch(false);
    const result = this.ended(this.stepper.finish());
    this.tally.seconds += (performance.now() - started) / 1000;
    return result;
  }

  /** The next mini-batch; `withRows` false leaves X's rows to be copied when something reads them (batch). */
  private beginBatch(withRows: boolean): void {
    const { train } = this.data;
    if (this.position === 0) {
      this.random.shuffle(this.order);
      this.epoch++;
    }
    this.batchStart = this.position;
    this.rows = Math.min(this.config.batchSize, train.count - this.position);
    if (this.gathered) {
      this.gather(withRows);
      fillTargets(train, this.order, this.batchStart, this.rows, this.Y);
    } else fillBatch(train, this.order, this.batchStart, this.rows, this.X, this.Y);
    this.position += this.rows;
    this.stepper.begin(this.X, this.Y, this.rows, this.gathered?.lists ?? null);
  }

  /** The current mini-batch's lists from the kept images, and with `withRows` its rows of X. */
  private gather(withRows: boolean): void {
    const { images, lists } = this.gathered!;
    this.network.kernels.gatherRows!(images, this.order, this.batchStart, this.rows, withRows ? this.X : null, lists);
    this.rowsOwed = !withRows;
  }

  /** Trains to the end of the current epoch, then measures validation accuracy; null if the run diverged (see `divergence`). */
  runEpoch(onStep?: (s: StepResult) => void): EpochResult | null {
    do {
      const s = this.trainStep();
      if (s.divergence) return null;
      onStep?.(s);
    } while (!this.atEpochEnd);
    return this.endEpoch(this.evaluate(this.data.validation));
  }

  /** After the last step of an epoch: its means, with the validation result given. */
  endEpoch(validation: Evaluation): EpochResult {
    const t = this.tally;
    const result: EpochResult = {
      epoch: this.epoch,
      loss: t.loss / t.seen,
      dataLoss: t.dataLoss / t.seen,
      penalty: t.penalty / t.seen,
      trainAccuracy: t.correct / t.seen,
      validationAccuracy: validation.accuracy,
      validationLoss: validation.loss,
      confusion: validation.confusion,
      seconds: t.seconds,
      samplesPerSecond: t.seen / t.seconds,
    };
    Object.assign(t, { loss: 0, dataLoss: 0, penalty: 0, correct: 0, seen: 0, seconds: 0 });
    return result;
  }

  /** The current epoch so far: share done, mean loss, accuracy on trained batches, speed. */
  epochSoFar(): { fraction: number; loss: number; trainAccuracy: number; samplesPerSecond: number } {
    const t = this.tally;
    return {
      fraction: t.seen / this.data.train.count,
      loss: t.loss / t.seen,
      trainAccuracy: t.correct / t.seen,
      samplesPerSecond: t.seen / t.seconds,
    };
  }

  /**
   * Mean data loss and accuracy on a dataset, with dropout off. Only between steps:
   * it overwrites the layers' records.
   */
  evaluate(data: Dataset): Evaluation {
    const chunks = this.evaluation(data);
    let next = chunks.next();
    while (!next.done) next = chunks.next();
    return next.value;
  }

  /**
   * The same evaluation, one forward pass of at most EVAL_ROWS examples per
   * next(), so that a caller can answer messages in between.
   */
  *evaluation(data: Dataset): Generator<void, Evaluation> {
    if (!this.stepper.between) throw new Error('evaluate between steps, not inside one');
    const net = this.network, order = identityOrder(data.count), K = data.classes;
    const confusion = new Array<number>(K * K).fill(0), predicted = new Uint8Array(data.count);
    let loss = 0;
    for (let start = 0; start < data.count; start += EVAL_ROWS) {
      const rows = Math.min(EVAL_ROWS, data.count - start);
      fillBatch(data, order, start, rows, this.evalX, this.evalY);
      const A = net.forward(this.evalX, rows, false);
      loss += net.computeLoss(this.evalY, rows) * rows;
      tallyConfusion(A, data.labels, start, rows, K, confusion, predicted);
      yield;
    }
    let correct = 0;
    for (let k = 0; k < K; k++) correct += confusion[k * K + k];
    return { loss: loss / data.count, accuracy: correct / data.count, confusion, predicted };
  }
}
