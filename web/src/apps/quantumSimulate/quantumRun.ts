/** What the quantum_simulate app works out from a run: the next run's arguments, the amplitudes' rows and the circuit's diagram. */
import { z } from 'zod';
import { MAX_SHOTS } from '../../quantum/simulate.ts';

/** "Run again with more shots" asks for this many times the shots (at least 1024, at most the tool's limit). */
export const MORE_SHOTS_FACTOR = 4;

/** The shots a second run asks for, or undefined when the run already had the most the tool takes. */
export function moreShots(shots: number): number | undefined {
  if (shots >= MAX_SHOTS) return undefined;
  return Math.min(Math.max(shots * MORE_SHOTS_FACTOR, 1024), MAX_SHOTS);
}

/**
 * The arguments of the same call with more shots: the host's copy of the call's arguments, else
 * the circuit's QASM from the tab's history. Undefined when neither is known or no more shots fit.
 */
export function rerunArguments(
  input: Record<string, unknown> | undefined,
  qasm: string | undefined,
  shots: number,
): Record<string, unknown> | undefined {
  const next = moreShots(shots);
  if (next === undefined) return undefined;
  if (input && (typeof input.qasm === 'string' || typeof input.circuit === 'object')) return { ...input, shots: next };
  return qasm === undefined ? undefined : { qasm, shots: next };
}

export interface AmplitudeRow {
  index: number;
  /** The basis state, qubit 0 rightmost. */
  bitstring: string;
  re: number;
  im: number;
  probability: number;
}

/** The state vector's rows (interleaved re/im), basis states in order, at most `limit` of them. */
export function amplitudeRows(state: readonly number[], qubits: number, limit = 64): AmplitudeRow[] {
  const rows: AmplitudeRow[] = [];
  for (let index = 0; index * 2 + 1 < state.length && rows.length < limit; index++) {
    const re = state[index * 2]!;
    const im = state[index * 2 + 1]!;
    rows.push({ index, bitstring: index.toString(2).padStart(qubits, '0'), re, im, probability: re * re + im * im });
  }
  return rows;
}

/** What the app reads of a circuit's resource (vial://quantum/circuits/{hash}). */
const circuitResource = z.object({ qasm: z.string(), diagram: z.string() });
export type CircuitResource = z.infer<typeof circuitResource>;

/** The circuit's QASM and diagram from the resource's JSON text, or undefined when it holds neither. */
export function readCircuit(text: string | undefined): CircuitResource | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = circuitResource.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
