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

/**
 * The deepest an expression may nest: parentheses, function calls, unary minus, `^`, and chains
 * of `+ - * /` (each operator is a level of the tree that compiling and evaluating walk
 * recursively). Deeper ones are refused with the position where they pass the limit, before
 * anything recurses that far.
 */
export const MAX_EXPRESSION_DEPTH = 200;

/** Parses one expression at the stream's cursor. */
export function parseExpression(stream: TokenStream): Expr {
  return new ExpressionParser(stream).expression(0);
}

/**
 * Recursive descent that counts as it goes: `depth` is how many nested contexts (parentheses,
 * function arguments, operands of unary minus and `^`) the parser is in, and `height` is the
 * height of the tree the last method returned.
 */
class ExpressionParser {
  private height = 0;

  constructor(private readonly stream: TokenStream) {}

  expression(depth: number): Expr {
    return this.sum(depth);
  }

  private sum(depth: number): Expr {
    return this.leftAssociative(depth, '+', '-', (operandDepth) => this.product(operandDepth));
  }

  private product(depth: number): Expr {
    return this.leftAssociative(depth, '*', '/', (operandDepth) => this.unary(operandDepth));
  }

  /**
   * `operand (op operand)*` for one precedence level, folded to the left. Each operator adds a
   * level to the tree the compiler and evaluator will recurse into, so it counts toward the height.
   */
  private leftAssociative(depth: number, first: string, second: string, operand: (depth: number) => Expr): Expr {
    const { stream } = this;
    let left = operand(depth);
    let height = this.height;
    while (stream.isSymbol(first) || stream.isSymbol(second)) {
      const { line, column } = stream;
      const op = stream.take() as BinaryOperator;
      const right = operand(depth);
      height = this.grown(Math.max(height, this.height), { line, column });
      left = { kind: 'binary', op, left, right, line, column };
    }
    this.height = height;
    return left;
  }

  private unary(depth: number): Expr {
    const { stream } = this;
    if (stream.isSymbol('-')) {
      const { line, column } = stream;
      stream.advance();
      const operand = this.unary(this.nested(depth, { line, column }));
      this.height = this.grown(this.height, { line, column });
      return { kind: 'negate', operand, line, column };
    }
    if (stream.isSymbol('+')) {
      const position = stream.pos();
      stream.advance();
      return this.unary(this.nested(depth, position));
    }
    return this.power(depth);
  }

  private power(depth: number): Expr {
    const { stream } = this;
    const base = this.atom(depth);
    if (!stream.isSymbol('^')) return base;
    const baseHeight = this.height;
    const { line, column } = stream;
    stream.advance();
    // The exponent may itself carry a sign: 2^-1.
    const right = this.unary(this.nested(depth, { line, column }));
    this.height = this.grown(Math.max(baseHeight, this.height), { line, column });
    return { kind: 'binary', op: '^', left: base, right, line, column };
  }

  private atom(depth: number): Expr {
    const { stream } = this;
    const { line, column, kind } = stream;
    this.height = 1;
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
        const arg = this.expression(this.nested(depth, { line, column }));
        stream.expectSymbol(')', `to close \`${name}(\``);
        this.height = this.grown(this.height, { line, column });
        return { kind: 'call', fn: name, arg, line, column };
      }
      return { kind: 'param', name, line, column };
    }
    if (stream.acceptSymbol('(')) {
      const inner = this.expression(this.nested(depth, { line, column }));
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

  /** One context deeper than `depth`, refused past the limit. */
  private nested(depth: number, position: SourcePosition): number {
    if (depth + 1 > MAX_EXPRESSION_DEPTH) throw tooDeep(position);
    return depth + 1;
  }

  /** A node over a subtree `height` high, refused past the limit. */
  private grown(height: number, position: SourcePosition): number {
    if (height + 1 > MAX_EXPRESSION_DEPTH) throw tooDeep(position);
    return height + 1;
  }
}

function tooDeep(position: SourcePosition): QasmError {
  return new QasmError(`expression nested more than ${MAX_EXPRESSION_DEPTH} deep`, position, {
    hints: [
      `an angle may nest at most ${MAX_EXPRESSION_DEPTH} levels of parentheses, functions and operators; compute it beforehand or split the sum`,
    ],
  });
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
