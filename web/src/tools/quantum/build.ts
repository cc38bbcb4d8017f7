/** `quantum_circuit_build`: JSON components → OpenQASM 2.0, the circuit hash and a text diagram. */
import { defineTool, jsonResult } from '../../server/toolRegistry.ts';
import { explainingErrors } from '../../server/toolError.ts';
import { circuitFromJson, circuitHash, circuitJsonSchema, drawCircuit, toQasm } from '../../quantum/qasm/index.ts';

export type { BuildCircuitOutput } from './outputs.ts';

export const buildCircuit = defineTool({
  name: 'quantum_circuit_build',
  title: 'Build a quantum circuit',
  description:
    'Turns a circuit given as JSON components ({ qubits, gates: [{ gate: "h", targets: [0] }, { gate: "cx", controls: [0], targets: [1] }, { gate: "measure", qubit: 0, clbit: 0 }, …] }) into OpenQASM 2.0, its SHA-256 circuit hash (the same hash quantum_simulate reports) and a text diagram. Does not simulate.',
  scopes: ['quantum'],
  access: 'read',
  input: { circuit: circuitJsonSchema.describe('The circuit as JSON components') },
  annotations: { readOnlyHint: true, openWorldHint: false },
  run: async ({ circuit: json }) => {
    const circuit = await explainingErrors(async () => circuitFromJson(json));
    return jsonResult({
      qasm: toQasm(circuit),
      hash: await circuitHash(circuit),
      diagram: drawCircuit(circuit),
      qubits: circuit.qubits,
      clbits: circuit.clbits,
      operations: circuit.ops.length,
    });
  },
});
