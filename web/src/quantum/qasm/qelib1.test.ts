/**
 * The embedded qelib1.inc against the native gates of `gates.ts`: every gate the simulator runs
 * natively is defined by qelib1.inc with the same shape, and its qelib1 definition, expanded,
 * has the native matrix up to a global phase. So neither a typo here nor a wrong matrix there
 * can go unnoticed.
 */
import { describe, expect, it } from 'vitest';
import type { GateOp } from '../circuit.ts';
import { fullMatrix, STANDARD_GATES, type StandardGateName } from '../gates.ts';
import { qelib1Gates, type GateEntry } from './compile.ts';

/** The body of a gate, expanded down to native gates (one level of native is enough). */
function expandBody(entry: GateEntry, params: readonly number[], qubits: readonly number[]): GateOp[] {
  const ops: GateOp[] = [];
  for (const op of entry.body ?? []) {
    if (op.kind === 'barrier') continue;
    const subParams = op.params.map((param) => param(params));
    const subQubits = op.args.map((index) => qubits[index]!);
    if (op.gate.native) ops.push({ kind: 'gate', name: op.gate.native, qubits: subQubits, params: subParams });
    else ops.push(...expandBody(op.gate, subParams, subQubits));
  }
  return ops;
}

type Matrix = { dim: number; re: Float64Array; im: Float64Array };

/** The unitary of a sequence of gates on `n` qubits (index bit k = qubit k). */
function unitary(ops: readonly GateOp[], n: number): Matrix {
  const dim = 1 << n;
  const re = new Float64Array(dim * dim);
  const im = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) re[i * dim + i] = 1;
  for (const op of ops) {
    const gate = fullMatrix(op.name, op.params);
    const k = op.qubits.length;
    // Apply the gate to every column of the accumulated unitary.
    for (let column = 0; column < dim; column++) {
      for (let base = 0; base < dim; base++) {
        if (op.qubits.some((qubit) => (base >> qubit) & 1)) continue;
        const index = (local: number) => op.qubits.reduce((acc, qubit, j) => acc | (((local >> j) & 1) << qubit), base);
        const inRe = [];
        const inIm = [];
        for (let local = 0; local < 1 << k; local++) {
          inRe.push(re[index(local) * dim + column]!);
          inIm.push(im[index(local) * dim + column]!);
        }
        for (let row = 0; row < 1 << k; row++) {
          let sumRe = 0;
          let sumIm = 0;
          for (let col = 0; col < 1 << k; col++) {
            const gRe = gate.data[(row * gate.dim + col) * 2]!;
            const gIm = gate.data[(row * gate.dim + col) * 2 + 1]!;
            sumRe += gRe * inRe[col]! - gIm * inIm[col]!;
            sumIm += gRe * inIm[col]! + gIm * inRe[col]!;
          }
          re[index(row) * dim + column] = sumRe;
          im[index(row) * dim + column] = sumIm;
        }
      }
    }
  }
  return { dim, re, im };
}

/** Largest |a - e^{iφ} b| over entries, for the φ that aligns their largest entries. */
function distanceUpToPhase(a: Matrix, b: Matrix): number {
  let pivot = 0;
  for (let i = 0; i < a.re.length; i++)
    if (Math.hypot(a.re[i]!, a.im[i]!) > Math.hypot(a.re[pivot]!, a.im[pivot]!)) pivot = i;
  // phase = a[pivot] / b[pivot]
  const denominator = b.re[pivot]! ** 2 + b.im[pivot]! ** 2;
  const phaseRe = (a.re[pivot]! * b.re[pivot]! + a.im[pivot]! * b.im[pivot]!) / denominator;
  const phaseIm = (a.im[pivot]! * b.re[pivot]! - a.re[pivot]! * b.im[pivot]!) / denominator;
  let worst = 0;
  for (let i = 0; i < a.re.length; i++) {
    const re = phaseRe * b.re[i]! - phaseIm * b.im[i]!;
    const im = phaseRe * b.im[i]! + phaseIm * b.re[i]!;
    worst = Math.max(worst, Math.hypot(a.re[i]! - re, a.im[i]! - im));
  }
  return worst;
}

const ANGLES = [0.3, -1.1, 2.4, 0.7];

describe('qelib1.inc', () => {
  const gates = qelib1Gates();

  it('defines every standard gate, with its shape, and marks it native', () => {
    for (const [name, spec] of Object.entries(STANDARD_GATES)) {
      const entry = gates.get(name);
      expect(entry, name).toBeDefined();
      expect(entry!.native).toBe(name);
      expect([entry!.qubitNames.length, entry!.paramNames.length]).toEqual([spec.qubits, spec.params]);
    }
  });

  it('adds exactly the composite gates rccx and rc3x', () => {
    const composite = [...gates.values()].filter((entry) => !entry.native).map((entry) => entry.name);
    expect(composite).toEqual(['rccx', 'rc3x']);
  });

  for (const name of Object.keys(STANDARD_GATES) as StandardGateName[]) {
    it(`the definition of ${name} expands to its native matrix (up to global phase)`, () => {
      const entry = gates.get(name)!;
      const spec = STANDARD_GATES[name];
      const params = ANGLES.slice(0, spec.params);
      const qubits = Array.from({ length: spec.qubits }, (_, i) => i);
      const expanded = expandBody(entry, params, qubits);
      // u3, u, u1, … are defined by `U`, which is native `u` itself: still a check of the matrices.
      expect(expanded.length).toBeGreaterThan(0);
      const native = unitary([{ kind: 'gate', name, qubits, params }], spec.qubits);
      expect(distanceUpToPhase(unitary(expanded, spec.qubits), native)).toBeLessThan(1e-9);
    });
  }

  it('rccx and rc3x match ccx and c3x up to relative phases', () => {
    for (const [name, native] of [
      ['rccx', 'ccx'],
      ['rc3x', 'c3x'],
    ] as const) {
      const n = STANDARD_GATES[native].qubits;
      const qubits = Array.from({ length: n }, (_, i) => i);
      const relative = unitary(expandBody(gates.get(name)!, [], qubits), n);
      const exact = unitary([{ kind: 'gate', name: native, qubits, params: [] }], n);
      for (let i = 0; i < exact.re.length; i++) {
        expect(Math.hypot(relative.re[i]!, relative.im[i]!)).toBeCloseTo(Math.hypot(exact.re[i]!, exact.im[i]!), 9);
      }
    }
  });
});
