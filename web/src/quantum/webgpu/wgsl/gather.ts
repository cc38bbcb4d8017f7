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

/**
 * WGSL for one variant: `targets` qubits (1–4; 2 for swap), `slots` bound chunks (1, 2, 4 or 8)
 * and `inserts` in-chunk qubit positions (targets and controls below the chunk size).
 */
export function gatherShader(kind: GatherKind, targets: number, slots: number, inserts: number): string {
  const dim = 1 << targets;
  const u = (array: string, j: number) => `P.${array}[${j >> 2}].${'xyzw'[j & 3]}`;
  const m = (e: number) => `P.mat[${e >> 1}].${e & 1 ? 'zw' : 'xy'}`;
  const lines: string[] = [];
  if (kind === 'swap') {
    lines.push(
      `let i1 = base | ${u('offs', 1)};`,
      `let i2 = base | ${u('offs', 2)};`,
      `let x = ld(${u('slots', 1)}, i1);`,
      `let y = ld(${u('slots', 2)}, i2);`,
      `st(${u('slots', 1)}, i1, y);`,
      `st(${u('slots', 2)}, i2, x);`,
    );
  } else {
    // Straight-line code: no private arrays or loops with dynamic indices (slow on SwiftShader,
    // register pressure elsewhere); every uniform access has a constant index.
    for (let j = 0; j < dim; j++) {
      lines.push(`let i${j} = base | ${u('offs', j)};`, `let a${j} = ld(${u('slots', j)}, i${j});`);
    }
    for (let r = 0; r < dim; r++) {
      const terms = Array.from({ length: dim }, (_, c) => `cmul(${m(r * dim + c)}, a${c})`);
      lines.push(`st(${u('slots', r)}, i${r}, ${terms.join(' + ')});`);
    }
  }
  const body = lines.map((line) => `\n  ${line}`).join('');
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
  var base = t;${Array.from({ length: inserts }, (_, q) => `\n  base = insert_zero(base, ${u('ins', q)});`).join('')}
  base = base | P.fixed_mask;${body}
}
`;
}
