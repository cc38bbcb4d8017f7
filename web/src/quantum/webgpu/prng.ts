/**
 * The deterministic per-shot uniforms the WebGPU sampler draws (the WGSL twin is `PCG_HASH` in
 * `wgsl/common.ts` and the expression in `wgsl/sample.ts`):
 *
 *   key = pcg_hash(seedLow ^ pcg_hash(seedHigh))        seed split into two 32-bit words
 *   u_j = (pcg_hash(j ^ key) >>> 8) / 2^24               shot j = 0, 1, …, shots − 1
 *
 * pcg_hash is PCG's RXS-M-XS 32-bit output permutation applied to one LCG step, a bijection on
 * 32-bit words recommended as a GPU hash by Jarzynski and Olano (JCGT 2020). Every shot's uniform
 * depends only on (seed, j), so results do not depend on dispatch order or workgroup size. The
 * 24-bit resolution matches float32 prefix sums: basis states below ~2^-24 of the total
 * probability may be drawn slightly off their exact frequency.
 */

export function pcgHash(value: number): number {
  const state = (Math.imul(value >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** The 32-bit key the sampler derives from a seed (any non-negative integer up to 2^53). */
export function seedKey(seed: number): number {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  const low = seed >>> 0;
  const high = Math.floor(seed / 2 ** 32) >>> 0;
  return pcgHash((low ^ pcgHash(high)) >>> 0);
}

/** Shot j's uniform in [0, 1), exactly as the GPU computes it. */
export function shotUniform(key: number, shot: number): number {
  return (pcgHash((shot ^ key) >>> 0) >>> 8) / 2 ** 24;
}
