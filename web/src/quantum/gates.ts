/**
 * The standard gates the simulator runs natively: Qiskit's legacy `qelib1.inc` set, with the
 * matrices of Qiskit's gate library (so `rz` carries Qiskit's global phase). The composite
 * relative-phase gates `rccx` and `rc3x` are not here: the QASM front end expands them from their
 * `qelib1.inc` definitions.
 *
 * A controlled gate is described by its number of leading control qubits and the unitary on the
 * remaining target qubits, so kernels can use the structure. Matrices are row-major, complex
 * entries interleaved `[re, im]`; matrix index bit k is the k-th *target* qubit in argument
 * order (little-endian, as in Qiskit).
 */

export interface ComplexMatrix {
  /** Side length: 2 ** (number of target qubits). */
  dim: number;
  /** `dim * dim` complex entries, interleaved re/im, row-major. */
  data: Float64Array;
}

export interface GateSpec {
  /** Total qubit arguments, controls included. */
  qubits: number;
  params: number;
  /** Leading arguments that are controls. */
  controls: number;
  /** True when the target matrix is diagonal (phase-only kernels apply). */
  diagonal: boolean;
  /** The unitary on the target qubits for the given angles. */
  target(params: readonly number[]): ComplexMatrix;
}

type C = [number, number];
const ZERO: C = [0, 0];
const ONE: C = [1, 0];
const I: C = [0, 1];
const expi = (angle: number): C => [Math.cos(angle), Math.sin(angle)];
const scale = ([re, im]: C, factor: number): C => [re * factor, im * factor];
const mul = ([a, b]: C, [c, d]: C): C => [a * c - b * d, a * d + b * c];

export function matrix(rows: C[][]): ComplexMatrix {
  const dim = rows.length;
  const data = new Float64Array(dim * dim * 2);
  rows.forEach((row, r) =>
    row.forEach(([re, im], c) => {
      data[(r * dim + c) * 2] = re;
      data[(r * dim + c) * 2 + 1] = im;
    }),
  );
  return { dim, data };
}

const diag = (...entries: C[]): ComplexMatrix =>
  matrix(entries.map((entry, r) => entries.map((_, c) => (r === c ? entry : ZERO))));

const SQRT1_2 = Math.SQRT1_2;

function u3(theta: number, phi: number, lambda: number): ComplexMatrix {
  const c = Math.cos(theta / 2);
  const s = Math.sin(theta / 2);
  return matrix([
    [[c, 0], scale(expi(lambda), -s)],
    [scale(expi(phi), s), scale(expi(phi + lambda), c)],
  ]);
}

const rx = (theta: number) => {
  const c = Math.cos(theta / 2);
  const s = Math.sin(theta / 2);
  return matrix([
    [
      [c, 0],
      [0, -s],
    ],
    [
      [0, -s],
      [c, 0],
    ],
  ]);
};
const ry = (theta: number) => {
  const c = Math.cos(theta / 2);
  const s = Math.sin(theta / 2);
  return matrix([
    [
      [c, 0],
      [-s, 0],
    ],
    [
      [s, 0],
      [c, 0],
    ],
  ]);
};
const rz = (lambda: number) => diag(expi(-lambda / 2), expi(lambda / 2));
const phase = (lambda: number) => diag(ONE, expi(lambda));

const X = matrix([
  [ZERO, ONE],
  [ONE, ZERO],
]);
const Y = matrix([
  [ZERO, [0, -1]],
  [I, ZERO],
]);
const Z = diag(ONE, [-1, 0]);
const H = matrix([
  [
    [SQRT1_2, 0],
    [SQRT1_2, 0],
  ],
  [
    [SQRT1_2, 0],
    [-SQRT1_2, 0],
  ],
]);
const SX = matrix([
  [
    [0.5, 0.5],
    [0.5, -0.5],
  ],
  [
    [0.5, -0.5],
    [0.5, 0.5],
  ],
]);
const SXDG = matrix([
  [
    [0.5, -0.5],
    [0.5, 0.5],
  ],
  [
    [0.5, 0.5],
    [0.5, -0.5],
  ],
]);
const IDENTITY = diag(ONE, ONE);
const SWAP = matrix([
  [ONE, ZERO, ZERO, ZERO],
  [ZERO, ZERO, ONE, ZERO],
  [ZERO, ONE, ZERO, ZERO],
  [ZERO, ZERO, ZERO, ONE],
]);

function rxx(theta: number): ComplexMatrix {
  const c: C = [Math.cos(theta / 2), 0];
  const s: C = [0, -Math.sin(theta / 2)];
  return matrix([
    [c, ZERO, ZERO, s],
    [ZERO, c, s, ZERO],
    [ZERO, s, c, ZERO],
    [s, ZERO, ZERO, c],
  ]);
}
const rzz = (theta: number) => diag(expi(-theta / 2), expi(theta / 2), expi(theta / 2), expi(-theta / 2));

function cu(theta: number, phi: number, lambda: number, gamma: number): ComplexMatrix {
  const base = u3(theta, phi, lambda);
  const g = expi(gamma);
  const data = new Float64Array(base.data.length);
  for (let i = 0; i < data.length; i += 2) {
    [data[i], data[i + 1]] = mul(g, [base.data[i]!, base.data[i + 1]!]);
  }
  return { dim: base.dim, data };
}

const fixed = (m: ComplexMatrix) => () => m;
const spec = (
  qubits: number,
  params: number,
  controls: number,
  diagonal: boolean,
  target: GateSpec['target'],
): GateSpec => ({
  qubits,
  params,
  controls,
  diagonal,
  target,
});

export const STANDARD_GATES = {
  id: spec(1, 0, 0, true, fixed(IDENTITY)),
  u0: spec(1, 1, 0, true, fixed(IDENTITY)),
  x: spec(1, 0, 0, false, fixed(X)),
  y: spec(1, 0, 0, false, fixed(Y)),
  z: spec(1, 0, 0, true, fixed(Z)),
  h: spec(1, 0, 0, false, fixed(H)),
  s: spec(1, 0, 0, true, fixed(diag(ONE, I))),
  sdg: spec(1, 0, 0, true, fixed(diag(ONE, [0, -1]))),
  t: spec(1, 0, 0, true, fixed(phase(Math.PI / 4))),
  tdg: spec(1, 0, 0, true, fixed(phase(-Math.PI / 4))),
  sx: spec(1, 0, 0, false, fixed(SX)),
  sxdg: spec(1, 0, 0, false, fixed(SXDG)),
  rx: spec(1, 1, 0, false, ([theta]) => rx(theta!)),
  ry: spec(1, 1, 0, false, ([theta]) => ry(theta!)),
  rz: spec(1, 1, 0, true, ([lambda]) => rz(lambda!)),
  u1: spec(1, 1, 0, true, ([lambda]) => phase(lambda!)),
  p: spec(1, 1, 0, true, ([lambda]) => phase(lambda!)),
  u2: spec(1, 2, 0, false, ([phi, lambda]) => u3(Math.PI / 2, phi!, lambda!)),
  u3: spec(1, 3, 0, false, ([theta, phi, lambda]) => u3(theta!, phi!, lambda!)),
  u: spec(1, 3, 0, false, ([theta, phi, lambda]) => u3(theta!, phi!, lambda!)),
  cx: spec(2, 0, 1, false, fixed(X)),
  cy: spec(2, 0, 1, false, fixed(Y)),
  cz: spec(2, 0, 1, true, fixed(Z)),
  ch: spec(2, 0, 1, false, fixed(H)),
  csx: spec(2, 0, 1, false, fixed(SX)),
  crx: spec(2, 1, 1, false, ([theta]) => rx(theta!)),
  cry: spec(2, 1, 1, false, ([theta]) => ry(theta!)),
  crz: spec(2, 1, 1, true, ([lambda]) => rz(lambda!)),
  cp: spec(2, 1, 1, true, ([lambda]) => phase(lambda!)),
  cu1: spec(2, 1, 1, true, ([lambda]) => phase(lambda!)),
  cu3: spec(2, 3, 1, false, ([theta, phi, lambda]) => u3(theta!, phi!, lambda!)),
  cu: spec(2, 4, 1, false, ([theta, phi, lambda, gamma]) => cu(theta!, phi!, lambda!, gamma!)),
  swap: spec(2, 0, 0, false, fixed(SWAP)),
  rxx: spec(2, 1, 0, false, ([theta]) => rxx(theta!)),
  rzz: spec(2, 1, 0, true, ([theta]) => rzz(theta!)),
  cswap: spec(3, 0, 1, false, fixed(SWAP)),
  ccx: spec(3, 0, 2, false, fixed(X)),
  c3x: spec(4, 0, 3, false, fixed(X)),
  c3sqrtx: spec(4, 0, 3, false, fixed(SX)),
  c4x: spec(5, 0, 4, false, fixed(X)),
} satisfies Record<string, GateSpec>;

export type StandardGateName = keyof typeof STANDARD_GATES;

export function isStandardGate(name: string): name is StandardGateName {
  return Object.hasOwn(STANDARD_GATES, name);
}

/**
 * The full unitary of a standard gate on its own qubits (controls included), index bit k being
 * the k-th argument. Used by fusion and by tests; kernels use the controls/target split instead.
 */
export function fullMatrix(name: StandardGateName, params: readonly number[]): ComplexMatrix {
  const gate: GateSpec = STANDARD_GATES[name];
  return controlledMatrix(gate.controls, gate.target(params));
}

/** `target` controlled by `controls` qubits that take the low index bits (as gate arguments do). */
export function controlledMatrix(controls: number, target: ComplexMatrix): ComplexMatrix {
  if (controls === 0) return target;
  const dim = target.dim << controls;
  const controlMask = (1 << controls) - 1;
  const data = new Float64Array(dim * dim * 2);
  for (let row = 0; row < dim; row++) {
    for (let col = 0; col < dim; col++) {
      let re = 0;
      let im = 0;
      if ((row & controlMask) === controlMask && (col & controlMask) === controlMask) {
        const t = ((row >> controls) * target.dim + (col >> controls)) * 2;
        re = target.data[t]!;
        im = target.data[t + 1]!;
      } else if (row === col) {
        re = 1;
      }
      data[(row * dim + col) * 2] = re;
      data[(row * dim + col) * 2 + 1] = im;
    }
  }
  return { dim, data };
}
