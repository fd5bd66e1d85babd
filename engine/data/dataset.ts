import type { Float } from '../nn/tensor';

/** Labelled examples in one contiguous block: example e's features start at e * features. */
export interface Dataset {
  readonly images: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly features: number;
  readonly classes: number;
}

export interface Splits {
  readonly train: Dataset;
  readonly validation: Dataset;
  readonly test: Dataset;
  /** Where the data came from, for logs. */
  readonly source: string;
}

/** A new dataset holding copies of the examples at `indices` of `from`, in that order. */
export function subset(from: Dataset, indices: ArrayLike<number>): Dataset {
  const F = from.features;
  const images = new Float32Array(indices.length * F);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const e = indices[k];
    images.set(from.images.subarray(e * F, (e + 1) * F), k * F);
    labels[k] = from.labels[e];
  }
  return { images, labels, count: indices.length, features: F, classes: from.classes };
}

/**
 * Copies examples order[start .. start + rows) into the batch buffers: their
 * features into X (rows x features) and their labels as one-hot rows into Y.
 */
export function fillBatch(data: Dataset, order: Int32Array, start: number, rows: number, X: Float, Y: Float): void {
  const F = data.features, images = data.images;
  for (let r = 0; r < rows; r++) {
    const e = order[start + r];
    X.set(images.subarray(e * F, (e + 1) * F), r * F);
  }
  fillTargets(data, order, start, rows, Y);
}

/** The labels of examples order[start .. start + rows), as one-hot rows of Y. */
export function fillTargets(data: Dataset, order: Int32Array, start: number, rows: number, Y: Float): void {
  const K = data.classes;
  Y.fill(0, 0, rows * K);
  for (let r = 0; r < rows; r++) Y[r * K + data.labels[order[start + r]]] = 1;
}

/** 0, 1, ..., n - 1 */
export function identityOrder(n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}
