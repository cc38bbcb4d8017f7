/**
 * The circuit every part of the simulator agrees on: what the QASM front end and the JSON form
 * produce, what fusion plans from, and what the engines run. Registers are flattened to global
 * qubit and clbit indices; user-defined and composite gates are already expanded into the
 * standard gates of `gates.ts`.
 *
 * Bit order is Qiskit's (little-endian): qubit 0 is the least significant bit of a state index,
 * and a classical register's bit 0 is the rightmost character of its count key.
 */
import type { StandardGateName } from './gates.ts';

export interface Register {
  name: string;
  size: number;
  /** Index of this register's bit 0 among all qubits (or clbits). */
  offset: number;
}

/** `if(creg == value)`: the op runs only when the register's bits, read as an integer, equal `value`. */
export interface Condition {
  creg: string;
  value: number;
}

export interface GateOp {
  kind: 'gate';
  name: StandardGateName;
  /** Global qubit indices in QASM argument order: controls first, then targets. */
  qubits: number[];
  /** Angles in radians. */
  params: number[];
  condition?: Condition;
}

export interface MeasureOp {
  kind: 'measure';
  qubit: number;
  clbit: number;
  condition?: Condition;
}

export interface ResetOp {
  kind: 'reset';
  qubit: number;
  condition?: Condition;
}

/** Kept so diagrams and canonical forms show it; fusion does not merge gates across it. */
export interface BarrierOp {
  kind: 'barrier';
  qubits: number[];
}

export type Op = GateOp | MeasureOp | ResetOp | BarrierOp;

export interface Circuit {
  qubits: number;
  clbits: number;
  qregs: Register[];
  cregs: Register[];
  ops: Op[];
}

/** True when every measurement comes after the last gate on its qubit and nothing is conditional or reset. */
export function hasOnlyTerminalMeasurements(circuit: Circuit): boolean {
  const measured = new Set<number>();
  for (const op of circuit.ops) {
    if (op.kind === 'barrier') continue;
    if (op.kind === 'reset' || ('condition' in op && op.condition)) return false;
    if (op.kind === 'measure') measured.add(op.qubit);
    else if (op.qubits.some((qubit) => measured.has(qubit))) return false;
  }
  return true;
}
