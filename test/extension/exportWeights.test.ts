import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, Random, type ExportedLayer } from '../../engine';
import { weightsAsSpec } from '../../extension/exportWeights';

test('exported weights are a network spec whose numbers read back as the same float32 values', () => {
  const random = new Random(3);
  const W = Float32Array.from({ length: 6 }, () => random.normal(0, 0.1));
  const b = Float32Array.of(0.1, -0.25);
  const layers: ExportedLayer[] = [{ type: 'linear', in: 3, out: 2, W, b }, { type: 'relu' }, { type: 'dropout', rate: 0.5 }];
  const spec = JSON.parse(weightsAsSpec(layers, { ...DEFAULT_CONFIG, lambda: 0.001 }));
  assert.deepEqual(spec.layers.map((l: { type: string }) => l.type), ['linear', 'relu', 'dropout']);
  assert.equal(spec.layers[0].W.length, 2);
  assert.equal(spec.layers[0].W[0].length, 3);
  assert.deepEqual(Float32Array.from(spec.layers[0].W.flat()), W);
  assert.deepEqual(spec.layers[0].b, [0.1, -0.25]);
  assert.deepEqual(spec.layers[2], { type: 'dropout', rate: 0.5 });
  assert.deepEqual(spec.optimizer, { learningRate: 0.01, momentum: 0, l2: 0.001 });
  assert.equal(spec.loss, 'softmax-cross-entropy');
  assert.deepEqual(spec.data, { dataset: 'mnist' });
});
