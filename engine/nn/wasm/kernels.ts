/**
 * The engine's hot loops in AssemblyScript, compiled to WebAssembly with 128-bit
 * SIMD (four float32 lanes). Every argument that names a matrix is its byte
 * address in the module's memory, where the engine keeps all of its buffers, so
 * a call copies nothing. Shapes are those of engine/kernels.ts, whose plain
 * TypeScript loops are the reference these must agree with: X is N x I, W is
 * O x I (row-major), b has O entries, Y and dY are N x O.
 *
 * A network's first layer keeps W input-major in panels and works on lists of
 * its non-zero inputs (about a fifth of MNIST's pixels); the other layers'
 * products are dense, on groups of outputs.
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

/**
 * acc + a b. The build makes two modules of this file: with relaxed SIMD this is
 * one fused multiply-add (rounded once, so the last bit may differ), without it a
 * multiply and an add. ASC_FEATURE_RELAXED_SIMD is a constant of each build.
 */
@inline function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

// ---- Y = X W^T + b and dW = dY^T X, W out x in ----

/*
 * The products of a layer with W stored out x in (every layer but a first one
 * on sparse inputs). The forward pass sums two examples and four outputs at a
 * time: eight sums in registers, fed by two vectors of x and four of W per
 * step, each loaded once for two or four sums. dW = dY^T X is dX = dY W with
 * dY transposed and X in W's place.
 */

/** [the sum of a's lanes, of b's, of c's, of d's] */
@inline function laneSums(a: v128, b: v128, c: v128, d: v128): v128 {
  // [a0 + a2, b0 + b2, a1 + a3, b1 + b3], and the same of c and d
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

/**
 * y0[0 .. S) = b + W x0 and y1[0 .. S) = b + W x1 for the S rows of W (length I,
 * S at most 4) from `w`; the inputs past the last multiple of four are added one
 * at a time. Inlined with a constant S.
 */
@inline function rowDots(S: i32, x0: usize, x1: usize, w: usize, I: i32, b: usize, y0: usize, y1: usize): void {
  const I4 = I & ~3, row = <usize>I << 2, z = f32x4.splat(0);
  const w1 = w + row, w2 = w1 + row, w3 = w2 + row;
  let a0 = z, a1 = z, a2 = z, a3 = z, c0 = z, c1 = z, c2 = z, c3 = z;
  for (let k: usize = 0; k < <usize>I4 << 2; k += 16) {
    const p = v128.load(x0 + k), q = v128.load(x1 + k), u0 = v128.load(w + k);
    a0 = madd(a0, p, u0); c0 = madd(c0, q, u0);
    if (S > 1) { const u1 = v128.load(w1 + k); a1 = madd(a1, p, u1); c1 = madd(c1, q, u1); }
    if (S > 2) { const u2 = v128.load(w2 + k); a2 = madd(a2, p, u2); c2 = madd(c2, q, u2); }
    if (S > 3) { const u3 = v128.load(w3 + k); a3 = madd(a3, p, u3); c3 = madd(c3, q, u3); }
  }
  let s = laneSums(a0, a1, a2, a3), t = laneSums(c0, c1, c2, c3);
  for (let i = I4; i < I; i++) {
    // Column i of the S rows.
    let u = f32x4.splat(f32At(w, i));
    if (S > 1) u = f32x4.replace_lane(u, 1, f32At(w1, i));
    if (S > 2) u = f32x4.replace_lane(u, 2, f32At(w2, i));
    if (S > 3) u = f32x4.replace_lane(u, 3, f32At(w3, i));
    s = madd(s, f32x4.splat(f32At(x0, i)), u);
    t = madd(t, f32x4.splat(f32At(x1, i)), u);
  }
  if (S == 4) {
    const bias = v128.load(b);
    v128.store(y0, f32x4.add(s, bias));
    v128.store(y1, f32x4.add(t, bias));
    return;
  }
  setF32(y0, 0, f32x4.extract_lane(s, 0) + f32At(b, 0));
  setF32(y1, 0, f32x4.extract_lane(t, 0) + f32At(b, 0));
  if (S > 1) { setF32(y0, 1, f32x4.extract_lane(s, 1) + f32At(b, 1)); setF32(y1, 1, f32x4.extract_lane(t, 1) + f32At(b, 1)); }
  if (S > 2) { setF32(y0, 2, f32x4.extract_lane(s, 2) + f32At(b, 2)); setF32(y1, 2, f32x4.extract_lane(t, 2) + f32At(b, 2)); }
}

/**
 * The first example of part `part` of `parts` of N, cut between pairs: the
 * dense products take examples two at a time. Each example's sums are the same
 * whichever part holds it.
 */
function firstExample(N: i32, part: i32, parts: i32): i32 {
  return min(N, ((N + 1) >> 1) * part / parts * 2);
}

/** Y = X W^T + b, for the examples of part `part` of `parts` (see firstExample). */
export function linearForward(X: usize, W: usize, b: usize, Y: usize, N: i32, I: i32, O: i32, part: i32, parts: i32): void {
  const row = <usize>I << 2, out = <usize>O << 2;
  for (let n = firstExample(N, part, parts), end = firstExample(N, part + 1, parts); n < end; n += 2) {
    // An odd last example is summed twice and stored once.
    const two = n + 1 < N, x0 = X + <usize>n * row, x1 = two ? x0 + row : x0, y0 = Y + <usize>n * out, y1 = two ? y0 + out : y0;
    for (let o = 0; o < O; o += 4) {
      const w = W + <usize>o * row, bo = b + (<usize>o << 2), yo = <usize>o << 2;
      switch (min(4, O - o)) {
        case 4: rowDots(4, x0, x1, w, I, bo, y0 + yo, y1 + yo); break;
        case 3: rowDots(3, x0, x1, w, I, bo, y0 + yo, y1 + yo); break;
        case 2: rowDots(2, x0, x1, w, I, bo, y0 + yo, y1 + yo); break;
        default: rowDots(1, x0, x1, w, I, bo, y0 + yo, y1 + yo);
      }
    }
  }
}

/*
 * dW = dY^T X and db = dY^T 1_N in two calls: transposeWithSums, then dX's
 * kernel on dY's transpose with X in W's place, which sums two outputs and
 * sixteen inputs at a time: linearInputGradient(dYt, X, dW, O, I, N).
 */

/** dYt = dY^T (O x N) and db = dY^T 1_N. */
export function transposeWithSums(dY: usize, N: i32, O: i32, dYt: usize, db: usize): void {
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) setF32(dYt, o * N + n, f32At(dY, n * O + o));
  }
  columnSums(dY, N, O, db);
}

// ---- dX = dY W ----

/** Sixteen inputs for two examples at a time, each W block loaded feeding both; the examples of part `part` of `parts`. */
export function linearInputGradient(dY: usize, W: usize, dX: usize, N: i32, I: i32, O: i32, part: i32, parts: i32): void {
  const I16 = I & ~15, I4 = I & ~3, zero = f32x4.splat(0);
  for (let n0 = firstExample(N, part, parts), end = firstExample(N, part + 1, parts); n0 < end; n0 += 2) {
    const two = n0 + 1 < N;
    const y0 = n0 * O, y1 = two ? y0 + O : y0, x0 = n0 * I, x1 = x0 + I;
    const dY0 = dY + (<usize>y0 << 2), dY1 = dY + (<usize>y1 << 2), dYEnd = dY0 + (<usize>O << 2), row = <usize>I << 2;
    let i = 0;
    for (; i < I16; i += 16) {
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero, c0 = zero, c1 = zero, c2 = zero, c3 = zero;
      // By pointers, with the vectors' offsets as constants: no index arithmetic in the loop.
      for (let d0p = dY0, d1p = dY1, w = W + (<usize>i << 2); d0p < dYEnd; d0p += 4, d1p += 4, w += row) {
        const d0 = v128.load32_splat(d0p), d1 = v128.load32_splat(d1p);
        const u0 = v128.load(w), u1 = v128.load(w, 16), u2 = v128.load(w, 32), u3 = v128.load(w, 48);
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

// ---- a first layer on sparse inputs, with W stored input-major in panels ----

/*
 * A network's first layer keeps W (and dW) input-major, in panels: the outputs
 * are cut into panels of at most 28 (seven vectors of four), and a panel keeps
 * its columns of W as an I x width block, a row per input (panelLayout in
 * engine/nn/kernels.ts is the same layout for the engine's TypeScript). Both
 * products then walk lists of the non-zero inputs, about a fifth of the dense
 * work with digits:
 *   forward, per example and panel:       Y[n, panel] = b + sum of X[n, i] Wt[i, panel]
 *   dW, per pair of inputs and panel:     dWt[i, panel] = sum of X[n, i] dY[n, panel], for i = 2q and 2q + 1
 * Each sum stays in registers over its whole list, and a panel's rows are
 * contiguous, so its block (I x 112 bytes) stays in the L2 cache; dW first
 * copies dY's columns into the same panels (N x 112 bytes each), which the L1
 * cache holds where dY's scattered rows would not fit past 64 examples. A
 * list's entries hold 16 j for row j, which the panel's width V turns into the
 * row's bytes. Seven vectors
 * is the most V8 keeps in registers (with the input and the seven loaded
 * vectors: fifteen of x64's sixteen); with eight, a sum is spilled to the stack
 * every step and the loop runs at a third of the speed.
 */

/** Vectors of four outputs per panel, at most. */
const PANEL_VECTORS = 7;

/** How many panels V vectors are cut into. */
@inline function panelCount(V: i32): i32 {
  return (V + PANEL_VECTORS - 1) / PANEL_VECTORS;
}

/** How many vectors panel p has when V vectors are cut into P panels as evenly as can be. */
@inline function panelVectors(V: i32, P: i32, p: i32): i32 {
  return V / P + (p < V % P ? 1 : 0);
}

/**
 * out[0 .. 4V) = init + the sum over the list's pairs (16 j, x) of x times row
 * j of src (rows of 4V floats): V vectors summed in registers. Inlined with a
 * constant V, so each width gets a loop of its own.
 */
@inline function panelSums(V: i32, src: usize, list: usize, count: i32, init: usize, out: usize): void {
  let a0 = v128.load(init), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0;
  if (V > 1) a1 = v128.load(init, 16);
  if (V > 2) a2 = v128.load(init, 32);
  if (V > 3) a3 = v128.load(init, 48);
  if (V > 4) a4 = v128.load(init, 64);
  if (V > 5) a5 = v128.load(init, 80);
  if (V > 6) a6 = v128.load(init, 96);
  for (let pair = list, end = list + (<usize>count << 3); pair < end; pair += 8) {
    const s = src + <usize>(load<i32>(pair) * V), x = v128.load32_splat(pair, 4);
    a0 = madd(a0, x, v128.load(s));
    if (V > 1) a1 = madd(a1, x, v128.load(s, 16));
    if (V > 2) a2 = madd(a2, x, v128.load(s, 32));
    if (V > 3) a3 = madd(a3, x, v128.load(s, 48));
    if (V > 4) a4 = madd(a4, x, v128.load(s, 64));
    if (V > 5) a5 = madd(a5, x, v128.load(s, 80));
    if (V > 6) a6 = madd(a6, x, v128.load(s, 96));
  }
  v128.store(out, a0);
  if (V > 1) v128.store(out, a1, 16);
  if (V > 2) v128.store(out, a2, 32);
  if (V > 3) v128.store(out, a3, 48);
  if (V > 4) v128.store(out, a4, 64);
  if (V > 5) v128.store(out, a5, 80);
  if (V > 6) v128.store(out, a6, 96);
}

/** panelSums for a width known only at run time, inlined too: the forward calls it for every example and panel. */
@inline function panelSumsOf(V: i32, src: usize, list: usize, count: i32, init: usize, out: usize): void {
  switch (V) {
    case 7: panelSums(7, src, list, count, init, out); break;
    case 6: panelSums(6, src, list, count, init, out); break;
    case 5: panelSums(5, src, list, count, init, out); break;
    case 4: panelSums(4, src, list, count, init, out); break;
    case 3: panelSums(3, src, list, count, init, out); break;
    case 2: panelSums(2, src, list, count, init, out); break;
    default: panelSums(1, src, list, count, init, out);
  }
}

/**
 * For the two inputs of a pair, the sums over the pair's list of entries
 * (16 n, x, y) of x, and of y, times vectors [0, V) of row n of src (rows of 4R
 * floats): 2V vectors in registers. With `out` not 0, they go to out (the first
 * input's row) and out + next (the second's); with `step` not 0, they are taken
 * off step's rows instead, step -= eta sum, with the multiply and subtraction
 * of sgdStepInputMajor, so that the result is the same bit for bit. With next 0,
 * there is no second input. Inlined with a constant V.
 *
 * V is at most 4: V8 loads a step's V vectors of src before its first
 * multiply-add, so 2V sums, V loaded vectors and the two inputs must fit in
 * x64's sixteen registers.
 */
@inline function pairSums(V: i32, R: i32, src: usize, list: usize, count: i32, out: usize, step: usize, next: usize, eta: f32): void {
  const z = f32x4.splat(0);
  let a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z;
  for (let entry = list, end = list + (<usize>count << 4); entry < end; entry += 16) {
    const s = src + <usize>(load<i32>(entry) * R), x = v128.load32_splat(entry, 4), y = v128.load32_splat(entry, 8);
    let d = v128.load(s);
    a0 = madd(a0, x, d); b0 = madd(b0, y, d);
    if (V > 1) { d = v128.load(s, 16); a1 = madd(a1, x, d); b1 = madd(b1, y, d); }
    if (V > 2) { d = v128.load(s, 32); a2 = madd(a2, x, d); b2 = madd(b2, y, d); }
    if (V > 3) { d = v128.load(s, 48); a3 = madd(a3, x, d); b3 = madd(b3, y, d); }
  }
  if (out) {
    storeSums(V, out, a0, a1, a2, a3);
    if (next) storeSums(V, out + next, b0, b1, b2, b3);
  }
  if (step) {
    const etas = f32x4.splat(eta);
    stepSums(V, step, etas, a0, a1, a2, a3);
    if (next) stepSums(V, step + next, etas, b0, b1, b2, b3);
  }
}

/** pairSums for a width known only at run time. */
@inline function pairSumsOf(V: i32, R: i32, src: usize, list: usize, count: i32, out: usize, step: usize, next: usize, eta: f32): void {
  switch (V) {
    case 4: pairSums(4, R, src, list, count, out, step, next, eta); break;
    case 3: pairSums(3, R, src, list, count, out, step, next, eta); break;
    case 2: pairSums(2, R, src, list, count, out, step, next, eta); break;
    default: pairSums(1, R, src, list, count, out, step, next, eta);
  }
}

/** V vectors at out. */
@inline function storeSums(V: i32, out: usize, s0: v128, s1: v128, s2: v128, s3: v128): void {
  v128.store(out, s0);
  if (V > 1) v128.store(out, s1, 16);
  if (V > 2) v128.store(out, s2, 32);
  if (V > 3) v128.store(out, s3, 48);
}

/** w -= eta g for V vectors at w: plain SGD. */
@inline function stepSums(V: i32, w: usize, etas: v128, g0: v128, g1: v128, g2: v128, g3: v128): void {
  stepVector(w, 0, etas, g0);
  if (V > 1) stepVector(w, 16, etas, g1);
  if (V > 2) stepVector(w, 32, etas, g2);
  if (V > 3) stepVector(w, 48, etas, g3);
}

/** w -= eta g for the vector at w + offset: the step of sgdStepInputMajor and of dW's fused update alike. */
@inline function stepVector(w: usize, offset: usize, etas: v128, g: v128): void {
  v128.store(w + offset, f32x4.sub(v128.load(w + offset), f32x4.mul(etas, g)));
}

/**
 * Writes (j, x) at the list's position `at`, and returns the new length: `at`
 * if x is zero (the next pair overwrites it), else at + 1. No branch, so that
 * the pattern of zeros costs no mispredicted jumps; the list needs room for the
 * pair in either case.
 */
@inline function appendNonZero(list: usize, at: i32, j: i32, x: f32): i32 {
  const pair = list + (<usize>at << 3);
  store<i32>(pair, j);
  store<f32>(pair, x, 4);
  return at + <i32>(x != 0);
}

/*
 * A batch's lists of non-zero inputs come in a table of N entries, one per
 * example: the address of its pairs (16 i, X[n, i]) and how many. gatherRows
 * fills it from a data set kept as such lists, and listInputs from X.
 */

/** Where example n's list is, from the table. */
@inline function listOf(table: usize, n: i32): usize {
  return <usize>load<i32>(table + (<usize>n << 3));
}

/** How many pairs example n's list has, from the table. */
@inline function countOf(table: usize, n: i32): i32 {
  return load<i32>(table + (<usize>n << 3), 4);
}

/**
 * For each example, its non-zero inputs as pairs (16 i, X[n, i]) in `lists`
 * (room for N x I pairs), and the table's entry. Blocks of four zeros are
 * skipped at once.
 */
export function listInputs(X: usize, N: i32, I: i32, table: usize, lists: usize): void {
  const I4 = I & ~3;
  for (let n = 0; n < N; n++) {
    const row = X + (<usize>(n * I) << 2), list = lists + (<usize>(n * I) << 3);
    let k = 0;
    for (let i = 0; i < I4; i += 4) {
      const v = vecAt(row, i);
      if (!v128.any_true(v)) continue;
      k = appendNonZero(list, k, i << 4, f32x4.extract_lane(v, 0));
      k = appendNonZero(list, k, (i + 1) << 4, f32x4.extract_lane(v, 1));
      k = appendNonZero(list, k, (i + 2) << 4, f32x4.extract_lane(v, 2));
      k = appendNonZero(list, k, (i + 3) << 4, f32x4.extract_lane(v, 3));
    }
    for (let i = I4; i < I; i++) k = appendNonZero(list, k, i << 4, f32At(row, i));
    store<i32>(table + (<usize>n << 3), <i32>list);
    store<i32>(table + (<usize>n << 3), k, 4);
  }
}

/**
 * A batch of a data set kept as lists of non-zero inputs: pairs (16 i, x),
 * example after example, example e's from pair starts[e] to starts[e + 1].
 * `table` holds the batch's N example indices; each example's list is copied
 * into `into` (room for N x I pairs), one after the other, and becomes the
 * table's entry. X (N x I), unless it is 0, gets the examples' rows.
 *
 * The data set is larger than the L2 cache, and its lists lie apart; the
 * products walk each list once per panel of outputs, and in one block the
 * walks after the first stay in the caches.
 */
export function gatherRows(pairs: usize, starts: usize, table: usize, N: i32, X: usize, I: i32, into: usize): void {
  if (X) memory.fill(X, 0, <usize>(N * I) << 2);
  for (let n = 0; n < N; n++) {
    const entry = table + (<usize>n << 3), at = starts + (<usize>load<i32>(entry) << 2);
    const first = load<i32>(at), count = load<i32>(at, 4) - first, end = into + (<usize>count << 3);
    memory.copy(into, pairs + (<usize>first << 3), <usize>count << 3);
    store<i32>(entry, <i32>into);
    store<i32>(entry, count, 4);
    if (X) {
      const row = X + (<usize>(n * I) << 2);
      // 16 i / 4 is input i's offset in bytes.
      for (let pair = into; pair < end; pair += 8) store<f32>(row + (<usize>load<i32>(pair) >> 2), load<f32>(pair, 4));
    }
    into = end;
  }
}

/*
 * dW's lists go by pairs of inputs, q = (2q, 2q + 1): neighbours in a row of a
 * digit's pixels, and in its strokes both are often non-zero. An entry
 * (16 n, X[n, 2q], X[n, 2q + 1], 0) is an example where either is; the other's
 * 0 then adds 0 to its sum exactly (where dY is finite), so each input's sum is
 * the one over its own examples, in the same order, bit for bit. The row of dY
 * that an entry picks is loaded once for both sums, and with digits a pair's
 * list is 58% as long as its two inputs' lists together.
 */

/**
 * For the pairs of inputs from q0 up to q1, the examples where either is not
 * zero, as entries in `lists` (room for Q x N entries, Q = (I + 1) / 2), how
 * many in `counts`: the table's lists, turned around. An even input whose
 * partner is next in its example's list takes the partner into its entry, and
 * the walk steps over both. No branch for that: which inputs come in pairs
 * changes with every batch, and a branch on it is mispredicted often enough to
 * cost more.
 */
function examplesPerInputPair(table: usize, N: i32, counts: usize, lists: usize, q0: i32, q1: i32): void {
  memory.fill(counts + (<usize>q0 << 2), 0, <usize>(q1 - q0) << 2);
  for (let n = 0; n < N; n++) {
    const list = listOf(table, n), end = list + (<usize>countOf(table, n) << 3);
    for (let pair = firstPairFrom(list, end, q0); pair < end; ) {
      const i = load<i32>(pair) >> 4, q = i >> 1;
      // The rest of the list is past the share: its inputs are in order.
      if (q >= q1) break;
      const x = load<i32>(pair, 4), odd = i & 1;
      // The next pair, or this one at the list's end, so that no load reads past it.
      const ahead = select<usize>(pair + 8, pair, pair + 8 < end);
      const both = <i32>(odd == 0) & <i32>((load<i32>(ahead) >> 4) == i + 1);
      const at = counts + (<usize>q << 2), k = load<i32>(at);
      const to = lists + (<usize>(q * N + k) << 4);
      store<i32>(to, n << 4);
      store<i32>(to, x & (odd - 1), 4);
      store<i32>(to, select<i32>(x, load<i32>(ahead, 4) & -both, odd), 8);
      store<i32>(at, k + 1);
      pair += <usize>8 << both;
    }
  }
}

/** The first of a list's pairs (16 i, x) from [list, end) whose input is in pair q or later: a binary search, the inputs being in order. */
function firstPairFrom(list: usize, end: usize, q: i32): usize {
  const from = q << 5; // 16 i for i = 2q
  let lo: usize = 0, hi = (end - list) >> 3;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (load<i32>(list + (mid << 3)) < from) lo = mid + 1;
    else hi = mid;
  }
  return list + (lo << 3);
}

/*
 * The input-major products split their work by panels, and dW's lists by
 * pairs of inputs: each output's sums, and each pair's list, are the same
 * whichever panels hold them and whichever thread does them, so a run on two
 * threads gives the same numbers bit for bit as on one.
 */

/**
 * The first panel of part `part` of `parts`: the panels are cut where the
 * vectors before a cut come nearest to an even share (P panels of V vectors).
 */
function firstPanel(V: i32, P: i32, part: i32, parts: i32): i32 {
  if (part >= parts) return P;
  const share = <f64>V * part / parts;
  let before = 0;
  for (let p = 0; p < P; p++) {
    const after = before + panelVectors(V, P, p);
    if (<f64>after - share > share - <f64>before) return p;
    before = after;
  }
  return P;
}

/**
 * The first pair of inputs of part `part` of `parts` of Q: an even share of
 * the pairs, which with digits holds about an even share of the non-zero
 * inputs (47% of the embedded digits' non-zero pixels are in their top half).
 */
function firstInputPair(Q: i32, part: i32, parts: i32): i32 {
  return Q * part / parts;
}

/**
 * Y = X W^T + b with W in input-major panels (Wt); O is a multiple of 4.
 * `table` is X's lists (see listInputs). Only the panels of part `part` of
 * `parts` (see firstPanel), and their columns of Y.
 */
export function linearForwardInputMajor(Wt: usize, b: usize, Y: usize, N: i32, I: i32, O: i32, table: usize, part: i32, parts: i32): void {
  const V = O >> 2, P = panelCount(V), first = firstPanel(V, P, part, parts), last = firstPanel(V, P, part + 1, parts);
  let o = 0, panel = Wt;
  for (let p = 0; p < last; p++) {
    const Vp = panelVectors(V, P, p), rowBytes = Vp << 4;
    if (p >= first) for (let n = 0; n < N; n++) {
      panelSumsOf(Vp, panel, listOf(table, n), countOf(table, n), b + (<usize>o << 2), Y + (<usize>(n * O + o) << 2));
    }
    panel += <usize>(I * rowBytes);
    o += Vp << 2;
  }
}

/**
 * dY's columns in the panels of Wt, each an N x 4Vp block with a row per
 * example: the rows that a pair's list picks are then in one compact block.
 * db = dY^T 1_N on the way, each sum taken over the examples in order, as
 * columnSums does.
 */
function panelsOfRows(dY: usize, N: i32, O: i32, V: i32, P: i32, out: usize, db: usize, first: i32, last: i32): void {
  const row = <usize>O << 2;
  let o: usize = 0, panel = out;
  for (let p = 0; p < last; p++) {
    const bytes = <usize>panelVectors(V, P, p) << 4;
    if (p >= first) for (let k: usize = 0; k < bytes; k += 16) {
      let sum = f32x4.splat(0);
      for (let n = 0, from = dY + o + k, to = panel + k; n < N; n++, from += row, to += bytes) {
        const v = v128.load(from);
        v128.store(to, v);
        sum = f32x4.add(sum, v);
      }
      v128.store(db + o + k, sum);
    }
    panel += <usize>N * bytes;
    o += bytes;
  }
}

/*
 * dWt = X^T dY in input-major panels, and db = dY^T 1_N (O a multiple of 4),
 * in three calls: prepareParameterGradients for each part, listActivePairs
 * once, then linearParameterGradientsInputMajor for each part of the panels.
 * `scratch` has room for (I + 1) (2 N + 1) + N O + 1 numbers, and carries
 * what each call finds to the next.
 */

/** Where the parts of dW's scratch lie: counts, active pairs, the pairs' lists, dY in panels, then how many pairs are active. */
@inline function pairCounts(scratch: usize): usize { return scratch; }
@inline function activeList(scratch: usize, I: i32): usize { return scratch + (<usize>((I + 1) >> 1) << 2); }
@inline function pairLists(scratch: usize, I: i32): usize { return scratch + (<usize>((I + 1) >> 1) << 3); }
@inline function dYPanels(scratch: usize, N: i32, I: i32): usize { return pairLists(scratch, I) + (<usize>(((I + 1) >> 1) * N) << 4); }
@inline function activeCount(scratch: usize, N: i32, I: i32, O: i32): usize { return dYPanels(scratch, N, I) + (<usize>(N * O) << 2); }

/**
 * db and dY in Wt's panels for the panels of part `part` of `parts` (see
 * firstPanel), and dW's lists of examples for its share of the pairs of inputs
 * (see firstInputPair), from `table` (X's lists, see listInputs).
 */
export function prepareParameterGradients(dY: usize, db: usize, N: i32, I: i32, O: i32, table: usize, scratch: usize, part: i32, parts: i32): void {
  const V = O >> 2, P = panelCount(V), Q = (I + 1) >> 1;
  panelsOfRows(dY, N, O, V, P, dYPanels(scratch, N, I), db, firstPanel(V, P, part, parts), firstPanel(V, P, part + 1, parts));
  examplesPerInputPair(table, N, pairCounts(scratch), pairLists(scratch, I), firstInputPair(Q, part, parts), firstInputPair(Q, part + 1, parts));
}

/**
 * The pairs of inputs that some example uses, from the pairs' lists. `rows`
 * has a byte per input, 0 only where its row of dWt is all zero: rows of
 * inputs that are zero in every example are zeroed only if they were not zero
 * already (at small batches, most of them are). With `fused`, dWt is not
 * written (see below), and `rows` is left as it is, true of it.
 */
export function listActivePairs(dWt: usize, rows: usize, N: i32, I: i32, O: i32, scratch: usize, fused: bool): void {
  const counts = pairCounts(scratch), V = O >> 2;
  if (!fused) markRows(counts, pairLists(scratch, I), N, I, rows, dWt, V, panelCount(V));
  store<i32>(activeCount(scratch, N, I, O), activePairs(counts, (I + 1) >> 1, activeList(scratch, I)));
}

/**
 * dWt's panels of part `part` of `parts` (see firstPanel), after
 * listActivePairs on the same scratch. With Wt not 0, plain SGD on W instead:
 * each row of W is stepped as its sum is done, W -= eta dW with the multiply
 * and subtraction of sgdStepInputMajor (the same W bit for bit), and dWt is
 * not written: what it holds is then no gradient.
 */
export function linearParameterGradientsInputMajor(dWt: usize, N: i32, I: i32, O: i32, scratch: usize, Wt: usize, eta: f32, part: i32, parts: i32): void {
  const counts = pairCounts(scratch), active = activeList(scratch, I), lists = pairLists(scratch, I), dYp = dYPanels(scratch, N, I);
  const pairs = load<i32>(activeCount(scratch, N, I, O));
  const V = O >> 2, P = panelCount(V), first = firstPanel(V, P, part, parts), last = firstPanel(V, P, part + 1, parts);
  let panel: usize = 0, o: usize = 0;
  for (let p = 0; p < last; p++) {
    const Vp = panelVectors(V, P, p), rowBytes = Vp << 4, rowsOfDY = dYp + <usize>N * o;
    if (p >= first) for (let k = 0; k < pairs; k++) {
      const q = load<i32>(active + (<usize>k << 2)), list = lists + (<usize>(q * N) << 4), count = load<i32>(counts + (<usize>q << 2));
      const row = panel + <usize>(2 * q * rowBytes), next = 2 * q + 1 < I ? <usize>rowBytes : 0;
      // The panel in two halves of at most four vectors (see pairSums).
      const half = Vp > 4 ? (Vp + 1) >> 1 : Vp, at = <usize>half << 4, out = Wt ? 0 : dWt + row, step = Wt ? Wt + row : 0;
      pairSumsOf(half, Vp, rowsOfDY, list, count, out, step, next, eta);
      if (Vp > half) pairSumsOf(Vp - half, Vp, rowsOfDY + at, list, count, out ? out + at : 0, step ? step + at : 0, next, eta);
    }
    panel += <usize>(I * rowBytes);
    o += rowBytes;
  }
}

/** The pairs that some example uses (counts above 0), in order, into `active`; how many. */
function activePairs(counts: usize, Q: i32, active: usize): i32 {
  let pairs = 0;
  for (let q = 0; q < Q; q++) {
    if (load<i32>(counts + (<usize>q << 2)) == 0) continue;
    store<i32>(active + (<usize>pairs << 2), q);
    pairs++;
  }
  return pairs;
}

/**
 * `rows` from the pairs' lists: 1 for the inputs that some example uses, and 0
 * for the others, whose rows of dWt are zeroed if they were not zero. (The row
 * of an unused input whose pair has a used one gets sums of zeros: 0.)
 */
function markRows(counts: usize, lists: usize, N: i32, I: i32, rows: usize, dWt: usize, V: i32, P: i32): void {
  for (let i = 0; i < I; i++) {
    if (inputUsed(counts, lists, N, i)) {
      store<u8>(rows + <usize>i, 1);
    } else if (load<u8>(rows + <usize>i)) {
      zeroPanelRow(dWt, i, I, V, P);
      store<u8>(rows + <usize>i, 0);
    }
  }
}

/** Whether input i is not zero in some entry of its pair's list. */
function inputUsed(counts: usize, lists: usize, N: i32, i: i32): bool {
  const q = i >> 1, list = lists + (<usize>(q * N) << 4) + (<usize>(i & 1) << 2);
  for (let entry = list, end = list + (<usize>load<i32>(counts + (<usize>q << 2)) << 4); entry < end; entry += 16) {
    if (load<f32>(entry, 4) != 0) return true;
  }
  return false;
}

/** Input i's row of every panel of an input-major matrix, set to zero. */
function zeroPanelRow(A: usize, i: i32, I: i32, V: i32, P: i32): void {
  let panel = A;
  for (let p = 0; p < P; p++) {
    const rowBytes = panelVectors(V, P, p) << 4;
    memory.fill(panel + <usize>(i * rowBytes), 0, rowBytes);
    panel += <usize>(I * rowBytes);
  }
}

/**
 * W -= eta dW (plain SGD) on the rows of input-major panels that `rows` marks
 * as possibly not zero: the others leave W as it is, and are not read.
 */
export function sgdStepInputMajor(W: usize, dW: usize, rows: usize, I: i32, O: i32, eta: f32): void {
  const V = O >> 2, P = panelCount(V), etas = f32x4.splat(eta);
  let panel: usize = 0;
  for (let p = 0; p < P; p++) {
    const rowBytes = panelVectors(V, P, p) << 4;
    for (let i = 0; i < I; i++) {
      if (!load<u8>(rows + <usize>i)) continue;
      const start = panel + <usize>(i * rowBytes), end = start + <usize>rowBytes;
      for (let a = start; a < end; a += 16) stepVector(W, a, etas, v128.load(dW + a));
    }
    panel += <usize>(I * rowBytes);
  }
}

/** s = A^T 1_N: the sums of the N rows of A (N x O). */
function columnSums(A: usize, N: i32, O: i32, s: usize): void {
  const O4 = O & ~3;
  memory.fill(s, 0, <usize>O << 2);
  for (let n = 0; n < N; n++) {
    const row = n * O;
    for (let o = 0; o < O4; o += 4) setVec(s, o, f32x4.add(vecAt(s, o), vecAt(A, row + o)));
    for (let o = O4; o < O; o++) setF32(s, o, f32At(s, o) + f32At(A, row + o));
  }
}

// ---- this machine's pace, for npm run bench -- --profile ----

/**
 * n steps of eight independent multiply-adds on four lanes: 32 n in all, none
 * waiting on another's result and none on memory, the most this core does in
 * WebAssembly. The sum is returned so that no step can be left out.
 */
export function maddPace(n: i32): f32 {
  const x = f32x4.splat(0.5), w = f32x4.splat(0.25);
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  for (let k = 0; k < n; k++) {
    a0 = madd(a0, x, w); a1 = madd(a1, x, w); a2 = madd(a2, x, w); a3 = madd(a3, x, w);
    a4 = madd(a4, x, w); a5 = madd(a5, x, w); a6 = madd(a6, x, w); a7 = madd(a7, x, w);
  }
  const sum = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(sum, 0);
}

/**
 * The first layer's forward loop (panelSums, seven vectors) over a list of
 * `count` pairs, `times` times, into `out`: with rows that the L1 cache holds,
 * the most that loop does here.
 */
export function panelSumsPace(rows: usize, list: usize, count: i32, out: usize, times: i32): void {
  for (let t = 0; t < times; t++) panelSums(PANEL_VECTORS, rows, list, count, out, out);
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

// ---- elementwise: relu, dropout's mask, and the finiteness check ----

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

/**
 * B = A * m / keep on n entries, with m a mask of bytes (1 kept, 0 dropped), as
 * A * (m / keep): exactly A * m / keep when 1 / keep is a power of two (dropout
 * 0.5), else within a unit in the last place of it. A dropped entry is A * +0:
 * +-0, or NaN for a NaN or an infinity, as in the TypeScript kernel.
 */
export function applyMask(A: usize, m: usize, B: usize, n: i32, keep: f32): void {
  const n16 = n & ~15, scale: f32 = 1 / keep, scales = f32x4.splat(scale);
  for (let i = 0; i < n16; i += 16) {
    // Sixteen bytes negated, then widened with their sign: a kept entry's lane is all ones, and picks 1 / keep's bits.
    const bytes = i8x16.neg(v128.load(m + <usize>i)), low = i16x8.extend_low_i8x16_s(bytes), high = i16x8.extend_high_i8x16_s(bytes);
    setVec(B, i, f32x4.mul(vecAt(A, i), v128.and(i32x4.extend_low_i16x8_s(low), scales)));
    setVec(B, i + 4, f32x4.mul(vecAt(A, i + 4), v128.and(i32x4.extend_high_i16x8_s(low), scales)));
    setVec(B, i + 8, f32x4.mul(vecAt(A, i + 8), v128.and(i32x4.extend_low_i16x8_s(high), scales)));
    setVec(B, i + 12, f32x4.mul(vecAt(A, i + 12), v128.and(i32x4.extend_high_i16x8_s(high), scales)));
  }
  for (let i = n16; i < n; i++) setF32(B, i, f32At(A, i) * (<f32>load<u8>(m + <usize>i) * scale));
}

/*
 * Dropout masks: n draws of xoshiro128**, m_i = 1 where draw r_i >= threshold,
 * the stream of engine/nn/random.ts draw for draw. One generator is a chain of
 * dependent steps, so the draws are cut into four runs of L, one per lane of a
 * vector: xoshiro's step is linear in the 128 bits of its state, so the state L
 * draws ahead is a fixed 128 x 128 matrix of bits times it, kept for each L =
 * 2^k. The lanes' steps do not wait on each other, where one generator's do.
 */

/** The runs' lengths, 2^k, k from MASK_MIN_K to MASK_MAX_K: shorter runs would cost more in their jumps than they save. */
const MASK_MIN_K = 4, MASK_MAX_K = 15;
/** One jump matrix: 128 columns of 128 bits. */
const JUMP_BYTES = 128 * 16;
/** The bytes of the jump table that xoshiroJumps fills. */
export const XOSHIRO_JUMP_BYTES = (MASK_MAX_K - MASK_MIN_K + 1) * JUMP_BYTES;

/** One xoshiro128** step of the state [s0, s1, s2, s3] (its draw is made from s1 before): the map the jumps are powers of. */
@inline function xoshiroNext(s: v128): v128 {
  let s0 = i32x4.extract_lane(s, 0), s1 = i32x4.extract_lane(s, 1), s2 = i32x4.extract_lane(s, 2), s3 = i32x4.extract_lane(s, 3);
  const t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
  s3 = rotl<i32>(s3, 11);
  return i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(s0), 1, s1), 2, s2), 3, s3);
}

/** r xor the 32 columns from `columns` where the word's bits are 1. */
@inline function xorColumns(r: v128, columns: usize, bits: i32): v128 {
  for (let bit = 0; bit < 32; bit++) {
    r = v128.xor(r, v128.and(v128.load(columns + (<usize>bit << 4)), i32x4.splat(-((bits >>> bit) & 1))));
  }
  return r;
}

/** The matrix at `jump` (its columns: the images of the state's 128 bits) times the state s, over GF(2). */
function jumped(jump: usize, s: v128): v128 {
  let r = xorColumns(i32x4.splat(0), jump, i32x4.extract_lane(s, 0));
  r = xorColumns(r, jump + 512, i32x4.extract_lane(s, 1));
  r = xorColumns(r, jump + 1024, i32x4.extract_lane(s, 2));
  return xorColumns(r, jump + 1536, i32x4.extract_lane(s, 3));
}

/** Column c of the matrix at `to`: the matrix at `from` squared (A times column c of A). */
function squared(from: usize, to: usize): void {
  for (let c = 0; c < 128; c++) v128.store(to + (<usize>c << 4), jumped(from, v128.load(from + (<usize>c << 4))));
}

/**
 * Fills `table` (XOSHIRO_JUMP_BYTES) with the matrices that advance a state by
 * 2^k draws, for k from MASK_MIN_K to MASK_MAX_K: one step's matrix, squared k
 * times. The powers below MASK_MIN_K take turns in its first two matrices, so
 * that 2^MASK_MIN_K lands in the first.
 */
export function xoshiroJumps(table: usize): void {
  const words = i32x4(0, 1, 2, 3), first = jumpSlot(table, 0);
  for (let c = 0; c < 128; c++) {
    // Bit c of the state alone: bit c & 31 of word c >> 5.
    const basis = v128.and(i32x4.splat(1 << (c & 31)), i32x4.eq(words, i32x4.splat(c >> 5)));
    v128.store(first + (<usize>c << 4), xoshiroNext(basis));
  }
  for (let k = 1; k <= MASK_MAX_K; k++) squared(jumpSlot(table, k - 1), jumpSlot(table, k));
}

/** Where xoshiroJumps keeps the matrix of 2^k steps. */
@inline function jumpSlot(table: usize, k: i32): usize {
  return table + <usize>((k < MASK_MIN_K ? (MASK_MIN_K - k) & 1 : k - MASK_MIN_K) * JUMP_BYTES);
}

/** 4 x 4 words, rows to columns: [a, b, c, d] to [a0 b0 c0 d0], [a1 ...], ... */
@inline function transposed(a: v128, b: v128, c: v128, d: v128, row: i32): v128 {
  const ab = row < 2 ? i32x4.shuffle(a, b, 0, 4, 1, 5) : i32x4.shuffle(a, b, 2, 6, 3, 7);
  const cd = row < 2 ? i32x4.shuffle(c, d, 0, 4, 1, 5) : i32x4.shuffle(c, d, 2, 6, 3, 7);
  return (row & 1) == 0 ? i32x4.shuffle(ab, cd, 0, 1, 4, 5) : i32x4.shuffle(ab, cd, 2, 3, 6, 7);
}

/** rotl in each lane. */
@inline function rotl4(x: v128, k: i32): v128 {
  return v128.or(i32x4.shl(x, k), i32x4.shr_u(x, 32 - k));
}

/**
 * 4L draws from the state s into m (L a multiple of four), lane j making draws
 * jL to (j + 1) L - 1 from the state that `jump` (the matrix of L steps) moves
 * j times. A draw >= least gives 1, unless `kept` (1 << 24 in each lane) is 0,
 * for a threshold past every draw. Returns the state after the 4L draws: lane 3's.
 */
function maskRuns(s: v128, jump: usize, m: usize, L: usize, least: v128, kept: v128): v128 {
  const s1r = jumped(jump, s), s2r = jumped(jump, s1r), s3r = jumped(jump, s2r);
  let s0 = transposed(s, s1r, s2r, s3r, 0), s1 = transposed(s, s1r, s2r, s3r, 1);
  let s2 = transposed(s, s1r, s2r, s3r, 2), s3 = transposed(s, s1r, s2r, s3r, 3);
  const five = i32x4.splat(5), nine = i32x4.splat(9);
  for (let at = m, end = m + L; at < end; at += 4) {
    // Four draws per lane, each lane's bytes shifted in from the top: the first draw ends in the lowest byte.
    let bytes = i32x4.splat(0);
    for (let q = 0; q < 4; q++) {
      const draw = i32x4.mul(rotl4(i32x4.mul(s1, five), 7), nine);
      bytes = v128.or(i32x4.shr_u(bytes, 8), v128.and(i32x4.ge_u(draw, least), kept));
      const t = i32x4.shl(s1, 9);
      s2 = v128.xor(s2, s0); s3 = v128.xor(s3, s1); s1 = v128.xor(s1, s2); s0 = v128.xor(s0, s3); s2 = v128.xor(s2, t);
      s3 = rotl4(s3, 11);
    }
    v128.store32_lane(at, bytes, 0);
    v128.store32_lane(at + L, bytes, 1);
    v128.store32_lane(at + 2 * L, bytes, 2);
    v128.store32_lane(at + 3 * L, bytes, 3);
  }
  return transposed(s0, s1, s2, s3, 3);
}

/**
 * A dropout mask: n draws r_i of xoshiro128** from the state at `s` (s0..s3,
 * advanced in place), m_i = 1 where r_i >= threshold: the stream of
 * engine/nn/random.ts, draw for draw. `jumps` is xoshiroJumps' table. Runs of
 * four lanes while 64 draws or more are left, then one draw at a time.
 */
export function bernoulliMask(s: usize, m: usize, n: i32, threshold: f64, jumps: usize): void {
  // A whole draw is >= threshold where it is >= the least whole number that is: compared as integers,
  // with a 33rd bit for a threshold past every draw (NaN's included, as no draw is >= NaN).
  const least: u64 = threshold <= 0 ? 0 : threshold <= 4294967296 ? <u64>Math.ceil(threshold) : 4294967296;
  const none = least > 0xffffffff, leasts = i32x4.splat(none ? 0 : <i32>least), kept = i32x4.splat(none ? 0 : 1 << 24);
  let state = v128.load(s), at = m, left = <usize>n;
  for (let k = MASK_MAX_K; k >= MASK_MIN_K; k--) {
    const L = <usize>1 << k, jump = jumpSlot(jumps, k);
    for (; left >= 4 * L; left -= 4 * L, at += 4 * L) state = maskRuns(state, jump, at, L, leasts, kept);
  }
  // The rest, fewer than 64, one at a time.
  for (let end = at + left; at < end; at++) {
    const draw = rotl<u32>(<u32>i32x4.extract_lane(state, 1) * 5, 7) * 9;
    store<u8>(at, <u64>draw >= least);
    state = xoshiroNext(state);
  }
  v128.store(s, state);
}

/**
 * Whether the first n entries of a are all finite: a - a is 0 for a finite a
 * and NaN for the rest. Four vectors a step, each into its own word of bits.
 */
export function allFinite(a: usize, n: i32): bool {
  const n16 = n & ~15, n4 = n & ~3;
  let b0 = i32x4.splat(0), b1 = b0, b2 = b0, b3 = b0;
  for (let i = 0; i < n16; i += 16) {
    const v0 = vecAt(a, i), v1 = vecAt(a, i + 4), v2 = vecAt(a, i + 8), v3 = vecAt(a, i + 12);
    b0 = v128.or(b0, f32x4.sub(v0, v0));
    b1 = v128.or(b1, f32x4.sub(v1, v1));
    b2 = v128.or(b2, f32x4.sub(v2, v2));
    b3 = v128.or(b3, f32x4.sub(v3, v3));
  }
  for (let i = n16; i < n4; i += 4) {
    const v = vecAt(a, i);
    b0 = v128.or(b0, f32x4.sub(v, v));
  }
  let rest: f32 = 0;
  for (let i = n4; i < n; i++) rest += f32At(a, i) * 0;
  return !v128.any_true(v128.or(v128.or(b0, b1), v128.or(b2, b3))) && rest == 0;
}

/**
 * The sum of the squares of the first n entries, in float64, two lanes to a
 * vector: a float32 squared is exact there, so only the additions round.
 */
export function sumOfSquares(a: usize, n: i32): f64 {
  const n4 = n & ~3;
  let low = f64x2.splat(0), high = f64x2.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const v = vecAt(a, i), l = f64x2.promote_low_f32x4(v), h = f64x2.promote_low_f32x4(v128.shuffle<i64>(v, v, 1, 0));
    low = f64x2.add(low, f64x2.mul(l, l));
    high = f64x2.add(high, f64x2.mul(h, h));
  }
  const sum = f64x2.add(low, high);
  let s = f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1);
  for (let i = n4; i < n; i++) {
    const x = <f64>f32At(a, i);
    s += x * x;
  }
  return s;
}

// ---- sigmoid (four lanes, with its own e^x) and tanh (one lane at a time) ----

/**
 * e^x in each lane, to about two units in the last place of float32: x = k ln 2 + r
 * with |r| <= ln2 / 2, e^r by its Taylor series to r^6 (the first term left out is
 * below 2^-23 of it), and 2^k put in the exponent's bits. x is first held in
 * [-87, 88], where 2^k stays a normal float; e^x is below float32's normal range
 * under -87 and overflows above 88. NaN stays NaN, so a diverging run is still caught.
 */
@inline function exp4(x: v128): v128 {
  // pmin and pmax are one instruction each, and keep a NaN in x.
  x = f32x4.pmax(f32x4.pmin(x, f32x4.splat(88)), f32x4.splat(-87));
  // Adding 1.5 x 2^23 rounds x log2(e) to an integer k, which then sits in the low bits of the sum.
  const j = f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504)), f32x4.splat(12582912));
  const k = f32x4.sub(j, f32x4.splat(12582912));
  // r = x - k ln 2, with ln 2 in two parts so that k ln 2 is exact enough.
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(k, f32x4.splat(0.693359375))), f32x4.mul(k, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.0 / 720);
  p = madd(f32x4.splat(1.0 / 120), p, r);
  p = madd(f32x4.splat(1.0 / 24), p, r);
  p = madd(f32x4.splat(1.0 / 6), p, r);
  p = madd(f32x4.splat(0.5), p, r);
  p = madd(f32x4.splat(1), p, r);
  p = madd(f32x4.splat(1), p, r);
  // 2^k: k's low bits shifted into the exponent field, plus the bias.
  return f32x4.mul(p, i32x4.add(i32x4.shl(j, 23), i32x4.splat(127 << 23)));
}

/** 1 / (1 + e^-t) in each lane. */
@inline function sigmoid4(t: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(t))));
}

/**
 * H = sigmoid(T) on n entries, two vectors a step: V8 builds every constant of
 * exp4 again at each use, and two independent series share them.
 */
export function sigmoidForward(T: usize, H: usize, n: i32): void {
  const n8 = n & ~7, n4 = n & ~3;
  for (let i = 0; i < n8; i += 8) {
    setVec(H, i, sigmoid4(vecAt(T, i)));
    setVec(H, i + 4, sigmoid4(vecAt(T, i + 4)));
  }
  if (n4 > n8) setVec(H, n8, sigmoid4(vecAt(T, n8)));
  for (let i = n4; i < n; i++) setF32(H, i, 1 / (1 + Mathf.exp(-f32At(T, i))));
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
