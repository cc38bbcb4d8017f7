/**
 * Parallel reductions over one state chunk, written as one vec2 partial per workgroup (the host
 * adds the partials of every chunk in float64):
 *
 * - `norm`: x = Σ|a_i|² over amplitudes whose in-chunk bits match (`i & mask == want`), y = Σ|a_i|²
 *   over the rest. Measurement uses it for P(qubit = 1) and P(qubit = 0) without cancellation.
 * - `pauli`: x = Σ Re(conj(b_{i ⊕ xlow}) · phase · (−1)^{popcount(i & zylow)} · a_i), the chunk's
 *   share of ⟨ψ|P|ψ⟩, where `a` is this chunk and `b` the chunk it maps to under P's X/Y flips.
 *
 * Each invocation accumulates a grid-strided run of amplitudes with Kahan compensation, then the
 * workgroup adds its 256 values as a tree in workgroup memory.
 */
import { CMUL, WIDE_WORKGROUP } from './common.ts';

export type ReduceMode = 'norm' | 'pauli';

/** At most this many workgroups (and partials) per chunk. */
export const REDUCE_MAX_GROUPS = 256;

export const REDUCE_PARAMS = {
  count: 0,
  mask: 4,
  want: 8,
  xLow: 12,
  zyLow: 16,
  partialBase: 20,
  /** vec2<f32>: i^{#Y} times the sign from the chunk-index bits. */
  phase: 24,
  bytes: 32,
} as const;

export function reduceShader(mode: ReduceMode): string {
  const term =
    mode === 'norm'
      ? `
    let a = A[i];
    let p = dot(a, a);
    let term = select(vec2<f32>(0.0, p), vec2<f32>(p, 0.0), (i & P.mask) == P.want);`
      : `
    let a = A[i];
    let b = B[i ^ P.xlow];
    let v = cmul(select(P.phase, -P.phase, (countOneBits(i & P.zylow) & 1u) == 1u), a);
    let term = vec2<f32>(b.x * v.x + b.y * v.y, 0.0);`;
  return `
struct Params {
  count: u32,
  mask: u32,
  want: u32,
  xlow: u32,
  zylow: u32,
  partial_base: u32,
  phase: vec2<f32>,
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> A: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> B: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> partials: array<vec2<f32>>;
var<workgroup> shared_sums: array<vec2<f32>, ${WIDE_WORKGROUP}>;
${CMUL}

@compute @workgroup_size(${WIDE_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let stride = nwg.x * ${WIDE_WORKGROUP}u;
  var sum = vec2<f32>(0.0, 0.0);
  var comp = vec2<f32>(0.0, 0.0);
  for (var i = wid.x * ${WIDE_WORKGROUP}u + lid; i < P.count; i = i + stride) {${term}
    let y = term - comp;
    let s = sum + y;
    comp = (s - sum) - y;
    sum = s;
  }
  shared_sums[lid] = sum;
  workgroupBarrier();
  for (var width = ${WIDE_WORKGROUP / 2}u; width > 0u; width = width >> 1u) {
    if (lid < width) {
      shared_sums[lid] = shared_sums[lid] + shared_sums[lid + width];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    partials[P.partial_base + wid.x] = shared_sums[0];
  }
}
`;
}
