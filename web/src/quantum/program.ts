/**
 * What a state backend executes: a circuit's unitary part compiled into steps (by `plan.ts`,
 * which fuses neighbouring gates into dense blocks when asked). Steps carry global qubit
 * indices; a matrix's index bit k is `qubits[k]` (little-endian, as in `gates.ts`).
 */
import type { ComplexMatrix } from './gates.ts';

/** A dense unitary on 1-4 qubits (a single gate, or several fused into one block). */
export interface DenseStep {
  kind: 'dense';
  qubits: number[];
  matrix: ComplexMatrix;
}

/** A diagonal unitary: `diagonal` holds 2 ** qubits.length complex entries, interleaved re/im. */
export interface DiagonalStep {
  kind: 'diagonal';
  qubits: number[];
  diagonal: Float64Array;
}

/** `matrix` on `targets`, applied only where every control qubit is 1. */
export interface ControlledStep {
  kind: 'controlled';
  controls: number[];
  targets: number[];
  matrix: ComplexMatrix;
}

export interface SwapStep {
  kind: 'swap';
  a: number;
  b: number;
}

export type Step = DenseStep | DiagonalStep | ControlledStep | SwapStep;

/** How many gates of the source circuit each step stands for, so progress and bench can count gates. */
export interface PlannedSteps {
  steps: Step[];
  gatesPerStep: number[];
}
