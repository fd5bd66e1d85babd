import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Linear, SGD, type Network } from '../../engine';
import { assertRounds, float64Network, setLinear } from './helpers';

/** worked-example-sigmoid-mse.md: the 3-2-2 sigmoid network with squared error. */
function workedExample(): { net: Network; X: Float64Array; Y: Float64Array } {
  const net = float64Network(3, [{ type: 'linear', out: 2 }, { type: 'sigmoid' }, { type: 'linear', out: 2 }, { type: 'sigmoid' }], 'mse', 1);
  setLinear(net.layers[0], [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], [0.5, 0.5]);
  setLinear(net.layers[2], [[0.7, 0.9], [0.8, 0.1]], [0.5, 0.5]);
  return { net, X: Float64Array.of(1, 4, 5), Y: Float64Array.of(0.1, 0.05) };
}

function expectRounded(actual: ArrayLike<number>, expected: number[], what: string): void {
  expected.forEach((e, i) => assertRounds(actual[i], e, 4, `${what}[${i}]`));
}

test('worked example: forward pass reproduces s1, a1, s2, a2 and E', () => {
  const { net, X, Y } = workedExample();
  net.forward(X, 1, true);
  const E = net.computeLoss(Y, 1);
  const [s1, a1, s2, a2] = net.layers.map((l) => l.output);
  expectRounded(s1, [4.3, 5.3], 's1');
  expectRounded(a1, [0.9866, 0.995], 'a1');
  expectRounded(s2, [2.0862, 1.3888], 's2');
  expectRounded(a2, [0.8896, 0.8004], 'a2');
  assertRounds(E, 0.5932, 4, 'E');
});

test('worked example: backward pass reproduces the selected gradients', () => {
  const { net, X, Y } = workedExample();
  net.forward(X, 1, true);
  net.computeLoss(Y, 1);
  net.backward();
  const first = net.layers[0] as Linear, second = net.layers[2] as Linear;
  // Bias row 0 of the handout's w2 is b2; its gradient is dE/ds2.
  assertRounds(second.db[0], 0.0776, 4, 'dE/dw2[0,1]');
  assertRounds(second.db[1], 0.1199, 4, 'dE/dw2[0,2]');
  expectRounded(net.layers[1].gradOutput!, [0.1502, 0.0818], 'dE/da1');
  assertRounds(first.db[0], 0.002, 4, 'dE/dw1[0,1]');
  // w1[3,1] connects input x_3 = 5 (index 2) to hidden unit 1 (row 0).
  assertRounds(first.dW[2], 0.0099, 4, 'dE/dw1[3,1]');
  // The handout's bias rule, b as weight 0 on a constant input x_0 = 1: dE/db = dE/ds.
  assert.deepEqual(Array.from(first.db), Array.from(net.layers[1].gradInput!.subarray(0, 2)));
});

test('worked example: one SGD step at learning rate 0.01 moves every weight by -0.01 times its gradient', () => {
  const { net, X, Y } = workedExample();
  const before = net.parameters().map((p) => Array.from(p.value));
  net.forward(X, 1, true);
  net.computeLoss(Y, 1);
  net.backward();
  const grads = net.parameters().map((p) => Array.from(p.grad));
  new SGD(net.parameters(), { learningRate: 0.01, momentum: 0, lambda: 0, l2Biases: false }, 'float64').step();
  net.parameters().forEach((p, k) => {
    p.value.forEach((w, i) => assert.equal(w, before[k][i] - 0.01 * grads[k][i]));
  });
  // The printed gradients, applied: b2[0] = 0.5 - 0.01 * 0.0776, W1[0][2] = 0.5 - 0.01 * 0.0099.
  assertRounds((net.layers[2] as Linear).b[0], 0.4992, 4, "b2[0]'");
  assertRounds((net.layers[0] as Linear).W[2], 0.4999, 4, "W1[0][2]'");
});
