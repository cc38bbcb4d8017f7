import { describe, expect, it } from 'vitest';
import { QasmError } from './errors.ts';
import { parseProgram } from './parser.ts';

function syntaxError(source: string): QasmError {
  try {
    parseProgram(source);
  } catch (error) {
    if (error instanceof QasmError) return error;
    throw error;
  }
  throw new Error('expected a syntax error');
}

describe('parser', () => {
  it('reads every statement kind, with positions', () => {
    const program = parseProgram(
      [
        'OPENQASM 2.0;',
        'include "qelib1.inc";',
        'qreg q[2]; creg c[2];',
        'gate rot(theta, phi) a, b { rz(theta) a; barrier a, b; cx a, b; }',
        'opaque magic a;',
        'rot(pi/2, 0.5) q[0], q[1];',
        'measure q -> c;',
        'reset q[1];',
        'barrier q[0], q;',
        'if (c == 2) x q[0];',
      ].join('\n'),
    );
    expect(program.version).toMatchObject({ value: '2.0', pos: { line: 1, column: 1 } });
    expect(program.statements.map((statement) => [statement.kind, statement.pos.line, statement.pos.column])).toEqual([
      ['include', 2, 1],
      ['qreg', 3, 1],
      ['creg', 3, 12],
      ['gate', 4, 1],
      ['gate', 5, 1],
      ['call', 6, 1],
      ['measure', 7, 1],
      ['reset', 8, 1],
      ['barrier', 9, 1],
      ['if', 10, 1],
    ]);
    const gate = program.statements[3];
    expect(gate).toMatchObject({
      name: 'rot',
      params: [{ name: 'theta' }, { name: 'phi' }],
      qubits: [{ name: 'a' }, { name: 'b' }],
      body: [{ kind: 'call', name: 'rz' }, { kind: 'barrier' }, { kind: 'call', name: 'cx' }],
    });
    expect(program.statements[4]).toMatchObject({ name: 'magic', body: null });
    const call = program.statements[5];
    expect(call).toMatchObject({
      kind: 'call',
      name: 'rot',
      args: [
        { name: 'q', index: 0, line: 6, column: 16, indexLine: 6, indexColumn: 18 },
        { name: 'q', index: 1, line: 6, column: 22 },
      ],
    });
    expect(program.statements[9]).toMatchObject({
      creg: { name: 'c', line: 10, column: 5 },
      value: 2,
      op: { kind: 'call', name: 'x' },
    });
  });

  it('skips // and /* */ comments and keeps line numbers right', () => {
    const program = parseProgram('// header\nOPENQASM 2.0; /* a\nmulti-line\ncomment */ qreg q[1];\n\th q[0]; // done');
    expect(program.statements.map((statement) => [statement.kind, statement.pos.line, statement.pos.column])).toEqual([
      ['qreg', 4, 12],
      ['call', 5, 2],
    ]);
  });

  it('allows a program without the header (compile decides whether that is an error)', () => {
    const program = parseProgram('\n\n  qreg q[1];');
    expect(program.version).toBeNull();
    expect(program.start).toMatchObject({ line: 3, column: 3 });
  });

  it.each([
    // [source, line, column, message]
    ['OPENQASM 2.0;\nqreg q[2]\nh q[0];', 2, 10, 'expected `;`, found `h` (line 3)'],
    [
      'OPENQASM 2.0;\nmeasure q[0] c[0];',
      2,
      14,
      'expected `->` between the qubit and the bit (`measure q[0] -> c[0];`), found `c`',
    ],
    ['OPENQASM 2.0;\nqreg q[two];', 2, 8, 'expected the register size, a whole number, found `two`'],
    ['OPENQASM 2.0;\nqreg q[1.5];', 2, 8, 'expected the register size, a whole number, found number `1.5`'],
    ['OPENQASM 2.0;\nh q[0]', 2, 7, 'expected `;`, found end of input'],
    ['OPENQASM 2.0;\nrz(pi/2 q[0];', 2, 9, 'expected `,` or `)` in the parameter list, found `q`'],
    ['OPENQASM 2.0;\ngate g a { h a;', 2, 16, 'expected `}` to close the body of `g`, found end of input'],
    ['OPENQASM 2.0;\ngate g a { h a[0]; }', 2, 15, 'indices are not allowed inside a gate body'],
    ['OPENQASM 2.0;\ngate g a { measure a; }', 2, 12, '`measure` is not allowed inside a gate body'],
    ['OPENQASM 2.0;\nif (c = 1) x q[0];', 2, 7, 'unexpected character `=`'],
    ['OPENQASM 2.0;\nif (c==1) barrier q;', 2, 11, '`barrier` is not allowed here'],
    ['OPENQASM 2.0;\nqreg pi[2];', 2, 6, '`pi` is a reserved word and cannot be used as a name'],
    ['OPENQASM 2.0;\ninclude qelib1.inc;', 2, 9, 'expected a file name in quotes, e.g. "qelib1.inc", found `qelib1`'],
    ['OPENQASM 2.0;\nh q[0]; @', 2, 9, 'unexpected character `@`'],
    ['OPENQASM 2.0;\n/* never closed', 2, 1, 'unterminated comment'],
    ['OPENQASM 2.0;\nqreg q[1];\nOPENQASM 2.0;', 3, 1, '`OPENQASM` must be the first statement'],
    ['OPENQASM;', 1, 9, 'expected a version number such as `2.0`, found `;`'],
    ['OPENQASM 2.0;\n3 q[0];', 2, 1, 'expected a statement, found number `3`'],
  ])('syntax error in %j at %i:%i', (source, line, column, message) => {
    const error = syntaxError(source);
    expect(error.shortMessage).toBe(message);
    expect([error.line, error.column]).toEqual([line, column]);
    expect(error.message.startsWith(`QASM line ${line}, col ${column}: ${message}`)).toBe(true);
  });

  it('quotes the offending line with a caret under the column', () => {
    const error = syntaxError('OPENQASM 2.0;\nqreg q[2]\nh q[0];');
    expect(error.details).toBe('2 | qreg q[2]\n  |          ^');
    expect(error.message).toBe(
      'QASM line 2, col 10: expected `;`, found `h` (line 3); every statement ends with `;`\n2 | qreg q[2]\n  |          ^',
    );
  });
});
