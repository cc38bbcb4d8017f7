/**
 * What the quantum tools return: each tool's `outputSchema`, checked against every
 * `structuredContent` it sends, and the types its tests and its MCP App read. Zod only, so an app
 * imports these without the simulator.
 */
import { z } from 'zod';

const circuitHash = z.string().regex(/^[0-9a-f]{64}$/);
const engine = z.enum(['cpu', 'webgpu']);

/** `quantum_simulate`: a run's counts, most probable states, expectations, state, hash, engine and timings. */
export const simulateOutput = z.strictObject({
  backend: engine.describe('The engine that ran'),
  backendReason: z.string().describe('Why this engine ran (e.g. auto chose the CPU for a small circuit)'),
  qubits: z.number().int().nonnegative(),
  clbits: z.number().int().nonnegative(),
  shots: z.number().int().nonnegative(),
  seed: z
    .number()
    .int()
    .nonnegative()
    .describe('The sampling seed (random when none was given): pass it again to repeat the run'),
  counts: z
    .record(z.string(), z.number().int().nonnegative())
    .optional()
    .describe(
      'Outcomes by classical bits, Qiskit order: last register leftmost, bit 0 rightmost; absent when nothing is measured',
    ),
  topK: z
    .array(z.strictObject({ bitstring: z.string(), index: z.number().int().nonnegative(), probability: z.number() }))
    .describe('The most probable basis states, qubit 0 rightmost'),
  state: z
    .array(z.number())
    .optional()
    .describe('The final state vector as interleaved re/im amplitudes (return_state)'),
  expectations: z
    .array(z.strictObject({ paulis: z.string(), qubits: z.array(z.number().int().nonnegative()), value: z.number() }))
    .optional(),
  stateFrom: z
    .enum(['final-state', 'last-trajectory'])
    .describe('Which state topK, state and expectations describe: the final one, or the last shot of a per-shot run'),
  trajectories: z.number().int().nonnegative().describe('Per-shot runs made (0 when the circuit ran once)'),
  gateCount: z.number().int().nonnegative(),
  stepCount: z.number().int().nonnegative(),
  fusion: z.union([z.literal(false), z.strictObject({ maxFusedQubits: z.number().int().positive() })]),
  timings: z.strictObject({
    planMs: z.number(),
    simulateMs: z.number(),
    sampleMs: z.number(),
    readoutMs: z.number(),
    totalMs: z.number(),
  }),
  hash: circuitHash.describe("The circuit's SHA-256 hash"),
  warnings: z.array(z.string()).describe('What lenient mode accepted'),
  threads: z.number().int().positive(),
  resource: z.string().describe("The circuit in this tab's history, vial://quantum/circuits/{hash}"),
});
export type SimulateOutput = z.infer<typeof simulateOutput>;

/** `quantum_circuit_build`: the circuit as OpenQASM 2.0, its hash and a text diagram. */
export const buildCircuitOutput = z.strictObject({
  qasm: z.string(),
  hash: circuitHash,
  diagram: z.string(),
  qubits: z.number().int().nonnegative(),
  clbits: z.number().int().nonnegative(),
  operations: z.number().int().nonnegative(),
});
export type BuildCircuitOutput = z.infer<typeof buildCircuitOutput>;
