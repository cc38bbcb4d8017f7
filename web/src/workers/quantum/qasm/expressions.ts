/**
 * Parameter expressions of OpenQASM 2.0: numbers (`3`, `0.5`, `1e-3`), `pi`, gate parameters,
 * `+ - * / ^`, unary minus, parentheses and `sin cos tan exp ln sqrt`. Angles are radians.
 *
 * Precedence, loosest first: `+ -`, then `* /`, then unary minus, then `^` (right-associative),
 * so `-2^2` is -4 and `2^3^2` is 512, as in Qiskit.
 */
import { QasmError, type SourcePosition } from './errors.ts';
import { TokenStream } from './lexer.ts';

export type BinaryOperator = '+' | '-' | '*' | '/' | '^';
export type UnaryFunction = 'sin' | 'cos' | 'tan' | 'exp' | 'ln' | 'sqrt';

/** Expression nodes carry their own position (they are `SourcePosition`s), saving an object per node. */
export type Expr = SourcePosition &
  (
    | { kind: 'number'; value: number }
    | { kind: 'pi' }
    | { kind: 'param'; name: string }
    | { kind: 'negate'; operand: Expr }
    | { kind: 'binary'; op: BinaryOperator; left: Expr; right: Expr }
    | { kind: 'call'; fn: UnaryFunction; arg: Expr }
  );

const FUNCTIONS: Record<UnaryFunction, (x: number) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  exp: Math.exp,
  ln: Math.log,
  sqrt: Math.sqrt,
};

const isFunction = (name: string): name is UnaryFunction => Object.hasOwn(FUNCTIONS, name);

/** Parses one expression at the stream's cursor. */
export function parseExpression(stream: TokenStream): Expr {
  return parseSum(stream);
}

function parseSum(stream: TokenStream): Expr {
  let left = parseProduct(stream);
  while (stream.isSymbol('+') || stream.isSymbol('-')) {
    const { line, column } = stream;
    const op = stream.take() as BinaryOperator;
    left = { kind: 'binary', op, left, right: parseProduct(stream), line, column };
  }
  return left;
}

function parseProduct(stream: TokenStream): Expr {
  let left = parseUnary(stream);
  while (stream.isSymbol('*') || stream.isSymbol('/')) {
    const { line, column } = stream;
    const op = stream.take() as BinaryOperator;
    left = { kind: 'binary', op, left, right: parseUnary(stream), line, column };
  }
  return left;
}

function parseUnary(stream: TokenStream): Expr {
  if (stream.isSymbol('-')) {
    const { line, column } = stream;
    stream.advance();
    return { kind: 'negate', operand: parseUnary(stream), line, column };
  }
  if (stream.acceptSymbol('+')) return parseUnary(stream);
  return parsePower(stream);
}

function parsePower(stream: TokenStream): Expr {
  const base = parseAtom(stream);
  if (!stream.isSymbol('^')) return base;
  const { line, column } = stream;
  stream.advance();
  // The exponent may itself carry a sign: 2^-1.
  return { kind: 'binary', op: '^', left: base, right: parseUnary(stream), line, column };
}

function parseAtom(stream: TokenStream): Expr {
  const { line, column, kind } = stream;
  if (kind === 'int' || kind === 'real') {
    const text = stream.take();
    const value = Number(text);
    if (!Number.isFinite(value)) throw new QasmError(`number \`${text}\` is too large`, { line, column });
    return { kind: 'number', value, line, column };
  }
  if (kind === 'id') {
    const name = stream.take();
    if (name === 'pi') return { kind: 'pi', line, column };
    if (isFunction(name)) {
      stream.expectSymbol('(', `after \`${name}\``);
      const arg = parseExpression(stream);
      stream.expectSymbol(')', `to close \`${name}(\``);
      return { kind: 'call', fn: name, arg, line, column };
    }
    return { kind: 'param', name, line, column };
  }
  if (stream.acceptSymbol('(')) {
    const inner = parseExpression(stream);
    stream.expectSymbol(')', 'to close `(`');
    return inner;
  }
  throw new QasmError(
    `expected an expression, found ${stream.describe()}`,
    { line, column },
    {
      hints: ['parameters are numbers, `pi`, gate parameters, + - * / ^ and sin cos tan exp ln sqrt'],
    },
  );
}

/** A compiled expression: evaluates against the values of a gate's parameters, in declaration order. */
export type CompiledExpr = (params: readonly number[]) => number;

/**
 * Turns an expression into a closure, resolving parameter names to positions once (gate bodies
 * are expanded many times). Unknown names fail here, with their position.
 */
export function compileExpression(expr: Expr, paramNames: readonly string[] = []): CompiledExpr {
  switch (expr.kind) {
    case 'number': {
      const { value } = expr;
      return () => value;
    }
    case 'pi':
      return () => Math.PI;
    case 'param': {
      const index = paramNames.indexOf(expr.name);
      if (index < 0) {
        const hints =
          paramNames.length > 0
            ? [`this gate's parameters are ${paramNames.map((name) => `\`${name}\``).join(', ')}`]
            : ['outside a gate body, angles are numbers and `pi`, e.g. `rz(pi/4) q[0];`'];
        throw new QasmError(`unknown parameter \`${expr.name}\``, expr, { hints });
      }
      return (params) => params[index]!;
    }
    case 'negate': {
      const operand = compileExpression(expr.operand, paramNames);
      return (params) => -operand(params);
    }
    case 'call': {
      const arg = compileExpression(expr.arg, paramNames);
      const fn = FUNCTIONS[expr.fn];
      const pos = { line: expr.line, column: expr.column };
      const name = expr.fn;
      return (params) => checked(fn(arg(params)), pos, `\`${name}\``);
    }
    case 'binary': {
      const left = compileExpression(expr.left, paramNames);
      const right = compileExpression(expr.right, paramNames);
      const pos = { line: expr.line, column: expr.column };
      switch (expr.op) {
        case '+':
          return (params) => left(params) + right(params);
        case '-':
          return (params) => left(params) - right(params);
        case '*':
          return (params) => left(params) * right(params);
        case '/':
          return (params) => {
            const divisor = right(params);
            if (divisor === 0) throw new QasmError('division by zero', pos);
            return left(params) / divisor;
          };
        case '^':
          return (params) => checked(Math.pow(left(params), right(params)), pos, '`^`');
      }
    }
  }
}

function checked(value: number, pos: SourcePosition, what: string): number {
  if (!Number.isFinite(value)) {
    throw new QasmError(`${what} gives ${value}, which is not a finite angle`, pos, {
      hints: ['check the argument: ln and sqrt need positive values'],
    });
  }
  return value;
}

/** Evaluates a constant expression (no gate parameters in scope). `-0` comes out as 0. */
export function evaluateExpression(expr: Expr): number {
  // Plain numbers are by far the most common parameter; skip building a closure for them.
  if (expr.kind === 'number') return expr.value;
  if (expr.kind === 'pi') return Math.PI;
  return compileExpression(expr)([]) + 0;
}

/** Evaluates an expression written as text, e.g. `"pi/4"` in the JSON form. Errors point into the text. */
export function evaluateExpressionText(text: string): number {
  const stream = new TokenStream(text);
  const expr = parseExpression(stream);
  if (stream.kind !== 'eof') throw stream.expected('the end of the expression');
  return evaluateExpression(expr);
}
