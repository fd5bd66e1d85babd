import { allocate, sumOfSquares, type Float, type Precision } from './tensor';
import { bernoulliMask } from './random';

/** A data set's images as kernels keep them for gathering batches (Kernels.sparseImages). */
export interface SparseImages {
  readonly count: number;
  readonly features: number;
}

/** A batch's lists of non-zero inputs, as kernels keep them (Kernels.allocateLists, gatherRows). */
export interface InputLists {
  readonly rows: number;
  readonly features: number;
}

/**
 * The hot loops of training: the dense products of a linear layer, the
 * activations, the dropout mask and the optimizer's update. Shapes in the batched, row-per-example form of
 * mlp-math.md: X is N x I, W is O x I, b has O entries, Y and dY are N x O. Each
 * product has a kernel of its own, written for contiguous inner loops, rather
 * than a general GEMM called on transposes.
 *
 * Two back ends implement it: these plain TypeScript loops (the reference, and
 * the float64 path), and WebAssembly SIMD (engine/nn/wasmKernels.ts), whose kernels
 * need every buffer in the module's memory: hence `allocate`.
 */
export interface Kernels {
  /** wasm-relaxed-simd: the SIMD kernels with fused multiply-add, where the runtime has relaxed SIMD. */
  readonly name: 'typescript' | 'wasm-simd' | 'wasm-relaxed-simd';
  /** Which kernels these are, in words, for the first line of a run and the output channel. */
  readonly title: string;
  /** How many threads the linear layers' products run on (1 where not said). */
  readonly threads?: number;
  /** Ends any thread these kernels started; they then run on the caller's thread. */
  close?(): void;
  /** A zeroed buffer of `length` numbers that these kernels can work on. */
  allocate(precision: Precision, length: number): Float;
  /** A zeroed dropout mask of `length` bytes (1 kept, 0 dropped) that these kernels can read. */
  allocateMask(length: number): Uint8Array;
  /** Y = X W^T + b */
  linearForward(X: Float, W: Float, b: Float, Y: Float, N: number, I: number, O: number): void;
  /** dW = dY^T X and db = dY^T 1_N, both overwritten. */
  linearParameterGradients(dY: Float, X: Float, dW: Float, db: Float, N: number, I: number, O: number): void;
  /** dX = dY W, overwritten. */
  linearInputGradient(dY: Float, W: Float, dX: Float, N: number, I: number, O: number): void;
  /**
   * Y = X W^T + b with W stored input-major in panels (Wt, see panelIndex), O a
   * multiple of 4: kernels that have it (the SIMD ones) train a network's first
   * layer this way, summing, per example, only the rows of Wt that its non-zero
   * inputs pick. `lists`: X's non-zero inputs, where gatherRows gave them;
   * without, the kernel finds them in X.
   */
  linearForwardInputMajor?(X: Float, Wt: Float, b: Float, Y: Float, N: number, I: number, O: number, lists?: InputLists | null): void;
  /**
   * dWt = X^T dY (W's gradient in the same panels as Wt) and db = dY^T 1_N,
   * overwritten. `rows` has a byte per input, 0 only where its row of dWt is all
   * zero; the kernel keeps it so, and zeroes only rows that were not zero already.
   */
  linearParameterGradientsInputMajor?(dY: Float, X: Float, dWt: Float, db: Float, rows: Uint8Array, N: number, I: number, O: number, lists?: InputLists | null): void;
  /**
   * linearParameterGradientsInputMajor then sgdStepInputMajor in one call, for a
   * step whose dW nothing reads: the same db, and the same W bit for bit. Each
   * row of W is stepped as its sum is done and dWt is not written (what it holds
   * after is no gradient; `rows` stays true of it).
   */
  linearSgdStepInputMajor?(dY: Float, X: Float, Wt: Float, dWt: Float, db: Float, rows: Uint8Array, N: number, I: number, O: number, eta: number, lists?: InputLists | null): void;
  /**
   * A data set's images kept as lists of their non-zero inputs, for gatherRows;
   * null where that would take more memory than the images (fewer than half of
   * their values are zero) or does not fit.
   */
  sparseImages?(images: Float32Array, count: number, features: number): SparseImages | null;
  /** Room for the lists of a batch of up to `rows` examples of `features` inputs. */
  allocateLists?(rows: number, features: number): InputLists;
  /**
   * X's rows = examples order[start .. start + rows) of `images`, and `lists`
   * their lists of non-zero inputs, for the input-major products: a first layer
   * then skips finding them in X. With X null, only the lists: the products
   * read nothing else of X.
   */
  gatherRows?(images: SparseImages, order: Int32Array, start: number, rows: number, X: Float | null, lists: InputLists): void;
  /** Plain SGD, W -= eta dW, on an input-major W: only the rows that `rows` marks are read and written (the others' gradient is 0). */
  sgdStepInputMajor?(W: Float, dW: Float, rows: Uint8Array, I: number, O: number, eta: number): void;
  /**
   * One SGD step on the n entries of w with gradient g (see optimizer.ts): g += lambda w
   * where `decays`, then w -= eta g, or with a velocity v: v = alpha v - eta g; w += v.
   */
  sgdStep(w: Float, g: Float, v: Float | null, eta: number, alpha: number, lambda: number, decays: boolean): void;
  /** H = max(0, U) on n entries. */
  reluForward(U: Float, H: Float, n: number): void;
  /** dU = dH * 1[U > 0] on n entries. */
  reluBackward(U: Float, dH: Float, dU: Float, n: number): void;
  /** H = sigmoid(T) = 1 / (1 + e^-T) on n entries. */
  sigmoidForward(T: Float, H: Float, n: number): void;
  /** dT = dH * H (1 - H) on n entries. */
  sigmoidBackward(H: Float, dH: Float, dT: Float, n: number): void;
  /** H = tanh(U) on n entries. */
  tanhForward(U: Float, H: Float, n: number): void;
  /** dU = dH * (1 - H^2) on n entries. */
  tanhBackward(H: Float, dH: Float, dU: Float, n: number): void;
  /** B = A * m / keep on n entries: dropout forward (A = h) and backward (A = dL/ds). */
  applyMask(A: Float, m: Uint8Array, B: Float, n: number, keep: number): void;
  /**
   * A dropout mask: n draws r_i of xoshiro128** from `state` (s0..s3, advanced
   * in place; see random.ts), m_i = 1 where r_i >= threshold. Every back end draws the same stream.
   */
  bernoulliMask(state: Int32Array, m: Uint8Array, n: number, threshold: number): void;
  /** Whether the first n entries of a are all finite (no NaN, no infinity). */
  allFinite(a: Float, n: number): boolean;
  /** The sum of the squares of the first n entries of a, in float64: a norm, or an L2 penalty. */
  sumOfSquares(a: Float, n: number): number;
}

/** Vectors of four outputs in a panel of an input-major W, at most: see engine/nn/wasm/kernels.ts. */
const PANEL_VECTORS = 7;

/**
 * Where the SIMD kernels keep W[o][i] of a layer stored input-major (O a
 * multiple of 4): the outputs are cut as evenly as can be into panels of at
 * most 28, and a panel of width w starting at output o0 is an I x w block at
 * o0 I, a row per input. The same layout as engine/nn/wasm/kernels.ts.
 */
export function panelIndex(O: number, I: number): (o: number, i: number) => number {
  const V = O / 4, P = Math.ceil(V / PANEL_VECTORS);
  const start = new Int32Array(O), width = new Int32Array(O);
  for (let p = 0, o0 = 0; p < P; p++) {
    const w = 4 * (Math.floor(V / P) + (p < V % P ? 1 : 0));
    for (let j = 0; j < w; j++) {
      start[o0 + j] = o0 * I + j;
      width[o0 + j] = w;
    }
    o0 += w;
  }
  return (o, i) => start[o] + i * width[o];
}

/*
 * Plain TypeScript kernels, register-tiled: each pass of an inner loop loads a
 * few values and feeds several accumulators with them, because loads, not
 * multiplications, are what a JavaScript inner loop waits for. The outer loop
 * walks a block of W's rows once and reuses it for every example while it is
 * still in the L1 cache.
 */

function linearForward(X: Float, W: Float, b: Float, Y: Float, N: number, I: number, O: number): void {
  const O4 = O - (O % 4);
  for (let o = 0; o < O4; o += 4) {
    const w0 = o * I, w1 = w0 + I, w2 = w1 + I, w3 = w2 + I;
    let n = 0;
    for (; n + 1 < N; n += 2) {
      const x0 = n * I, x1 = x0 + I;
      let a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
      for (let i = 0; i < I; i++) {
        const p = X[x0 + i], q = X[x1 + i];
        const u0 = W[w0 + i], u1 = W[w1 + i], u2 = W[w2 + i], u3 = W[w3 + i];
        a00 += p * u0; a01 += p * u1; a02 += p * u2; a03 += p * u3;
        a10 += q * u0; a11 += q * u1; a12 += q * u2; a13 += q * u3;
      }
      const y0 = n * O + o, y1 = y0 + O;
      Y[y0] = a00 + b[o]; Y[y0 + 1] = a01 + b[o + 1]; Y[y0 + 2] = a02 + b[o + 2]; Y[y0 + 3] = a03 + b[o + 3];
      Y[y1] = a10 + b[o]; Y[y1 + 1] = a11 + b[o + 1]; Y[y1 + 2] = a12 + b[o + 2]; Y[y1 + 3] = a13 + b[o + 3];
    }
    if (n < N) {
      const x0 = n * I;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let i = 0; i < I; i++) {
        const p = X[x0 + i];
        a0 += p * W[w0 + i]; a1 += p * W[w1 + i]; a2 += p * W[w2 + i]; a3 += p * W[w3 + i];
      }
      const y0 = n * O + o;
      Y[y0] = a0 + b[o]; Y[y0 + 1] = a1 + b[o + 1]; Y[y0 + 2] = a2 + b[o + 2]; Y[y0 + 3] = a3 + b[o + 3];
    }
  }
  for (let o = O4; o < O; o++) {
    for (let n = 0; n < N; n++) {
      let a = 0;
      for (let i = 0, x = n * I, w = o * I; i < I; i++) a += X[x + i] * W[w + i];
      Y[n * O + o] = a + b[o];
    }
  }
}

function linearParameterGradients(dY: Float, X: Float, dW: Float, db: Float, N: number, I: number, O: number): void {
  dW.fill(0, 0, O * I);
  for (let o = 0; o < O; o++) {
    const w = o * I;
    let n = 0;
    for (; n + 3 < N; n += 4) {
      const d0 = dY[n * O + o], d1 = dY[(n + 1) * O + o], d2 = dY[(n + 2) * O + o], d3 = dY[(n + 3) * O + o];
      const x0 = n * I, x1 = x0 + I, x2 = x1 + I, x3 = x2 + I;
      for (let i = 0; i < I; i++) {
        dW[w + i] += d0 * X[x0 + i] + d1 * X[x1 + i] + d2 * X[x2 + i] + d3 * X[x3 + i];
      }
    }
    for (; n < N; n++) {
      const d = dY[n * O + o], x = n * I;
      for (let i = 0; i < I; i++) dW[w + i] += d * X[x + i];
    }
    let s = 0;
    for (let m = 0; m < N; m++) s += dY[m * O + o];
    db[o] = s;
  }
}

function linearInputGradient(dY: Float, W: Float, dX: Float, N: number, I: number, O: number): void {
  dX.fill(0, 0, N * I);
  let o = 0;
  for (; o + 3 < O; o += 4) {
    const w0 = o * I, w1 = w0 + I, w2 = w1 + I, w3 = w2 + I;
    for (let n = 0; n < N; n++) {
      const y = n * O + o, x = n * I;
      const d0 = dY[y], d1 = dY[y + 1], d2 = dY[y + 2], d3 = dY[y + 3];
      for (let i = 0; i < I; i++) {
        dX[x + i] += d0 * W[w0 + i] + d1 * W[w1 + i] + d2 * W[w2 + i] + d3 * W[w3 + i];
      }
    }
  }
  for (; o < O; o++) {
    const w = o * I;
    for (let n = 0; n < N; n++) {
      const d = dY[n * O + o], x = n * I;
      for (let i = 0; i < I; i++) dX[x + i] += d * W[w + i];
    }
  }
}

function sgdStep(w: Float, g: Float, v: Float | null, eta: number, alpha: number, lambda: number, decays: boolean): void {
  const n = w.length;
  if (decays) for (let i = 0; i < n; i++) g[i] += lambda * w[i];
  if (v) {
    for (let i = 0; i < n; i++) {
      v[i] = alpha * v[i] - eta * g[i];
      w[i] += v[i];
    }
  } else {
    for (let i = 0; i < n; i++) w[i] -= eta * g[i];
  }
}

function reluForward(U: Float, H: Float, n: number): void {
  for (let i = 0; i < n; i++) H[i] = U[i] > 0 ? U[i] : 0;
}

function reluBackward(U: Float, dH: Float, dU: Float, n: number): void {
  for (let i = 0; i < n; i++) dU[i] = U[i] > 0 ? dH[i] : 0;
}

function sigmoidForward(T: Float, H: Float, n: number): void {
  for (let i = 0; i < n; i++) H[i] = 1 / (1 + Math.exp(-T[i]));
}

function sigmoidBackward(H: Float, dH: Float, dT: Float, n: number): void {
  for (let i = 0; i < n; i++) dT[i] = dH[i] * H[i] * (1 - H[i]);
}

function tanhForward(U: Float, H: Float, n: number): void {
  for (let i = 0; i < n; i++) H[i] = Math.tanh(U[i]);
}

function tanhBackward(H: Float, dH: Float, dU: Float, n: number): void {
  for (let i = 0; i < n; i++) dU[i] = dH[i] * (1 - H[i] * H[i]);
}

function applyMask(A: Float, m: Uint8Array, B: Float, n: number, keep: number): void {
  for (let i = 0; i < n; i++) B[i] = (m[i] * A[i]) / keep;
}

/** A NaN or an infinity times 0 is NaN, and the sum stays 0 only without them. */
function allFinite(a: Float, n: number): boolean {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * 0;
  return s === 0;
}

export const typescriptKernels: Kernels = {
  name: 'typescript',
  title: 'TypeScript',
  allocate,
  allocateMask: (length) => new Uint8Array(length),
  linearForward,
  linearParameterGradients,
  linearInputGradient,
  sgdStep,
  reluForward,
  reluBackward,
  sigmoidForward,
  sigmoidBackward,
  tanhForward,
  tanhBackward,
  applyMask,
  bernoulliMask,
  allFinite,
  sumOfSquares,
};
