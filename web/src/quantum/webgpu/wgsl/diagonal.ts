/**
 * Diagonal gates (phases), one dispatch per chunk. The diagonal's qubits above the chunk are fixed
 * within a chunk, so the host sends each chunk the sub-diagonal over the qubits inside it (the
 * "low" ones, in the diagonal's bit order). One invocation owns the 2^d amplitudes that differ
 * only in those d low qubits and multiplies amplitude j by entry j: straight-line code with
 * constant uniform indices, one load and one store per amplitude.
 */
import { CMUL, flatIndex, INSERT_ZERO, MAIN_BUILTINS, WIDE_WORKGROUP } from './common.ts';

/** Largest diagonal step: 2^8 complex entries. */
export const MAX_DIAGONAL_QUBITS = 8;

export const DIAGONAL_PARAMS = {
  count: 0,
  /** 8 u32: the low qubits' positions, ascending (where zero bits are inserted). */
  inserts: 16,
  /** 8 u32: the low qubits' positions in the diagonal's bit order. */
  positions: 48,
  diagonal: 80,
} as const;

export const diagonalVec4s = (lowQubits: number) => Math.max(1, (1 << lowQubits) / 2);
export const diagonalParamBytes = (lowQubits: number) => DIAGONAL_PARAMS.diagonal + 16 * diagonalVec4s(lowQubits);

export function diagonalShader(lowQubits: number): string {
  const u = (array: string, j: number) => `P.${array}[${j >> 2}].${'xyzw'[j & 3]}`;
  const lines: string[] = [];
  for (let q = 0; q < lowQubits; q++) lines.push(`base = insert_zero(base, ${u('ins', q)});`);
  for (let b = 0; b < lowQubits; b++) lines.push(`let o${b} = 1u << ${u('pos', b)};`);
  for (let j = 0; j < 1 << lowQubits; j++) {
    const bits = Array.from({ length: lowQubits }, (_, b) => b).filter((b) => (j >> b) & 1);
    lines.push(
      `let i${j} = ${['base', ...bits.map((b) => `o${b}`)].join(' | ')};`,
      `s0[i${j}] = cmul(P.diag[${j >> 1}].${j & 1 ? 'zw' : 'xy'}, s0[i${j}]);`,
    );
  }
  return `
struct Params {
  count: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
  ins: array<vec4<u32>, 2>,
  pos: array<vec4<u32>, 2>,
  diag: array<vec4<f32>, ${diagonalVec4s(lowQubits)}>,
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> s0: array<vec2<f32>>;
${CMUL}
${INSERT_ZERO}

@compute @workgroup_size(${WIDE_WORKGROUP})
fn main(${MAIN_BUILTINS}) {
  let t = ${flatIndex(WIDE_WORKGROUP)};
  if (t >= P.count) { return; }
  var base = t;
${lines.map((line) => `  ${line}`).join('\n')}
}
`;
}
