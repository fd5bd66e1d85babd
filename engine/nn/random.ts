import type { Kernels } from './kernels';

/**
 * The one seeded random generator of a run: initialisation, shuffling and dropout
 * all draw from it, so the same seed gives the same run bit for bit.
 *
 * xoshiro128** (Blackman and Vigna): 128 bits of state, 32-bit outputs, fast in
 * JavaScript's int32 arithmetic. The state is seeded by splitmix32 so that nearby
 * seeds give unrelated streams.
 */
export class Random {
  /** s0, s1, s2, s3. */
  private readonly state = new Int32Array(4);
  /** Box-Muller yields normals in pairs; the second waits here. */
  private spareNormal = NaN;

  constructor(seed: number) {
    let x = seed >>> 0;
    const splitmix32 = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.state[i] = splitmix32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    return xoshiro128(this.state);
  }

  /** A uniform number in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * m_i = 1[p_i >= rate] for n uniform draws p_i: the same draws as n calls of
   * uniform(), in one loop of `kernels` (these in TypeScript by default), since a
   * dropout mask needs hundreds of thousands a step.
   */
  fillMask(m: Uint8Array, n: number, rate: number, kernels: Pick<Kernels, 'bernoulliMask'> = TYPESCRIPT_MASKS): void {
    kernels.bernoulliMask(this.state, m, n, rate * 4294967296);
  }

  /** A uniform integer in [0, n), without modulo bias. */
  integer(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    let r: number;
    do r = this.nextUint32();
    while (r >= limit);
    return r % n;
  }

  /** A normal deviate with the given mean and standard deviation (Box-Muller). */
  normal(mean = 0, std = 1): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = NaN;
      return mean + std * z;
    }
    const u1 = 1 - this.uniform(); // in (0, 1]: log stays finite
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = radius * Math.sin(2 * Math.PI * u2);
    return mean + std * radius * Math.cos(2 * Math.PI * u2);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle(a: Int32Array | Uint32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}

/**
 * The TypeScript kernel of Kernels.bernoulliMask: n draws r_i of xoshiro128**
 * from the state s0..s3, m_i = 1 where r_i >= threshold (p >= rate exactly when
 * p 2^32 >= rate 2^32). engine/nn/wasm/kernels.ts draws the same stream.
 */
export function bernoulliMask(s: Int32Array, m: Uint8Array, n: number, threshold: number): void {
  for (let i = 0; i < n; i++) m[i] = xoshiro128(s) >= threshold ? 1 : 0;
}

const TYPESCRIPT_MASKS = { bernoulliMask };

/** One step of xoshiro128** on the state s0..s3: the next 32-bit unsigned draw. */
function xoshiro128(s: Int32Array): number {
  let s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
  const draw = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3;
  return draw;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
