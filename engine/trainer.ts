import { allocate, type Float, type Precision } from './tensor';
import type { Kernels } from './kernels';
import { Random } from './random';
import { Network } from './network';
import { SGD } from './optimizer';
import { fillBatch, identityOrder, type Dataset, type Splits } from './dataset';
import { countCorrect } from './metrics';
import { mlpLayers, type TrainingConfig } from './config';

/** Evaluation forward passes carry this many examples at once. */
const EVAL_ROWS = 250;

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
  /** Time spent training (not evaluating) in this epoch. */
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

export interface Evaluation {
  readonly loss: number;
  readonly accuracy: number;
}

export interface TrainerOptions {
  readonly precision?: Precision;
  readonly kernels?: Kernels;
}

/**
 * A training run: the network, its optimizer and the one random generator, fed
 * mini-batches of a freshly shuffled training set every epoch. It advances one
 * mini-batch per trainStep(), so a caller can pause between any two steps.
 */
export class Trainer {
  readonly network: Network;
  readonly optimizer: SGD;
  readonly random: Random;
  /** Completed steps and the position in the current epoch's order. */
  step = 0;
  epoch = 0;
  private position = 0;
  private readonly order: Int32Array;
  private readonly X: Float;
  private readonly Y: Float;
  private readonly tally = { loss: 0, dataLoss: 0, penalty: 0, correct: 0, seen: 0, seconds: 0 };

  constructor(readonly config: TrainingConfig, readonly data: Splits, options: TrainerOptions = {}) {
    const precision = options.precision ?? 'float32';
    const { train } = data;
    const maxRows = Math.max(config.batchSize, EVAL_ROWS);
    this.random = new Random(config.seed);
    this.network = new Network(train.features, mlpLayers(config, train.classes), {
      precision,
      maxRows,
      loss: 'softmax-cross-entropy',
      random: this.random,
      kernels: options.kernels,
    });
    this.optimizer = new SGD(this.network.parameters(), config, precision);
    this.order = identityOrder(train.count);
    this.X = allocate(precision, maxRows * train.features);
    this.Y = allocate(precision, maxRows * train.classes);
  }

  /** The current epoch so far: share done, mean loss, accuracy on trained batches, speed. */
  epochSoFar(): { fraction: number; loss: number; trainAccuracy: number; samplesPerSecond: number } {
    const t = this.tally;
    return {
      fraction: this.position === 0 ? 1 : this.position / this.data.train.count,
      loss: t.loss / t.seen,
      trainAccuracy: t.correct / t.seen,
      samplesPerSecond: t.seen / t.seconds,
    };
  }

  get finished(): boolean {
    return this.epoch >= this.config.epochs && this.position === 0;
  }

  /** One mini-batch: forward, loss, backward, update. */
  trainStep(): StepResult {
    const { train } = this.data;
    if (this.position === 0) {
      this.random.shuffle(this.order);
      this.epoch++;
    }
    const started = performance.now();
    const rows = Math.min(this.config.batchSize, train.count - this.position);
    fillBatch(train, this.order, this.position, rows, this.X, this.Y);
    const net = this.network;
    const A = net.forward(this.X, rows, true);
    const dataLoss = net.computeLoss(this.Y, rows);
    const penalty = this.optimizer.penalty();
    net.backward();
    this.optimizer.step();
    const correct = countCorrect(A, this.Y, rows, train.classes);

    this.position += rows;
    if (this.position >= train.count) this.position = 0;
    this.step++;
    const t = this.tally;
    t.loss += (dataLoss + penalty) * rows;
    t.dataLoss += dataLoss * rows;
    t.penalty += penalty * rows;
    t.correct += correct;
    t.seen += rows;
    t.seconds += (performance.now() - started) / 1000;
    return { epoch: this.epoch, step: this.step, rows, loss: dataLoss + penalty, dataLoss, penalty, batchAccuracy: correct / rows };
  }

  /** Trains to the end of the current epoch, then measures validation accuracy. */
  runEpoch(onStep?: (s: StepResult) => void): EpochResult {
    do {
      const s = this.trainStep();
      onStep?.(s);
    } while (this.position !== 0);
    const t = this.tally;
    const validation = this.evaluate(this.data.validation);
    const result: EpochResult = {
      epoch: this.epoch,
      loss: t.loss / t.seen,
      dataLoss: t.dataLoss / t.seen,
      penalty: t.penalty / t.seen,
      trainAccuracy: t.correct / t.seen,
      validationAccuracy: validation.accuracy,
      validationLoss: validation.loss,
      seconds: t.seconds,
      samplesPerSecond: t.seen / t.seconds,
    };
    Object.assign(t, { loss: 0, dataLoss: 0, penalty: 0, correct: 0, seen: 0, seconds: 0 });
    return result;
  }

  /** Mean data loss and accuracy on a dataset, with dropout off. */
  evaluate(data: Dataset): Evaluation {
    const net = this.network, order = identityOrder(data.count);
    let loss = 0, correct = 0;
    for (let start = 0; start < data.count; start += EVAL_ROWS) {
      const rows = Math.min(EVAL_ROWS, data.count - start);
      fillBatch(data, order, start, rows, this.X, this.Y);
      const A = net.forward(this.X, rows, false);
      loss += net.computeLoss(this.Y, rows) * rows;
      correct += countCorrect(A, this.Y, rows, data.classes);
    }
    return { loss: loss / data.count, accuracy: correct / data.count };
  }
}
