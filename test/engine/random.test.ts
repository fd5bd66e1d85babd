import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../engine';

test('the same seed gives the same stream; nearby seeds give unrelated ones', () => {
  const draw = (seed: number) => Array.from({ length: 8 }, ((r) => () => r.nextUint32())(new Random(seed)));
  assert.deepEqual(draw(42), draw(42));
  const a = draw(42), b = draw(43);
  assert.ok(a.every((x, i) => x !== b[i]));
});

test('uniform draws fill [0, 1) evenly and normal draws have the asked mean and deviation', () => {
  const r = new Random(1), n = 200000, bins = new Array(10).fill(0);
  let sum = 0, squares = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    bins[Math.floor(u * 10)]++;
    const z = r.normal(0, 0.1);
    sum += z;
    squares += z * z;
  }
  for (const count of bins) assert.ok(Math.abs(count / n - 0.1) < 0.003, `bin share ${count / n}`);
  assert.ok(Math.abs(sum / n) < 0.001);
  assert.ok(Math.abs(Math.sqrt(squares / n) - 0.1) < 0.001);
});

test('shuffle is a permutation, and integer(n) stays below n', () => {
  const r = new Random(5), a = Int32Array.from({ length: 1000 }, (_, i) => i);
  r.shuffle(a);
  assert.deepEqual(Array.from(a).sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  assert.notDeepEqual(Array.from(a.subarray(0, 20)), Array.from({ length: 20 }, (_, i) => i));
  for (let i = 0; i < 1000; i++) assert.ok(r.integer(7) < 7);
});

test('the stream of seed 42 is pinned: draws, a dropout mask drawn in one loop, and a normal', () => {
  const r = new Random(42);
  assert.deepEqual([r.nextUint32(), r.nextUint32()], [2837322924, 544945897]);
  const m = new Uint8Array(20);
  r.fillMask(m, 20, 0.5);
  assert.deepEqual(Array.from(m), [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0]);
  assert.equal(r.nextUint32(), 1109104519);
  assert.equal(r.normal(), 0.4419379056982928);
});
