import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { DataFileError, IDX_FILES, idxFile, loadEmbeddedDigits, loadIdxFolder } from '../../engine';
import { holds } from '../fuzz';

const digits = loadEmbeddedDigits();
const folders: string[] = [];
after(() => folders.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Real MNIST digits back as the bytes they were scaled from. */
function pixelBytes(first: number, count: number): Uint8Array {
  return Uint8Array.from(digits.images.subarray(first * 784, (first + count) * 784), (v) => Math.round(v * 255));
}


/** A folder of the four files: 12 training digits from 0, 6 test digits from 5000. */
function writeFolder(gzip: boolean, change: (files: Record<string, Buffer>) => void = () => {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idx-'));
  folders.push(dir);
  const files: Record<string, Buffer> = {
    [IDX_FILES.trainImages]: idxFile([12, 28, 28], pixelBytes(0, 12)),
    [IDX_FILES.trainLabels]: idxFile([12], digits.labels.subarray(0, 12)),
    [IDX_FILES.testImages]: idxFile([6, 28, 28], pixelBytes(5000, 6)),
    [IDX_FILES.testLabels]: idxFile([6], digits.labels.subarray(5000, 5006)),
  };
  change(files);
  for (const [name, bytes] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, gzip ? `${name}.gz` : name), gzip ? zlib.gzipSync(bytes) : bytes);
  }
  return dir;
}

for (const gzip of [false, true]) {
  test(`IDX files ${gzip ? 'gzipped' : 'raw'} load as pixels in [0, 1] with their labels`, () => {
    const splits = loadIdxFolder(writeFolder(gzip));
    assert.deepEqual([splits.train.count, splits.validation.count, splits.test.count], [10, 2, 6]);
    const bytes = pixelBytes(0, 12);
    splits.train.images.forEach((v, i) => assert.equal(v, Math.fround(bytes[i] / 255)));
    // The held-out validation digits are the last of the training file.
    assert.equal(splits.validation.images[0], Math.fround(bytes[10 * 784] / 255));
    assert.deepEqual(Array.from(splits.train.labels), Array.from(digits.labels.subarray(0, 10)));
    assert.deepEqual(Array.from(splits.test.labels), Array.from(digits.labels.subarray(5000, 5006)));
    // The bytes are the digits the mnist package scaled: within its rounding to 3 decimals.
    splits.test.images.forEach((v, i) => assert.ok(Math.abs(v - digits.images[5000 * 784 + i]) < 0.0025));
    assert.equal(splits.train.features, 784);
  });
}

const MALFORMED: [string, (f: Record<string, Buffer>) => void, string, RegExp][] = [
  ['a wrong magic number', (f) => { f[IDX_FILES.trainImages].writeUInt32BE(0x0801, 0); }, IDX_FILES.trainImages, /wrong magic number 0x00000801, expected 0x00000803/],
  ['a truncated images file', (f) => { f[IDX_FILES.testImages] = f[IDX_FILES.testImages].subarray(0, 1000); }, IDX_FILES.testImages, /truncated: the header promises 6 x 28 x 28 = 4704 bytes of data, the file holds 984/],
  ['a header cut short', (f) => { f[IDX_FILES.trainLabels] = f[IDX_FILES.trainLabels].subarray(0, 6); }, IDX_FILES.trainLabels, /truncated: 6 bytes, shorter than the 8-byte IDX header/],
  ['image and label counts that differ', (f) => { f[IDX_FILES.trainLabels] = idxFile([11], digits.labels.subarray(0, 11)); }, IDX_FILES.trainLabels, /holds 11 labels but .*train-images-idx3-ubyte holds 12 images/],
  ['a label out of range', (f) => { f[IDX_FILES.testLabels] = idxFile([6], Uint8Array.of(1, 2, 3, 10, 4, 5)); }, IDX_FILES.testLabels, /label 10 of example 3 is out of range 0..9/],
  ['a header that promises more than the size limit', (f) => { f[IDX_FILES.trainImages] = idxFile([2000000, 28, 28], pixelBytes(0, 12)); }, IDX_FILES.trainImages, /the header promises 2000000 x 28 x 28 = 1,568,000,000 bytes, more than the limit of 1,073,741,824 \(the file holds 9,408\)/],
  ['a header with a size of 0', (f) => { f[IDX_FILES.testImages] = idxFile([6, 0, 28], pixelBytes(5000, 6)); }, IDX_FILES.testImages, /the header's sizes 6 x 0 x 28 hold no data/],
  ['too few training images for a validation share', (f) => { f[IDX_FILES.trainImages] = idxFile([3, 28, 28], pixelBytes(0, 3)); f[IDX_FILES.trainLabels] = idxFile([3], digits.labels.subarray(0, 3)); }, IDX_FILES.trainImages, /holds 3 images; 6 at least are needed/],
  ['a missing file', (f) => { delete f[IDX_FILES.testLabels]; }, IDX_FILES.testLabels, /missing: put t10k-labels-idx1-ubyte \(or t10k-labels-idx1-ubyte.gz\) into/],
];

for (const [what, change, file, message] of MALFORMED) {
  test(`IDX: ${what} stops with an error naming ${file}`, () => {
    const dir = writeFolder(false, change);
    assert.throws(() => loadIdxFolder(dir), (e: unknown) => {
      assert.ok(e instanceof DataFileError);
      assert.equal(path.basename(e.file), file);
      assert.ok(e.message.startsWith(path.join(dir, file)), e.message);
      assert.match(e.message, message);
      return true;
    });
  });
}

test('IDX: a corrupt gzip file and a missing folder stop with their errors', () => {
  const dir = writeFolder(true);
  const file = path.join(dir, `${IDX_FILES.trainImages}.gz`);
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(file, bytes.subarray(0, bytes.length / 2));
  assert.throws(() => loadIdxFolder(dir), /train-images-idx3-ubyte.gz: not a valid gzip file/);
  assert.throws(() => loadIdxFolder(path.join(dir, 'nope')), /nope: no such folder: give a folder that holds the four IDX files/);
});

test('fuzz: IDX files with bytes flipped, cut or appended load correctly or stop with a DataFileError naming the file', () => {
  const names = Object.values(IDX_FILES);
  const damage = fc.record({
    file: fc.constantFrom(...names),
    gzip: fc.boolean(),
    kind: fc.constantFrom('flip', 'cut', 'append'),
    // Most damage lands in the header, where it matters most; some anywhere.
    at: fc.oneof(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 0, max: 10000 })),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  });
  holds('IDX loader', fc.property(damage, ({ file, gzip, kind, at, bytes }) => {
    const dir = writeFolder(gzip, (files) => {
      const original = files[file];
      const i = Math.min(at, original.length - 1);
      if (kind === 'cut') files[file] = original.subarray(0, i);
      else if (kind === 'append') files[file] = Buffer.concat([original, bytes]);
      else {
        const copy = Buffer.from(original);
        bytes.forEach((b, k) => { if (i + k < copy.length) copy[i + k] ^= b || 1; });
        files[file] = copy;
      }
    });
    try {
      const splits = loadIdxFolder(dir);
      // A correct load: every label a class, every pixel in [0, 1], the split as the header says.
      for (const set of [splits.train, splits.validation, splits.test]) {
        assert.ok(set.count > 0 && set.labels.every((l) => l < 10) && set.images.every((v) => v >= 0 && v <= 1));
        assert.equal(set.images.length, set.count * set.features);
      }
    } catch (e) {
      assert.ok(e instanceof DataFileError, String(e));
      assert.ok(e.message.startsWith(dir), e.message);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }), 300);
});
