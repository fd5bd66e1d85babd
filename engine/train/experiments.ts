import { DEFAULT_CONFIG, type TrainingConfig } from './config';

/** A comparison of two short runs, and the one thing to look at in it. */
export interface Experiment {
  readonly id: string;
  readonly title: string;
  /** What the comparison shows, in one sentence. */
  readonly lookAt: string;
  readonly runs: readonly [TrainingConfig, TrainingConfig];
}

/** Two epochs on the embedded digits, mini-batches of 32: a few seconds a run. */
const SHORT: TrainingConfig = { ...DEFAULT_CONFIG, batchSize: 32, epochs: 2 };
const DEEP = [64, 64, 64, 64, 64];

export const EXPERIMENTS: readonly Experiment[] = [
  {
    id: 'vanishing',
    title: 'Vanishing gradients: 5 sigmoid layers against 5 ReLU layers',
    lookAt: 'In Gradient norms, the first layer\'s ‖dW‖ is orders of magnitude below the last one\'s with sigmoid, and close to it with ReLU.',
    runs: [
      { ...SHORT, hidden: DEEP, activation: 'sigmoid', dropout: 0 },
      { ...SHORT, hidden: DEEP, activation: 'relu', dropout: 0 },
    ],
  },
  {
    id: 'dropout',
    title: 'Dropout 0.5 against none',
    lookAt: 'In Learning curves, dropout makes the training loss noisier and higher, while the validation accuracy stays close.',
    runs: [SHORT, { ...SHORT, dropout: 0 }],
  },
  {
    id: 'learningRate',
    title: 'A learning rate too large (1.0) against the homework\'s 0.01',
    lookAt: 'In Learning curves, the loss with 1.0 leaps up over the first steps before it settles, while with 0.01 it falls smoothly.',
    runs: [{ ...SHORT, learningRate: 1 }, SHORT],
  },
  {
    id: 'momentum',
    title: 'Momentum 0.9 against none',
    lookAt: 'In Learning curves, the loss with momentum falls faster over the first steps, at the same learning rate.',
    runs: [{ ...SHORT, momentum: 0.9 }, SHORT],
  },
];
