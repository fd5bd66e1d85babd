import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_CONFIG, fillBatch, Linear, loadEmbeddedSplits, panelIndex, Random, Trainer, typescriptKernels as k, wasmKernels, createWasmKernels, wasmProblem, type Float, type InputLists, type Kernels,
} from '../../engine';
import { copyInto, randomArray, sparse } from './helpers';

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

// ---- the WebAssembly SIMD kernels against the TypeScript ones ----

const wasm = wasmKernels();
/** Both builds, each tested: relaxed SIMD (fused multiply-add) and plain SIMD. */
const BUILDS = wasm ? (['relaxed-simd', 'simd'] as const).map((variant) => createWasmKernels(variant)) : [];

/** Float32 results of two summation orders agree to a few float32 roundings of the terms' size. */
function assertNear(actual: ArrayLike<number>, expected: ArrayLike<number>, scale: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const tolerance = 1e-6 * (1 + scale[i]);
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `${what}[${i}]: ${actual[i]} != ${expected[i]} (within ${tolerance})`);
  }
}

/** An O x I matrix in the input-major panels of the SIMD kernels (toPanels), and back. */
function toPanels(W: ArrayLike<number>, O: number, I: number): Float64Array {
  const at = panelIndex(O, I), t = new Float64Array(O * I);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) t[at(o, i)] = W[o * I + i];
  return t;
}

function fromPanels(t: ArrayLike<number>, O: number, I: number): Float64Array {
  const at = panelIndex(O, I), W = new Float64Array(O * I);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) W[o * I + i] = t[at(o, i)];
  return W;
}

// Outputs that make panels of every width from 1 to 7 vectors (4, 8, ... 28; 32 = 4 + 4, 1000 = 34 x 7 + 2 x 6).
const WASM_SHAPES = [...SHAPES, [1, 784, 1000], [5, 784, 33], [8, 100, 12], [13, 17, 3], [3, 9, 20], [2, 11, 24], [6, 30, 28], [4, 10, 32], [3, 40, 16], [70, 784, 128]];

for (const wasm of BUILDS) {
for (const [N, I, O] of WASM_SHAPES) {
  for (const density of ['dense', 'sparse'] as const) {
    test(`${wasm.name} kernels agree with the TypeScript ones: N=${N} I=${I} O=${O}, ${density} inputs`, () => {
      const random = new Random(N * 1000 + I + O + (density === 'sparse' ? 1 : 0));
      const values = {
        X: density === 'sparse' ? sparse(random, N * I) : randomArray(random, N * I),
        W: randomArray(random, O * I), b: randomArray(random, O), dY: randomArray(random, N * O),
      };
      const run = (kernels: Kernels): Record<string, Float> => {
        const X = copyInto(kernels, values.X), W = copyInto(kernels, values.W), b = copyInto(kernels, values.b), dY = copyInto(kernels, values.dY);
        // Buffers start dirty: kernels must overwrite, not accumulate onto, what was there.
        const Y = copyInto(kernels, new Array(N * O).fill(9)), dW = copyInto(kernels, new Array(O * I).fill(9));
        const db = copyInto(kernels, new Array(O).fill(9)), dX = copyInto(kernels, new Array(N * I).fill(9));
        kernels.linearForward(X, W, b, Y, N, I, O);
        kernels.linearParameterGradients(dY, X, dW, db, N, I, O);
        kernels.linearInputGradient(dY, W, dX, N, I, O);
        return { Y, dW, db, dX };
      };
      const a = run(wasm), t = run(k);
      // The size of the terms each sum adds up, for the tolerance.
      const abs = (v: Float64Array): Float64Array => v.map(Math.abs);
      const scale = {
        Y: naive.forward(abs(values.X), abs(values.W), abs(values.b), N, I, O),
        dW: naive.dW(abs(values.dY), abs(values.X), N, I, O),
        db: naive.dW(abs(values.dY), new Float64Array(N).fill(1), N, 1, O),
        dX: naive.dX(abs(values.dY), abs(values.W), N, I, O),
      };
      for (const name of ['Y', 'dW', 'db', 'dX'] as const) assertNear(a[name], t[name], scale[name], name);
      // A first layer keeps W input-major, in panels, on these kernels (where O is a multiple of 4): the same numbers, moved.
      if (O % 4 !== 0) return;
      const Wt = copyInto(wasm, toPanels(values.W, O, I)), X = copyInto(wasm, values.X), b = copyInto(wasm, values.b), dY = copyInto(wasm, values.dY);
      const Y = copyInto(wasm, new Array(N * O).fill(9)), dWt = copyInto(wasm, new Array(I * O).fill(9)), db = copyInto(wasm, new Array(O).fill(9));
      wasm.linearForwardInputMajor!(X, Wt, b, Y, N, I, O);
      wasm.linearParameterGradientsInputMajor!(dY, X, dWt, db, wasm.allocateMask(I).fill(1), N, I, O);
      assertNear(Y, t.Y, scale.Y, 'Y (input-major)');
      assertNear(fromPanels(dWt, O, I), t.dW, scale.dW, 'dW (input-major)');
      assertNear(db, t.db, scale.db, 'db (input-major)');
    });
  }
}

test(`${wasm.name}: an input-major dW over batches that zero different inputs, and the update that skips its zero rows`, () => {
  const random = new Random(11);
  const N = 70, I = 50, O = 32;
  const dWt = copyInto(wasm, new Array(I * O).fill(9)), rows = wasm.allocateMask(I).fill(1), db = copyInto(wasm, new Array(O).fill(9));
  const W = randomArray(random, O * I), Wt = copyInto(wasm, toPanels(W, O, I));
  for (const zeroInputs of [[0, 1, 2, 3, 49], [4, 5, 6, 7, 8, 20], [], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]) {
    const values = { X: sparse(random, N * I), dY: randomArray(random, N * O) };
    for (const i of zeroInputs) for (let n = 0; n < N; n++) values.X[n * I + i] = 0;
    const X = copyInto(wasm, values.X), dY = copyInto(wasm, values.dY);
    // The update taken with dW's sums, on copies of the last batch's dW and marks (on all N examples, and on 5):
    // what it leaves there is no gradient, but the marks stay true of it.
    const fused = copyInto(wasm, Wt), fusedDb = copyInto(wasm, new Array(O).fill(9));
    for (const n of [5, N]) {
      const leftDW = copyInto(wasm, dWt), leftRows = wasm.allocateMask(I);
      leftRows.set(rows);
      wasm.linearSgdStepInputMajor!(dY, X, n === N ? fused : copyInto(wasm, Wt), leftDW, fusedDb, leftRows, n, I, O, 0.05);
      const left = fromPanels(leftDW, O, I);
      for (let i = 0; i < I; i++) {
        if (!leftRows[i]) for (let o = 0; o < O; o++) assert.equal(left[o * I + i], 0, `dW[${o}][${i}] is 0, as its mark says (N=${n})`);
      }
    }
    wasm.linearParameterGradientsInputMajor!(dY, X, dWt, db, rows, N, I, O);
    const expected = copyInto(k, new Array(O * I).fill(0)), expectedDb = copyInto(k, new Array(O).fill(0));
    k.linearParameterGradients(values.dY, values.X, expected, expectedDb, N, I, O);
    const dW = fromPanels(dWt, O, I);
    assertNear(dW, expected, naive.dW(values.dY.map(Math.abs), values.X.map(Math.abs), N, I, O), `dW (zero inputs ${zeroInputs})`);
    for (let i = 0; i < I; i++) {
      const used = Array.from({ length: N }, (_, n) => values.X[n * I + i]).some((x) => x !== 0);
      assert.equal(rows[i], used ? 1 : 0, `row ${i} is marked ${used ? 'used' : 'unused'}`);
      if (!used) for (let o = 0; o < O; o++) assert.equal(dW[o * I + i], 0, `dW[${o}][${i}] of an unused input`);
    }
    // The row-skipping update gives exactly what the full one gives, and so does the update taken with the sums.
    const full = copyInto(wasm, Wt);
    wasm.sgdStep(full, copyInto(wasm, dWt), null, 0.05, 0, 0, false);
    wasm.sgdStepInputMajor!(Wt, dWt, rows, I, O, 0.05);
    assert.deepEqual(Array.from(Wt), Array.from(full), 'W after the update');
    assert.deepEqual(Array.from(fused), Array.from(full), 'W after the update taken with dW\'s sums');
    assert.deepEqual(Array.from(fusedDb), Array.from(db), 'db of the fused pass');
  }
});

test(`${wasm.name}: a batch gathered from the images' lists is the batch fillBatch copies, and the first layer's products are the same with its lists as without`, () => {
  const random = new Random(21);
  const count = 40, I = 37, O = 12, eta = 0.05;
  const images = Float32Array.from(sparse(random, count * I));
  images[3 * I + 5] = NaN; // kept in the lists, as the kernels' own lists keep it
  images[3 * I + 6] = -0;
  const encoded = wasm.sparseImages!(images, count, I);
  assert.ok(encoded, 'digit-like images are kept as lists');
  assert.equal(wasm.sparseImages!(images, count, I), encoded, 'once per set of images');
  const data = { images, labels: Uint8Array.from({ length: count }, (_, e) => e % 3), count, features: I, classes: 3 };
  const order = Int32Array.from({ length: count }, (_, e) => (e * 7) % count), lists = wasm.allocateLists!(17, I), listsOnly = wasm.allocateLists!(17, I);
  const Wt = copyInto(wasm, randomArray(random, O * I)), b = copyInto(wasm, randomArray(random, O));
  for (const [start, N] of [[0, 1], [3, 17], [23, 17]]) {
    const X = copyInto(wasm, new Array(N * I).fill(9)), expected = new Float32Array(N * I);
    wasm.gatherRows!(encoded!, order, start, N, null, listsOnly);
    wasm.gatherRows!(encoded!, order, start, N, X, lists);
    fillBatch(data, order, start, N, expected, new Float32Array(N * 3));
    assert.deepEqual(Array.from(X), Array.from(expected), `X of examples ${start} to ${start + N - 1}`);
    const dY = copyInto(wasm, randomArray(random, N * O));
    const run = (given: InputLists | null): number[][] => {
      const Y = copyInto(wasm, new Array(N * O).fill(9)), dWt = copyInto(wasm, new Array(O * I).fill(9)), db = copyInto(wasm, new Array(O).fill(9));
      const stepped = copyInto(wasm, Wt), rows = wasm.allocateMask(I).fill(1);
      wasm.linearForwardInputMajor!(X, Wt, b, Y, N, I, O, given);
      wasm.linearParameterGradientsInputMajor!(dY, X, dWt, db, rows, N, I, O, given);
      wasm.linearSgdStepInputMajor!(dY, X, stepped, copyInto(wasm, dWt), db, wasm.allocateMask(I), N, I, O, eta, given);
      return [Y, dWt, db, rows, stepped].map((a) => Array.from(a));
    };
    const dense = run(null);
    assert.deepEqual(run(lists), dense, `Y, dW, db, the rows' marks and the stepped W of examples ${start} to ${start + N - 1}`);
    assert.deepEqual(run(listsOnly), dense, `the same with lists gathered without X's rows, examples ${start} to ${start + N - 1}`);
  }
  assert.throws(() => wasm.gatherRows!(encoded!, order, 0, 18, null, lists), /lists for 17 rows of 37 inputs cannot hold 18 rows of 37/);
  assert.throws(() => wasm.gatherRows!(encoded!, order, 0, 3, null, wasm.allocateLists!(17, I - 1)), /cannot hold 3 rows of 37/);
  assert.equal(wasm.sparseImages!(Float32Array.from(randomArray(random, 10 * I)), 10, I), null, 'images with few zeros are copied as they are');
});

test(`the ${wasm.name} update, activations and dropout mask agree with the TypeScript ones`, () => {
  const random = new Random(3);
  for (const n of [1, 7, 1001]) {
    // Gradients with zeros in blocks and alone, as a first layer's rows of inputs that were zero everywhere.
    const values = { w: randomArray(random, n), g: sparse(random, n), v: randomArray(random, n), u: randomArray(random, n) };
    const mask = Uint8Array.from({ length: n }, () => (random.uniform() < 0.5 ? 1 : 0));
    for (const [alpha, lambda, decays] of [[0, 0, false], [0.9, 0.01, true], [0.5, 0.1, false]] as const) {
      const run = (kernels: Kernels): Float[] => {
        const [w, g, v] = [values.w, values.g, values.v].map((x) => copyInto(kernels, x));
        kernels.sgdStep(w, g, alpha > 0 ? v : null, 0.05, alpha, lambda, decays);
        return [w, g, v];
      };
      const a = run(wasm), t = run(k);
      a.forEach((x, i) => assertNear(x, t[i], new Float64Array(n).fill(1), `sgd (alpha ${alpha}, lambda ${lambda})[${i}]`));
      if (alpha === 0 && !decays) values.g.forEach((g, i) => g === 0 && assert.equal(a[0][i], Math.fround(values.w[i]), 'a zero gradient leaves w exactly'));
    }
    const run = (kernels: Kernels): Float[] => {
      const U = copyInto(kernels, values.u), dH = copyInto(kernels, values.g), m = kernels.allocateMask(n);
      m.set(mask);
      const out = (): Float => copyInto(kernels, new Array(n).fill(9));
      const results = Array.from({ length: 7 }, out);
      const [reluH, reluDU, sigmoidH, sigmoidDT, tanhH, tanhDU, S] = results;
      kernels.reluForward(U, reluH, n);
      kernels.reluBackward(U, dH, reluDU, n);
      kernels.sigmoidForward(U, sigmoidH, n);
      kernels.sigmoidBackward(sigmoidH, dH, sigmoidDT, n);
      kernels.tanhForward(U, tanhH, n);
      kernels.tanhBackward(tanhH, dH, tanhDU, n);
      kernels.applyMask(U, m, S, n, 0.7);
      return results;
    };
    const a = run(wasm), t = run(k);
    const names = ['relu forward', 'relu backward', 'sigmoid forward', 'sigmoid backward', 'tanh forward', 'tanh backward', 'dropout mask'];
    names.forEach((what, i) => assertNear(a[i], t[i], new Float64Array(n).fill(1), what));
  }
});

test(`${wasm.name}: dropout's scaling at rate 0.5 is the TypeScript one exactly, and a dropped NaN or infinity stays NaN`, () => {
  const n = 37, random = new Random(11), a = randomArray(random, n);
  [a[0], a[6], a[16], a[35]] = [NaN, Infinity, -Infinity, -3];
  const mask = Uint8Array.from({ length: n }, (_, i) => (i < 18 ? i % 2 : 1 - (i % 2)));
  const run = (kernels: Kernels): Float => {
    const m = kernels.allocateMask(n), B = copyInto(kernels, new Array(n).fill(9));
    m.set(mask);
    kernels.applyMask(copyInto(kernels, a), m, B, n, 0.5);
    return B;
  };
  const w = run(wasm), t = run(k);
  for (let i = 0; i < n; i++) assert.ok(Object.is(w[i], t[i]), `entry ${i} (kept ${mask[i]}, a ${a[i]}): ${w[i]} != ${t[i]}`);
  assert.deepEqual([w[0], w[6], w[16], w[35]], [NaN, NaN, NaN, -0], 'dropped: NaN, infinity, minus infinity, -3');
  assert.equal(w[1], 2 * Math.fround(a[1]), 'kept, doubled');
});

test(`${wasm.name}: the vectorised sigmoid is within 3 units in the last place of float32 from -100 to 100, and keeps NaN and the limits`, () => {
  const n = 20005, T = wasm.allocate('float32', n), H = wasm.allocate('float32', n);
  for (let i = 0; i < n; i++) T[i] = -100 + (200 * i) / (n - 1);
  wasm.sigmoidForward(T, H, n);
  for (let i = 0; i < n; i++) {
    const exact = 1 / (1 + Math.exp(-T[i]));
    // Below float32's normal numbers the kernel flushes towards its smallest normal: absolute error, not relative.
    const allowed = exact > 2 ** -126 ? 3 * 2 ** -23 * exact : 2 ** -125;
    assert.ok(Math.abs(H[i] - exact) <= allowed, `sigmoid(${T[i]}) = ${H[i]}, not ${exact}`);
  }
  const special = wasm.allocate('float32', 5), out = wasm.allocate('float32', 5);
  special.set([NaN, Infinity, -Infinity, 0, 1e30]);
  wasm.sigmoidForward(special, out, 5);
  assert.ok(Number.isNaN(out[0]), 'a NaN stays NaN: divergence is still found');
  assert.equal(out[1], 1);
  assert.ok(out[2] >= 0 && out[2] <= 2 ** -125);
  assert.equal(out[3], 0.5);
  assert.equal(out[4], 1);
});

test(`${wasm.name}: dropout masks are the TypeScript draws, bit for bit, and allFinite finds every NaN and infinity`, () => {
  // One draw at a time below 64; above, runs of four lanes, 16 to 32,768 draws each, then the rest one at a time.
  for (const [n, rate] of [[1, 0.5], [7, 0.1], [63, 0.5], [64, 0.5], [67, 0.3], [1001, 0.5], [5000, 0.5], [64000, 0.9], [300001, 0.5]] as const) {
    const a = new Random(n), t = new Random(n), ma = wasm.allocateMask(n), mt = new Uint8Array(n);
    a.fillMask(ma, n, rate, wasm);
    t.fillMask(mt, n, rate);
    assert.deepEqual(ma, mt, `mask of ${n} at rate ${rate}`);
    assert.equal(a.nextUint32(), t.nextUint32(), 'the stream goes on from the same state');
    const kept = mt.reduce((s, m) => s + m, 0) / n;
    if (n > 1000) assert.ok(Math.abs(kept - (1 - rate)) < 0.02, `${kept} of the units kept at rate ${rate}`);
  }
  // The kernel compares whole numbers: thresholds at a draw, half a unit either side of it, and past every draw.
  const draw = new Random(3).nextUint32();
  for (const threshold of [draw, draw - 0.5, draw + 0.5, 0, -1, 2 ** 31 + 0.25, 2 ** 32 - 1, 2 ** 32 - 0.5, 2 ** 32, 2 ** 40, NaN, Infinity, -Infinity]) {
    const a = new Random(3), t = new Random(3), ma = wasm.allocateMask(64), mt = new Uint8Array(64);
    a.fillMask(ma, 64, threshold / 4294967296, wasm);
    t.fillMask(mt, 64, threshold / 4294967296);
    assert.deepEqual(ma, mt, `threshold ${threshold}`);
    assert.equal(ma[0], threshold <= draw ? 1 : 0, `the first draw, ${draw}, against ${threshold}`);
    assert.equal(a.nextUint32(), t.nextUint32(), `the stream after threshold ${threshold}`);
  }
  // The kernel reads sixteen numbers a step (one vector into each of four words of bits), then four, then one.
  for (const n of [1, 3, 4, 9, 37, 1000]) {
    const a = copyInto(wasm, randomArray(new Random(n), n));
    assert.equal(wasm.allFinite(a, n), true, `${n} finite numbers`);
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of new Set([0, 5, 10, 15, 33, n >> 1, n - 1].filter((i) => i < n))) {
        const b = copyInto(wasm, a);
        b[at] = bad;
        assert.equal(wasm.allFinite(b, n), false, `${bad} at ${at} of ${n}`);
        assert.equal(wasm.allFinite(b, at), true, `the ${at} entries before it`);
      }
    }
  }
});

test(`${wasm.name}: sums of squares (norms, L2 penalties) are the TypeScript float64 sums of the same float32 numbers`, () => {
  const random = new Random(5);
  assert.equal(wasm.sumOfSquares(copyInto(wasm, [1, 2, 3, 4, 5]), 5), 55);
  assert.equal(wasm.sumOfSquares(copyInto(wasm, [3, 4, 100]), 2), 25, 'only the first n');
  assert.equal(wasm.sumOfSquares(wasm.allocate('float32', 0), 0), 0);
  for (const n of [1, 6, 1001, 784000]) {
    const a = copyInto(wasm, randomArray(random, n)), expected = k.sumOfSquares(a, n);
    assert.ok(Math.abs(wasm.sumOfSquares(a, n) - expected) <= 1e-12 * expected, `n=${n}: ${wasm.sumOfSquares(a, n)} against ${expected}`);
  }
});

test(`training with the ${wasm.name} kernels follows the TypeScript run within float32 rounding`, () => {
  const data = loadEmbeddedSplits();
  const config = { ...DEFAULT_CONFIG, batchSize: 16 };
  let gathered = 0;
  const counting: Kernels = { ...wasm, gatherRows: (...args) => { gathered++; wasm.gatherRows!(...args); } };
  const a = new Trainer(config, data, { kernels: counting }), t = new Trainer(config, data, { kernels: k });
  for (let step = 0; step < 30; step++) {
    const sa = a.trainStep(), st = t.trainStep();
    assert.ok(Math.abs(sa.loss - st.loss) < 1e-4 * (1 + st.loss), `step ${step + 1}: loss ${sa.loss} against ${st.loss}`);
  }
  assert.equal(gathered, 30, 'each batch gathered from the digits\' lists');
  // A whole step gathers only the lists; X's rows come when something reads the batch, once.
  const rows = (trainer: Trainer): number[] => Array.from(trainer.batch.X.subarray(0, trainer.batch.rows * data.train.features));
  assert.deepEqual(rows(a), rows(t), 'the last batch\'s X, read after the step');
  assert.equal(gathered, 31, 'its rows gathered when read');
  rows(a);
  assert.equal(gathered, 31, 'and not again');
  const first = (trainer: Trainer): Float => (trainer.network.layers[0] as Linear).matrix('W');
  assertNear(first(a), first(t), new Float64Array(first(t).length).fill(1e2), 'W of layer 0 after 30 steps');
});
}

test('the default for float32 is the best WebAssembly build this runtime compiles (relaxed SIMD on Node 20 with its flag set), for float64 TypeScript', { skip: wasm ? false : `no WebAssembly SIMD here: ${wasmProblem()}` }, () => {
  const data = loadEmbeddedSplits();
  assert.equal(new Trainer(DEFAULT_CONFIG, data).network.kernels.name, 'wasm-relaxed-simd');
  assert.equal(new Trainer(DEFAULT_CONFIG, data, { precision: 'float64' }).network.kernels.name, 'typescript');
});
