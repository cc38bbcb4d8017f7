/**
 * Seeded random circuits for tests and benchmarks. Two shapes:
 * - `randomCircuit`: gates drawn uniformly from a list, on random distinct qubits, with random angles;
 * - `layeredCircuit`: the usual benchmark shape (as in qsim's and Google's random circuits) — per
 *   layer, a random single-qubit gate on every qubit, then two-qubit gates on alternating pairs.
 */
import type { Circuit, GateOp } from '../circuit.ts';
import { STANDARD_GATES, type ComplexMatrix, type GateSpec, type StandardGateName } from '../gates.ts';
import { Xoshiro128 } from '../random.ts';

/** A square matrix of uniform entries in [-0.5, 0.5): not unitary, which kernel tests do not need. */
export function randomMatrix(rng: Xoshiro128, dim: number): ComplexMatrix {
  return { dim, data: Float64Array.from({ length: 2 * dim * dim }, () => rng.next() - 0.5) };
}

function emptyCircuit(qubits: number): Circuit {
  return { qubits, clbits: 0, qregs: [{ name: 'q', size: qubits, offset: 0 }], cregs: [], ops: [] };
}

function randomGate(rng: Xoshiro128, name: StandardGateName, qubits: number[]): GateOp {
  const spec: GateSpec = STANDARD_GATES[name];
  const params = Array.from({ length: spec.params }, () => (rng.next() * 2 - 1) * Math.PI);
  return { kind: 'gate', name, qubits, params };
}

/** `count` different qubits out of `qubits`, in the order drawn. */
export function distinctQubits(rng: Xoshiro128, count: number, qubits: number): number[] {
  const chosen: number[] = [];
  while (chosen.length < count) {
    const q = Math.floor(rng.next() * qubits);
    if (!chosen.includes(q)) chosen.push(q);
  }
  return chosen;
}

export function randomCircuit(options: {
  qubits: number;
  gates: number;
  seed: number;
  names: readonly StandardGateName[];
}): Circuit {
  const rng = new Xoshiro128(options.seed);
  const circuit = emptyCircuit(options.qubits);
  const names = options.names.filter((name) => STANDARD_GATES[name].qubits <= options.qubits);
  for (let i = 0; i < options.gates; i++) {
    const name = names[Math.floor(rng.next() * names.length)]!;
    circuit.ops.push(randomGate(rng, name, distinctQubits(rng, STANDARD_GATES[name].qubits, options.qubits)));
  }
  return circuit;
}

export const LAYER_SINGLE_QUBIT_GATES: readonly StandardGateName[] = ['h', 'sx', 'rx', 'ry', 'rz', 't', 'u3'];
export const LAYER_TWO_QUBIT_GATES: readonly StandardGateName[] = ['cx', 'cz', 'cp'];

export function layeredCircuit(options: { qubits: number; depth: number; seed: number }): Circuit {
  const rng = new Xoshiro128(options.seed);
  const { qubits } = options;
  const circuit = emptyCircuit(qubits);
  const pick = (names: readonly StandardGateName[]) => names[Math.floor(rng.next() * names.length)]!;
  for (let layer = 0; layer < options.depth; layer++) {
    for (let q = 0; q < qubits; q++) circuit.ops.push(randomGate(rng, pick(LAYER_SINGLE_QUBIT_GATES), [q]));
    for (let q = layer % 2; q + 1 < qubits; q += 2) {
      circuit.ops.push(randomGate(rng, pick(LAYER_TWO_QUBIT_GATES), rng.next() < 0.5 ? [q, q + 1] : [q + 1, q]));
    }
  }
  return circuit;
}
