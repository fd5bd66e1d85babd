/**
 * The linear layers' products on two threads: this one and a helper (a worker
 * thread with its own instance of the kernels on the same shared memory). A
 * first layer's input-major products are cut by panels of W (see firstPanel in
 * wasm/kernels.ts), and dW's lists by pairs of inputs (firstInputPair), the
 * dense products by examples (see firstExample); this thread does the first
 * part while the helper does the second, and waits for it.
 * Every output's sums are the same whichever thread does them, so the numbers
 * are the same bit for bit as on one thread.
 *
 * The two threads talk through a control block in that memory, with Atomics:
 * the caller writes a call's arguments, then posts it; the helper answers by
 * marking it done. Atomics.store and Atomics.load order the plain reads and
 * writes around them, so each side sees the other's numbers.
 */
import { Worker } from 'node:worker_threads';
import { distFile } from '../dist';
import type { Exports } from './wasmKernels';

/** The control block's slots (32-bit). */
const SLOT = {
  /** The number of the last call posted. */
  posted: 0,
  /** The number of the last call the helper finished. */
  done: 1,
  /** 1 once the helper's instance is ready. */
  ready: 2,
  /** 1 if the helper's part of the last call threw. */
  failed: 3,
  /** Which product (see KERNEL); STOP ends the helper. */
  kernel: 4,
  /** The product's arguments: integers, then eta as a float32. */
  args: 5,
  /** After the seven integers. */
  eta: 12,
} as const;
export const CONTROL_SLOTS = SLOT.eta + 1;

const KERNEL = { forwardInputMajor: 0, prepareGradients: 1, gradientsInputMajor: 2, forward: 3, inputGradient: 4 } as const;
const STOP = -1;

/**
 * Products smaller than this (N I O multiply-adds) stay on one thread: split,
 * the homework network's 1000-10 layer at mini-batch 5 (50,000) gained nothing
 * (a step at 0.99 of the pace with it unsplit, in a same-process A/B).
 */
const SPLIT_MIN = 1 << 17;

/**
 * How long a waiting thread keeps checking before it sleeps, in milliseconds:
 * a sleeping thread takes some tens of microseconds to wake, a fair part of a
 * product, and the helper's next call comes after the activations and dropout
 * of a layer, or the rest of a step.
 */
const SPIN_MS = 2;

/** Where the helper's script is, and how long to wait for it to start (ms); past that, the products stay on one thread. */
export interface HelperStart {
  readonly script: string;
  readonly startMs: number;
}

/** The helper starts in some tens of milliseconds (31 to 62 ms here, from dist/engine.js); seconds mean a broken install or a machine with no core to spare. */
const HELPER_START = (): HelperStart => ({ script: distFile('kernelHelper.js'), startMs: 5000 });

/**
 * Threads for the setting "auto": two where that still leaves two cores to
 * everything else (the editor, its extension host, the panel), else one. The
 * helper keeps its core busy while training runs (see SPIN_MS).
 */
export function autoThreads(cores: number): 1 | 2 {
  return cores >= 4 ? 2 : 1;
}

/** What the helper receives. */
export interface HelperData {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** The control block's address in the memory. */
  readonly control: number;
}

function controlBlock(memory: WebAssembly.Memory, at: number): { control: Int32Array; eta: Float32Array } {
  return { control: new Int32Array(memory.buffer, at, CONTROL_SLOTS), eta: new Float32Array(memory.buffer, at + 4 * SLOT.eta, 1) };
}

/** Part `part` of `parts` of the call in the control block. */
function runPart(k: Exports, control: Int32Array, eta: Float32Array, part: number, parts: number): void {
  const c = control, at = SLOT.args;
  switch (c[SLOT.kernel]) {
    case KERNEL.forwardInputMajor: k.linearForwardInputMajor(c[at], c[at + 1], c[at + 2], c[at + 3], c[at + 4], c[at + 5], c[at + 6], part, parts); break;
    case KERNEL.prepareGradients: k.prepareParameterGradients(c[at], c[at + 1], c[at + 2], c[at + 3], c[at + 4], c[at + 5], c[at + 6], part, parts); break;
    case KERNEL.gradientsInputMajor: k.linearParameterGradientsInputMajor(c[at], c[at + 1], c[at + 2], c[at + 3], c[at + 4], c[at + 5], eta[0], part, parts); break;
    case KERNEL.forward: k.linearForward(c[at], c[at + 1], c[at + 2], c[at + 3], c[at + 4], c[at + 5], c[at + 6], part, parts); break;
    case KERNEL.inputGradient: k.linearInputGradient(c[at], c[at + 1], c[at + 2], c[at + 3], c[at + 4], c[at + 5], part, parts); break;
  }
}

/** Waits while control[slot] is `value`: checking for a while, then asleep. */
function waitWhile(control: Int32Array, slot: number, value: number): void {
  const until = performance.now() + SPIN_MS;
  while (Atomics.load(control, slot) === value && performance.now() < until);
  while (Atomics.load(control, slot) === value) Atomics.wait(control, slot, value);
}

/**
 * The products, split over `threads` threads (1 or 2): with 1, or if the
 * helper does not start, this thread does every part.
 */
export class ProductThreads {
  private readonly control: Int32Array;
  private readonly eta: Float32Array;
  private helper: Worker | null = null;
  private posted = 0;
  /** Why the products run on one thread though two were asked for; null if they were not, or they run on two. */
  readonly problem: string | null = null;

  constructor(private readonly k: Exports, module: WebAssembly.Module, memory: WebAssembly.Memory, at: number, threads: number, start = HELPER_START()) {
    ({ control: this.control, eta: this.eta } = controlBlock(memory, at));
    if (threads < 2) return;
    const workerData: HelperData = { module, memory, control: at };
    const helper = new Worker(start.script, { workerData });
    helper.on('error', (e) => console.error('Backprop Lens kernels\' helper thread:', e));
    // The helper lives as long as these kernels, and keeps no process alive.
    helper.unref();
    // Waited for here, so that what these kernels say they run on is what they run on from the first product.
    if (Atomics.wait(this.control, SLOT.ready, 0, start.startMs) === 'timed-out') {
      void helper.terminate();
      this.problem = `its helper thread did not start within ${start.startMs / 1000} s`;
      return;
    }
    this.helper = helper;
  }

  /** The threads the products run on: 2 with a helper, until close(). */
  get threads(): number {
    return this.helper ? 2 : 1;
  }

  /** Y = X W^T + b on input-major panels; `table` is X's lists. */
  forwardInputMajor(Wt: number, b: number, Y: number, N: number, I: number, O: number, table: number): void {
    this.run(KERNEL.forwardInputMajor, N * I * O, Wt, b, Y, N, I, O, table, 0);
  }

  /** dY in panels, db and dW's lists of examples per pair of inputs, into `scratch`; `table` is X's lists. */
  prepareGradients(dY: number, db: number, N: number, I: number, O: number, table: number, scratch: number): void {
    this.run(KERNEL.prepareGradients, N * I * O, dY, db, N, I, O, table, scratch, 0);
  }

  /** dWt's panels, or W's step with Wt not 0, after prepareGradients and listActivePairs on `scratch`. */
  gradientsInputMajor(dWt: number, N: number, I: number, O: number, scratch: number, Wt: number, eta: number): void {
    this.run(KERNEL.gradientsInputMajor, N * I * O, dWt, N, I, O, scratch, Wt, 0, eta);
  }

  /** Y = X W^T + b, W out x in. */
  forward(X: number, W: number, b: number, Y: number, N: number, I: number, O: number): void {
    this.run(KERNEL.forward, N * I * O, X, W, b, Y, N, I, O, 0);
  }

  /** dX = dY W, W out x in (and dW = dY^T X, on dY's transpose). */
  inputGradient(dY: number, W: number, dX: number, N: number, I: number, O: number): void {
    this.run(KERNEL.inputGradient, N * I * O, dY, W, dX, N, I, O, 0, 0);
  }

  /** Ends the helper; the products then run on this thread. */
  close(): void {
    if (!this.helper) return;
    this.control[SLOT.kernel] = STOP;
    this.post();
    void this.helper.terminate();
    this.helper = null;
  }

  /** A call of `work` multiply-adds: its arguments into the control block (no array: this runs several times a step), then its parts. */
  private run(kernel: number, work: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, eta: number): void {
    const c = this.control, at = SLOT.args;
    c[SLOT.kernel] = kernel;
    c[at] = a0; c[at + 1] = a1; c[at + 2] = a2; c[at + 3] = a3; c[at + 4] = a4; c[at + 5] = a5; c[at + 6] = a6;
    this.eta[0] = eta;
    if (this.threads === 1 || work < SPLIT_MIN) {
      runPart(this.k, c, this.eta, 0, 1);
      return;
    }
    const call = this.post();
    let thrown: unknown = null;
    try {
      runPart(this.k, c, this.eta, 0, 2);
    } catch (e) {
      thrown = e;
    }
    // Even if this part threw: the helper may not be left writing after the call returns.
    waitWhile(c, SLOT.done, call - 1);
    if (thrown) throw thrown;
    if (Atomics.load(c, SLOT.failed)) throw new Error('the kernels\' helper thread failed in its part of a product (its error is on the console)');
  }

  /** Posts the call in the control block to the helper; its number. */
  private post(): number {
    Atomics.store(this.control, SLOT.failed, 0);
    Atomics.store(this.control, SLOT.posted, ++this.posted);
    Atomics.notify(this.control, SLOT.posted);
    return this.posted;
  }
}

/** The helper's side: instantiate the kernels on the shared memory, then do part 2 of 2 of each call posted. */
export function serveParts(data: HelperData, instantiate: (module: WebAssembly.Module, memory: WebAssembly.Memory) => Exports): void {
  const k = instantiate(data.module, data.memory), { control, eta } = controlBlock(data.memory, data.control);
  let seen = Atomics.load(control, SLOT.posted);
  Atomics.store(control, SLOT.ready, 1);
  Atomics.notify(control, SLOT.ready);
  for (;;) {
    waitWhile(control, SLOT.posted, seen);
    seen = Atomics.load(control, SLOT.posted);
    if (control[SLOT.kernel] === STOP) return;
    try {
      runPart(k, control, eta, 1, 2);
    } catch (e) {
      console.error('Backprop Lens kernels\' helper thread:', e);
      Atomics.store(control, SLOT.failed, 1);
    }
    Atomics.store(control, SLOT.done, seen);
    Atomics.notify(control, SLOT.done);
  }
}
