import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { autoThreads, createWasmKernels, DEFAULT_CONFIG, Linear, loadEmbeddedSplits, Random, Trainer, wasmKernels, wasmProblem, type Float, type Kernels, type TrainingConfig } from '../../engine';
import { copyInto, randomArray, sparse } from './helpers';

// The linear layers' products split with a helper thread (engine/nn/wasmThreads.ts) give the numbers of one thread, bit for bit.

const skip = wasmKernels() ? false : `no WebAssembly SIMD here: ${wasmProblem()}`;

/** Kernels of a build on two threads: their helper has started when they are made. */
function twoThreads(variant?: 'relaxed-simd' | 'simd'): Kernels {
  const kernels = createWasmKernels(variant, 2);
  assert.equal(kernels.threads, 2, 'the helper thread started');
  assert.match(kernels.title, /, the products on 2 threads$/);
  return kernels;
}

/**
 * Y, dW, db, the rows' marks, and W after the fused step, of one set of inputs
 * on `kernels`, as a first layer's input-major products; then Y, dW, db and dX
 * of the dense products, with Wt read as an O x I matrix.
 */
function products(kernels: Kernels, values: Record<'X' | 'Wt' | 'b' | 'dY', Float64Array>, N: number, I: number, O: number): number[][] {
  const X = copyInto(kernels, values.X), Wt = copyInto(kernels, values.Wt), b = copyInto(kernels, values.b), dY = copyInto(kernels, values.dY);
  const nines = (length: number): Float => copyInto(kernels, new Array(length).fill(9));
  const Y = nines(N * O), dWt = nines(I * O), db = nines(O);
  const rows = kernels.allocateMask(I).fill(1), stepped = copyInto(kernels, values.Wt), fusedDb = nines(O);
  kernels.linearForwardInputMajor!(X, Wt, b, Y, N, I, O);
  kernels.linearParameterGradientsInputMajor!(dY, X, dWt, db, rows, N, I, O);
  kernels.linearSgdStepInputMajor!(dY, X, stepped, copyInto(kernels, dWt), fusedDb, kernels.allocateMask(I).fill(1), N, I, O, 0.05);
  const denseY = nines(N * O), dW = nines(O * I), denseDb = nines(O), dX = nines(N * I);
  kernels.linearForward(X, Wt, b, denseY, N, I, O);
  kernels.linearParameterGradients(dY, X, dW, denseDb, N, I, O);
  kernels.linearInputGradient(dY, Wt, dX, N, I, O);
  return [Y, dWt, db, rows, stepped, fusedDb, denseY, dW, denseDb, dX].map((a) => Array.from(a));
}

// Input-major: one panel (the helper's part is empty), two, five of unequal widths (the 128 of the sigmoid network), and
// the homework's 36; dW's lists are built on two threads where the products are split, with an odd number of inputs at
// 40 x 63 x 64. Dense: split by examples at 64 x 784 x 128, and with an odd number of examples at 9 x 100 x 1000 and
// 33 x 128 x 64; the others are too small to split.
const SHAPES = [[3, 9, 4], [5, 37, 28], [17, 31, 32], [64, 784, 128], [9, 100, 1000], [70, 50, 20], [33, 128, 64], [40, 63, 64]];

for (const variant of ['relaxed-simd', 'simd'] as const) {
  test(`${variant}: the linear layers' products on two threads are those of one, bit for bit`, { skip }, () => {
    const one = createWasmKernels(variant), two = twoThreads(variant);
    const random = new Random(5);
    try {
      for (const [N, I, O] of SHAPES) {
        for (const dense of [false, true]) {
          const values = { X: dense ? randomArray(random, N * I) : sparse(random, N * I), Wt: randomArray(random, I * O), b: randomArray(random, O), dY: randomArray(random, N * O) };
          assert.deepEqual(products(two, values, N, I, O), products(one, values, N, I, O), `Y, dW, db, the marks, the stepped W, and the dense Y, dW, db and dX, N=${N} I=${I} O=${O}${dense ? ' (dense X)' : ''}`);
        }
      }
      assert.equal(two.threads, 2, 'the helper did its parts throughout');
    } finally {
      two.close!();
    }
  });
}

test('a run on two threads is the run on one, step for step (the homework network and the sigmoid one)', { skip }, () => {
  const data = loadEmbeddedSplits(), two = twoThreads();
  try {
    const configs: TrainingConfig[] = [{ ...DEFAULT_CONFIG, batchSize: 64 }, { ...DEFAULT_CONFIG, hidden: [128, 64], activation: 'sigmoid', dropout: 0, batchSize: 32 }];
    for (const config of configs) {
      const a = new Trainer(config, data, { kernels: createWasmKernels() }), b = new Trainer(config, data, { kernels: two });
      for (let s = 0; s < 30; s++) assert.equal(b.trainStep().loss, a.trainStep().loss, `the loss of step ${s + 1} (hidden ${config.hidden})`);
      const first = (t: Trainer): Linear => t.network.layers[0] as Linear;
      assert.deepEqual(Array.from(first(b).W), Array.from(first(a).W), `the first layer's W after 30 steps (hidden ${config.hidden})`);
    }
  } finally {
    two.close!();
  }
});

test('a product that fails on both threads throws on the caller\'s, after the helper is done; the next product is right', { skip }, () => {
  const two = twoThreads(), one = createWasmKernels(), random = new Random(8);
  const N = 8, I = 20, O = 64;
  try {
    const Wt = copyInto(two, randomArray(random, I * O)), b = copyInto(two, randomArray(random, O)), X = copyInto(two, sparse(random, N * I));
    // Y's view ends at the memory's end: both parts write past it.
    const end = Wt.buffer.byteLength, Y = new Float32Array(Wt.buffer, end - 16, 4);
    assert.throws(() => two.linearForwardInputMajor!(X, Wt, b, Y, N, I, O), WebAssembly.RuntimeError);
    const values = { X: sparse(random, N * I), Wt: randomArray(random, I * O), b: randomArray(random, O), dY: randomArray(random, N * O) };
    assert.deepEqual(products(two, values, N, I, O), products(one, values, N, I, O), 'the products after the failure');
    assert.equal(two.threads, 2);
    two.close!();
    assert.equal(two.threads, 1, 'closed: one thread');
    assert.deepEqual(products(two, values, N, I, O), products(one, values, N, I, O), 'the products after close(), on one thread');
  } finally {
    two.close!();
  }
});

test('a helper thread that does not start leaves the products on one thread, and the title says why', { skip }, () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'helper-')), script = path.join(folder, 'broken.js');
  fs.writeFileSync(script, "throw new Error('a broken install');\n");
  const kernels = createWasmKernels(undefined, 2, { script, startMs: 300 }), one = createWasmKernels(), random = new Random(9);
  fs.rmSync(folder, { recursive: true });
  assert.equal(kernels.threads, 1);
  assert.match(kernels.title, /, on one thread: its helper thread did not start within 0\.3 s$/);
  const N = 12, I = 40, O = 64;
  const values = { X: sparse(random, N * I), Wt: randomArray(random, I * O), b: randomArray(random, O), dY: randomArray(random, N * O) };
  assert.deepEqual(products(kernels, values, N, I, O), products(one, values, N, I, O));
});

test('"auto" trains on two threads where two cores are left to the editor', () => {
  assert.deepEqual([1, 2, 3, 4, 8, 16].map(autoThreads), [1, 1, 1, 2, 2, 2]);
});
