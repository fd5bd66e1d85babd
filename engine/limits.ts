/**
 * What a laptop can hold. Every input is checked against these before anything
 * is allocated, so that a typo such as 400000000 units is a message, not minutes
 * of swapping or a worker that runs out of memory. The README lists them.
 */
export const LIMITS = {
  /** Weights and biases of a network. Training keeps W, dW and a velocity: 240 MB in float32 at the limit. */
  parameters: 20_000_000,
  /** Examples in one pass times all the layers' units: each layer keeps its output and gradient per example. */
  activations: 20_000_000,
  /** Examples in a network spec's batch (inline or from MNIST). */
  specRows: 4096,
  /** A network spec file: a trained 784-1000-10 network exported as a spec is about 10 MB. */
  specBytes: 64 * 1024 * 1024,
  /** Nesting of a network spec's JSON: a spec needs 5 (object, layers, layer, W, row). */
  specDepth: 32,
  /** An IDX file's data, raw or unzipped: MNIST's training images are 47 MB. */
  idxBytes: 1024 * 1024 * 1024,
} as const;

/** Sizes of a network's layers, input first: [784, 1000, 10] for the homework network. */
export function parameterCount(widths: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < widths.length; i++) n += widths[i - 1] * widths[i] + widths[i];
  return n;
}

/** 1234567 as "1,234,567", for messages. */
export function grouped(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Why a network of linear layers with these widths (input first) cannot be
 * trained on `rows` examples at a time here; null if it can.
 */
export function networkTooLarge(widths: readonly number[], rows: number): string | null {
  const parameters = parameterCount(widths);
  if (parameters > LIMITS.parameters) {
    return `the network ${widths.join('-')} has ${grouped(parameters)} parameters, more than the ${grouped(LIMITS.parameters)} a laptop can train (the parameter limit); use fewer units`;
  }
  const activations = rows * widths.reduce((a, b) => a + b, 0);
  if (activations > LIMITS.activations) {
    return `${grouped(rows)} examples at a time through ${widths.join('-')} units make ${grouped(activations)} activations, more than the limit of ${grouped(LIMITS.activations)}; use a smaller batch or fewer units`;
  }
  return null;
}

/**
 * The deepest nesting of arrays and objects in a JSON text, found without
 * parsing (a recursive parser would overflow its stack on 20,000 brackets);
 * stops counting once past `limit`. Brackets inside strings do not count.
 */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0, deepest = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      deepest = Math.max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
