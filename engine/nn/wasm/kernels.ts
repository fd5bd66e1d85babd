/**
 * The engine's hot loops in AssemblyScript, compiled to WebAssembly with 128-bit
 * SIMD (four float32 lanes). Every argument that names a matrix is its byte
 * address in the module's memory, where the engine keeps all of its buffers, so
 * a call copies nothing. Shapes are those of engine/kernels.ts, whose plain
 * TypeScript loops are the reference these must agree with: X is N x I, W is
 * O x I (row-major), b has O entries, Y and dY are N x O.
 *
 * Inputs that are zero, as about 80% of MNIST's pixels are, are skipped four at
 * a time: a zero block of X adds nothing to X W^T and nothing to dY^T X.
 */

// ---- small helpers ----

@inline function f32At(base: usize, index: i32): f32 {
  return load<f32>(base + (<usize>index << 2));
}

@inline function setF32(base: usize, index: i32, value: f32): void {
  store<f32>(base + (<usize>index << 2), value);
}

@inline function vecAt(base: usize, index: i32): v128 {
  return v128.load(base + (<usize>index << 2));
}

@inline function setVec(base: usize, index: i32, value: v128): void {
  v128.store(base + (<usize>index << 2), value);
}

@inline function sum4(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * acc + a b. The build makes two modules of this file: with relaxed SIMD this is
 * one fused multiply-add (rounded once, so the last bit may differ), without it a
 * multiply and an add. ASC_FEATURE_RELAXED_SIMD is a constant of each build.
 */
@inline function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/**
 * Writes into `list` the indices of the 4-wide blocks of columns 0 .. I4 - 1 in
 * which any of `rows` rows of X (from row n0) is not zero; returns how many.
 */
function nonZeroBlocks(X: usize, n0: i32, rows: i32, I: i32, I4: i32, list: usize): i32 {
  let count = 0;
  for (let c = 0; c < I4; c += 4) {
    let any = false;
    for (let r = 0; r < rows && !any; r++) any = v128.any_true(vecAt(X, (n0 + r) * I + c));
    if (any) {
      store<i32>(list + (<usize>count << 2), c);
      count++;
    }
  }
  return count;
}

// ---- Y = X W^T + b ----

/**
 * Four outputs for two examples at a time: each block of X and W loaded is used
 * twice or four times from a register. W's four rows stay in the L1 cache while
 * every pair of examples passes over them. `lists` holds, per pair of examples,
 * the blocks in which either is not zero.
 */
export function linearForward(X: usize, W: usize, b: usize, Y: usize, N: i32, I: i32, O: i32, lists: usize): void {
  const I4 = I & ~3, pairs = (N + 1) >> 1, stride = (I4 >> 2) + 1;
  for (let p = 0; p < pairs; p++) {
    const n0 = p << 1, list = lists + (<usize>(p * stride) << 2);
    store<i32>(list, nonZeroBlocks(X, n0, min(2, N - n0), I, I4, list + 4));
  }
  let o = 0;
  for (; o + 3 < O; o += 4) {
    const w0 = o * I, w1 = w0 + I, w2 = w1 + I, w3 = w2 + I;
    for (let p = 0; p < pairs; p++) {
      const n0 = p << 1, two = n0 + 1 < N;
      const x0 = n0 * I, x1 = two ? x0 + I : x0;
      const list = lists + (<usize>(p * stride) << 2), count = load<i32>(list);
      let a00 = f32x4.splat(0), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
      for (let k = 0; k < count; k++) {
        const c = load<i32>(list + 4 + (<usize>k << 2));
        const p0 = vecAt(X, x0 + c), p1 = vecAt(X, x1 + c);
        const u0 = vecAt(W, w0 + c), u1 = vecAt(W, w1 + c), u2 = vecAt(W, w2 + c), u3 = vecAt(W, w3 + c);
        a00 = madd(a00, p0, u0); a01 = madd(a01, p0, u1); a02 = madd(a02, p0, u2); a03 = madd(a03, p0, u3);
        a10 = madd(a10, p1, u0); a11 = madd(a11, p1, u1); a12 = madd(a12, p1, u2); a13 = madd(a13, p1, u3);
      }
      let s00 = sum4(a00), s01 = sum4(a01), s02 = sum4(a02), s03 = sum4(a03);
      let s10 = sum4(a10), s11 = sum4(a11), s12 = sum4(a12), s13 = sum4(a13);
      for (let i = I4; i < I; i++) {
        const q0 = f32At(X, x0 + i), q1 = f32At(X, x1 + i);
        const u0 = f32At(W, w0 + i), u1 = f32At(W, w1 + i), u2 = f32At(W, w2 + i), u3 = f32At(W, w3 + i);
        s00 += q0 * u0; s01 += q0 * u1; s02 += q0 * u2; s03 += q0 * u3;
        s10 += q1 * u0; s11 += q1 * u1; s12 += q1 * u2; s13 += q1 * u3;
      }
      const y0 = n0 * O + o;
      setF32(Y, y0, s00 + f32At(b, o)); setF32(Y, y0 + 1, s01 + f32At(b, o + 1));
      setF32(Y, y0 + 2, s02 + f32At(b, o + 2)); setF32(Y, y0 + 3, s03 + f32At(b, o + 3));
      if (two) {
        const y1 = y0 + O;
        setF32(Y, y1, s10 + f32At(b, o)); setF32(Y, y1 + 1, s11 + f32At(b, o + 1));
        setF32(Y, y1 + 2, s12 + f32At(b, o + 2)); setF32(Y, y1 + 3, s13 + f32At(b, o + 3));
      }
    }
  }
  for (; o < O; o++) {
    const w = o * I;
    for (let n = 0; n < N; n++) {
      const x = n * I;
      let a = f32x4.splat(0);
      for (let i = 0; i < I4; i += 4) a = madd(a, vecAt(X, x + i), vecAt(W, w + i));
      let s = sum4(a);
      for (let i = I4; i < I; i++) s += f32At(X, x + i) * f32At(W, w + i);
      setF32(Y, n * O + o, s + f32At(b, o));
    }
  }
}

// ---- dW = dY^T X, db = dY^T 1 ----

/**
 * For each 4-wide block of columns, the examples in which X is not zero there:
 * `counts` gets how many per block, `rows` (B x N) which.
 */
function examplesPerBlock(X: usize, N: i32, I: i32, B: i32, counts: usize, rows: usize): void {
  memory.fill(counts, 0, <usize>B << 2);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < B; c++) {
      if (!v128.any_true(vecAt(X, n * I + (c << 2)))) continue;
      const at = counts + (<usize>c << 2), k = load<i32>(at);
      store<i32>(rows + (<usize>(c * N + k) << 2), n);
      store<i32>(at, k + 1);
    }
  }
}

/**
 * Four rows of dW and one block of columns at a time, summing only over the
 * examples that are not zero in that block: with digits, about one in three.
 * Each block of X loaded feeds four rows; each dY entry is loaded as a splat.
 */
export function linearParameterGradients(dY: usize, X: usize, dW: usize, db: usize, N: i32, I: i32, O: i32, scratch: usize): void {
  const I4 = I & ~3, B = I4 >> 2, counts = scratch, rows = scratch + (<usize>B << 2);
  examplesPerBlock(X, N, I, B, counts, rows);
  const zero = f32x4.splat(0);
  let o = 0;
  for (; o + 3 < O; o += 4) {
    const w0 = o * I, w1 = w0 + I, w2 = w1 + I, w3 = w2 + I;
    for (let b = 0; b < B; b++) {
      const c = b << 2, count = load<i32>(counts + (<usize>b << 2)), list = rows + (<usize>(b * N) << 2);
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      for (let k = 0; k < count; k++) {
        const n = load<i32>(list + (<usize>k << 2));
        const x = vecAt(X, n * I + c), d = dY + (<usize>(n * O + o) << 2);
        a0 = madd(a0, x, v128.load32_splat(d));
        a1 = madd(a1, x, v128.load32_splat(d, 4));
        a2 = madd(a2, x, v128.load32_splat(d, 8));
        a3 = madd(a3, x, v128.load32_splat(d, 12));
      }
      setVec(dW, w0 + c, a0); setVec(dW, w1 + c, a1); setVec(dW, w2 + c, a2); setVec(dW, w3 + c, a3);
    }
    for (let i = I4; i < I; i++) {
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      for (let n = 0; n < N; n++) {
        const x = f32At(X, n * I + i), y = n * O + o;
        s0 += f32At(dY, y) * x; s1 += f32At(dY, y + 1) * x; s2 += f32At(dY, y + 2) * x; s3 += f32At(dY, y + 3) * x;
      }
      setF32(dW, w0 + i, s0); setF32(dW, w1 + i, s1); setF32(dW, w2 + i, s2); setF32(dW, w3 + i, s3);
    }
  }
  for (; o < O; o++) {
    const w = o * I;
    for (let i = 0; i < I; i++) {
      let s: f32 = 0;
      for (let n = 0; n < N; n++) s += f32At(dY, n * O + o) * f32At(X, n * I + i);
      setF32(dW, w + i, s);
    }
  }
  for (let j = 0; j < O; j++) {
    let s: f32 = 0;
    for (let n = 0; n < N; n++) s += f32At(dY, n * O + j);
    setF32(db, j, s);
  }
}

// ---- dX = dY W ----

/** Sixteen inputs for two examples at a time; each W block loaded feeds both. */
export function linearInputGradient(dY: usize, W: usize, dX: usize, N: i32, I: i32, O: i32): void {
  const I16 = I & ~15, I4 = I & ~3, zero = f32x4.splat(0);
  for (let n0 = 0; n0 < N; n0 += 2) {
    const two = n0 + 1 < N;
    const y0 = n0 * O, y1 = two ? y0 + O : y0, x0 = n0 * I, x1 = x0 + I;
    let i = 0;
    for (; i < I16; i += 16) {
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero, c0 = zero, c1 = zero, c2 = zero, c3 = zero;
      for (let o = 0; o < O; o++) {
        const w = o * I + i;
        const d0 = f32x4.splat(f32At(dY, y0 + o)), d1 = f32x4.splat(f32At(dY, y1 + o));
        const u0 = vecAt(W, w), u1 = vecAt(W, w + 4), u2 = vecAt(W, w + 8), u3 = vecAt(W, w + 12);
        a0 = madd(a0, d0, u0); a1 = madd(a1, d0, u1); a2 = madd(a2, d0, u2); a3 = madd(a3, d0, u3);
        c0 = madd(c0, d1, u0); c1 = madd(c1, d1, u1); c2 = madd(c2, d1, u2); c3 = madd(c3, d1, u3);
      }
      setVec(dX, x0 + i, a0); setVec(dX, x0 + i + 4, a1); setVec(dX, x0 + i + 8, a2); setVec(dX, x0 + i + 12, a3);
      if (two) {
        setVec(dX, x1 + i, c0); setVec(dX, x1 + i + 4, c1); setVec(dX, x1 + i + 8, c2); setVec(dX, x1 + i + 12, c3);
      }
    }
    for (; i < I4; i += 4) {
      let a = zero, c = zero;
      for (let o = 0; o < O; o++) {
        const u = vecAt(W, o * I + i);
        a = madd(a, f32x4.splat(f32At(dY, y0 + o)), u);
        c = madd(c, f32x4.splat(f32At(dY, y1 + o)), u);
      }
      setVec(dX, x0 + i, a);
      if (two) setVec(dX, x1 + i, c);
    }
    for (; i < I; i++) {
      let a: f32 = 0, c: f32 = 0;
      for (let o = 0; o < O; o++) {
        const u = f32At(W, o * I + i);
        a += f32At(dY, y0 + o) * u;
        c += f32At(dY, y1 + o) * u;
      }
      setF32(dX, x0 + i, a);
      if (two) setF32(dX, x1 + i, c);
    }
  }
}

// ---- a first layer on sparse inputs, with W stored input-major ----

/*
 * Wt is W stored input-major (I x O, a row per input), as a network's first
 * layer keeps it on these kernels. Both products then work per input on the
 * examples where it is not zero: Y[n, :] += X[n, i] Wt[i, :] and dWt[i, :] =
 * sum over n of X[n, i] dY[n, :]. With digits that is about a fifth of the dense
 * work. Both walk the outputs in chunks of 32, the outer loop, so that a chunk's
 * columns of Y or dY (a few KB) stay in the L1 cache while every input passes.
 */

/** Outputs per chunk: eight vectors of four. */
const CHUNK = 32;
/** Examples per block of the forward pass: their chunk of Y, 8 KB, stays in L1. */
const BLOCK = 64;

/**
 * For each input i, the examples n0 .. n0 + rows - 1 in which X[n, i] is not
 * zero, as pairs (n O, X[n, i]): where example n's row of Y or dY starts, and
 * the coefficient, read in order by the products below. `counts` gets how many
 * per input, `lists` (I x rows pairs) the pairs.
 */
function examplesPerInput(X: usize, n0: i32, rows: i32, I: i32, O: i32, counts: usize, lists: usize): void {
  memory.fill(counts, 0, <usize>I << 2);
  for (let n = n0; n < n0 + rows; n++) {
    for (let i = 0; i < I; i++) {
      const x = f32At(X, n * I + i);
      if (x == 0) continue;
      const at = counts + (<usize>i << 2), k = load<i32>(at), pair = lists + (<usize>(i * rows + k) << 3);
      store<i32>(pair, n * O);
      store<f32>(pair, x, 4);
      store<i32>(at, k + 1);
    }
  }
}

/** Y = X W^T + b with W stored input-major (Wt, I x O); `scratch` has room for I (2 BLOCK + 1) numbers. */
export function linearForwardInputMajor(X: usize, Wt: usize, b: usize, Y: usize, N: i32, I: i32, O: i32, scratch: usize): void {
  const whole = O - O % CHUNK, counts = scratch, lists = scratch + (<usize>I << 2);
  for (let n0 = 0; n0 < N; n0 += BLOCK) {
    const rows = min(BLOCK, N - n0);
    examplesPerInput(X, n0, rows, I, O, counts, lists);
    for (let n = n0; n < n0 + rows; n++) memory.copy(Y + (<usize>(n * O) << 2), b, <usize>O << 2);
    for (let o = 0; o < whole; o += CHUNK) {
      for (let i = 0; i < I; i++) {
        const count = load<i32>(counts + (<usize>i << 2));
        if (count == 0) continue;
        const r = i * O + o, list = lists + (<usize>(i * rows) << 3);
        const w0 = vecAt(Wt, r), w1 = vecAt(Wt, r + 4), w2 = vecAt(Wt, r + 8), w3 = vecAt(Wt, r + 12);
        const w4 = vecAt(Wt, r + 16), w5 = vecAt(Wt, r + 20), w6 = vecAt(Wt, r + 24), w7 = vecAt(Wt, r + 28);
        for (let k = 0; k < count; k++) {
          const pair = list + (<usize>k << 3), y = Y + (<usize>(load<i32>(pair) + o) << 2), x = v128.load32_splat(pair, 4);
          v128.store(y, madd(v128.load(y), x, w0)); v128.store(y, madd(v128.load(y, 16), x, w1), 16);
          v128.store(y, madd(v128.load(y, 32), x, w2), 32); v128.store(y, madd(v128.load(y, 48), x, w3), 48);
          v128.store(y, madd(v128.load(y, 64), x, w4), 64); v128.store(y, madd(v128.load(y, 80), x, w5), 80);
          v128.store(y, madd(v128.load(y, 96), x, w6), 96); v128.store(y, madd(v128.load(y, 112), x, w7), 112);
        }
      }
    }
    for (let i = 0; i < I; i++) {
      const count = load<i32>(counts + (<usize>i << 2)), list = lists + (<usize>(i * rows) << 3);
      for (let k = 0; k < count; k++) {
        const pair = list + (<usize>k << 3), y = load<i32>(pair), x = load<f32>(pair, 4);
        for (let o = whole; o < O; o++) setF32(Y, y + o, f32At(Y, y + o) + x * f32At(Wt, i * O + o));
      }
    }
  }
}

/**
 * dWt = X^T dY (I x O) and db = dY^T 1_N: each input's row sums dY's rows over
 * the examples where that input is not zero, the sum held in registers; rows of
 * inputs that are zero in every example are zero. `scratch` has room for I (2 N + 1) numbers.
 */
export function linearParameterGradientsInputMajor(dY: usize, X: usize, dWt: usize, db: usize, N: i32, I: i32, O: i32, scratch: usize): void {
  const whole = O - O % CHUNK, counts = scratch, lists = scratch + (<usize>I << 2), zero = f32x4.splat(0);
  examplesPerInput(X, 0, N, I, O, counts, lists);
  for (let o = 0; o < whole; o += CHUNK) {
    for (let i = 0; i < I; i++) {
      const count = load<i32>(counts + (<usize>i << 2)), list = lists + (<usize>(i * N) << 3);
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
      for (let k = 0; k < count; k++) {
        const pair = list + (<usize>k << 3), d = dY + (<usize>(load<i32>(pair) + o) << 2), x = v128.load32_splat(pair, 4);
        a0 = madd(a0, x, v128.load(d)); a1 = madd(a1, x, v128.load(d, 16)); a2 = madd(a2, x, v128.load(d, 32)); a3 = madd(a3, x, v128.load(d, 48));
        a4 = madd(a4, x, v128.load(d, 64)); a5 = madd(a5, x, v128.load(d, 80)); a6 = madd(a6, x, v128.load(d, 96)); a7 = madd(a7, x, v128.load(d, 112));
      }
      const r = dWt + (<usize>(i * O + o) << 2);
      v128.store(r, a0); v128.store(r, a1, 16); v128.store(r, a2, 32); v128.store(r, a3, 48);
      v128.store(r, a4, 64); v128.store(r, a5, 80); v128.store(r, a6, 96); v128.store(r, a7, 112);
    }
  }
  for (let i = 0; i < I; i++) {
    const count = load<i32>(counts + (<usize>i << 2)), list = lists + (<usize>(i * N) << 3);
    for (let o = whole; o < O; o++) {
      let s: f32 = 0;
      for (let k = 0; k < count; k++) {
        const pair = list + (<usize>k << 3);
        s += load<f32>(pair, 4) * f32At(dY, load<i32>(pair) + o);
      }
      setF32(dWt, i * O + o, s);
    }
  }
  for (let j = 0; j < O; j++) {
    let s: f32 = 0;
    for (let n = 0; n < N; n++) s += f32At(dY, n * O + j);
    setF32(db, j, s);
  }
}

// ---- the optimizer ----

/**
 * One SGD step on n parameters w with gradients g: g += lambda w (if `decays`),
 * then w -= eta g, or with momentum (v != 0) v = alpha v - eta g; w += v.
 */
export function sgdStep(w: usize, g: usize, v: usize, n: i32, eta: f32, alpha: f32, lambda: f32, decays: bool): void {
  const n4 = n & ~3, etas = f32x4.splat(eta), alphas = f32x4.splat(alpha), lambdas = f32x4.splat(lambda);
  for (let i = 0; i < n4; i += 4) {
    let gi = vecAt(g, i);
    if (decays) {
      gi = madd(gi, lambdas, vecAt(w, i));
      setVec(g, i, gi);
    }
    if (v) {
      const vi = f32x4.sub(f32x4.mul(alphas, vecAt(v, i)), f32x4.mul(etas, gi));
      setVec(v, i, vi);
      setVec(w, i, f32x4.add(vecAt(w, i), vi));
    } else if (v128.any_true(gi)) {
      // A zero gradient leaves w exactly as it is, unread: at small batches most of a first layer's rows are zero.
      setVec(w, i, f32x4.sub(vecAt(w, i), f32x4.mul(etas, gi)));
    }
  }
  for (let i = n4; i < n; i++) {
    let gi = f32At(g, i);
    const wi = f32At(w, i);
    if (decays) {
      gi += lambda * wi;
      setF32(g, i, gi);
    }
    if (v) {
      const vi = alpha * f32At(v, i) - eta * gi;
      setF32(v, i, vi);
      setF32(w, i, wi + vi);
    } else {
      setF32(w, i, wi - eta * gi);
    }
  }
}

// ---- elementwise: relu, and dropout's mask ----

/** H = max(0, U) on n entries. */
export function reluForward(U: usize, H: usize, n: i32): void {
  const n4 = n & ~3, zero = f32x4.splat(0);
  for (let i = 0; i < n4; i += 4) setVec(H, i, f32x4.max(vecAt(U, i), zero));
  for (let i = n4; i < n; i++) {
    const u = f32At(U, i);
    setF32(H, i, u > 0 ? u : 0);
  }
}

/** dU = dH * 1[U > 0] on n entries. */
export function reluBackward(U: usize, dH: usize, dU: usize, n: i32): void {
  const n4 = n & ~3, zero = f32x4.splat(0);
  for (let i = 0; i < n4; i += 4) setVec(dU, i, v128.and(vecAt(dH, i), f32x4.gt(vecAt(U, i), zero)));
  for (let i = n4; i < n; i++) setF32(dU, i, f32At(U, i) > 0 ? f32At(dH, i) : 0);
}

/** B = A * m / keep on n entries, with m a mask of bytes (1 kept, 0 dropped). */
export function applyMask(A: usize, m: usize, B: usize, n: i32, keep: f32): void {
  const n4 = n & ~3, keeps = f32x4.splat(keep);
  for (let i = 0; i < n4; i += 4) {
    const bytes = v128.load32_zero(m + <usize>i);
    const mask = f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(bytes)));
    setVec(B, i, f32x4.div(f32x4.mul(mask, vecAt(A, i)), keeps));
  }
  for (let i = n4; i < n; i++) setF32(B, i, (<f32>load<u8>(m + <usize>i) * f32At(A, i)) / keep);
}

// ---- sigmoid and tanh, which need exp: one lane at a time ----

/** H = 1 / (1 + e^-T) on n entries. */
export function sigmoidForward(T: usize, H: usize, n: i32): void {
  for (let i = 0; i < n; i++) setF32(H, i, 1 / (1 + Mathf.exp(-f32At(T, i))));
}

/** dT = dH * H (1 - H) on n entries. */
export function sigmoidBackward(H: usize, dH: usize, dT: usize, n: i32): void {
  const n4 = n & ~3, one = f32x4.splat(1);
  for (let i = 0; i < n4; i += 4) {
    const h = vecAt(H, i);
    setVec(dT, i, f32x4.mul(vecAt(dH, i), f32x4.mul(h, f32x4.sub(one, h))));
  }
  for (let i = n4; i < n; i++) {
    const h = f32At(H, i);
    setF32(dT, i, f32At(dH, i) * h * (1 - h));
  }
}

/** H = tanh(U) on n entries. */
export function tanhForward(U: usize, H: usize, n: i32): void {
  for (let i = 0; i < n; i++) setF32(H, i, Mathf.tanh(f32At(U, i)));
}

/** dU = dH * (1 - H^2) on n entries. */
export function tanhBackward(H: usize, dH: usize, dU: usize, n: i32): void {
  const n4 = n & ~3, one = f32x4.splat(1);
  for (let i = 0; i < n4; i += 4) {
    const h = vecAt(H, i);
    setVec(dU, i, f32x4.mul(vecAt(dH, i), f32x4.sub(one, f32x4.mul(h, h))));
  }
  for (let i = n4; i < n; i++) {
    const h = f32At(H, i);
    setF32(dU, i, f32At(dH, i) * (1 - h * h));
  }
}
