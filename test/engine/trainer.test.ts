import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, identityOrder, Linear, loadEmbeddedSplits, Probe, subset, Trainer, wasmKernels, wasmProblem, type Kernels, type Splits, type TrainingConfig } from '../../engine';

const embedded = loadEmbeddedSplits();

/** The first 600 training digits: enough for the runs below to differ or agree. */
const small: Splits = { ...embedded, train: subset(embedded.train, identityOrder(600)) };
const SMALL: TrainingConfig = { ...DEFAULT_CONFIG, hidden: [48], batchSize: 10, epochs: 1 };

function weights(trainer: Trainer): Float32Array[] {
  return trainer.network.parameters().map((p) => p.value as Float32Array);
}

test('the same seed gives the same weights, bit for bit; another seed gives others', () => {
  const a = new Trainer(SMALL, small), b = new Trainer(SMALL, small), c = new Trainer({ ...SMALL, seed: 43 }, small);
  for (const t of [a, b, c]) t.runEpoch();
  assert.deepEqual(weights(a), weights(b));
  assert.notDeepEqual(weights(a), weights(c));
});

test('float32 and float64 runs of the same code agree within float32 rounding', () => {
  const config = { ...SMALL, dropout: 0 };
  const f32 = new Trainer(config, small, { precision: 'float32' });
  const f64 = new Trainer(config, small, { precision: 'float64' });
  assert.ok(f64.network.parameters()[0].value instanceof Float64Array);
  for (let s = 0; s < 20; s++) {
    const l32 = f32.trainStep().loss, l64 = f64.trainStep().loss;
    assert.ok(Math.abs(l32 - l64) < 1e-5 * Math.abs(l64), `step ${s}: loss ${l32} vs ${l64}`);
  }
  // As the math writes W: float32 on the SIMD kernels stores the first layer's input-major.
  const w32 = (f32.network.layers[0] as Linear).matrix('W'), w64 = (f64.network.layers[0] as Linear).matrix('W');
  let worst = 0;
  for (let i = 0; i < w64.length; i++) worst = Math.max(worst, Math.abs(w32[i] - w64[i]));
  assert.ok(worst < 1e-5, `weights differ by up to ${worst}`);
});

test('the loss reported is data loss plus lambda/2 sum ||W||^2, taken before the update', () => {
  const trainer = new Trainer({ ...SMALL, lambda: 0.01 }, small, { precision: 'float64' });
  let squares = 0;
  for (const layer of trainer.network.layers) if (layer instanceof Linear) for (const w of layer.W) squares += w * w;
  const s = trainer.trainStep();
  assert.ok(Math.abs(s.penalty - 0.005 * squares) < 1e-12 * squares);
  assert.equal(s.loss, s.dataLoss + s.penalty);
  assert.ok(s.dataLoss > 2 && s.dataLoss < 2.6, `a fresh net is near ln 10 = 2.30, got ${s.dataLoss}`);
});

test('the last mini-batch of an epoch takes the remaining examples, and the epoch then ends', () => {
  const trainer = new Trainer({ ...SMALL, batchSize: 256 }, small);
  const rows: number[] = [];
  trainer.runEpoch((s) => rows.push(s.rows));
  assert.deepEqual(rows, [256, 256, 88]);
  assert.equal(trainer.epoch, 1);
  assert.ok(trainer.finished);
});

test('the homework network learns: one epoch on the embedded digits reaches 0.9 test accuracy', () => {
  const trainer = new Trainer({ ...DEFAULT_CONFIG, epochs: 1 }, embedded);
  const epoch = trainer.runEpoch()!;
  const test = trainer.evaluate(embedded.test);
  console.log(`one epoch of the homework network: loss ${epoch.loss.toFixed(4)}, validation ${epoch.validationAccuracy}, test ${test.accuracy}, ${Math.round(epoch.samplesPerSecond)} samples/s`);
  assert.ok(epoch.loss < 1.0, `mean training loss ${epoch.loss}`);
  assert.ok(test.accuracy >= 0.9, `test accuracy ${test.accuracy}`);
});

test('sub-steps walk forward layer by layer, the loss, backward from the last layer, then the update', () => {
  const trainer = new Trainer(SMALL, small);
  const phases: string[] = [];
  while (!trainer.readyToUpdate) {
    trainer.advance();
    const p = trainer.phase;
    phases.push(p.kind === 'forward' || p.kind === 'backward' ? `${p.kind} ${p.layer}` : p.kind);
  }
  // linear, relu, dropout, linear
  assert.deepEqual(phases, ['forward 0', 'forward 1', 'forward 2', 'forward 3', 'loss', 'backward 3', 'backward 2', 'backward 1', 'backward 0']);
  trainer.advance(); // only the update is left: nothing happens
  assert.equal(trainer.step, 0);
  trainer.update();
  assert.equal(trainer.phase.kind, 'ready');
  assert.equal(trainer.step, 1);
});

test('stepping through sub-steps gives exactly the weights of uninterrupted steps with the same seed', () => {
  const stepped = new Trainer(SMALL, small), whole = new Trainer(SMALL, small);
  // 70 steps cross the end of the first epoch (60 steps), and so a reshuffle.
  for (let s = 0; s < 70; s++) {
    while (!stepped.readyToUpdate) stepped.advance();
    const a = stepped.update(), b = whole.trainStep();
    assert.equal(a.loss, b.loss);
  }
  assert.deepEqual(weights(stepped), weights(whole));
  assert.throws(() => stepped.update(), /the update comes after the forward and backward passes/);
});

test('a whole step takes the first layer\'s update with its backward pass: the same weights, and the same dW when it is asked for', () => {
  const wasm = wasmKernels();
  if (!wasm) return assert.fail(`no WebAssembly SIMD here: ${wasmProblem()}`);
  const firstDW = (t: Trainer): Float32Array => (t.network.layers[0] as Linear).matrix('dW') as Float32Array;
  // dW is left to be computed when asked for, at a small mini-batch and a large one.
  for (const batchSize of [10, 100]) {
    let fused = 0;
    const counting: Kernels = {
      ...wasm,
      linearSgdStepInputMajor(...a) {
        fused++;
        wasm.linearSgdStepInputMajor!(...a);
      },
    };
    const config = { ...SMALL, batchSize };
    const stepped: Trainer = new Trainer(config, small, { kernels: wasm }), whole: Trainer = new Trainer(config, small, { kernels: counting });
    for (let s = 0; s < 12; s++) {
      while (!stepped.readyToUpdate) stepped.advance();
      assert.equal(stepped.update().loss, whole.trainStep().loss);
      if (s % 5 === 4) assert.deepEqual(firstDW(whole), firstDW(stepped), `dW after step ${s + 1}, mini-batches of ${batchSize}`);
    }
    assert.equal(fused, 12);
    // A sub-step of the next batch overwrites the inputs that dW comes from: it is computed before that.
    whole.advance();
    assert.deepEqual(firstDW(whole), firstDW(stepped), `dW read after the next batch began, mini-batches of ${batchSize}`);
    assert.deepEqual(weights(whole), weights(stepped));
  }
  // With a velocity or an L2 term the update is not W -= eta dW alone: the optimizer takes it, after dW.
  for (const config of [{ ...SMALL, momentum: 0.9 }, { ...SMALL, lambda: 0.01 }]) {
    let fused = 0;
    const t = new Trainer(config, small, { kernels: { ...wasm, linearSgdStepInputMajor: () => fused++ } });
    t.trainStep();
    assert.equal(fused, 0);
  }
});

test('the validation confusion matrix counts each digit in its true row and predicted column, as the network reads it alone', () => {
  const t = new Trainer(SMALL, small);
  const epoch = t.runEpoch()!;
  const v = small.validation, K = v.classes, probe = new Probe(t.network);
  const expected = new Array<number>(K * K).fill(0);
  for (let n = 0; n < v.count; n++) expected[v.labels[n] * K + probe.read(v.images.subarray(n * 784, (n + 1) * 784), null).predicted]++;
  assert.deepEqual(epoch.confusion, expected);
  assert.equal(expected.reduce((a, b) => a + b, 0), v.count);
  const diagonal = expected.filter((_, i) => i % (K + 1) === 0).reduce((a, b) => a + b, 0);
  assert.equal(epoch.validationAccuracy, diagonal / v.count);
  assert.ok(diagonal < v.count, 'a network after one small epoch still gets some wrong');
});
