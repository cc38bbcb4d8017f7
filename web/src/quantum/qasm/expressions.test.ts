import { describe, expect, it } from 'vitest';
import { QasmError } from './errors.ts';
import { compileExpression, evaluateExpressionText, MAX_EXPRESSION_DEPTH, parseExpression } from './expressions.ts';
import { parseQasm } from './index.ts';
import { circuitFromJson } from './json.ts';
import { TokenStream } from './lexer.ts';

const evaluate = evaluateExpressionText;

function errorOf(text: string): QasmError {
  try {
    evaluate(text);
  } catch (error) {
    if (error instanceof QasmError) return error;
    throw error;
  }
  throw new Error(`expected ${text} to fail`);
}

describe('parameter expressions', () => {
  it.each([
    ['pi', Math.PI],
    ['3', 3],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['2.', 2],
    ['1e-3', 0.001],
    ['1.5E+2', 150],
    ['-pi/2', -Math.PI / 2],
    ['3*pi/8', (3 * Math.PI) / 8],
    ['pi*-0.5', -Math.PI / 2],
    ['1+2*3', 7],
    ['(1+2)*3', 9],
    ['10-4-3', 3],
    ['8/4/2', 1],
    ['2^3^2', 512],
    ['-2^2', -4],
    ['2^-1', 0.5],
    ['--1', 1],
    ['+1', 1],
    ['sin(pi/2)', 1],
    ['cos(0)', 1],
    ['tan(pi/4)', Math.tan(Math.PI / 4)],
    ['exp(1)', Math.E],
    ['ln(exp(2))', 2],
    ['sqrt(4)', 2],
    ['-(pi)', -Math.PI],
  ])('%s = %d', (text, value) => {
    expect(evaluate(text)).toBeCloseTo(value, 12);
  });

  it('gives 0, not -0', () => {
    expect(Object.is(evaluate('-0'), 0)).toBe(true);
    expect(Object.is(evaluate('0*-1'), 0)).toBe(true);
  });

  it('binds gate parameters by position', () => {
    const stream = new TokenStream('(lambda+phi)/2 - theta');
    const expr = compileExpression(parseExpression(stream), ['theta', 'phi', 'lambda']);
    expect(expr([1, 2, 6])).toBe(3);
  });

  it('reports what went wrong, and where', () => {
    expect(errorOf('1/0')).toMatchObject({ shortMessage: 'division by zero', line: 1, column: 2 });
    expect(errorOf('sqrt(-1)').shortMessage).toBe('`sqrt` gives NaN, which is not a finite angle');
    expect(errorOf('ln(0)').shortMessage).toBe('`ln` gives -Infinity, which is not a finite angle');
    expect(errorOf('1e999').shortMessage).toBe('number `1e999` is too large');
    expect(errorOf('theta')).toMatchObject({ shortMessage: 'unknown parameter `theta`', column: 1 });
    expect(errorOf('(1+2')).toMatchObject({ shortMessage: 'expected `)` to close `(`, found end of input', column: 5 });
    expect(errorOf('2*')).toMatchObject({ shortMessage: 'expected an expression, found end of input', column: 3 });
    expect(errorOf('sin 1')).toMatchObject({ shortMessage: 'expected `(` after `sin`, found number `1`', column: 5 });
    expect(errorOf('1 2').shortMessage).toBe('expected the end of the expression, found number `2`');
    expect(errorOf('2pi').shortMessage).toBe('malformed number `2pi`');
  });
});

describe('deeply nested expressions', () => {
  const LIMIT = MAX_EXPRESSION_DEPTH;
  const nested = {
    parentheses: (n: number) => `${'('.repeat(n)}1${')'.repeat(n)}`,
    'unary minus': (n: number) => `${'-'.repeat(n)}1`,
    'unary plus': (n: number) => `${'+'.repeat(n)}1`,
    functions: (n: number) => `${'sin('.repeat(n)}1${')'.repeat(n)}`,
    'a long sum': (n: number) =>
      Array<string>(n + 1)
        .fill('1')
        .join('+'),
    'a long product': (n: number) =>
      Array<string>(n + 1)
        .fill('1')
        .join('*'),
    'a tower of powers': (n: number) =>
      Array<string>(n + 1)
        .fill('1')
        .join('^'),
    'mixed nesting': (n: number) => `${'-('.repeat(Math.ceil(n / 2))}1${')'.repeat(Math.ceil(n / 2))}`,
  };

  it.each(Object.entries(nested))('evaluates %s up to the limit', (_, write) => {
    expect(Number.isFinite(evaluate(write(LIMIT - 2)))).toBe(true);
  });

  it.each(Object.entries(nested))(
    'refuses %s far past the limit with the position and the limit, not a stack overflow',
    (_, write) => {
      for (const depth of [LIMIT + 1, 100_000]) {
        const error = errorOf(write(depth));
        expect(error.shortMessage).toBe(`expression nested more than ${LIMIT} deep`);
        expect(error.line).toBe(1);
        expect(error.column).toBeGreaterThan(LIMIT / 2);
        expect(error.column).toBeLessThan(5 * LIMIT);
        expect(error.message).toMatch(/^QASM line 1, col \d+: expression nested more than 200 deep/);
      }
    },
  );

  it('names the line and column in a program, in a gate body as at the top level', () => {
    const deep = `${'('.repeat(50_000)}pi${')'.repeat(50_000)}`;
    const program = (line: string) => `OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\n${line}\n`;
    expect(() => parseQasm(program(`rz(${deep}) q[0];`))).toThrow(
      /^QASM line 4, col 204: expression nested more than 200 deep/,
    );
    expect(() => parseQasm(program(`gate g(t) a { rz(t*${deep}) a; }`))).toThrow(
      /^QASM line 4, col \d+: expression nested more than 200 deep/,
    );
  });

  it("refuses the JSON form's deep angle text the same way, without quoting all of it", () => {
    const deep = Array<string>(100_000).fill('1').join('+');
    let message = '';
    try {
      circuitFromJson({ qubits: 1, gates: [{ gate: 'rz', targets: [0], params: [deep] }] });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /^gates\[0\]\.params\[0\]: cannot read "1\+1\+1.*…": expression nested more than 200 deep \(at character 400\)/,
    );
    expect(message.length).toBeLessThan(500);
  });
});
