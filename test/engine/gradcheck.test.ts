import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkLayer, checkNetwork, Dropout, Linear, Random, ReLU, Sigmoid, Tanh,
  type BuildContext, type Float, type GradientCheck, type Layer, type LayerSpec, type LossType, typescriptKernels,
} from '../../engine';
import { float64Network, randomArray } from './helpers';

const TOLERANCE = 1e-6;

function assertChecks(checks: GradientCheck[], what: string): void {
  assert.ok(checks.length > 0);
  for (const c of checks) {
    assert.ok(c.maxRelativeError < TOLERANCE, `${what}, ${c.name}: max relative error ${c.maxRelativeError}`);
  }
}

function context(rows: number, seed = 3): BuildContext {
  return { precision: 'float64', maxRows: rows, random: new Random(seed), kernels: typescriptKernels };
}

const LAYERS: [string, (features: number, ctx: BuildContext) => Layer][] = [
  ['linear', (f, ctx) => new Linear(f, 6, ctx)],
  ['relu', (f, ctx) => new ReLU(f, ctx)],
  ['tanh', (f, ctx) => new Tanh(f, ctx)],
  ['sigmoid', (f, ctx) => new Sigmoid(f, ctx)],
  ['dropout', (f, ctx) => new Dropout(f, 0.4, ctx)],
];

for (const [name, make] of LAYERS) {
  test(`gradient check: ${name} layer, batch of 4`, () => {
    const rows = 4, features = 7, random = new Random(11);
    const layer = make(features, context(rows));
    const X = randomArray(random, rows * features);
    const R = randomArray(random, rows * layer.outFeatures);
    if (layer instanceof Linear) layer.b.set(randomArray(random, layer.b.length));
    if (layer instanceof Dropout) {
      layer.forward(X, rows, true);
      layer.fixMask(layer.mask.slice(0, rows * features));
    }
    assertChecks(checkLayer(layer, X, R, rows), name);
  });
}

for (const loss of ['softmax-cross-entropy', 'mse'] as LossType[]) {
  test(`gradient check: ${loss} loss, batch of 5`, () => {
    const rows = 5, K = 4, random = new Random(5);
    const net = float64Network(K, [], loss, rows);
    const A = randomArray(random, rows * K, 2);
    const Y = loss === 'mse' ? randomArray(random, rows * K) : oneHot(random, rows, K);
    assertChecks(checkNetwork(net, A, Y, rows), loss);
  });
}

function oneHot(random: Random, rows: number, K: number): Float64Array {
  const Y = new Float64Array(rows * K);
  for (let n = 0; n < rows; n++) Y[n * K + random.integer(K)] = 1;
  return Y;
}

const STACKS: { name: string; inputs: number; layers: LayerSpec[]; loss: LossType }[] = [
  {
    name: "the lecture's 5-7-4-3 sigmoid network, softmax, batch of 4",
    inputs: 5,
    layers: [{ type: 'linear', out: 7 }, { type: 'sigmoid' }, { type: 'linear', out: 4 }, { type: 'sigmoid' }, { type: 'linear', out: 3 }],
    loss: 'softmax-cross-entropy',
  },
  {
    name: 'relu + dropout, tanh, mse output through sigmoid',
    inputs: 6,
    layers: [
      { type: 'linear', out: 9 }, { type: 'relu' }, { type: 'dropout', rate: 0.5 },
      { type: 'linear', out: 5 }, { type: 'tanh' }, { type: 'linear', out: 3 }, { type: 'sigmoid' },
    ],
    loss: 'mse',
  },
  {
    name: 'the homework shape in small: linear, relu, dropout, linear, softmax',
    inputs: 12,
    layers: [{ type: 'linear', out: 20 }, { type: 'relu' }, { type: 'dropout', rate: 0.5 }, { type: 'linear', out: 10 }],
    loss: 'softmax-cross-entropy',
  },
];

for (const stack of STACKS) {
  test(`gradient check: ${stack.name}`, () => {
    const rows = 4, random = new Random(9);
    const net = float64Network(stack.inputs, stack.layers, stack.loss, rows, 21);
    const K = net.outFeatures;
    const X = randomArray(random, rows * stack.inputs);
    const Y = stack.loss === 'mse' ? Float64Array.from(randomArray(random, rows * K), (v) => 1 / (1 + Math.exp(-v))) : oneHot(random, rows, K);
    net.forward(X, rows, true);
    for (const layer of net.layers) if (layer instanceof Dropout) layer.fixMask(layer.mask.slice(0, rows * layer.inFeatures));
    const checks = checkNetwork(net, X, Y, rows);
    assert.equal(checks.length, 2 * net.layers.filter((l) => l instanceof Linear).length + 1);
    assertChecks(checks, stack.name);
  });
}

test('the gradient check itself fails on a wrong gradient', () => {
  const rows = 3, features = 4, random = new Random(2);
  const layer = new Tanh(features, context(rows));
  // A wrong derivative: claims tanh' = 1 everywhere.
  Object.defineProperty(layer, 'chain', { value: (_U: Float, _H: Float, dH: Float, dU: Float, n: number) => dU.set(dH.subarray(0, n)) });
  const checks = checkLayer(layer, randomArray(random, rows * features), randomArray(random, rows * features), rows);
  assert.ok(checks[0].maxRelativeError > 1e-3, `a wrong gradient passed with ${checks[0].maxRelativeError}`);
});
