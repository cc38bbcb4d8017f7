/**
 * Seeded randomness for `simulate()` (mid-circuit collapses) and the CPU engine's sampling. (The
 * WebGPU engine draws its shots from a per-shot hash instead, `webgpu/prng.ts`, so the same seed
 * gives the same distribution there but not the same shots.)
 *
 * The generator is xoshiro128** (Blackman & Vigna, 2018): 128 bits of state, period 2¹²⁸ − 1,
 * fast on 32-bit integer arithmetic (which is what JavaScript's bit operators give). Its state is
 * filled from the seed by SplitMix32, as its authors recommend, so nearby seeds give unrelated
 * streams. Uniform doubles take 53 bits from two outputs.
 */

/** Largest accepted seed: seeds are integers in [0, 2⁵³), like any safe JavaScript integer. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

function splitMix32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new RangeError(`seed must be an integer in [0, 2^53), got ${seed}`);
    // Both halves of the seed feed the state, so seeds above 2³² are distinct too.
    const low = splitMix32(seed >>> 0);
    const high = splitMix32(Math.floor(seed / 0x100000000) ^ 0x5bd1e995);
    this.a = low() ^ high();
    this.b = low() ^ high();
    this.c = low() ^ high();
    this.d = low() ^ high();
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * `count` uniforms in [0, 1), already sorted, in O(count) time: the normalised partial sums of
 * count + 1 standard exponentials are distributed exactly as sorted uniforms. Sampling walks the
 * cumulative probabilities once against these, so a million shots need no search and no sort.
 */
export function sortedUniforms(rng: Xoshiro128, count: number): Float64Array {
  const out = new Float64Array(count);
  let sum = 0;
  for (let i = 0; i < count; i++) {
    sum -= Math.log(1 - rng.next());
    out[i] = sum;
  }
  sum -= Math.log(1 - rng.next());
  const scale = 1 / sum;
  for (let i = 0; i < count; i++) out[i]! *= scale;
  return out;
}

/** Fisher–Yates shuffle in place, so sampled shots come out in random order rather than sorted. */
export function shuffle(rng: Xoshiro128, values: Uint32Array): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = values[i]!;
    values[i] = values[j]!;
    values[j] = t;
  }
}
