/**
 * Diagonal gates (phases): one invocation per amplitude of one chunk, one load and one store.
 * The diagonal index is assembled from the amplitude's in-chunk bits at the gate's qubit
 * positions plus `base`, the bits that come from the chunk index (qubits above the chunk).
 */
import { CMUL, flatIndex, MAIN_BUILTINS, WIDE_WORKGROUP } from './common.ts';

/** Largest diagonal a record holds: 2^8 complex entries. */
export const MAX_DIAGONAL_QUBITS = 8;
/** Marks a diagonal qubit that is a chunk-index bit (its value is folded into `base`). */
export const HIGH_QUBIT = 0xffffffff;

export const DIAGONAL_PARAMS = {
  count: 0,
  qubits: 4,
  base: 8,
  /** 8 u32 positions (2 × vec4). */
  positions: 16,
  diagonal: 48,
} as const;

export const diagonalVec4s = (qubits: number) => Math.max(1, (1 << qubits) / 2);
export const diagonalParamBytes = (qubits: number) => DIAGONAL_PARAMS.diagonal + 16 * diagonalVec4s(qubits);

export function diagonalShader(qubits: number): string {
  return `
struct Params {
  count: u32,
  d: u32,
  base: u32,
  pad0: u32,
  pos: array<vec4<u32>, 2>,
  diag: array<vec4<f32>, ${diagonalVec4s(qubits)}>,
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> s0: array<vec2<f32>>;
${CMUL}

@compute @workgroup_size(${WIDE_WORKGROUP})
fn main(${MAIN_BUILTINS}) {
  let i = ${flatIndex(WIDE_WORKGROUP)};
  if (i >= P.count) { return; }
  var di = P.base;
  for (var b = 0u; b < ${qubits}u; b = b + 1u) {
    let p = P.pos[b >> 2u][b & 3u];
    if (p != ${HIGH_QUBIT}u) {
      di = di | (((i >> p) & 1u) << b);
    }
  }
  let m4 = P.diag[di >> 1u];
  s0[i] = cmul(select(m4.xy, m4.zw, (di & 1u) == 1u), s0[i]);
}
`;
}
