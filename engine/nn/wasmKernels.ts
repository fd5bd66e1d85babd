/**
 * The WebAssembly SIMD back end of the Kernels interface: engine/nn/wasm/kernels.ts
 * compiled by `npm run build` into dist/kernels-relaxed.wasm (relaxed SIMD) and
 * dist/kernels.wasm (plain SIMD), the first that compiles here. Every buffer of a network
 * that uses it lives in the module's memory (`allocate`), as a Float32Array view,
 * so the engine's TypeScript reads and writes the same numbers the kernels do and
 * a training step copies nothing in or out.
 *
 * The memory is shared: growing it (as networks are built) keeps every view made
 * before valid, where a plain memory would detach them.
 */
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import { distFile } from '../dist';
import { allocate as allocateArray, type Float, type Precision } from './tensor';
import type { InputLists, Kernels, SparseImages } from './kernels';
import { CONTROL_SLOTS, ProductThreads, type HelperStart } from './wasmThreads';

export interface Exports {
  linearForward(X: number, W: number, b: number, Y: number, N: number, I: number, O: number, part: number, parts: number): void;
  transposeWithSums(dY: number, N: number, O: number, dYt: number, db: number): void;
  linearInputGradient(dY: number, W: number, dX: number, N: number, I: number, O: number, part: number, parts: number): void;
  listInputs(X: number, N: number, I: number, table: number, lists: number): void;
  linearForwardInputMajor(Wt: number, b: number, Y: number, N: number, I: number, O: number, table: number, part: number, parts: number): void;
  prepareParameterGradients(dY: number, db: number, N: number, I: number, O: number, table: number, scratch: number, part: number, parts: number): void;
  listActivePairs(dWt: number, rows: number, N: number, I: number, O: number, scratch: number, fused: number): void;
  linearParameterGradientsInputMajor(dWt: number, N: number, I: number, O: number, scratch: number, Wt: number, eta: number, part: number, parts: number): void;
  gatherRows(pairs: number, starts: number, table: number, N: number, X: number, I: number, into: number): void;
  sgdStepInputMajor(W: number, dW: number, rows: number, I: number, O: number, eta: number): void;
  sgdStep(w: number, g: number, v: number, n: number, eta: number, alpha: number, lambda: number, decays: number): void;
  reluForward(U: number, H: number, n: number): void;
  reluBackward(U: number, dH: number, dU: number, n: number): void;
  sigmoidForward(T: number, H: number, n: number): void;
  sigmoidBackward(H: number, dH: number, dT: number, n: number): void;
  tanhForward(U: number, H: number, n: number): void;
  tanhBackward(H: number, dH: number, dU: number, n: number): void;
  applyMask(A: number, m: number, B: number, n: number, keep: number): void;
  bernoulliMask(state: number, m: number, n: number, threshold: number, jumps: number): void;
  xoshiroJumps(table: number): void;
  XOSHIRO_JUMP_BYTES: WebAssembly.Global;
  allFinite(a: number, n: number): number;
  sumOfSquares(a: number, n: number): number;
  maddPace(n: number): number;
  panelSumsPace(rows: number, list: number, count: number, out: number, times: number): void;
}

const PAGE = 65536;
/** 1 GiB: far more than any network the panel can show; the space is reserved, not used. */
const MAXIMUM_PAGES = 16384;
/** Buffers start on a cache line. */
const ALIGN = 64;

/**
 * The two builds of engine/nn/wasm/kernels.ts: with relaxed SIMD (a fused
 * multiply-add in every product) and with plain SIMD.
 */
export type WasmVariant = 'relaxed-simd' | 'simd';

const VARIANTS: Record<WasmVariant, { file: string; name: Kernels['name']; title: string }> = {
  'relaxed-simd': { file: 'kernels-relaxed.wasm', name: 'wasm-relaxed-simd', title: 'WebAssembly relaxed SIMD, fused multiply-add (dist/kernels-relaxed.wasm)' },
  simd: { file: 'kernels.wasm', name: 'wasm-simd', title: 'WebAssembly SIMD (dist/kernels.wasm)' },
};

/**
 * The module's bytes if this runtime compiles them. Relaxed SIMD is on by default
 * from V8 11.4 (VS Code since 1.82, Node 22); Node 20 has it behind a flag, which
 * may be set here, before compiling (a Worker's execArgv refuses it).
 */
function compilable(variant: WasmVariant): Uint8Array<ArrayBuffer> | null {
  const bytes = fs.readFileSync(distFile(VARIANTS[variant].file));
  if (WebAssembly.validate(bytes)) return bytes;
  if (variant !== 'relaxed-simd') return null;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes) ? bytes : null;
}

/** A bump allocator over the module's memory: buffers live as long as the process. */
class Arena {
  readonly memory = new WebAssembly.Memory({ initial: 2, maximum: MAXIMUM_PAGES, shared: true });
  /** The first page is left to the module's own data. */
  private top = PAGE;

  bytes(count: number): number {
    const start = Math.ceil(this.top / ALIGN) * ALIGN, end = start + count;
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    this.top = end;
    return start;
  }

  bytesView(length: number): Uint8Array {
    const start = this.bytes(length);
    return new Uint8Array(this.memory.buffer, start, length);
  }

  floats(length: number): Float32Array {
    const start = this.bytes(4 * length);
    // The buffer after any growth: the one before it is shorter.
    return new Float32Array(this.memory.buffer, start, length);
  }

  ints(length: number): Int32Array {
    const start = this.bytes(4 * length);
    return new Int32Array(this.memory.buffer, start, length);
  }
}

/** Scratch space of the kernels (lists of non-zero inputs, dW's lists per pair of inputs, a transposed dY), grown when a larger call needs more. */
class Scratch {
  private address = 0;
  private size = 0;

  constructor(private readonly arena: Arena) {}

  at(bytes: number): number {
    if (bytes > this.size) {
      this.size = Math.max(bytes, 2 * this.size);
      this.address = this.arena.bytes(this.size);
    }
    return this.address;
  }
}

/** The address of a buffer in the module's memory; anything else is a mistake in the engine, not the user's. */
function address(a: Float | Uint8Array | Int32Array): number {
  if (a instanceof Float64Array || !(a.buffer instanceof SharedArrayBuffer)) {
    throw new TypeError('the WebAssembly kernels work on float32 buffers from their own allocate()');
  }
  return a.byteOffset;
}

/** Images as lists of their non-zero inputs: pairs (16 i, x) from example to example, example e's from pair starts[e] to starts[e + 1]. */
interface ModuleImages extends SparseImages {
  readonly pairs: number;
  readonly starts: number;
}

/** A table of a batch's lists (each example's pairs' address, and their number), and room for the pairs. */
interface ModuleLists extends InputLists {
  readonly table: Int32Array;
  readonly pairs: number;
}

/** Whether x goes into a list: all but +0 (-0 and NaN go in). */
const listed = (x: number): boolean => x !== 0 || 1 / x < 0;

/** The images' lists in the module's memory, if they take no more room than the images. */
function listImages(arena: Arena, images: Float32Array, count: number, features: number): ModuleImages | null {
  let nonZero = 0;
  for (let k = 0; k < count * features; k++) if (listed(images[k])) nonZero++;
  if (2 * nonZero > count * features) return null;
  const starts = arena.ints(count + 1), indices = arena.ints(2 * nonZero), values = new Float32Array(indices.buffer, indices.byteOffset, indices.length);
  let p = 0;
  for (let e = 0; e < count; e++) {
    starts[e] = p;
    for (let i = 0, at = e * features; i < features; i++, at++) {
      // A gathered X is then the images' rows bit for bit.
      if (!listed(images[at])) continue;
      indices[2 * p] = 16 * i;
      values[2 * p + 1] = images[at];
      p++;
    }
  }
  starts[count] = p;
  return { count, features, pairs: indices.byteOffset, starts: starts.byteOffset };
}

/**
 * An instance of the kernels on `memory`. A second instance (the helper
 * thread's) writes the module's constant data into it again: the same bytes.
 */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): Exports {
  return new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error('kernels.wasm aborted'); } } }).exports as unknown as Exports;
}

/**
 * The kernels of one build, by default the best this runtime compiles: relaxed
 * SIMD, else SIMD; with `threads` 2, the linear layers' products are split
 * with a helper thread (engine/nn/wasmThreads.ts), started here; `helper` says
 * where its script is and how long to wait for it.
 */
export function createWasmKernels(variant?: WasmVariant, threads = 1, helper?: HelperStart): Kernels {
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('SharedArrayBuffer is not available');
  const chosen = variant ?? (compilable('relaxed-simd') ? 'relaxed-simd' : 'simd');
  const bytes = compilable(chosen);
  if (!bytes) throw new Error(`this runtime cannot compile WebAssembly with ${chosen === 'simd' ? 'SIMD' : 'relaxed SIMD'} and shared memory`);
  const module = new WebAssembly.Module(bytes), arena = new Arena(), scratch = new Scratch(arena), k = instantiate(module, arena.memory);
  const split = new ProductThreads(k, module, arena.memory, arena.bytes(4 * CONTROL_SLOTS), threads, helper);
  // A random generator's state, copied in and out around each mask it draws.
  const stateAt = arena.bytes(16), state = new Int32Array(arena.memory.buffer, stateAt, 4);
  // The matrices that move that state ahead, so that a mask's draws run in four lanes.
  const jumps = arena.bytes(k.XOSHIRO_JUMP_BYTES.value as number);
  k.xoshiroJumps(jumps);
  // Room for a batch's lists where the caller has none, and the table of a batch's lists: given, or built from X there.
  const listScratch = (N: number, I: number, lists: InputLists | null | undefined): number => (lists ? 0 : 4 * N * (2 * I + 2));
  const tableOf = (X: Float, N: number, I: number, lists: InputLists | null | undefined, at: number): number => {
    if (lists) return address((lists as ModuleLists).table);
    k.listInputs(address(X), N, I, at, at + 8 * N);
    return at;
  };
  // dW's lists of examples per pair of inputs, dY in panels and their count, then X's lists if built.
  const gradients = (dY: Float, X: Float, dWt: Float, db: Float, rows: Uint8Array, N: number, I: number, O: number, lists: InputLists | null | undefined, Wt: Float | null, eta: number): void => {
    const bytes = 4 * ((I + 1) * (2 * N + 1) + N * O + 1), at = scratch.at(bytes + listScratch(N, I, lists));
    const table = tableOf(X, N, I, lists, at + bytes);
    split.prepareGradients(address(dY), address(db), N, I, O, table, at);
    k.listActivePairs(address(dWt), address(rows), N, I, O, at, Wt ? 1 : 0);
    split.gradientsInputMajor(address(dWt), N, I, O, at, Wt ? address(Wt) : 0, eta);
  };
  const kept = new WeakMap<Float32Array, ModuleImages | null>();
  return {
    name: VARIANTS[chosen].name,
    title: VARIANTS[chosen].title + (split.threads > 1 ? `, the products on ${split.threads} threads` : split.problem ? `, on one thread: ${split.problem}` : ''),
    get threads() {
      return split.threads;
    },
    close: () => split.close(),
    allocate(precision: Precision, length: number): Float {
      // float64 (traces, gradient checks) has no SIMD kernels: it stays with the TypeScript ones.
      if (precision !== 'float32') throw new TypeError('the WebAssembly kernels are float32 only');
      return length === 0 ? allocateArray(precision, 0) : arena.floats(length);
    },
    allocateMask: (length) => arena.bytesView(length),
    linearForward: (X, W, b, Y, N, I, O) => split.forward(address(X), address(W), address(b), address(Y), N, I, O),
    linearParameterGradients(dY, X, dW, db, N, I, O) {
      // dX's kernel on dY's transpose, with X in W's place (see transposeWithSums).
      const dYt = scratch.at(4 * N * O);
      k.transposeWithSums(address(dY), N, O, dYt, address(db));
      split.inputGradient(dYt, address(X), address(dW), O, I, N);
    },
    linearInputGradient: (dY, W, dX, N, I, O) => split.inputGradient(address(dY), address(W), address(dX), N, I, O),
    linearForwardInputMajor(X, Wt, b, Y, N, I, O, lists) {
      split.forwardInputMajor(address(Wt), address(b), address(Y), N, I, O, tableOf(X, N, I, lists, scratch.at(listScratch(N, I, lists))));
    },
    linearParameterGradientsInputMajor: (dY, X, dWt, db, rows, N, I, O, lists) => gradients(dY, X, dWt, db, rows, N, I, O, lists, null, 0),
    linearSgdStepInputMajor: (dY, X, Wt, dWt, db, rows, N, I, O, eta, lists) => gradients(dY, X, dWt, db, rows, N, I, O, lists, Wt, eta),
    sparseImages(images, count, features) {
      if (!kept.has(images)) {
        let found: ModuleImages | null = null;
        try {
          found = listImages(arena, images, count, features);
        } catch (e) {
          // Past the module's maximum memory: the batches are then copied as they are.
          if (!(e instanceof RangeError)) throw e;
        }
        kept.set(images, found);
      }
      return kept.get(images)!;
    },
    allocateLists: (rows, features): ModuleLists => ({ rows, features, table: arena.ints(2 * rows), pairs: arena.bytes(8 * rows * features) }),
    gatherRows(images, order, start, rows, X, lists) {
      const { pairs, starts, features } = images as ModuleImages, { table, pairs: into } = lists as ModuleLists;
      if (rows > lists.rows || features > lists.features) {
        throw new RangeError(`lists for ${lists.rows} rows of ${lists.features} inputs cannot hold ${rows} rows of ${features}`);
      }
      for (let n = 0; n < rows; n++) table[2 * n] = order[start + n];
      k.gatherRows(pairs, starts, address(table), rows, X ? address(X) : 0, features, into);
    },
    sgdStepInputMajor: (W, dW, rows, I, O, eta) => k.sgdStepInputMajor(address(W), address(dW), address(rows), I, O, eta),
    sgdStep(w, g, v, eta, alpha, lambda, decays) {
      k.sgdStep(address(w), address(g), v ? address(v) : 0, w.length, eta, alpha, lambda, decays ? 1 : 0);
    },
    reluForward: (U, H, n) => k.reluForward(address(U), address(H), n),
    reluBackward: (U, dH, dU, n) => k.reluBackward(address(U), address(dH), address(dU), n),
    sigmoidForward: (T, H, n) => k.sigmoidForward(address(T), address(H), n),
    sigmoidBackward: (H, dH, dT, n) => k.sigmoidBackward(address(H), address(dH), address(dT), n),
    tanhForward: (U, H, n) => k.tanhForward(address(U), address(H), n),
    tanhBackward: (H, dH, dU, n) => k.tanhBackward(address(H), address(dH), address(dU), n),
    applyMask: (A, m, B, n, keep) => k.applyMask(address(A), address(m), address(B), n, keep),
    bernoulliMask(s, m, n, threshold) {
      state.set(s);
      k.bernoulliMask(stateAt, address(m), n, threshold, jumps);
      s.set(state);
    },
    allFinite: (a, n) => k.allFinite(address(a), n) !== 0,
    sumOfSquares: (a, n) => (n === 0 ? 0 : k.sumOfSquares(address(a), n)),
  };
}

/** Multiply-adds a second (of one lane each) that one thread does here: see wasmPace. */
export interface WasmPace {
  /** With no memory read: the most this core does in WebAssembly. */
  readonly madds: number;
  /** In the first layer's forward loop, with its rows in the L1 cache: the most that loop does. */
  readonly panelLoop: number;
}

/** Rows for panelSumsPace, of its seven vectors of four (7 KiB in all: the L1 cache holds them), and the pairs of a list that pick them. */
const PACE_ROWS = 64, PACE_WIDTH = 28, PACE_PAIRS = 1024;

/**
 * This thread's pace with the kernels of `name` (a build of the module), for
 * `npm run bench -- --profile`: each loop is run a few times to let V8 compile
 * it fully, then five times, and the best is kept.
 */
export function wasmPace(name: Kernels['name']): WasmPace {
  const variant = (Object.keys(VARIANTS) as WasmVariant[]).find((v) => VARIANTS[v].name === name);
  const bytes = variant && compilable(variant);
  if (!bytes) throw new Error(`no WebAssembly module runs here as ${name}`);
  const arena = new Arena(), k = instantiate(new WebAssembly.Module(bytes), arena.memory);
  const rows = arena.floats(PACE_ROWS * PACE_WIDTH), out = arena.floats(PACE_WIDTH), list = arena.ints(2 * PACE_PAIRS);
  const values = new Float32Array(list.buffer, list.byteOffset, list.length);
  for (let p = 0; p < PACE_PAIRS; p++) {
    // Rows in a scattered order, as an image's non-zero inputs pick them; 16 j for row j.
    list[2 * p] = 16 * ((37 * p) % PACE_ROWS);
    values[2 * p + 1] = 1;
  }
  const STEPS = 1 << 21, TIMES = 1024;
  return {
    madds: (32 * STEPS) / bestSeconds(() => k.maddPace(STEPS)),
    panelLoop: (PACE_WIDTH * PACE_PAIRS * TIMES) / bestSeconds(() => k.panelSumsPace(rows.byteOffset, list.byteOffset, PACE_PAIRS, out.byteOffset, TIMES)),
  };
}

/** The best of five timed runs of f, after five untimed ones (while V8 compiles it fully). */
function bestSeconds(f: () => unknown): number {
  for (let r = 0; r < 5; r++) f();
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    f();
    best = Math.min(best, performance.now() - start);
  }
  return best / 1000;
}

const made = new Map<number, { kernels: Kernels | null; problem: string | null }>();

/**
 * The WebAssembly SIMD kernels, one instance per thread and thread count; null
 * where they cannot run (no SIMD, no shared memory, or no dist/kernels.wasm),
 * with the reason in wasmProblem().
 */
export function wasmKernels(threads = 1): Kernels | null {
  let entry = made.get(threads);
  if (!entry) {
    try {
      entry = { kernels: createWasmKernels(undefined, threads), problem: null };
    } catch (e) {
      entry = { kernels: null, problem: (e as Error).message };
    }
    made.set(threads, entry);
  }
  return entry.kernels;
}

export function wasmProblem(threads = 1): string | null {
  wasmKernels(threads);
  return made.get(threads)!.problem;
}
