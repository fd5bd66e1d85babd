/**
 * Property-based tests with fast-check, kept deterministic: a fixed seed and a
 * bounded number of cases, and each property says how many cases it ran.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';

export const SEED = 20261123;

/** Runs `property` on `runs` cases from the fixed seed; fails with the shrunk counterexample. */
export function holds<T>(name: string, property: fc.IProperty<T>, runs: number): void {
  const details = fc.check(property, { seed: SEED, numRuns: runs });
  assert.ok(!details.failed, fc.defaultReportMessage(details) ?? name);
  console.log(`fuzz: ${name}: ${details.numRuns} cases passed (seed ${SEED})`);
}

/** Keys that attack an object's prototype or shape, next to ordinary ones. */
export const HOSTILE_KEYS = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'type', 'hasOwnProperty');

/** A value of any shape: JSON values, typed arrays, NaN and infinities, huge arrays, objects with hostile own keys. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e308, -1, 2 ** 53, '', 'NaN', '__proto__', null, undefined),
  fc.constant(new Array(100_000).fill(0)),
  fc.float32Array({ maxLength: 16 }),
  fc.tuple(HOSTILE_KEYS, fc.anything({ maxDepth: 2 })).map(([k, v]) => JSON.parse(`{${JSON.stringify(k)}: ${JSON.stringify(v ?? null) ?? 'null'}}`) as unknown),
);

/**
 * A valid example mutated the way hostile input would be: a field replaced by
 * any value, deleted, or joined by an extra field with a hostile key.
 */
export function mutated(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  return fc.oneof(
    fc.constant(valid),
    fc.tuple(fc.constantFrom(...keys), hostileValue).map(([k, v]) => ({ ...valid, [k]: v })),
    fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(valid).filter(([key]) => key !== k))),
    fc.tuple(HOSTILE_KEYS, hostileValue).map(([k, v]) => Object.defineProperty({ ...valid }, k, { value: v, enumerable: true })),
  );
}
