/**
 * A deliberately plain float64 simulator for tests: each gate's full matrix (from `gates.ts`)
 * applied by looping over every row of the state. It shares nothing with the CPU kernels, fusion or
 * planning, so it checks them; `quantum-circuit` checks the gate matrices themselves.
 */
import type { Circuit } from '../circuit.ts';
import { fullMatrix, type ComplexMatrix } from '../gates.ts';

/** state ← U·state, where U's index bit j is qubit `qubits[j]`. */
export function naiveApply(state: Float64Array, matrix: ComplexMatrix, qubits: readonly number[]): void {
  const amplitudes = state.length / 2;
  const next = new Float64Array(state.length);
  for (let i = 0; i < amplitudes; i++) {
    let row = 0;
    qubits.forEach((q, j) => (row |= ((i >> q) & 1) << j));
    let re = 0;
    let im = 0;
    for (let col = 0; col < matrix.dim; col++) {
      let source = i;
      qubits.forEach((q, j) => {
        source = (source & ~(1 << q)) | (((col >> j) & 1) << q);
      });
      const mr = matrix.data[2 * (row * matrix.dim + col)]!;
      const mi = matrix.data[2 * (row * matrix.dim + col) + 1]!;
      re += mr * state[2 * source]! - mi * state[2 * source + 1]!;
      im += mr * state[2 * source + 1]! + mi * state[2 * source]!;
    }
    next[2 * i] = re;
    next[2 * i + 1] = im;
  }
  state.set(next);
}

export function naiveState(circuit: Circuit): Float64Array {
  const state = new Float64Array(2 << circuit.qubits);
  state[0] = 1;
  for (const op of circuit.ops) if (op.kind === 'gate') naiveApply(state, fullMatrix(op.name, op.params), op.qubits);
  return state;
}

/** A reproducible random normalised state. */
export function randomState(qubits: number, seed: number): Float64Array {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296 - 0.5;
  };
  const state = Float64Array.from({ length: 2 << qubits }, next);
  let sum = 0;
  for (const v of state) sum += v * v;
  const norm = Math.sqrt(sum);
  return state.map((v) => v / norm);
}
