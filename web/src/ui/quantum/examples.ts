/**
 * The example circuits the Quantum view offers, as OpenQASM 2.0. `examples.test.ts` runs each on
 * the CPU engine and checks the distribution it should give.
 */
export interface QuantumExample {
  id: string;
  label: string;
  /** One sentence on what the circuit does and what to expect from it. */
  about: string;
  qasm: string;
}

const header = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n';

export const EXAMPLES: readonly QuantumExample[] = [
  {
    id: 'bell',
    label: 'Bell pair',
    about: 'Entangles two qubits: only 00 and 11 come up, about half the time each.',
    qasm: `${header}
qreg q[2];
creg c[2];
h q[0];
cx q[0], q[1];
measure q -> c;
`,
  },
  {
    id: 'ghz',
    label: 'GHZ (5 qubits)',
    about: 'Spreads one superposition over five qubits: all zeros or all ones, half the time each.',
    qasm: `${header}
qreg q[5];
creg c[5];
h q[0];
cx q[0], q[1];
cx q[1], q[2];
cx q[2], q[3];
cx q[3], q[4];
measure q -> c;
`,
  },
  {
    id: 'qft',
    label: 'QFT (4 qubits)',
    about:
      'The quantum Fourier transform of a comb with period 4 (1, 5, 9, 13): a comb at 0, 4, 8, 12 (0000, 0100, 1000, 1100), a quarter each; the shift becomes a phase.',
    qasm: `${header}
qreg q[4];
creg c[4];
// Input: |1> + |5> + |9> + |13>, i.e. q[0] = 1, q[1] = 0, q[2] and q[3] in superposition.
x q[0];
h q[2];
h q[3];
barrier q;
// QFT, q[0] least significant.
h q[3];
cp(pi/2) q[2], q[3];
cp(pi/4) q[1], q[3];
cp(pi/8) q[0], q[3];
h q[2];
cp(pi/2) q[1], q[2];
cp(pi/4) q[0], q[2];
h q[1];
cp(pi/2) q[0], q[1];
h q[0];
swap q[0], q[3];
swap q[1], q[2];
measure q -> c;
`,
  },
  {
    id: 'grover',
    label: 'Grover (3 qubits)',
    about: 'Two Grover iterations find the marked state 110 with probability 0.945.',
    qasm: `${header}
// Flips the phase of |110> (q[2] = 1, q[1] = 1, q[0] = 0).
gate oracle a, b, c {
  x a;
  h c;
  ccx a, b, c;
  h c;
  x a;
}
// Reflects about the uniform superposition.
gate diffuser a, b, c {
  h a; h b; h c;
  x a; x b; x c;
  h c;
  ccx a, b, c;
  h c;
  x a; x b; x c;
  h a; h b; h c;
}
qreg q[3];
creg c[3];
h q;
oracle q[0], q[1], q[2];
diffuser q[0], q[1], q[2];
oracle q[0], q[1], q[2];
diffuser q[0], q[1], q[2];
measure q -> c;
`,
  },
  {
    id: 'teleport',
    label: 'Teleportation',
    about:
      'Sends ry(2π/3)|0> from q[0] to q[2] with two mid-circuit measurements and if(): c2 reads 1 three times in four, whatever c0 and c1 read.',
    qasm: `${header}
qreg q[3];
creg c0[1];
creg c1[1];
creg c2[1];
// The state to send: cos(π/3)|0> + sin(π/3)|1>.
ry(2*pi/3) q[0];
// A Bell pair shared by q[1] (sender) and q[2] (receiver).
h q[1];
cx q[1], q[2];
// The sender measures in the Bell basis...
cx q[0], q[1];
h q[0];
measure q[0] -> c0[0];
measure q[1] -> c1[0];
// ...and the receiver corrects with what it is told.
if(c1==1) x q[2];
if(c0==1) z q[2];
measure q[2] -> c2[0];
`,
  },
];

export const DEFAULT_EXAMPLE = EXAMPLES[0]!;

export function exampleById(id: string): QuantumExample | undefined {
  return EXAMPLES.find((example) => example.id === id);
}
