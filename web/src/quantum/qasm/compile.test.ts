import { describe, expect, it } from 'vitest';
import type { Op } from '../circuit.ts';
import { parseQasm, parseQasmWithWarnings } from './index.ts';

const HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n';
const compile = (body: string) => parseQasm(HEADER + body);
/** Ops in a compact form: `h 0`, `cx 0 1`, `rz(0.5) 2`, `measure 0->1`, `if c==1 x 0`. */
const show = (ops: readonly Op[]) =>
  ops.map((op) => {
    const condition = op.kind !== 'barrier' && op.condition ? `if ${op.condition.creg}==${op.condition.value} ` : '';
    switch (op.kind) {
      case 'gate':
        return `${condition}${op.name}${op.params.length ? `(${op.params.map((p) => +p.toFixed(6)).join(',')})` : ''} ${op.qubits.join(' ')}`;
      case 'measure':
        return `${condition}measure ${op.qubit}->${op.clbit}`;
      case 'reset':
        return `${condition}reset ${op.qubit}`;
      case 'barrier':
        return `barrier ${op.qubits.join(' ')}`;
    }
  });

describe('compile', () => {
  it('flattens registers in declaration order', () => {
    const circuit = compile('qreg a[2];\ncreg c[1];\nqreg b[3];\ncreg d[2];\nx b[0];\nmeasure b[2] -> d[1];');
    expect(circuit.qubits).toBe(5);
    expect(circuit.clbits).toBe(3);
    expect(circuit.qregs).toEqual([
      { name: 'a', size: 2, offset: 0 },
      { name: 'b', size: 3, offset: 2 },
    ]);
    expect(circuit.cregs).toEqual([
      { name: 'c', size: 1, offset: 0 },
      { name: 'd', size: 2, offset: 1 },
    ]);
    expect(show(circuit.ops)).toEqual(['x 2', 'measure 4->2']);
  });

  it('broadcasts gates, measure, reset and barrier over registers', () => {
    const circuit = compile(
      'qreg q[3];\nqreg r[3];\ncreg c[3];\nh q;\ncx q, r;\ncx q[0], r;\nrz(0.5) r;\nbarrier q, r[1], q[0];\nreset r;\nmeasure q -> c;',
    );
    expect(show(circuit.ops)).toEqual([
      'h 0',
      'h 1',
      'h 2',
      'cx 0 3',
      'cx 1 4',
      'cx 2 5',
      'cx 0 3',
      'cx 0 4',
      'cx 0 5',
      'rz(0.5) 3',
      'rz(0.5) 4',
      'rz(0.5) 5',
      'barrier 0 1 2 4',
      'reset 3',
      'reset 4',
      'reset 5',
      'measure 0->0',
      'measure 1->1',
      'measure 2->2',
    ]);
  });

  it('maps the built-ins U and CX to u and cx, and keeps qelib1 names', () => {
    const circuit = compile(
      'qreg q[2];\nU(pi, 0, pi) q[0];\nCX q[0], q[1];\nu3(1,2,3) q[1];\ncu1(pi/2) q[0], q[1];\nid q[0];',
    );
    expect(show(circuit.ops)).toEqual([
      'u(3.141593,0,3.141593) 0',
      'cx 0 1',
      'u3(1,2,3) 1',
      'cu1(1.570796) 0 1',
      'id 0',
    ]);
  });

  it('expands user gates with parameters, recursively', () => {
    const circuit = compile(
      [
        'gate rot(theta, phi) a, b { rz(theta/2) a; cx a, b; ry(-phi) b; }',
        'gate twice(t) x, y { rot(t, 2*t) x, y; barrier x, y; rot(t^2, pi) y, x; }',
        'gate empty a { }',
        'qreg q[3];',
        'twice(0.5) q[2], q[0];',
        'empty q[1];',
      ].join('\n'),
    );
    expect(show(circuit.ops)).toEqual([
      'rz(0.25) 2',
      'cx 2 0',
      'ry(-1) 0',
      'barrier 2 0',
      'rz(0.125) 0',
      'cx 0 2',
      'ry(-3.141593) 2',
    ]);
  });

  it('broadcasts user gates too', () => {
    const circuit = compile('gate bell a, b { h a; cx a, b; }\nqreg q[2];\nqreg r[2];\nbell q, r;');
    expect(show(circuit.ops)).toEqual(['h 0', 'cx 0 2', 'h 1', 'cx 1 3']);
  });

  it('expands rccx and rc3x from their qelib1 definitions', () => {
    const circuit = compile('qreg q[4];\nrccx q[0], q[1], q[2];\nrc3x q[0], q[1], q[2], q[3];');
    expect(circuit.ops).toHaveLength(9 + 18);
    expect(new Set(circuit.ops.map((op) => (op.kind === 'gate' ? op.name : op.kind)))).toEqual(
      new Set(['u2', 'u1', 'cx']),
    );
  });

  it('runs the standard gates of qelib1 natively', () => {
    const circuit = compile(
      'qreg q[5];\nccx q[0], q[1], q[2];\nc4x q[0], q[1], q[2], q[3], q[4];\ncswap q[0], q[1], q[2];',
    );
    expect(show(circuit.ops)).toEqual(['ccx 0 1 2', 'c4x 0 1 2 3 4', 'cswap 0 1 2']);
  });

  it('conditions every op that an `if` expands to', () => {
    const circuit = compile(
      'gate bell a, b { h a; cx a, b; }\nqreg q[2];\ncreg c[2];\nif(c==3) bell q[0], q[1];\nif (c == 1) measure q -> c;\nif(c==0) reset q[1];',
    );
    expect(show(circuit.ops)).toEqual([
      'if c==3 h 0',
      'if c==3 cx 0 1',
      'if c==1 measure 0->0',
      'if c==1 measure 1->1',
      'if c==0 reset 1',
    ]);
  });

  it('accepts a declared but unused opaque gate', () => {
    expect(compile('opaque magic(theta) a, b;\nqreg q[1];\nx q[0];').ops).toHaveLength(1);
  });

  it('lets registers be declared after earlier ops', () => {
    const circuit = compile('qreg a[1];\nx a[0];\nqreg b[1];\nx b[0];');
    expect(show(circuit.ops)).toEqual(['x 0', 'x 1']);
  });

  it('gives an empty circuit for an empty program', () => {
    expect(parseQasm('OPENQASM 2.0;')).toEqual({ qubits: 0, clbits: 0, qregs: [], cregs: [], ops: [] });
  });
});

describe('lenient mode', () => {
  it('accepts a missing header', () => {
    const { circuit, warnings } = parseQasmWithWarnings('include "qelib1.inc";\nqreg q[1];\nh q[0];', {
      lenient: true,
    });
    expect(show(circuit.ops)).toEqual(['h 0']);
    expect(warnings).toEqual([{ line: 1, column: 1, message: 'no `OPENQASM 2.0;` header; read as OpenQASM 2.0' }]);
  });

  it('declares a classical register that is measured into but never declared, after the declared ones', () => {
    const source =
      HEADER +
      'qreg q[3];\ncreg m[1];\nmeasure q[0] -> c[0];\nif(c==1) x q[1];\nmeasure q[2] -> c[4];\nmeasure q[1] -> m[0];';
    const { circuit, warnings } = parseQasmWithWarnings(source, { lenient: true });
    expect(circuit.cregs).toEqual([
      { name: 'm', size: 1, offset: 0 },
      { name: 'c', size: 5, offset: 1 },
    ]);
    expect(circuit.clbits).toBe(6);
    expect(show(circuit.ops)).toEqual(['measure 0->1', 'if c==1 x 1', 'measure 2->5', 'measure 1->0']);
    expect(warnings).toEqual([
      {
        line: 5,
        column: 17,
        message: 'classical register `c` was never declared; declared it as `creg c[5];`',
      },
    ]);
  });

  it('sizes an auto-declared register by the register measured into it', () => {
    const { circuit } = parseQasmWithWarnings(HEADER + 'qreg q[3];\nmeasure q -> out;', { lenient: true });
    expect(circuit.cregs).toEqual([{ name: 'out', size: 3, offset: 0 }]);
  });

  it('reads an undeclared `q[i]` in a measurement as qubit i of the circuit (QASMBench hhl_n10, vqe_uccsd)', () => {
    const source = HEADER + 'qreg a[2];\nqreg b[2];\nx b[1];\nmeasure q[3] -> c[0];';
    const { circuit, warnings } = parseQasmWithWarnings(source, { lenient: true });
    expect(show(circuit.ops)).toEqual(['x 3', 'measure 3->0']);
    expect(warnings.map((warning) => warning.message)).toEqual([
      'quantum register `q` was never declared; `q[i]` is read as qubit i of the circuit',
      'classical register `c` was never declared; declared it as `creg c[1];`',
    ]);
  });

  it('includes qelib1.inc when a standard gate is used without it', () => {
    const { circuit, warnings } = parseQasmWithWarnings('OPENQASM 2.0;\nqreg q[2];\nh q[0];\ncx q[0], q[1];', {
      lenient: true,
    });
    expect(show(circuit.ops)).toEqual(['h 0', 'cx 0 1']);
    expect(warnings).toEqual([{ line: 3, column: 1, message: '`qelib1.inc` was not included; included it' }]);
  });

  it('lets a user gate redefine a qelib1 gate', () => {
    const { circuit, warnings } = parseQasmWithWarnings(HEADER + 'gate sx a { h a; }\nqreg q[1];\nsx q[0];', {
      lenient: true,
    });
    expect(show(circuit.ops)).toEqual(['h 0']);
    expect(warnings.map((warning) => warning.message)).toEqual([
      '`sx` redefines the qelib1.inc gate; your definition is used',
    ]);
  });
});
