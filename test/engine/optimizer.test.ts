import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SGD, type Parameter, type SgdOptions } from '../../engine';

/** W = (1, -2) with raw gradient (0.5, 0.25), b = (0.5) with raw gradient (1). */
function parameters(): Parameter[] {
  return [
    { name: 'W', value: Float64Array.of(1, -2), grad: new Float64Array(2) },
    { name: 'b', value: Float64Array.of(0.5), grad: new Float64Array(1) },
  ];
}

/** Two steps with the same raw gradients, as if the batch loss had not changed. */
function twoSteps(options: SgdOptions): number[][] {
  const params = parameters(), sgd = new SGD(params, options, 'float64');
  for (let s = 0; s < 2; s++) {
    params[0].grad.set([0.5, 0.25]);
    params[1].grad.set([1]);
    sgd.step();
  }
  return params.map((p) => Array.from(p.value));
}

function assertClose(actual: number[][], expected: number[][]): void {
  actual.flat().forEach((a, i) => assert.ok(Math.abs(a - expected.flat()[i]) < 1e-12, `${a} != ${expected.flat()[i]}`));
}

test('momentum and L2 on the weights: two hand-computed steps', () => {
  // eta 0.1, alpha 0.9, lambda 0.01.
  // W_1: g = 0.5 + 0.01 * 1 = 0.51, v = -0.051, w = 0.949;   g = 0.25 - 0.02 = 0.23, v = -0.023, w = -2.023
  // W_2: g = 0.5 + 0.00949 = 0.50949, v = 0.9 * -0.051 - 0.050949 = -0.096849, w = 0.852151
  //      g = 0.25 - 0.02023 = 0.22977, v = 0.9 * -0.023 - 0.022977 = -0.043677, w = -2.066677
  // b (no L2): v = -0.1, b = 0.4; v = -0.09 - 0.1 = -0.19, b = 0.21
  assertClose(twoSteps({ learningRate: 0.1, momentum: 0.9, lambda: 0.01, l2Biases: false }), [[0.852151, -2.066677], [0.21]]);
});

test('L2 on the biases too (l2Biases), with momentum: two hand-computed steps', () => {
  // b: g = 1 + 0.005 = 1.005, v = -0.1005, b = 0.3995; g = 1 + 0.003995, v = -0.09045 - 0.1003995 = -0.1908495, b = 0.2086505
  assertClose(twoSteps({ learningRate: 0.1, momentum: 0.9, lambda: 0.01, l2Biases: true }), [[0.852151, -2.066677], [0.2086505]]);
});

test('plain SGD with L2, and momentum <= 0 meaning none: two hand-computed steps', () => {
  // W: 1 - 0.1 * 0.51 = 0.949, then 0.949 - 0.1 * 0.50949 = 0.898051; -2 - 0.023 = -2.023, then -2.023 - 0.022977 = -2.045977
  // b: 0.5 - 0.1 = 0.4, then 0.3
  const expected = [[0.898051, -2.045977], [0.3]];
  assertClose(twoSteps({ learningRate: 0.1, momentum: 0, lambda: 0.01, l2Biases: false }), expected);
  assertClose(twoSteps({ learningRate: 0.1, momentum: -0.5, lambda: 0.01, l2Biases: false }), expected);
});

test('the penalty is lambda / 2 times the squared norms, with or without the biases', () => {
  const options = { learningRate: 0.1, momentum: 0, lambda: 0.01, l2Biases: false };
  assert.equal(new SGD(parameters(), options, 'float64').penalty(), 0.025);
  assert.equal(new SGD(parameters(), { ...options, l2Biases: true }, 'float64').penalty(), 0.02625);
  assert.equal(new SGD(parameters(), { ...options, lambda: 0 }, 'float64').penalty(), 0);
});

test('after a step the gradient buffer holds the gradient the step used, lambda w included', () => {
  const params = parameters();
  params[0].grad.set([0.5, 0.25]);
  new SGD(params, { learningRate: 0.1, momentum: 0, lambda: 0.01, l2Biases: false }, 'float64').step();
  assertClose([Array.from(params[0].grad)], [[0.51, 0.23]]);
});
