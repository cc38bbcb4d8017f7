import { describe, expect, it } from 'vitest';
import {
  circuitFromJson,
  circuitHash,
  circuitJsonSchema,
  circuitToJson,
  CircuitJsonError,
  parseQasm,
  toQasm,
  type CircuitJson,
} from './index.ts';

const TELEPORT: CircuitJson = {
  qubits: 3,
  registers: {
    qregs: [{ name: 'q', size: 3 }],
    cregs: [
      { name: 'm0', size: 1 },
      { name: 'm1', size: 1 },
    ],
  },
  gates: [
    { gate: 'u3', targets: [0], params: [0.3, 'pi/4', -1.2] },
    { gate: 'h', targets: [1] },
    { gate: 'cx', controls: [1], targets: [2] },
    { gate: 'cx', targets: [0, 1] },
    { gate: 'h', targets: [0] },
    { gate: 'barrier' },
    { gate: 'measure', qubit: 0, clbit: 0 },
    { gate: 'measure', qubit: 1, clbit: 1 },
    { gate: 'x', targets: [2], condition: { creg: 'm1', value: 1 } },
    { gate: 'z', targets: [2], condition: { creg: 'm0', value: 1 } },
    { gate: 'reset', qubit: 0 },
  ],
};

function jsonError(input: unknown): CircuitJsonError {
  try {
    circuitFromJson(input);
  } catch (error) {
    if (error instanceof CircuitJsonError) return error;
    throw error;
  }
  throw new Error('expected a CircuitJsonError');
}

describe('JSON circuit form', () => {
  it('converts to a Circuit', () => {
    const circuit = circuitFromJson(TELEPORT);
    expect(circuit.qubits).toBe(3);
    expect(circuit.clbits).toBe(2);
    expect(circuit.cregs).toEqual([
      { name: 'm0', size: 1, offset: 0 },
      { name: 'm1', size: 1, offset: 1 },
    ]);
    expect(circuit.ops.slice(0, 4)).toEqual([
      { kind: 'gate', name: 'u3', qubits: [0], params: [0.3, Math.PI / 4, -1.2] },
      { kind: 'gate', name: 'h', qubits: [1], params: [] },
      { kind: 'gate', name: 'cx', qubits: [1, 2], params: [] },
      { kind: 'gate', name: 'cx', qubits: [0, 1], params: [] },
    ]);
    expect(circuit.ops.slice(5)).toEqual([
      { kind: 'barrier', qubits: [0, 1, 2] },
      { kind: 'measure', qubit: 0, clbit: 0 },
      { kind: 'measure', qubit: 1, clbit: 1 },
      { kind: 'gate', name: 'x', qubits: [2], params: [], condition: { creg: 'm1', value: 1 } },
      { kind: 'gate', name: 'z', qubits: [2], params: [], condition: { creg: 'm0', value: 1 } },
      { kind: 'reset', qubit: 0 },
    ]);
  });

  it('defaults the registers to q and c, sized by qubits and the measurements', () => {
    const circuit = circuitFromJson({ qubits: 2, gates: [{ gate: 'measure', qubit: 1, clbit: 3 }] });
    expect(circuit.qregs).toEqual([{ name: 'q', size: 2, offset: 0 }]);
    expect(circuit.cregs).toEqual([{ name: 'c', size: 4, offset: 0 }]);
    expect(circuitFromJson({ qubits: 1, gates: [] }).cregs).toEqual([]);
  });

  it('accepts U and CX, and expands rccx and rc3x', () => {
    const circuit = circuitFromJson({
      qubits: 4,
      gates: [
        { gate: 'U', targets: [0], params: [1, 2, 3] },
        { gate: 'CX', controls: [0], targets: [1] },
        { gate: 'rccx', targets: [0, 1, 2], condition: { creg: 'c', value: 0 } },
      ],
      clbits: 1,
    });
    expect(circuit.ops[0]).toMatchObject({ name: 'u' });
    expect(circuit.ops[1]).toMatchObject({ name: 'cx' });
    expect(circuit.ops).toHaveLength(2 + 9);
    expect(circuit.ops.slice(2).every((op) => op.kind === 'gate' && op.condition?.creg === 'c')).toBe(true);
  });

  it('round-trips Circuit → JSON → Circuit → QASM → Circuit', async () => {
    const circuit = circuitFromJson(TELEPORT);
    const json = circuitToJson(circuit);
    expect(json.gates[2]).toEqual({ gate: 'cx', controls: [1], targets: [2] });
    expect(json.gates[0]).toEqual({ gate: 'u3', targets: [0], params: [0.3, Math.PI / 4, -1.2] });
    expect(circuitFromJson(JSON.parse(JSON.stringify(json)))).toEqual(circuit);
    const qasm = toQasm(circuit);
    expect(qasm).toContain('if(m1==1) x q[2];');
    expect(qasm).toContain('u3(0.3,0.7853981633974483,-1.2) q[0];');
    expect(parseQasm(qasm)).toEqual(circuit);
    expect(await circuitHash(parseQasm(qasm))).toBe(await circuitHash(circuit));
  });

  it('has a JSON schema with descriptions for tools', () => {
    const schema = circuitJsonSchema.toJSONSchema() as { properties: Record<string, { description?: string }> };
    expect(schema.properties.gates!.description).toBe('Operations, in order');
    expect(Object.keys(schema.properties)).toEqual(['qubits', 'clbits', 'registers', 'gates']);
  });

  it.each([
    // [what, input, path, message, hint]
    [
      'unknown gate',
      { qubits: 2, gates: [{ gate: 'cnot', targets: [0, 1] }] },
      'gates[0].gate',
      'unknown gate "cnot"',
      'known gates: id, u0',
    ],
    [
      'misspelt gate',
      { qubits: 1, gates: [{ gate: 'hh', targets: [0] }] },
      'gates[0].gate',
      'unknown gate "hh"',
      'did you mean "h"?',
    ],
    [
      'missing control',
      { qubits: 2, gates: [{ gate: 'cx', controls: [], targets: [1] }] },
      'gates[0].controls',
      '`cx` takes 1 control and 1 target, got 0 controls and 1 target',
      'e.g. { "gate": "cx", "controls": [0], "targets": [1] }',
    ],
    [
      'too many targets',
      { qubits: 3, gates: [{ gate: 'h', targets: [0, 1] }] },
      'gates[0].targets',
      '`h` takes 1 target, got 2 targets',
      'e.g. { "gate": "h", "targets": [0] }',
    ],
    [
      'controls on an uncontrolled gate',
      { qubits: 3, gates: [{ gate: 'h', controls: [1], targets: [0] }] },
      'gates[0].controls',
      '`h` takes 1 target, got 1 control and 1 target',
      '',
    ],
    [
      'wrong param count',
      { qubits: 1, gates: [{ gate: 'rz', targets: [0] }] },
      'gates[0].params',
      '`rz` takes 1 parameter, got 0',
      'e.g. { "gate": "rz", "targets": [0], "params": [0.5] }',
    ],
    [
      'bad param text',
      { qubits: 1, gates: [{ gate: 'rz', targets: [0], params: ['pi/'] }] },
      'gates[0].params[0]',
      'cannot read "pi/": expected an expression, found end of input (at character 4)',
      'write a number',
    ],
    [
      'qubit out of range',
      { qubits: 2, gates: [{ gate: 'cx', controls: [0], targets: [2] }] },
      'gates[0].targets[0]',
      'qubit 2 is out of range',
      'the circuit has 2 qubits: 0 to 1',
    ],
    [
      'control out of range',
      { qubits: 2, gates: [{ gate: 'cx', controls: [5], targets: [1] }] },
      'gates[0].controls[0]',
      'qubit 5 is out of range',
      '',
    ],
    [
      'clbit out of range',
      { qubits: 1, clbits: 1, gates: [{ gate: 'measure', qubit: 0, clbit: 1 }] },
      'gates[0].clbit',
      'clbit 1 is out of range',
      'the circuit has 1 classical bit: 0 to 0',
    ],
    [
      'repeated qubit',
      { qubits: 2, gates: [{ gate: 'cx', controls: [1], targets: [1] }] },
      'gates[0]',
      'qubit 1 is listed twice',
      '',
    ],
    [
      'negative index',
      { qubits: 2, gates: [{ gate: 'x', targets: [-1] }] },
      'gates[0].targets[0]',
      'Too small: expected number to be >=0',
      '',
    ],
    [
      'misspelt field',
      { qubits: 2, gates: [{ gate: 'x', target: [0] }] },
      'gates[0]',
      'Unrecognized key: "target"',
      'gates take gate, targets',
    ],
    [
      'field of another op',
      { qubits: 2, gates: [{ gate: 'x', qubit: 0 }] },
      'gates[0].qubit',
      '`x` does not take "qubit"',
      'e.g. { "gate": "x", "targets": [0] }',
    ],
    [
      'measure without clbit',
      { qubits: 2, gates: [{ gate: 'measure', qubit: 0 }] },
      'gates[0].clbit',
      'missing the classical bit to write',
      '',
    ],
    [
      'unknown condition register',
      { qubits: 1, clbits: 1, gates: [{ gate: 'x', targets: [0], condition: { creg: 'd', value: 1 } }] },
      'gates[0].condition.creg',
      'unknown classical register "d"',
      'classical registers: c',
    ],
    [
      'condition value too big',
      { qubits: 1, clbits: 1, gates: [{ gate: 'x', targets: [0], condition: { creg: 'c', value: 2 } }] },
      'gates[0].condition.value',
      '"c" has 1 bit, so it never equals 2',
      '',
    ],
    [
      'registers that do not add up',
      { qubits: 3, registers: { qregs: [{ name: 'a', size: 2 }] }, gates: [] },
      'registers.qregs',
      'the quantum registers hold 2 qubits but "qubits" is 3',
      '',
    ],
    [
      'duplicate register names',
      { qubits: 1, registers: { qregs: [{ name: 'a', size: 1 }], cregs: [{ name: 'a', size: 1 }] }, gates: [] },
      'registers.cregs[0].name',
      'register name "a" is used twice',
      '',
    ],
    [
      'reserved register name',
      { qubits: 1, registers: { qregs: [{ name: 'pi', size: 1 }] }, gates: [] },
      'registers.qregs[0].name',
      '"pi" is a reserved word in QASM',
      '',
    ],
    ['not an object', 'h q[0];', '', 'Invalid input: expected object, received string', ''],
  ] as Array<[string, unknown, string, string, string]>)('%s', (_, input, path, message, hint) => {
    const error = jsonError(input);
    expect(error.path).toBe(path);
    expect(error.shortMessage).toBe(message);
    expect(error.message.startsWith(path ? `${path}: ${message}` : message)).toBe(true);
    if (hint) expect(error.metaMessages.join('\n')).toContain(hint);
  });
});
