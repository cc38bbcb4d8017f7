/**
 * Circuit → OpenQASM 2.0 text that parses back to the same circuit (same canonical hash): the
 * registers as declared, one statement per op, angles printed in full precision.
 */
import type { Circuit, Op, Register } from '../circuit.ts';

/** Names every global bit `reg[i]`; registers must tile 0..n-1 in order, as the front ends make them. */
function bitNames(registers: readonly Register[], total: number, kind: 'qreg' | 'creg'): string[] {
  const names: string[] = [];
  for (const { name, size, offset } of registers) {
    if (offset !== names.length) {
      throw new Error(
        `${kind} \`${name}\` starts at ${offset}, expected ${names.length}: registers must be contiguous`,
      );
    }
    for (let i = 0; i < size; i++) names.push(`${name}[${i}]`);
  }
  if (names.length !== total) {
    throw new Error(`the ${kind}s cover ${names.length} bits but the circuit has ${total}`);
  }
  return names;
}

/** `a,b,c` without an intermediate array (this runs once per op of circuits with 100k+ ops). */
function names(indices: readonly number[], bits: readonly string[]): string {
  let text = bits[indices[0]!]!;
  for (let k = 1; k < indices.length; k++) text += ',' + bits[indices[k]!];
  return text;
}

function statement(op: Op, qubit: readonly string[], clbit: readonly string[]): string {
  switch (op.kind) {
    case 'gate': {
      const params = op.params.length > 0 ? `(${op.params.join(',')})` : '';
      return `${op.name}${params} ${names(op.qubits, qubit)};`;
    }
    case 'measure':
      return `measure ${qubit[op.qubit]} -> ${clbit[op.clbit]};`;
    case 'reset':
      return `reset ${qubit[op.qubit]};`;
    case 'barrier':
      return `barrier ${names(op.qubits, qubit)};`;
  }
}

export function toQasm(circuit: Circuit): string {
  const qubit = bitNames(circuit.qregs, circuit.qubits, 'qreg');
  const clbit = bitNames(circuit.cregs, circuit.clbits, 'creg');
  const lines = ['OPENQASM 2.0;', 'include "qelib1.inc";'];
  for (const { name, size } of circuit.qregs) lines.push(`qreg ${name}[${size}];`);
  for (const { name, size } of circuit.cregs) lines.push(`creg ${name}[${size}];`);
  for (const op of circuit.ops) {
    const condition = op.kind !== 'barrier' && op.condition ? `if(${op.condition.creg}==${op.condition.value}) ` : '';
    lines.push(condition + statement(op, qubit, clbit));
  }
  lines.push('');
  return lines.join('\n');
}
