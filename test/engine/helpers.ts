import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, Linear, loadEmbeddedSplits, Network, Random, RunRecorder, takeSnapshot, Trainer, type Float, type Kernels, type LayerSpec, type LossType, type RunRecord, type TrainingConfig } from '../../engine';

/** A float64 network for exact-number tests, with every linear layer's dL/dX computed. */
export function float64Network(inputs: number, layers: LayerSpec[], loss: LossType, rows: number, seed = 1): Network {
  return new Network(inputs, layers, { precision: 'float64', maxRows: rows, loss, random: new Random(seed), inputGradient: true });
}

/** Sets a linear layer's W (given as rows) and b. */
export function setLinear(layer: unknown, W: number[][], b: number[]): void {
  assert.ok(layer instanceof Linear);
  layer.W.set(W.flat());
  layer.b.set(b);
}

/** Asserts that `actual` rounds to `expected` at `decimals` decimals, the way a handout prints it. */
export function assertRounds(actual: number, expected: number, decimals: number, what: string): void {
  const scale = 10 ** decimals;
  assert.equal(Math.round(actual * scale) / scale, expected, `${what}: ${actual} does not round to ${expected}`);
}

export function randomArray(random: Random, n: number, scale = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = random.normal(0, scale);
  return a;
}

/** Zeros in blocks and alone, as in digits: about four inputs in five. */
export function sparse(random: Random, n: number): Float64Array {
  const a = randomArray(random, n);
  for (let i = 0; i < n; i++) if (random.uniform() < 0.8 || (i >> 3) % 3 === 0) a[i] = 0;
  return a;
}

/** The same numbers in a buffer of the given kernels (float32). */
export function copyInto(kernels: Kernels, values: ArrayLike<number>): Float {
  const a = kernels.allocate('float32', values.length);
  a.set(Array.from(values));
  return a;
}

/** A short real run recorded as the host records it: a snapshot after every step, each epoch's result. */
export function recorded(config: TrainingConfig = { ...DEFAULT_CONFIG, hidden: [32, 16], batchSize: 100, epochs: 2 }, steps = Infinity): RunRecord {
  const data = loadEmbeddedSplits(), t = new Trainer(config, data), recorder = new RunRecorder(config);
  for (let s = 0; s < steps && !t.finished; s++) {
    t.trainStep();
    recorder.snapshot(takeSnapshot(t, null));
    if (t.atEpochEnd) recorder.epoch(t.endEpoch(t.evaluate(data.validation)));
  }
  return recorder.record();
}

