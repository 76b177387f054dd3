/**
 * Seeded pseudo-random numbers for model weights.
 *
 * xoshiro128** works on 32-bit integers, so it stays fast in JavaScript (no BigInt), and it is
 * seeded through splitmix32 so that nearby seeds (1, 2, 3) still give unrelated streams.
 * Math.log/Math.cos in V8 are fdlibm ports, so the normal samples are identical on every machine.
 */

/** One step of splitmix32: a well-mixed 32-bit hash of `state`, used to seed and to derive streams. */
export function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a hash of a string, so each tensor gets its own stream from (seed, tensor name). */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return hash >>> 0;
}

/** A deterministic xoshiro128** generator with a Box-Muller normal sampler. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    // Chain splitmix32 so the four state words differ even for seed 0 (xoshiro must not start at 0).
    this.s0 = splitmix32(seed);
    this.s1 = splitmix32(this.s0 ^ 0x6a09e667);
    this.s2 = splitmix32(this.s1 ^ 0xbb67ae85);
    this.s3 = splitmix32(this.s2 ^ 0x3c6ef372);
  }

  /** The next unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float in (0, 1); never 0, so it is safe under Math.log. */
  nextOpenUnit(): number {
    return (this.nextU32() + 0.5) / 4294967296;
  }

  /** A standard normal sample (Box-Muller; the second value of each pair is kept for the next call). */
  nextNormal(): number {
    const spare = this.spareNormal;
    if (spare !== undefined) {
      this.spareNormal = undefined;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(this.nextOpenUnit()));
    const angle = 2 * Math.PI * this.nextOpenUnit();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Fills `out` with normal samples of standard deviation `std`. */
  fillNormal(out: Float32Array, std: number): void {
    for (let i = 0; i < out.length; i++) out[i] = this.nextNormal() * std;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
