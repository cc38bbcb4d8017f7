/**
 * Reading a complex64 state (interleaved re/im Float32Array): measurement with collapse,
 * sampling, the most probable basis states and Pauli expectation values. Sums are kept in doubles.
 */
import { shuffle, sortedUniforms, Xoshiro128 } from '../random.ts';
import type { State } from './kernels.ts';
import { TopK, type Ranked } from '../topK.ts';

/** Σ|amplitude|² — 1 up to float32 rounding; used to renormalise what is read out. */
export function norm(state: State): number {
  let sum = 0;
  for (let p = 0; p < state.length; p += 2) {
    const re = state[p]!;
    const im = state[p + 1]!;
    sum += re * re + im * im;
  }
  return sum;
}

/** P(qubit = 1), relative to the state's norm. */
export function probabilityOfOne(state: State, qubit: number): number {
  const half = 2 << qubit;
  let ones = 0;
  let total = 0;
  for (let block = 0; block < state.length; block += half << 1) {
    for (let p = block, end = block + half; p < end; p += 2) {
      const re = state[p]!;
      const im = state[p + 1]!;
      total += re * re + im * im;
    }
    for (let p = block + half, end = block + 2 * half; p < end; p += 2) {
      const re = state[p]!;
      const im = state[p + 1]!;
      ones += re * re + im * im;
    }
  }
  total += ones;
  return total > 0 ? ones / total : 0;
}

/** Measures `qubit` with the uniform `random` and collapses the state onto the outcome. */
export function measureQubit(state: State, qubit: number, random: number): 0 | 1 {
  const pOne = probabilityOfOne(state, qubit);
  const outcome: 0 | 1 = random < pOne ? 1 : 0;
  const kept = outcome ? pOne : 1 - pOne;
  const scale = 1 / Math.sqrt(kept * norm(state));
  const half = 2 << qubit;
  for (let block = 0; block < state.length; block += half << 1) {
    const zeroStart = outcome ? block : block + half;
    state.fill(0, zeroStart, zeroStart + half);
    const keepStart = outcome ? block + half : block;
    for (let p = keepStart, end = keepStart + half; p < end; p++) state[p] = state[p]! * scale;
  }
  return outcome;
}

/**
 * `shots` basis-state indices drawn from |amplitude|²: sorted uniforms (see `sortedUniforms`) are
 * matched against the running cumulative probability in one pass over the state — O(2ⁿ + shots),
 * no table of 2ⁿ cumulative sums — and the result is shuffled so shots come in random order.
 */
export function sampleIndices(state: State, shots: number, seed: number): Uint32Array {
  const rng = new Xoshiro128(seed);
  const out = new Uint32Array(shots);
  if (shots === 0) return out;
  const targets = sortedUniforms(rng, shots);
  const total = norm(state);
  let cumulative = 0;
  let next = 0;
  let last = 0;
  for (let p = 0, index = 0; p < state.length && next < shots; p += 2, index++) {
    const re = state[p]!;
    const im = state[p + 1]!;
    const probability = re * re + im * im;
    if (probability === 0) continue;
    last = index;
    cumulative += probability;
    const bound = cumulative / total;
    while (next < shots && targets[next]! < bound) out[next++] = index;
  }
  // Rounding can leave the cumulative sum a hair below the largest uniforms.
  while (next < shots) out[next++] = last;
  shuffle(rng, out);
  return out;
}

/**
 * The `k` most probable basis states, most probable first (ties: lower index first), in one pass.
 * States of probability 0 are left out.
 */
export function topProbabilities(state: State, k: number): Ranked[] {
  const top = new TopK(Math.min(k, state.length / 2));
  for (let p = 0, index = 0; p < state.length; p += 2, index++) {
    const re = state[p]!;
    const im = state[p + 1]!;
    top.offer(index, re * re + im * im);
  }
  return top.ranked();
}

function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  return (0x6996 >>> (x & 0xf)) & 1;
}

/**
 * ⟨ψ|P|ψ⟩ for the Pauli product with X/Y on `flipMask`'s bits, Z/Y on `signMask`'s bits and
 * `yCount` Y factors: P|i⟩ = i^yCount · (−1)^popcount(i & signMask) · |i ⊕ flipMask⟩.
 */
export function pauliExpectation(state: State, flipMask: number, signMask: number, yCount: number): number {
  let sumRe = 0;
  let sumIm = 0;
  const amplitudes = state.length / 2;
  for (let i = 0; i < amplitudes; i++) {
    const j = i ^ flipMask;
    const ar = state[2 * i]!;
    const ai = state[2 * i + 1]!;
    const br = state[2 * j]!;
    const bi = state[2 * j + 1]!;
    // conj(ψ_j) · ψ_i
    const re = br * ar + bi * ai;
    const im = br * ai - bi * ar;
    if (parity(i & signMask)) {
      sumRe -= re;
      sumIm -= im;
    } else {
      sumRe += re;
      sumIm += im;
    }
  }
  const total = norm(state);
  switch (yCount & 3) {
    case 0:
      return sumRe / total;
    case 1:
      return -sumIm / total;
    case 2:
      return -sumRe / total;
    default:
      return sumIm / total;
  }
}
