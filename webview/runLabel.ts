import type { TrainingConfig } from '../engine/train/config';

/** A network's hidden layers in a few characters: "sigmoid x5" when they are all alike, else "relu 128-64". */
function network(c: TrainingConfig): string {
  const alike = c.hidden.length > 1 && c.hidden.every((h) => h === c.hidden[0]);
  return alike ? `${c.activation} x${c.hidden.length}` : `${c.activation} ${c.hidden.join('-')}`;
}

/** The settings a label may name: a name ("" for the network, which names itself) and the value in words. */
const SETTINGS: [string, (c: TrainingConfig) => string | number][] = [
  ['', network],
  ['lr ', (c) => c.learningRate],
  ['momentum ', (c) => c.momentum],
  ['dropout ', (c) => c.dropout],
  ['batch ', (c) => c.batchSize],
  ['L2 ', (c) => c.lambda],
  ['epochs ', (c) => c.epochs],
  ['seed ', (c) => c.seed],
];

/**
 * A pinned run's label against the current run, naming only what differs:
 * "sigmoid x5 vs relu x5", "lr 0.1 vs 0.01". Without a current run, or with
 * nothing different, the pinned run's network and learning rate.
 */
export function runLabel(pinned: TrainingConfig, current: TrainingConfig | null): string {
  const differences = current ? SETTINGS.filter(([, value]) => value(pinned) !== value(current)) : [];
  if (differences.length === 0) return `${network(pinned)}, lr ${pinned.learningRate}${current ? ' (same settings)' : ''}`;
  return differences.map(([name, value]) => `${name}${value(pinned)} vs ${value(current!)}`).join(', ');
}
