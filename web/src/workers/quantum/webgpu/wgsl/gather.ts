/**
 * The gate kernels that move amplitudes: a dense matrix on 1–4 target qubits (optionally under
 * control qubits) and swap. One invocation owns one group of the 2^k amplitudes the gate mixes:
 * it enumerates `t`, inserts zero bits at the gate's in-chunk qubit positions (targets and
 * controls, ascending), sets the in-chunk control bits, then gathers the group from up to
 * `slots` bound state chunks, multiplies by the matrix, and scatters the result back.
 *
 * Column j of the matrix (bit b of j = the b-th target) lives at `base | offs[j]` in bound chunk
 * `slots[j]`: targets inside a chunk contribute to `offs`, targets on chunk-index bits select the
 * slot. The host binds the 2^h chunks that differ only in those h high target bits, so pairs
 * (and quadruples, octets) across chunks are updated by one invocation.
 */
import { CMUL, flatIndex, GATE_WORKGROUP, INSERT_ZERO, MAIN_BUILTINS } from './common.ts';

export type GatherKind = 'matrix' | 'swap';

/** Byte offsets of the uniform record (`Params` below). */
export const GATHER_PARAMS = {
  count: 0,
  insertCount: 4,
  fixedMask: 8,
  /** 32 u32 positions (8 × vec4). */
  inserts: 16,
  /** 16 u32 offsets. */
  offsets: 144,
  /** 16 u32 slots. */
  slots: 208,
  /** Row-major complex matrix, two entries per vec4. */
  matrix: 272,
  maxInserts: 32,
} as const;

/** vec4 entries the matrix array holds in a variant. */
export function gatherMatrixVec4s(kind: GatherKind, targets: number): number {
  return kind === 'swap' ? 1 : Math.max(1, (1 << (2 * targets)) / 2);
}

/** Size in bytes of one uniform record for a variant. */
export function gatherParamBytes(kind: GatherKind, targets: number): number {
  return GATHER_PARAMS.matrix + 16 * gatherMatrixVec4s(kind, targets);
}

function accessors(slots: number): string {
  const bindings = Array.from(
    { length: slots },
    (_, s) => `@group(0) @binding(${s + 1}) var<storage, read_write> s${s}: array<vec2<f32>>;`,
  ).join('\n');
  if (slots === 1) {
    return `${bindings}
fn ld(s: u32, i: u32) -> vec2<f32> { return s0[i]; }
fn st(s: u32, i: u32, v: vec2<f32>) { s0[i] = v; }`;
  }
  const loads = Array.from({ length: slots - 1 }, (_, s) => `    case ${s + 1}u: { return s${s + 1}[i]; }`).join('\n');
  const stores = Array.from({ length: slots - 1 }, (_, s) => `    case ${s + 1}u: { s${s + 1}[i] = v; }`).join('\n');
  return `${bindings}
fn ld(s: u32, i: u32) -> vec2<f32> {
  switch s {
${loads}
    default: { return s0[i]; }
  }
}
fn st(s: u32, i: u32, v: vec2<f32>) {
  switch s {
${stores}
    default: { s0[i] = v; }
  }
}`;
}

/** WGSL for one variant: `targets` qubits (1–4; 2 for swap) with `slots` bound chunks (1, 2, 4 or 8). */
export function gatherShader(kind: GatherKind, targets: number, slots: number): string {
  const dim = 1 << targets;
  const body =
    kind === 'swap'
      ? `
  let i1 = base | P.offs[0].y;
  let i2 = base | P.offs[0].z;
  let k1 = P.slots[0].y;
  let k2 = P.slots[0].z;
  let x = ld(k1, i1);
  let y = ld(k2, i2);
  st(k1, i1, y);
  st(k2, i2, x);`
      : `
  var a: array<vec2<f32>, ${dim}>;
  var idx: array<u32, ${dim}>;
  var slot: array<u32, ${dim}>;
  for (var j = 0u; j < ${dim}u; j = j + 1u) {
    idx[j] = base | P.offs[j >> 2u][j & 3u];
    slot[j] = P.slots[j >> 2u][j & 3u];
    a[j] = ld(slot[j], idx[j]);
  }
  for (var r = 0u; r < ${dim}u; r = r + 1u) {
    var acc = vec2<f32>(0.0, 0.0);
    for (var c = 0u; c < ${dim}u; c = c + 1u) {
      let e = r * ${dim}u + c;
      let m4 = P.mat[e >> 1u];
      acc = acc + cmul(select(m4.xy, m4.zw, (e & 1u) == 1u), a[c]);
    }
    st(slot[r], idx[r], acc);
  }`;
  return `
struct Params {
  count: u32,
  n_ins: u32,
  fixed_mask: u32,
  pad0: u32,
  ins: array<vec4<u32>, 8>,
  offs: array<vec4<u32>, 4>,
  slots: array<vec4<u32>, 4>,
  mat: array<vec4<f32>, ${gatherMatrixVec4s(kind, targets)}>,
}
@group(0) @binding(0) var<uniform> P: Params;
${accessors(slots)}
${CMUL}
${INSERT_ZERO}

@compute @workgroup_size(${GATE_WORKGROUP})
fn main(${MAIN_BUILTINS}) {
  let t = ${flatIndex(GATE_WORKGROUP)};
  if (t >= P.count) { return; }
  var base = t;
  for (var q = 0u; q < P.n_ins; q = q + 1u) {
    base = insert_zero(base, P.ins[q >> 2u][q & 3u]);
  }
  base = base | P.fixed_mask;${body}
}
`;
}
