import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dropout, Random, typescriptKernels } from '../../engine';

function dropout(rate: number, rows: number, features: number, precision: 'float32' | 'float64' = 'float64'): Dropout {
  return new Dropout(features, rate, { precision, maxRows: rows, random: new Random(7), kernels: typescriptKernels });
}

test('dropout keeps close to 1 - r of the units, scaled by 1 / (1 - r)', () => {
  for (const r of [0.2, 0.5, 0.8]) {
    const rows = 50, features = 1000, layer = dropout(r, rows, features);
    const Q = Float64Array.from({ length: rows * features }, (_, i) => 1 + (i % 13));
    const S = layer.forward(Q, rows, true);
    let kept = 0;
    for (let i = 0; i < rows * features; i++) {
      if (layer.mask[i]) {
        kept++;
        assert.equal(S[i], Q[i] / (1 - r));
      } else assert.equal(S[i], 0);
    }
    // 50,000 Bernoulli draws: the standard deviation of the kept share is at most 0.0023.
    assert.ok(Math.abs(kept / (rows * features) - (1 - r)) < 0.01, `r = ${r}: kept ${kept / (rows * features)}`);
  }
});

test('dropout draws a new mask on every training pass', () => {
  const layer = dropout(0.5, 4, 100);
  const Q = new Float64Array(400).fill(1);
  layer.forward(Q, 4, true);
  const first = layer.mask.slice();
  layer.forward(Q, 4, true);
  assert.notDeepEqual(layer.mask, first);
});

test('dropout is the identity at evaluation, forward and backward', () => {
  const layer = dropout(0.5, 3, 10);
  const Q = Float64Array.from({ length: 30 }, (_, i) => i - 15.5);
  assert.deepEqual(Array.from(layer.forward(Q, 3, false).subarray(0, 30)), Array.from(Q));
  assert.deepEqual(Array.from(layer.backward(Q).subarray(0, 30)), Array.from(Q));
});

test('dropout backward uses the mask of its forward pass', () => {
  const rows = 8, features = 64, r = 0.3, layer = dropout(r, rows, features);
  layer.forward(new Float64Array(rows * features).fill(2), rows, true);
  const mask = layer.mask.slice(0, rows * features);
  const dS = Float64Array.from({ length: rows * features }, (_, i) => (i % 7) - 3);
  const dQ = layer.backward(dS);
  assert.deepEqual(layer.mask.slice(0, rows * features), mask, 'backward must not draw');
  for (let i = 0; i < rows * features; i++) {
    const expected = mask[i] ? dS[i] / (1 - r) : 0;
    assert.ok(dQ[i] === expected, `dQ[${i}] = ${dQ[i]}, expected ${expected}`); // === takes -0 for 0
  }
});

test('a fixed mask is used as given in every training pass', () => {
  const layer = dropout(0.5, 1, 4);
  layer.fixMask([1, 0, 0, 1]);
  const S = layer.forward(Float64Array.of(1, 2, 3, 4), 1, true);
  assert.deepEqual(Array.from(S), [2, 0, 0, 8]);
  layer.forward(Float64Array.of(1, 2, 3, 4), 1, true);
  assert.deepEqual(Array.from(layer.mask), [1, 0, 0, 1]);
});

test('dropout rejects a rate outside [0, 1)', () => {
  assert.throws(() => dropout(1, 1, 4), /dropout rate must be in \[0, 1\), got 1/);
  assert.throws(() => dropout(-0.1, 1, 4), /got -0.1/);
});
