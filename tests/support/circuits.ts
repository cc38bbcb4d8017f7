/** QASM sources the quantum tests share. */
export const QASM_HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n';

/** An n-qubit GHZ state, measured: only all-zeros and all-ones come out. */
export function ghzQasm(qubits: number): string {
  const lines = [`qreg q[${qubits}];`, `creg c[${qubits}];`, 'h q[0];'];
  for (let i = 1; i < qubits; i++) lines.push(`cx q[${i - 1}], q[${i}];`);
  return `${QASM_HEADER}${lines.join('\n')}\nmeasure q -> c;\n`;
}
