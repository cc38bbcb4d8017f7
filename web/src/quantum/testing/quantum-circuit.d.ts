/** The small part of the npm `quantum-circuit` package (test and bench reference only) that Vial uses. */
declare module 'quantum-circuit' {
  interface Complex {
    re: number;
    im: number;
  }
  export default class QuantumCircuit {
    constructor(qubits: number);
    numQubits: number;
    state: Record<string, Complex>;
    appendGate(name: string, wires: number | number[], options?: { params?: Record<string, number> }): void;
    run(initialValues?: number[] | null, options?: Record<string, unknown>): void;
  }
}
