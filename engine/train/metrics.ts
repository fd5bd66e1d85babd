import type { Float } from '../nn/tensor';

/** The class with the largest output, per row. Softmax keeps the order, so logits will do. */
export function argmax(A: Float, row: number, K: number): number {
  let best = 0;
  for (let k = 1, r = row * K; k < K; k++) if (A[r + k] > A[r + best]) best = k;
  return best;
}

/** How many rows of A pick the class that the one-hot targets Y mark. */
export function countCorrect(A: Float, Y: Float, rows: number, K: number): number {
  let correct = 0;
  for (let n = 0; n < rows; n++) if (Y[n * K + argmax(A, n, K)] === 1) correct++;
  return correct;
}

/**
 * Adds rows of A to a confusion matrix (K x K, row-major: the true class's row,
 * the predicted class's column) and writes each row's predicted class into
 * `predicted` from `start`; the true classes are `labels` from `start`.
 */
export function tallyConfusion(A: Float, labels: Uint8Array, start: number, rows: number, K: number, confusion: number[], predicted: Uint8Array): void {
  for (let n = 0; n < rows; n++) {
    const p = argmax(A, n, K);
    predicted[start + n] = p;
    confusion[labels[start + n] * K + p]++;
  }
}
