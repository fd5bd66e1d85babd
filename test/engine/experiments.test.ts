import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPERIMENTS, loadEmbeddedSplits, takeSnapshot, Trainer, type TrainingConfig } from '../../engine';

const data = loadEmbeddedSplits();

/** A run of an experiment to its end: its losses per step, validation accuracy, and each linear layer's last ‖dW‖. */
function run(config: TrainingConfig): { losses: number[]; accuracy: number; norms: number[] } {
  const t = new Trainer(config, data), losses: number[] = [];
  let accuracy = 0;
  while (!t.finished) {
    losses.push(t.trainStep().loss);
    if (t.atEpochEnd) accuracy = t.endEpoch(t.evaluate(data.validation)).validationAccuracy;
  }
  return { losses, accuracy, norms: takeSnapshot(t, null).layers.flatMap((l) => (l.type === 'linear' ? [l.dWNorm!] : [])) };
}

const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
const outcome = (id: string): [ReturnType<typeof run>, ReturnType<typeof run>] => {
  const e = EXPERIMENTS.find((x) => x.id === id)!;
  return [run(e.runs[0]), run(e.runs[1])];
};

test('each experiment\'s sentence holds for its two runs', () => {
  const [sigmoid, relu] = outcome('vanishing');
  assert.ok(sigmoid.norms[0] / sigmoid.norms[5] < 1e-2, `sigmoid: first ‖dW‖ ${sigmoid.norms[0]} against the last ${sigmoid.norms[5]}`);
  assert.ok(relu.norms[0] / relu.norms[5] > 0.3, `relu: first ‖dW‖ ${relu.norms[0]} against the last ${relu.norms[5]}`);

  const [dropout, none] = outcome('dropout');
  assert.ok(mean(dropout.losses.slice(-50)) > mean(none.losses.slice(-50)), 'dropout: a higher training loss');
  assert.ok(Math.abs(dropout.accuracy - none.accuracy) < 0.03, `close validation accuracy: ${dropout.accuracy} and ${none.accuracy}`);

  const [large, homework] = outcome('learningRate');
  assert.ok(mean(large.losses.slice(0, 50)) > 1.5 * mean(homework.losses.slice(0, 50)), 'a large rate leaps up over the first steps');

  const [momentum, plain] = outcome('momentum');
  assert.ok(mean(momentum.losses.slice(0, 50)) < mean(plain.losses.slice(0, 50)), 'momentum falls faster at first');
});
