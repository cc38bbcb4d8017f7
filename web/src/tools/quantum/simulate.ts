/**
 * `quantum_simulate`: runs an OpenQASM 2.0 or JSON circuit on the user's GPU (WebGPU) or CPU
 * in a Worker and returns counts, the most probable states, expectation values, the state vector
 * for small circuits, the circuit hash and which engine ran.
 */
import { z } from 'zod';
import { defineTool, jsonResult } from '../../server/toolRegistry.ts';
import { circuitJsonSchema } from '../../quantum/qasm/json.ts';
import { MAX_SHOTS, MAX_TOP_K } from '../../quantum/simulate.ts';
import { parsePauli } from './pauli.ts';
import { runSimulation, type QuantumPackDependencies } from '../../quantum/runSimulation.ts';

/** Progress notifications go out at most this often, however many gates complete. */
const PROGRESS_INTERVAL_MS = 100;

export const simulateInput = {
  qasm: z
    .string()
    .max(2_000_000)
    .optional()
    .describe('The circuit as OpenQASM 2.0 source (include "qelib1.inc" is built in)'),
  circuit: circuitJsonSchema.optional().describe('The circuit as JSON, instead of qasm'),
  lenient: z
    .boolean()
    .default(false)
    .describe('Accept common QASM quirks: a missing OPENQASM header, measuring into an undeclared register'),
  shots: z.number().int().min(0).max(MAX_SHOTS).default(1024).describe('Measurement shots to sample (0 to 1,000,000)'),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().describe('Seed for reproducible sampling'),
  backend: z
    .enum(['auto', 'webgpu', 'cpu'])
    .default('auto')
    .describe("Engine: 'webgpu' (the user's GPU), 'cpu', or 'auto' to pick"),
  fusion: z
    .boolean()
    .optional()
    .describe('Fuse neighbouring gates into dense blocks (default: on for larger circuits)'),
  top_k: z
    .number()
    .int()
    .min(0)
    .max(MAX_TOP_K)
    .default(16)
    .describe('How many of the most probable basis states to return'),
  return_state: z.boolean().default(false).describe('Return the final state vector (circuits of at most 12 qubits)'),
  expectations: z
    .array(z.string().max(1000))
    .max(64)
    .default([])
    .describe('Pauli observables to evaluate on the final state, e.g. ["Z0 Z1", "X2"]'),
  max_trajectories: z
    .number()
    .int()
    .min(1)
    .max(MAX_SHOTS)
    .optional()
    .describe(
      'Most shots for circuits with mid-circuit measurement, reset or if (each shot is a separate run); default 1024',
    ),
};

export type { SimulateOutput } from './outputs.ts';

export function createSimulateTool(deps: QuantumPackDependencies) {
  return defineTool({
    name: 'quantum_simulate',
    title: 'Simulate a quantum circuit',
    description:
      "Simulates a quantum circuit (OpenQASM 2.0 or JSON) on the user's own GPU via WebGPU, or on the CPU. Returns measurement counts over the classical registers (Qiskit bit order: last register leftmost, bit 0 rightmost), the most probable basis states, requested Pauli expectation values, the state vector for up to 12 qubits, the circuit's SHA-256 hash, the engine that ran and timings. Sends progress notifications on long runs and stops when cancelled.",
    scopes: ['quantum'],
    access: 'compute',
    input: simulateInput,
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async (input, { signal, progress }) => {
      let lastProgress = 0;
      const onProgress = (done: number, total: number) => {
        const now = performance.now();
        if (now - lastProgress < PROGRESS_INTERVAL_MS && done < total) return;
        lastProgress = now;
        void progress(done, total, `${done} of ${total} gate applications`);
      };
      const request = {
        qasm: input.qasm,
        circuit: input.circuit,
        lenient: input.lenient,
        backend: input.backend,
        shots: input.shots,
        seed: input.seed,
        fusion: input.fusion,
        topK: input.top_k,
        returnState: input.return_state,
        expectations: input.expectations.map(parsePauli),
        maxTrajectories: input.max_trajectories,
      };
      const { qasm: _qasm, ...result } = await runSimulation(deps, request, { signal, onProgress });
      return jsonResult({ ...result, resource: `vial://quantum/circuits/${result.hash}` });
    },
  });
}
