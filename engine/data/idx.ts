import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Dataset, Splits } from './dataset';
import { grouped, LIMITS } from '../limits';

/**
 * The IDX files of MNIST and Fashion-MNIST, raw or gzipped, under the names that
 * torchvision and Keras save. A header of big-endian int32s: the magic number
 * 0x0000 08 DD (08 = unsigned bytes, DD = number of dimensions), then one size
 * per dimension, then the bytes.
 */

/** Pixels per image (28 x 28) and classes of MNIST and Fashion-MNIST. */
export const MNIST_FEATURES = 784;
export const MNIST_CLASSES = 10;

export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Share of the training file held out for validation (10,000 of MNIST's 60,000). */
const VALIDATION_SHARE = 1 / 6;

/** A data file that cannot be used; the message names the file and what is wrong. */
export class DataFileError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'DataFileError';
  }
}

interface IdxArray {
  readonly sizes: number[];
  readonly data: Uint8Array;
}

/** Parses one IDX file of unsigned bytes with `dimensions` dimensions. */
export function parseIdx(bytes: Uint8Array, dimensions: number, file: string): IdxArray {
  const headerBytes = 4 + 4 * dimensions;
  if (bytes.length < headerBytes) {
    throw new DataFileError(file, `truncated: ${bytes.length} bytes, shorter than the ${headerBytes}-byte IDX header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const expected = 0x0800 + dimensions;
  if (magic !== expected) {
    throw new DataFileError(
      file,
      `wrong magic number 0x${hex(magic)}, expected 0x${hex(expected)} (IDX unsigned bytes, ${dimensions} dimension${dimensions > 1 ? 's' : ''}); is this the right file?`,
    );
  }
  const sizes: number[] = [];
  for (let d = 0; d < dimensions; d++) sizes.push(view.getUint32(4 + 4 * d));
  if (sizes.includes(0)) throw new DataFileError(file, `the header's sizes ${sizes.join(' x ')} hold no data; is the file complete?`);
  const length = sizes.reduce((a, b) => a * b, 1);
  if (length > LIMITS.idxBytes) {
    throw new DataFileError(file, `the header promises ${sizes.join(' x ')} = ${grouped(length)} bytes, more than the limit of ${grouped(LIMITS.idxBytes)} (the file holds ${grouped(bytes.length - headerBytes)}); is this an MNIST file?`);
  }
  if (bytes.length < headerBytes + length) {
    throw new DataFileError(
      file,
      `truncated: the header promises ${sizes.join(' x ')} = ${length} bytes of data, the file holds ${bytes.length - headerBytes}`,
    );
  }
  return { sizes, data: bytes.subarray(headerBytes, headerBytes + length) };
}

/** An IDX file of unsigned bytes: the header for `sizes`, then `data`. */
export function idxFile(sizes: readonly number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * sizes.length);
  header.writeUInt32BE(0x0800 + sizes.length, 0);
  sizes.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

/** The value of each pixel byte: k / 255 in [0, 1], as float32. */
export const BYTE_VALUES = Float32Array.from({ length: 256 }, (_, k) => k / 255);

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * Reads `name` or `name.gz` from `folder`, unzipping by content rather than by
 * name. Every failure (the folder removed while loading included) is a
 * DataFileError, and nothing larger than the limit is read or unzipped.
 */
function readDataFile(folder: string, name: string): { file: string; bytes: Uint8Array } {
  const candidates = [name, `${name}.gz`].map((n) => path.join(folder, n));
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) {
    throw new DataFileError(candidates[0], `missing: put ${name} (or ${name}.gz) into ${folder}`);
  }
  let bytes: Uint8Array;
  try {
    const size = fs.statSync(file).size;
    if (size > LIMITS.idxBytes) throw new DataFileError(file, `${grouped(size)} bytes, more than the limit of ${grouped(LIMITS.idxBytes)}; is this an MNIST file?`);
    bytes = fs.readFileSync(file);
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    throw new DataFileError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); was it moved or deleted while loading?`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = zlib.gunzipSync(bytes, { maxOutputLength: LIMITS.idxBytes + 64 });
    } catch (e) {
      const tooLarge = (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
      throw new DataFileError(file, tooLarge ? `unzips to more than the limit of ${grouped(LIMITS.idxBytes)} bytes; is this an MNIST file?` : `not a valid gzip file (${(e as Error).message}); download it again`);
    }
  }
  return { file, bytes };
}

/**
 * One images file and its labels file as a dataset, with every check of the pair;
 * pixel byte k becomes `values[k]`.
 */
export function loadIdxPair(folder: string, imagesName: string, labelsName: string, minimum: number, values = BYTE_VALUES): Dataset {
  const images = readDataFile(folder, imagesName);
  const labels = readDataFile(folder, labelsName);
  const x = parseIdx(images.bytes, 3, images.file);
  const y = parseIdx(labels.bytes, 1, labels.file);
  const [count, rows, cols] = x.sizes;
  if (count < minimum) throw new DataFileError(images.file, `holds ${count} image${count === 1 ? '' : 's'}; ${minimum} at least are needed`);
  if (y.sizes[0] !== count) {
    throw new DataFileError(labels.file, `holds ${y.sizes[0]} labels but ${images.file} holds ${count} images`);
  }
  const bad = y.data.findIndex((label) => label >= MNIST_CLASSES);
  if (bad >= 0) {
    throw new DataFileError(labels.file, `label ${y.data[bad]} of example ${bad} is out of range 0..${MNIST_CLASSES - 1}`);
  }
  const features = rows * cols;
  const pixels = new Float32Array(count * features);
  for (let i = 0; i < pixels.length; i++) pixels[i] = values[x.data[i]];
  return { images: pixels, labels: Uint8Array.from(y.data), count, features, classes: MNIST_CLASSES };
}

/** The last examples of a dataset, as a view: no copy. */
function rowsOf(data: Dataset, start: number, end: number): Dataset {
  const F = data.features;
  return {
    images: data.images.subarray(start * F, end * F),
    labels: data.labels.subarray(start, end),
    count: end - start,
    features: F,
    classes: data.classes,
  };
}

/**
 * MNIST or Fashion-MNIST from a folder of the four IDX files. The last sixth of
 * the training file is held out for validation; the t10k files are the test set.
 * Everything is checked before anything is returned.
 */
export function loadIdxFolder(folder: string): Splits {
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
    throw new DataFileError(folder, `no such folder: give a folder that holds the four IDX files (${Object.values(IDX_FILES).join(', ')}, raw or .gz)`);
  }
  // A sixth of the training images must make at least one validation image.
  const train = loadIdxPair(folder, IDX_FILES.trainImages, IDX_FILES.trainLabels, 6);
  const test = loadIdxPair(folder, IDX_FILES.testImages, IDX_FILES.testLabels, 1);
  if (test.features !== train.features) {
    throw new DataFileError(
      path.join(folder, IDX_FILES.testImages),
      `images have ${test.features} pixels but the training images have ${train.features}`,
    );
  }
  const held = Math.round(train.count * VALIDATION_SHARE);
  return {
    train: rowsOf(train, 0, train.count - held),
    validation: rowsOf(train, train.count - held, train.count),
    test,
    source: `IDX files in ${folder}`,
  };
}
