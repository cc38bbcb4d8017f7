/**
 * Every kind of bad input fails with a `QasmError` that names the line and column, says what is
 * wrong, and says what to do.
 */
import { describe, expect, it } from 'vitest';
import { parseQasm, QasmError, type ParseQasmOptions } from './index.ts';

const HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n';

function failure(source: string, options?: ParseQasmOptions): QasmError {
  try {
    parseQasm(source, options);
  } catch (error) {
    if (error instanceof QasmError) return error;
    throw error;
  }
  throw new Error('expected a QasmError');
}

/** [what, program after the header (from line 3), line, column, short message, a hint it must give] */
const CASES: Array<[string, string, number, number, string, string]> = [
  ['unknown gate', 'qreg q[2];\ncz2 q[0], q[1];', 4, 1, 'unknown gate `cz2`', 'did you mean `cz`?'],
  [
    'unknown gate lists the known ones',
    'qreg q[1];\nfoo q[0];',
    4,
    1,
    'unknown gate `foo`',
    'known gates: U, CX, u3, u2',
  ],
  ['too few qubits', 'qreg q[2];\ncx q[0];', 4, 1, 'gate `cx` takes 2 qubits, got 1', 'usage: `cx c, t;`'],
  ['too many qubits', 'qreg q[3];\nh q[0], q[1];', 4, 1, 'gate `h` takes 1 qubit, got 2', 'usage: `h a;`'],
  ['missing parameter', 'qreg q[1];\nrz q[0];', 4, 1, 'gate `rz` takes 1 parameter, got 0', 'usage: `rz(phi) a;`'],
  ['extra parameter', 'qreg q[1];\nh(0.1) q[0];', 4, 1, 'gate `h` takes 0 parameters, got 1', 'usage: `h a;`'],
  [
    'undeclared quantum register',
    'qreg q[1];\nh r[0];',
    4,
    3,
    'undeclared quantum register `r`',
    'declared quantum registers: q[1]',
  ],
  [
    'no quantum register at all',
    'h r[0];',
    3,
    3,
    'undeclared quantum register `r`',
    'declare one first, e.g. `qreg q[2];`',
  ],
  [
    'qubit index out of range',
    'qreg q[3];\nh q[5];',
    4,
    5,
    'index 5 is out of range for `q[3]`',
    '`q` has 3 qubits: q[0] to q[2]',
  ],
  [
    'bit index out of range',
    'qreg q[1];\ncreg c[2];\nmeasure q[0] -> c[2];',
    5,
    19,
    'index 2 is out of range for `c[2]`',
    '`c` has 2 bits: c[0] to c[1]',
  ],
  [
    'measure into an undeclared register',
    'qreg q[1];\ncreg c[1];\nmeasure q[0] -> d[0];',
    5,
    17,
    'undeclared classical register `d`',
    'or parse with { lenient: true } to declare it automatically',
  ],
  [
    'duplicate register',
    'qreg q[2];\ncreg q[2];',
    4,
    1,
    'register `q` is already declared (as a quantum register)',
    'give each register its own name',
  ],
  [
    'duplicate gate',
    'gate g a { x a; }\ngate g a { y a; }',
    4,
    1,
    'gate `g` is already defined at line 3',
    'give your gate another name',
  ],
  [
    'redefined qelib1 gate',
    'gate h a { x a; }',
    3,
    1,
    'gate `h` is already defined by qelib1.inc',
    'or parse with { lenient: true } to let your definition win',
  ],
  [
    'redefined built-in',
    'gate CX a, b { }',
    3,
    6,
    '`CX` is a reserved word and cannot be used as a name',
    'pick another name',
  ],
  [
    'mismatched broadcast',
    'qreg q[2];\nqreg r[3];\ncx q, r;',
    5,
    7,
    'cannot broadcast `cx` over `q` (2 qubits) and `r` (3 qubits)',
    'registers used together in one statement must have the same size',
  ],
  [
    'mismatched measure',
    'qreg q[2];\ncreg c[3];\nmeasure q -> c;',
    5,
    14,
    'cannot measure `q` (2 qubits) into `c` (3 bits)',
    'measuring a whole register needs a classical register of the same size',
  ],
  [
    'register measured into one bit',
    'qreg q[2];\ncreg c[2];\nmeasure q -> c[0];',
    5,
    1,
    '`measure` needs a register on both sides or one bit on both sides',
    'write `measure q -> c;` or `measure q[0] -> c[0];`',
  ],
  [
    'if on an unknown register',
    'qreg q[1];\ncreg c[1];\nif(d==1) x q[0];',
    5,
    4,
    'unknown classical register `d` in `if`',
    'declared classical registers: c[1]',
  ],
  [
    'if on a quantum register',
    'qreg q[1];\nif(q==1) x q[0];',
    4,
    4,
    'unknown classical register `q` in `if`',
    '`q` is a quantum register; `if` tests a classical register',
  ],
  [
    'if value out of range',
    'qreg q[1];\ncreg c[2];\nif(c==4) x q[0];',
    5,
    7,
    '`c` has 2 bits, so it never equals 4',
    'compare with a value from 0 to 3',
  ],
  [
    'gate on a classical register',
    'qreg q[1];\ncreg c[1];\nx c[0];',
    5,
    3,
    '`c` is a classical register; gates, measure and reset act on qubits',
    'declared quantum registers: q[1]',
  ],
  [
    'measure into a quantum register',
    'qreg q[2];\nmeasure q[0] -> q[1];',
    4,
    17,
    '`q` is a quantum register; measure into a classical register',
    'declare one first, e.g. `creg c[2];`',
  ],
  [
    'same qubit twice',
    'qreg q[2];\ncx q[1], q[1];',
    4,
    1,
    'qubit `q[1]` is used twice in one `cx`',
    "a gate's qubits must all be different",
  ],
  [
    'same qubit twice by broadcast',
    'qreg q[2];\ncx q[0], q;',
    4,
    1,
    'qubit `q[0]` is used twice in one `cx`',
    "a gate's qubits must all be different",
  ],
  [
    'opaque gate used',
    'opaque magic a;\nqreg q[1];\nmagic q[0];',
    5,
    1,
    'gate `magic` is declared `opaque`, so it has no definition to run',
    'define it instead: `gate magic a { … }`',
  ],
  [
    'unknown parameter in a gate body',
    'gate g(theta) a { rz(phi) a; }',
    3,
    22,
    'unknown parameter `phi`',
    "this gate's parameters are `theta`",
  ],
  [
    'parameter name outside a gate',
    'qreg q[1];\nrz(theta) q[0];',
    4,
    4,
    'unknown parameter `theta`',
    'outside a gate body, angles are numbers and `pi`',
  ],
  [
    'unknown qubit in a gate body',
    'gate g a { h b; }',
    3,
    14,
    'unknown qubit `b` in the body of `g`',
    '`g` acts on `a`',
  ],
  [
    'gate calling itself',
    'gate g a { g a; }',
    3,
    12,
    'gate `g` calls itself',
    'a gate body can only use gates defined before it',
  ],
  [
    'wrong arity inside a gate body',
    'gate g a { cx a; }',
    3,
    12,
    'gate `cx` takes 2 qubits, got 1',
    'usage: `cx c, t;`',
  ],
  ['repeated gate qubit', 'gate g a, a { h a; }', 3, 11, 'qubit `a` is listed twice', ''],
  ['empty register', 'qreg q[0];', 3, 8, 'register `q` must have at least 1 bit', ''],
  ['division by zero', 'qreg q[1];\nrz(1/0) q[0];', 4, 5, 'division by zero', ''],
  ['other includes', 'include "mylib.inc";', 3, 1, 'cannot include "mylib.inc"', 'only "qelib1.inc" is built in'],
];

describe('QASM errors', () => {
  it.each(CASES)('%s', (_, body, line, column, shortMessage, hint) => {
    const error = failure(HEADER + body);
    expect(error.shortMessage).toBe(shortMessage);
    expect([error.line, error.column]).toEqual([line, column]);
    expect(error.message).toContain(`QASM line ${line}, col ${column}: ${shortMessage}`);
    if (hint) expect(error.metaMessages.join('\n')).toContain(hint);
    // The excerpt quotes the right line.
    expect(error.details.split('\n')[0]).toBe(`${line} | ${(HEADER + body).split('\n')[line - 1]}`);
  });

  it('strict mode wants the header', () => {
    const error = failure('// a comment\n\nqreg q[1];');
    expect(error.message.split('\n')[0]).toBe(
      'QASM line 3, col 1: missing the `OPENQASM 2.0;` header; start the program with `OPENQASM 2.0;`, or parse with { lenient: true }',
    );
  });

  it('only OpenQASM 2.0', () => {
    expect(failure('OPENQASM 3.0;\nqubit q;')).toMatchObject({
      shortMessage: 'OpenQASM 3.0 is not supported',
      line: 1,
      column: 1,
    });
  });

  it('strict mode wants qelib1.inc included before its gates are used', () => {
    const error = failure('OPENQASM 2.0;\nqreg q[1];\nh q[0];');
    expect(error).toMatchObject({
      shortMessage: 'gate `h` is defined in qelib1.inc, which is not included',
      line: 3,
      column: 1,
    });
    expect(error.metaMessages).toEqual(['add `include "qelib1.inc";` after `OPENQASM 2.0;`']);
  });

  it('stops gates that nest without end, and circuits past the op limit', () => {
    const chain = Array.from({ length: 70 }, (_, i) => `gate g${i + 1} a { g${i} a; }`).join('\n');
    const nested = failure(`${HEADER}gate g0 a { x a; }\n${chain}\nqreg q[1];\ng70 q[0];`);
    expect(nested.shortMessage).toBe('gate definitions nest more than 64 deep');
    const big = failure(`${HEADER}qreg q[20];\nh q;\nh q;`, { maxOps: 30 });
    expect(big).toMatchObject({ shortMessage: 'the circuit expands to more than 30 operations', line: 5 });
  });

  it('lenient mode does not invent registers that are only tested by `if`', () => {
    const error = failure(`${HEADER}qreg q[1];\nif(c==1) x q[0];`, { lenient: true });
    expect(error.shortMessage).toBe('unknown classical register `c` in `if`');
  });

  it('lenient mode refuses a register declared after it was used', () => {
    const error = failure(`${HEADER}qreg q[1];\nmeasure q[0] -> c[0];\ncreg c[1];`, { lenient: true });
    expect(error).toMatchObject({ shortMessage: 'register `c` is declared after it is used', line: 5 });
  });
});
