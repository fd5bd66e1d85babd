import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random, typescriptKernels as k } from '../../engine';
import { randomArray } from './helpers';

/** The products written the obvious way, one entry at a time. */
const naive = {
  forward(X: Float64Array, W: Float64Array, b: Float64Array, N: number, I: number, O: number): number[] {
    const Y: number[] = [];
    for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) {
      let s = b[o];
      for (let i = 0; i < I; i++) s += X[n * I + i] * W[o * I + i];
      Y.push(s);
    }
    return Y;
  },
  dW(dY: Float64Array, X: Float64Array, N: number, I: number, O: number): number[] {
    const dW: number[] = [];
    for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) {
      let s = 0;
      for (let n = 0; n < N; n++) s += dY[n * O + o] * X[n * I + i];
      dW.push(s);
    }
    return dW;
  },
  dX(dY: Float64Array, W: Float64Array, N: number, I: number, O: number): number[] {
    const dX: number[] = [];
    for (let n = 0; n < N; n++) for (let i = 0; i < I; i++) {
      let s = 0;
      for (let o = 0; o < O; o++) s += dY[n * O + o] * W[o * I + i];
      dX.push(s);
    }
    return dX;
  },
};

function assertClose(actual: ArrayLike<number>, expected: number[], what: string): void {
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) < 1e-12 * (1 + Math.abs(e)), `${what}[${i}]: ${actual[i]} != ${e}`));
}

// Every remainder path of the tiling: batches of 1 to 9 and odd layer sizes.
const SHAPES = [[1, 1, 1], [1, 7, 3], [2, 5, 4], [3, 9, 5], [4, 16, 8], [5, 13, 10], [6, 3, 7], [7, 784, 11], [9, 31, 17]];

for (const [N, I, O] of SHAPES) {
  test(`kernels agree with the obvious loops: N=${N} I=${I} O=${O}`, () => {
    const random = new Random(N * 100 + I + O);
    const X = randomArray(random, N * I), W = randomArray(random, O * I), b = randomArray(random, O), dY = randomArray(random, N * O);
    // Buffers start dirty: kernels must overwrite, not accumulate onto, what was there.
    const Y = new Float64Array(N * O).fill(9), dW = new Float64Array(O * I).fill(9), db = new Float64Array(O).fill(9), dX = new Float64Array(N * I).fill(9);
    k.linearForward(X, W, b, Y, N, I, O);
    k.linearParameterGradients(dY, X, dW, db, N, I, O);
    k.linearInputGradient(dY, W, dX, N, I, O);
    assertClose(Y, naive.forward(X, W, b, N, I, O), 'Y');
    assertClose(dW, naive.dW(dY, X, N, I, O), 'dW');
    assertClose(db, naive.dW(dY, new Float64Array(N).fill(1), N, 1, O), 'db');
    assertClose(dX, naive.dX(dY, W, N, I, O), 'dX');
  });
}
