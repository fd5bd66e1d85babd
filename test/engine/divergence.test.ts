import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, firstNonFinite, likelyCause, Linear, loadEmbeddedSplits, takeSnapshot, Trainer } from '../../engine';

const embedded = loadEmbeddedSplits();

test('a learning rate of 1e30 stops the run at the step where the first NaN appears, that step unapplied and readable', () => {
  const trainer = new Trainer({ ...DEFAULT_CONFIG, learningRate: 1e30, momentum: 0.99 }, embedded);
  const first = trainer.trainStep();
  assert.equal(first.divergence, null);
  const last = trainer.network.layers[3] as Linear;
  const W = Float32Array.from(last.W);
  assert.equal(trainer.runEpoch(), null, 'the epoch ends early');
  const d = trainer.divergence!;
  assert.deepEqual({ step: d.step, epoch: d.epoch, layer: d.layer, pass: d.pass, tensor: d.tensor, value: d.value }, { step: 2, epoch: 1, layer: 3, pass: 'forward', tensor: 'output', value: 'NaN' });
  assert.equal(d.message, "Training diverged at step 2 (epoch 1): the first NaN appeared in the output of layer 3 (linear) in the forward pass. Likely cause: the learning rate 1e+30 is far too large for this network; 0.01 is the homework's value.");
  // Paused at that step: its update was not applied, and its records are there to inspect.
  assert.equal(trainer.step, 1);
  assert.ok(trainer.readyToUpdate);
  assert.deepEqual(last.W, W);
  assert.ok(Number.isNaN(last.output[0]));
  assert.ok(Number.isFinite(trainer.network.layers[0].output[0]), 'the layers before it are finite');
  const snapshot = takeSnapshot(trainer, null);
  assert.ok(Number.isNaN(snapshot.loss) && snapshot.step === 1 && snapshot.phase.kind === 'backward');
  // Asked again, the step stays where it broke.
  assert.equal(trainer.trainStep().divergence, d);
  assert.equal(trainer.step, 1);
});

test('the scan reports the first bad value in the order the step computed it: parameters, forward, loss, backward', () => {
  const trainer = new Trainer({ ...DEFAULT_CONFIG, hidden: [16], dropout: 0 }, embedded);
  while (!trainer.readyToUpdate) trainer.advance();
  const [first, , last] = trainer.network.layers as [Linear, unknown, Linear];
  const { dataLoss, penalty } = trainer.currentLoss;
  assert.equal(firstNonFinite(trainer.network, dataLoss, penalty), null);
  last.dW[7] = Infinity;
  assert.deepEqual(firstNonFinite(trainer.network, dataLoss, penalty), { layer: 2, pass: 'backward', tensor: 'dW', value: 'Infinity' });
  first.output[3] = NaN;
  assert.deepEqual(firstNonFinite(trainer.network, dataLoss, penalty), { layer: 0, pass: 'forward', tensor: 'output', value: 'NaN' });
  first.b[0] = -Infinity;
  assert.deepEqual(firstNonFinite(trainer.network, dataLoss, penalty), { layer: 0, pass: 'update', tensor: 'b', value: 'Infinity' });
});

test('a gradient gone NaN stops the update even while the loss is finite', () => {
  const trainer = new Trainer({ ...DEFAULT_CONFIG, hidden: [16], dropout: 0 }, embedded);
  while (!trainer.readyToUpdate) trainer.advance();
  const hidden = trainer.network.layers[1];
  hidden.gradOutput![2] = NaN;
  const W = Float32Array.from((trainer.network.layers[0] as Linear).W);
  const s = trainer.update();
  assert.ok(Number.isFinite(s.loss));
  assert.equal(s.divergence?.step, 1);
  assert.deepEqual((trainer.network.layers[0] as Linear).W, W);
});

test('the likely cause follows the configuration', () => {
  assert.equal(likelyCause({ learningRate: 5, momentum: 0 }), "the learning rate 5 is far too large for this network; 0.01 is the homework's value");
  assert.match(likelyCause({ learningRate: 0.01, momentum: 0.99 }), /^momentum 0\.99 lets the steps grow/);
  assert.equal(likelyCause({ learningRate: 0.5, momentum: 0 }), "the learning rate 0.5 is too large for this network; try 0.05, or 0.01, the homework's value");
});
