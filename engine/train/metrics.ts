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
