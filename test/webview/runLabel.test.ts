import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, EXPERIMENTS } from '../../engine';
import { runLabel } from '../../webview/runLabel';

test('a pinned run is labelled by what differs from the current run, and only that', () => {
  const [sigmoid, relu] = EXPERIMENTS.find((e) => e.id === 'vanishing')!.runs;
  assert.equal(runLabel(sigmoid, relu), 'sigmoid x5 vs relu x5');
  assert.equal(runLabel({ ...DEFAULT_CONFIG, learningRate: 0.1 }, DEFAULT_CONFIG), 'lr 0.1 vs 0.01');
  assert.equal(runLabel({ ...DEFAULT_CONFIG, momentum: 0.9, dropout: 0 }, DEFAULT_CONFIG), 'momentum 0.9 vs 0, dropout 0 vs 0.5');
  assert.equal(runLabel({ ...DEFAULT_CONFIG, hidden: [128, 64], activation: 'sigmoid' }, DEFAULT_CONFIG), 'sigmoid 128-64 vs relu 1000');
});

test('with nothing different, or no current run, the label says which network and rate it is', () => {
  assert.equal(runLabel(DEFAULT_CONFIG, DEFAULT_CONFIG), 'relu 1000, lr 0.01 (same settings)');
  assert.equal(runLabel({ ...DEFAULT_CONFIG, hidden: [64, 64] }, null), 'relu x2, lr 0.01');
});
