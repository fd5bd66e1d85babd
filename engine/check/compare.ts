/**
 * Comparing one of the student's tensors with the engine's reference: where they
 * differ, by how much, and which common mistake the numbers point to.
 */

/** A tensor as the student's code shapes it, row-major, in float64. */
export interface Tensor {
  readonly shape: number[];
  readonly data: number[];
}

/** The values the reference would have if the student had made one known mistake. */
export interface Candidate {
  /** A short id for tests and the panel: 'transposed', 'missing-1/N', ... */
  readonly mistake: string;
  readonly hint: string;
  readonly values: Tensor;
}

export interface Comparison {
  readonly ok: boolean;
  readonly shape: number[];
  readonly expectedShape: number[];
  readonly maxAbsError: number | null;
  readonly maxRelError: number | null;
  /** The first differing entry, as an index into the expected shape. */
  readonly first: { readonly index: number[]; readonly actual: number; readonly expected: number } | null;
  readonly mismatches: number | null;
  readonly mistake: string | null;
  readonly hint: string | null;
  /** Something said even when the values agree, such as a shape compared after flattening. */
  readonly note: string | null;
}

/** |a - e| <= ABSOLUTE * max(1, max |E|) + RELATIVE * |e|: float64 code agrees far closer; float32 code passes too. */
const ABSOLUTE = 1e-7;
const RELATIVE = 1e-5;

export function tensor(shape: number[], data: ArrayLike<number>): Tensor {
  return { shape, data: Array.from(data) };
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** Row-major index -> multi-index in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    index[k] = i % shape[k];
    i = Math.floor(i / shape[k]);
  }
  return index;
}

/** The shape without its 1s: (1, 5) and (5,) hold the same numbers in the same order. */
function squeezed(shape: readonly number[]): string {
  return shape.filter((d) => d !== 1).join(',');
}

export function transpose(t: Tensor): Tensor {
  if (t.shape.length !== 2) return t;
  const [r, c] = t.shape;
  const data = new Array<number>(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = t.data[i * c + j];
  return { shape: [c, r], data };
}

export function scaled(t: Tensor, k: number): Tensor {
  return { shape: t.shape, data: t.data.map((x) => x * k) };
}

/** max(1, max |E|): the scale of the absolute tolerance. */
export function scaleOf(expected: readonly number[]): number {
  let largest = 1;
  for (const e of expected) largest = Math.max(largest, Math.abs(e));
  return largest;
}

/** Whether an entry differs from the reference's beyond the tolerance (NaN always does). */
export function differs(a: number, e: number, scale: number): boolean {
  return !(Math.abs(a - e) <= ABSOLUTE * scale + RELATIVE * Math.abs(e));
}

/** Entry-by-entry statistics of two tensors of the same size. */
function differences(actual: readonly number[], expected: readonly number[]) {
  const scale = scaleOf(expected);
  let maxAbs = 0, maxRel = 0, mismatches = 0, first = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    const d = Math.abs(a - e);
    if (differs(a, e, scale)) {
      mismatches++;
      if (first < 0) first = i;
    }
    if (!Number.isFinite(d)) {
      maxAbs = maxRel = Infinity;
      continue;
    }
    maxAbs = Math.max(maxAbs, d);
    maxRel = Math.max(maxRel, d / Math.max(Math.abs(a), Math.abs(e), 1e-12));
  }
  return { maxAbs, maxRel, mismatches, first };
}

/** Whether `actual` holds exactly the candidate's numbers in the candidate's shape (or its squeezed twin). */
function matches(actual: Tensor, candidate: Tensor): boolean {
  if (squeezed(actual.shape) !== squeezed(candidate.shape) || actual.data.length !== candidate.data.length) return false;
  return differences(actual.data, candidate.data).mismatches === 0;
}

/**
 * A constant factor between the two, where there is one and it is not 1: the
 * shape of a missing 1/N or a flipped sign that no named candidate caught.
 */
function constantFactor(actual: readonly number[], expected: readonly number[]): number | null {
  let k: number | null = null;
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(expected[i]) < 1e-9) {
      if (Math.abs(actual[i]) > 1e-9) return null;
      continue;
    }
    const r = actual[i] / expected[i];
    if (k === null) k = r;
    else if (!(Math.abs(r - k) <= 1e-6 * Math.abs(k))) return null;
  }
  return k !== null && Math.abs(k - 1) > 1e-6 && Number.isFinite(k) ? k : null;
}

export function compare(actual: Tensor, expected: Tensor, candidates: readonly Candidate[] = []): Comparison {
  const sameShape = actual.shape.join(',') === expected.shape.join(',');
  const comparable = actual.data.length === expected.data.length && squeezed(actual.shape) === squeezed(expected.shape);
  const note = !sameShape && comparable
    ? `shape ${shapeText(actual.shape)} where the reference has ${shapeText(expected.shape)}: the same numbers in the same order, so they were compared after flattening`
    : null;
  const base = { shape: actual.shape, expectedShape: expected.shape, note };
  const named = candidates.find((c) => matches(actual, c.values));
  if (!comparable) {
    const d = actual.data.length === expected.data.length ? differences(actual.data, expected.data) : null;
    return {
      ...base, ok: false, note: null,
      maxAbsError: d?.maxAbs ?? null, maxRelError: d?.maxRel ?? null,
      first: d && d.first >= 0 ? { index: unravel(d.first, expected.shape), actual: actual.data[d.first], expected: expected.data[d.first] } : null,
      mismatches: d?.mismatches ?? null,
      mistake: named?.mistake ?? 'shape',
      hint: named?.hint ?? (d?.mismatches === 0
        ? `the right numbers in the wrong shape: ${shapeText(actual.shape)} where ${shapeText(expected.shape)} was expected; reshape it`
        : `shape ${shapeText(actual.shape)} where ${shapeText(expected.shape)} was expected`),
    };
  }
  const d = differences(actual.data, expected.data);
  const ok = d.mismatches === 0;
  const factor = ok || named ? null : constantFactor(actual.data, expected.data);
  return {
    ...base, ok,
    maxAbsError: d.maxAbs, maxRelError: d.maxRel,
    first: ok ? null : { index: unravel(d.first, expected.shape), actual: actual.data[d.first], expected: expected.data[d.first] },
    mismatches: d.mismatches,
    mistake: ok ? null : named?.mistake ?? (factor !== null ? 'factor' : null),
    hint: ok ? null : named?.hint ?? (factor !== null ? `every entry is ${round(factor)} times the reference's: a constant factor is missing or extra` : null),
  };
}

function round(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
