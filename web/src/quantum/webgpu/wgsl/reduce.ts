/**
 * Reductions without workgroup barriers (SwiftShader runs a 256-wide barrier tree ~100× slower
 * than a plain pass; a GPU does not mind either way): every invocation adds a run of
 * `REDUCE_RUN` consecutive values in registers and writes one partial, and passes repeat on the
 * partials until at most `REDUCE_RUN` remain per chunk; the host adds those in float64.
 * Summing in short runs level by level is a pairwise-style summation, accurate in float32.
 *
 * First pass (`reduceTermsShader`), per chunk, one vec2 partial per run of amplitudes:
 * - `norm`: x = Σ|a_i|² over amplitudes whose in-chunk bits match (`i & mask == want`), y = Σ|a_i|²
 *   over the rest. Measurement uses it for P(qubit = 1) and P(qubit = 0) without cancellation.
 * - `pauli`: x = Σ Re(conj(b_{i ⊕ xlow}) · phase · (−1)^{popcount(i & zylow)} · a_i), the chunk's
 *   share of ⟨ψ|P|ψ⟩, where `a` is this chunk and `b` the chunk it maps to under P's X/Y flips.
 * Later passes (`sumRunsShader`) add runs of vec2 partials.
 */
import { CMUL, flatIndex, MAIN_BUILTINS, WIDE_WORKGROUP } from './common.ts';

export type ReduceMode = 'norm' | 'pauli';

/** Values each invocation adds. */
export const REDUCE_RUN = 16;

export const REDUCE_PARAMS = {
  count: 0,
  mask: 4,
  want: 8,
  xLow: 12,
  zyLow: 16,
  outBase: 20,
  /** vec2<f32>: i^{#Y} times the sign from the chunk-index bits. */
  phase: 24,
  bytes: 32,
} as const;

export function reduceTermsShader(mode: ReduceMode): string {
  const term =
    mode === 'norm'
      ? `
    let a = A[i];
    let p = dot(a, a);
    acc = acc + select(vec2<f32>(0.0, p), vec2<f32>(p, 0.0), (i & P.mask) == P.want);`
      : `
    let a = A[i];
    let b = B[i ^ P.xlow];
    let v = cmul(select(P.phase, -P.phase, (countOneBits(i & P.zylow) & 1u) == 1u), a);
    acc = acc + vec2<f32>(b.x * v.x + b.y * v.y, 0.0);`;
  const runs = Array.from(
    { length: REDUCE_RUN },
    (_, k) => `
  {
    let i = first + ${k}u;
    if (i < P.count) {${term.replaceAll('\n', '\n  ')}
    }
  }`,
  ).join('');
  return `
struct Params {
  count: u32,
  mask: u32,
  want: u32,
  xlow: u32,
  zylow: u32,
  out_base: u32,
  phase: vec2<f32>,
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> A: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> B: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> partials: array<vec2<f32>>;
${CMUL}

@compute @workgroup_size(${WIDE_WORKGROUP})
fn main(${MAIN_BUILTINS}) {
  let t = ${flatIndex(WIDE_WORKGROUP)};
  let first = t * ${REDUCE_RUN}u;
  if (first >= P.count) { return; }
  var acc = vec2<f32>(0.0, 0.0);${runs}
  partials[P.out_base + t] = acc;
}
`;
}

export const SUM_RUNS_PARAMS = { count: 0, outBase: 4, bytes: 16 } as const;

/** dst[out_base + t] = Σ_k src[16t + k] over k < 16 within `count` inputs. */
export const sumRunsShader = () => `
struct Params {
  count: u32,
  out_base: u32,
  pad0: u32,
  pad1: u32,
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> src: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec2<f32>>;

@compute @workgroup_size(${WIDE_WORKGROUP})
fn main(${MAIN_BUILTINS}) {
  let t = ${flatIndex(WIDE_WORKGROUP)};
  let first = t * ${REDUCE_RUN}u;
  if (first >= P.count) { return; }
  var acc = vec2<f32>(0.0, 0.0);${Array.from(
    { length: REDUCE_RUN },
    (_, k) => `
  if (first + ${k}u < P.count) { acc = acc + src[first + ${k}u]; }`,
  ).join('')}
  dst[P.out_base + t] = acc;
}
`;
