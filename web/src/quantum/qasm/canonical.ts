/**
 * The canonical text of a circuit and its SHA-256 hash. Because it is computed from the compiled
 * `Circuit`, the same circuit gives the same hash whatever the QASM looked like: whitespace,
 * comments, `pi/2` or `1.5707963267948966`, a user gate or the same gates written inline, QASM or
 * the JSON form.
 *
 * Format (version 1), one item per line:
 *
 *     vial-circuit 1
 *     qubits 3 clbits 2
 *     qreg q 3 0            name, size, offset
 *     creg c 2 0
 *     h 0
 *     cx 0 1
 *     rz(0.5) 2             angles rounded to 12 significant digits
 *     measure 0 -> 1
 *     reset 1
 *     barrier 0 1 2
 *     if c==1 x 0           a condition prefixes the op
 */
import type { Circuit, Op } from '../circuit.ts';

const angleTexts = new Map<number, string>();

/** An angle rounded to 12 significant digits, printed in JavaScript's shortest form ("-0" is "0"). */
export function formatAngle(value: number): string {
  let text = angleTexts.get(value);
  if (text === undefined) {
    const rounded = Number(value.toPrecision(12));
    text = rounded === 0 ? '0' : String(rounded);
    // Circuits repeat a few angles (pi/4, pi/2, …) many times; remember a bounded number of them.
    if (angleTexts.size < 4096) angleTexts.set(value, text);
  }
  return text;
}

function opText(op: Op): string {
  switch (op.kind) {
    case 'gate': {
      const params = op.params.length > 0 ? `(${op.params.map(formatAngle).join(',')})` : '';
      return `${op.name}${params} ${op.qubits.join(' ')}`;
    }
    case 'measure':
      return `measure ${op.qubit} -> ${op.clbit}`;
    case 'reset':
      return `reset ${op.qubit}`;
    case 'barrier':
      return `barrier ${op.qubits.join(' ')}`;
  }
}

export function canonicalText(circuit: Circuit): string {
  const lines = ['vial-circuit 1', `qubits ${circuit.qubits} clbits ${circuit.clbits}`];
  for (const { name, size, offset } of circuit.qregs) lines.push(`qreg ${name} ${size} ${offset}`);
  for (const { name, size, offset } of circuit.cregs) lines.push(`creg ${name} ${size} ${offset}`);
  for (const op of circuit.ops) {
    const condition = op.kind !== 'barrier' && op.condition ? `if ${op.condition.creg}==${op.condition.value} ` : '';
    lines.push(condition + opText(op));
  }
  lines.push('');
  return lines.join('\n');
}

/** Lowercase hex SHA-256 of the canonical text (WebCrypto, so it runs in the tab, workers and Node). */
export async function circuitHash(circuit: Circuit): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalText(circuit)));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
