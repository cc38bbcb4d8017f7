/**
 * One simulation as both the `quantum_simulate` tool and the Quantum view run it: on the engine,
 * cancellable through an AbortSignal, and recorded in the circuit history.
 */
import type { QuantumEngine } from './engine.ts';
import type { SimulateReply, SimulateRequest } from './simulatorService.ts';
import { cancellableRun } from '../platform/cancellableRun.ts';
import { explainingErrors } from '../server/toolError.ts';
import { topCounts, type CircuitHistory } from './circuitHistory.ts';

export interface QuantumPackDependencies {
  quantum: QuantumEngine;
  circuits: CircuitHistory;
}

export async function runSimulation(
  { quantum, circuits }: QuantumPackDependencies,
  request: SimulateRequest,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<SimulateReply> {
  const reply = await cancellableRun(
    options.signal,
    (runId) => quantum.cancel(runId),
    (runId) => explainingErrors(() => quantum.simulate(runId, request, options.onProgress)),
  );
  await circuits.record({
    hash: reply.hash,
    qasm: reply.qasm,
    qubits: reply.qubits,
    clbits: reply.clbits,
    gates: reply.gateCount,
    lastRun: {
      backend: reply.backend,
      shots: reply.shots,
      simulateMs: reply.timings.simulateMs,
      topCounts: topCounts(reply.counts),
    },
  });
  return reply;
}
