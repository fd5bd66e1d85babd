import type { ActivationType, LayerSpec } from '../nn/layers/layer';
import { networkTooLarge } from '../limits';

/** Evaluation forward passes carry this many examples at once. */
export const EVAL_ROWS = 100;

/** Everything that defines a training run of the MLP. */
export interface TrainingConfig {
  /** Sizes of the hidden layers, input side first: [1000] is the homework network. */
  readonly hidden: readonly number[];
  readonly activation: ActivationType;
  /** Dropout rate r after every hidden activation; 0 for none. */
  readonly dropout: number;
  readonly learningRate: number;
  readonly momentum: number;
  readonly lambda: number;
  readonly l2Biases: boolean;
  readonly batchSize: number;
  readonly epochs: number;
  readonly seed: number;
}

/** The homework's defaults (mlp-math.md), with dropout 0.5 so that masks are there to see. */
export const DEFAULT_CONFIG: TrainingConfig = {
  hidden: [1000],
  activation: 'relu',
  dropout: 0.5,
  learningRate: 0.01,
  momentum: 0,
  lambda: 0,
  l2Biases: false,
  batchSize: 5,
  epochs: 10,
  seed: 42,
};

export const MAX_HIDDEN_LAYERS = 32;

export const ACTIVATIONS: readonly ActivationType[] = ['relu', 'tanh', 'sigmoid'];

/** A problem with one field of a configuration: the message names the value and a fix. */
export interface ConfigProblem {
  readonly field: keyof TrainingConfig;
  readonly message: string;
}

/**
 * Every problem with a configuration for data of `features` inputs and `classes`
 * classes (MNIST's by default); an empty list when it is fine.
 */
export function configProblems(c: TrainingConfig, features = 784, classes = 10): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const check = (field: keyof TrainingConfig, ok: boolean, message: string): void => {
    if (!ok) problems.push({ field, message });
  };
  check(
    'hidden',
    c.hidden.length > 0 && c.hidden.length <= MAX_HIDDEN_LAYERS && c.hidden.every((n) => Number.isInteger(n) && n >= 1 && n <= 100000),
    `hidden layer sizes must be 1 to ${MAX_HIDDEN_LAYERS} whole numbers from 1 to 100000, such as 1000 or 128,64 (got ${c.hidden.join(',') || 'none'})`,
  );
  check('activation', ACTIVATIONS.includes(c.activation), `activation must be one of ${ACTIVATIONS.join(', ')} (got ${c.activation})`);
  check('dropout', c.dropout >= 0 && c.dropout < 1, `dropout rate must be in [0, 1), such as 0.5, or 0 for none (got ${c.dropout})`);
  check('learningRate', c.learningRate > 0 && Number.isFinite(c.learningRate), `learning rate must be a positive number such as 0.01 (got ${c.learningRate})`);
  check('momentum', c.momentum >= 0 && c.momentum < 1, `momentum must be in [0, 1), such as 0.9, or 0 for none (got ${c.momentum})`);
  check('lambda', c.lambda >= 0 && Number.isFinite(c.lambda), `L2 lambda must be 0 or a positive number such as 0.0001 (got ${c.lambda})`);
  check('batchSize', Number.isInteger(c.batchSize) && c.batchSize >= 1 && c.batchSize <= 4096, `mini-batch size must be a whole number from 1 to 4096 (got ${c.batchSize})`);
  check('epochs', Number.isInteger(c.epochs) && c.epochs >= 1 && c.epochs <= 10000, `epochs must be a whole number from 1 to 10000 (got ${c.epochs})`);
  check('seed', Number.isInteger(c.seed) && c.seed >= 0 && c.seed <= 0xffffffff, `seed must be a whole number from 0 to 4294967295 (got ${c.seed})`);
  if (problems.length === 0) {
    const tooLarge = networkTooLarge([features, ...c.hidden, classes], Math.max(c.batchSize, EVAL_ROWS));
    check('hidden', tooLarge === null, tooLarge!);
  }
  return problems;
}

/** The MLP's layers: each hidden layer is linear, activation, then dropout if r > 0. */
export function mlpLayers(c: TrainingConfig, classes: number): LayerSpec[] {
  const layers: LayerSpec[] = [];
  for (const units of c.hidden) {
    layers.push({ type: 'linear', out: units }, { type: c.activation });
    if (c.dropout > 0) layers.push({ type: 'dropout', rate: c.dropout });
  }
  layers.push({ type: 'linear', out: classes });
  return layers;
}
