/**
 * Numbers live in flat, row-major typed arrays: a matrix with `rows` x `cols`
 * entries stores entry (r, c) at index r * cols + c. The same code runs in two
 * precisions: float32 for training speed, float64 for traces and gradient checks.
 */

export type Precision = 'float32' | 'float64';

export type Float = Float32Array | Float64Array;

export function allocate(precision: Precision, length: number): Float {
  return precision === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/** Squared Frobenius norm of the first `length` entries. */
export function sumOfSquares(a: Float, length = a.length): number {
  let s = 0;
  for (let i = 0; i < length; i++) s += a[i] * a[i];
  return s;
}

/** Rows of a row-major matrix as nested arrays: for traces and tests, never in the training loop. */
export function toRows(a: Float, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) out.push(Array.from(a.subarray(r * cols, (r + 1) * cols)));
  return out;
}
