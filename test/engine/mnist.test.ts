import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EMBEDDED_SPLIT, loadEmbeddedDigits, loadEmbeddedSplits, mnistPackageFolder, type Dataset } from '../../engine';

test('the embedded data are the 10,000 real digits of the mnist package, in one Float32Array', () => {
  const all = loadEmbeddedDigits();
  assert.equal(all.count, 10000);
  assert.ok(all.images instanceof Float32Array);
  assert.equal(all.images.length, 10000 * 784);
  let min = Infinity, max = -Infinity, zeros = 0;
  for (const v of all.images) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    if (v === 0) zeros++;
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  // Handwriting covers about a fifth of the 28x28 square.
  assert.ok(zeros / all.images.length > 0.7 && zeros / all.images.length < 0.9);
  const perClass = new Array(10).fill(0);
  for (const label of all.labels) perClass[label]++;
  assert.deepEqual(perClass, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
});

function fingerprints(d: Dataset): Set<string> {
  const set = new Set<string>();
  for (let e = 0; e < d.count; e++) set.add(Array.from(d.images.subarray(e * 784, (e + 1) * 784)).join(','));
  return set;
}

test("the packed digits in dist/ are exactly the mnist package's JSON values, class by class", () => {
  const all = loadEmbeddedDigits();
  let offset = 0;
  for (let digit = 0; digit < 10; digit++) {
    const values = JSON.parse(fs.readFileSync(path.join(mnistPackageFolder(), `${digit}.json`), 'utf8')).data as number[];
    const count = values.length / 784;
    assert.deepEqual(all.images.subarray(offset * 784, (offset + count) * 784), Float32Array.from(values), `digit ${digit}`);
    assert.ok(all.labels.subarray(offset, offset + count).every((label) => label === digit));
    offset += count;
  }
  assert.equal(offset, all.count);
});

test('the embedded split is 8,000 / 1,000 / 1,000, disjoint, and the same every time', () => {
  const a = loadEmbeddedSplits(), b = loadEmbeddedSplits();
  assert.deepEqual([a.train.count, a.validation.count, a.test.count], [...EMBEDDED_SPLIT]);
  assert.deepEqual(a.test.images, b.test.images);
  assert.deepEqual(a.train.labels, b.train.labels);
  const test = fingerprints(a.test);
  let shared = 0;
  for (const f of fingerprints(a.validation)) if (test.has(f)) shared++;
  // The package holds a few duplicate digits; a split that leaked would share hundreds.
  assert.ok(shared < 5, `${shared} validation digits are also test digits`);
  // Shuffled: every class is in every split.
  for (const split of [a.train, a.validation, a.test]) assert.equal(new Set(split.labels).size, 10);
});
