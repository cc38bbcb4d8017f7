import { z } from 'zod';
import { definePrompt } from '../../server/toolRegistry.ts';
import { drawCircuit, parseQasmWithWarnings } from '../../quantum/qasm/index.ts';

/** `quantum_explain_circuit`: asks a model to explain a circuit, with its diagram drawn for it. */
export const explainCircuit = definePrompt({
  name: 'quantum_explain_circuit',
  title: 'Explain a quantum circuit',
  description: 'Explains what an OpenQASM 2.0 circuit does, step by step, with its text diagram.',
  args: {
    qasm: z.string().describe('The circuit as OpenQASM 2.0 source'),
    audience: z.string().optional().describe('Who the explanation is for, e.g. "a first-year student"'),
  },
  build: ({ qasm, audience }) => {
    const { circuit } = parseQasmWithWarnings(qasm, { lenient: true });
    return {
      description: `Explain a ${circuit.qubits}-qubit circuit`,
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              `Explain what this ${circuit.qubits}-qubit, ${circuit.ops.length}-operation quantum circuit does${audience ? ` for ${audience}` : ''}.`,
              'Walk through it stage by stage, name known patterns (e.g. Bell pair, GHZ, QFT, Grover iteration, teleportation), say what measurement outcomes to expect and why, and point out anything unusual.',
              'You can check your expectations by running it with the quantum_simulate tool.',
              '',
              '```qasm',
              qasm.trim(),
              '```',
              '',
              'Diagram (qubit 0 on top):',
              '```',
              drawCircuit(circuit),
              '```',
            ].join('\n'),
          },
        },
      ],
    };
  },
});
