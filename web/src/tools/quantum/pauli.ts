import type { PauliString } from '../../quantum/stateBackend.ts';
import { ToolError } from '../../server/toolError.ts';

/**
 * Reads a Pauli observable written as factors with qubit indices, e.g. `Z0 Z1` or `X2 Y0`.
 * Identity factors may be written (`I3`) and are dropped.
 */
export function parsePauli(text: string): PauliString {
  const factors = text
    .trim()
    .split(/[\s*·]+/)
    .filter(Boolean);
  if (factors.length === 0) throw badPauli(text, 'it is empty');
  let paulis = '';
  const qubits: number[] = [];
  for (const factor of factors) {
    const match = /^([IXYZ])(\d+)$/i.exec(factor);
    if (!match) throw badPauli(text, `'${factor}' is not a Pauli factor`);
    const qubit = Number(match[2]);
    if (qubits.includes(qubit)) throw badPauli(text, `qubit ${qubit} appears twice`);
    if (match[1]!.toUpperCase() === 'I') continue;
    paulis += match[1]!.toUpperCase();
    qubits.push(qubit);
  }
  return { paulis, qubits };
}

function badPauli(text: string, why: string): ToolError {
  return new ToolError(`expectation '${text}' cannot be read: ${why}`, {
    hints: ['Write a Pauli observable as factors with qubit indices, e.g. "Z0 Z1" or "X0 Y2 Z3".'],
  });
}
