import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, Random, type ExportedLayer } from '../../engine';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { weightsAsSpec, writeFileWhole } from '../../extension/exportWeights';

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

test('Export Weights writes the file whole or not at all: a folder that cannot be written, or a failed rename, leaves nothing behind', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-'));
  try {
    const file = path.join(dir, 'trained.mlp.json');
    await writeFileWhole(file, '{"layers": []}');
    assert.equal(fs.readFileSync(file, 'utf8'), '{"layers": []}');
    assert.deepEqual(fs.readdirSync(dir), ['trained.mlp.json'], 'no temporary file stays');
    // A "folder" that is a file cannot be written: a clear error naming the file.
    await assert.rejects(writeFileWhole(path.join(file, 'inside.mlp.json'), '{}'), (e: Error) => {
      assert.equal(e.message, `could not write ${path.join(file, 'inside.mlp.json')} (ENOTDIR): choose a folder you can write to, with space left; nothing was written`);
      return true;
    });
    // The rename fails (the target is a folder): the temporary file is removed and the folder untouched.
    const folder = path.join(dir, 'taken.mlp.json');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'keep'), 'x');
    await assert.rejects(writeFileWhole(folder, '{}'), /could not write .*taken\.mlp\.json \(EISDIR\)/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['taken.mlp.json', 'trained.mlp.json']);
    assert.deepEqual(fs.readdirSync(folder), ['keep']);
    assert.equal(fs.readFileSync(file, 'utf8'), '{"layers": []}', 'the earlier export is intact');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
