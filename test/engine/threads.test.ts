import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createWasmKernels, DEFAULT_CONFIG, Linear, loadEmbeddedSplits, Random, Trainer, wasmKernels, wasmProblem, type Kernels, type TrainingConfig } from '../../engine';
import { copyInto, randomArray, sparse } from './helpers';

// The first layer's products split with a helper thread (engine/nn/wasmThreads.ts) give the numbers of one thread, bit for bit.

const skip = wasmKernels() ? false : `no WebAssembly SIMD here: ${wasmProblem()}`;

/** Kernels of a build on two threads, once their helper is ready (it starts in the background). */
async function twoThreads(variant?: 'relaxed-simd' | 'simd'): Promise<Kernels> {
  const kernels = createWasmKernels(variant, 2);
  for (let waited = 0; kernels.threads !== 2; waited += 10) {
    if (waited > 10000) assert.fail('the helper thread was not ready after 10 s');
    await sleep(10);
  }
  return kernels;
}

/** Y, dW, db, the rows' marks, and W after the fused step, of one set of inputs on `kernels`. */
function products(kernels: Kernels, values: Record<'X' | 'Wt' | 'b' | 'dY', Float64Array>, N: number, I: number, O: number): number[][] {
  const X = copyInto(kernels, values.X), Wt = copyInto(kernels, values.Wt), b = copyInto(kernels, values.b), dY = copyInto(kernels, values.dY);
  const Y = copyInto(kernels, new Array(N * O).fill(9)), dWt = copyInto(kernels, new Array(I * O).fill(9)), db = copyInto(kernels, new Array(O).fill(9));
  const rows = kernels.allocateMask(I).fill(1), stepped = copyInto(kernels, values.Wt), fusedDb = copyInto(kernels, new Array(O).fill(9));
  kernels.linearForwardInputMajor!(X, Wt, b, Y, N, I, O);
  kernels.linearParameterGradientsInputMajor!(dY, X, dWt, db, rows, N, I, O);
  kernels.linearSgdStepInputMajor!(dY, X, stepped, copyInto(kernels, dWt), fusedDb, kernels.allocateMask(I).fill(1), N, I, O, 0.05);
  return [Y, dWt, db, rows, stepped, fusedDb].map((a) => Array.from(a));
}

// One panel (the helper's part is empty), two, five of unequal widths (the 128 of the sigmoid network), and the homework's 36.
const SHAPES = [[3, 9, 4], [5, 37, 28], [17, 31, 32], [64, 784, 128], [9, 100, 1000], [70, 50, 20]];

for (const variant of ['relaxed-simd', 'simd'] as const) {
  test(`${variant}: the first layer's products on two threads are those of one, bit for bit`, { skip }, async () => {
    const one = createWasmKernels(variant), two = await twoThreads(variant);
    const random = new Random(5);
    try {
      for (const [N, I, O] of SHAPES) {
        for (const dense of [false, true]) {
          const values = { X: dense ? randomArray(random, N * I) : sparse(random, N * I), Wt: randomArray(random, I * O), b: randomArray(random, O), dY: randomArray(random, N * O) };
          assert.deepEqual(products(two, values, N, I, O), products(one, values, N, I, O), `Y, dW, db, the marks and the stepped W, N=${N} I=${I} O=${O}${dense ? ' (dense)' : ''}`);
        }
      }
      assert.equal(two.threads, 2, 'the helper did its parts throughout');
    } finally {
      two.close!();
    }
  });
}

test('a run on two threads is the run on one, step for step (the homework network and the sigmoid one)', { skip }, async () => {
  const data = loadEmbeddedSplits(), two = await twoThreads();
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

test('a product that fails on both threads throws on the caller\'s, after the helper is done; the next product is right', { skip }, async () => {
  const two = await twoThreads(), one = createWasmKernels(), random = new Random(8);
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
