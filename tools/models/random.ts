/** A seeded source of numbers, so every generated weight and data point is the same on every run. */
export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

/** mulberry32: a tiny 32-bit PRNG; quality is plenty for sample weights and toy data. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    // 1 - uniform() keeps the log argument in (0, 1].
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    return r * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, normal };
}

/** `count` normal draws scaled by `scale`, as float32. */
export function normalArray(random: Random, count: number, scale: number): Float32Array {
  return Float32Array.from({ length: count }, () => random.normal() * scale);
}
