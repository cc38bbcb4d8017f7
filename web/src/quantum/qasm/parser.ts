/**
 * OpenQASM 2.0 source → syntax tree, every node carrying its source position. Only syntax is
 * checked here; names, arities and ranges are checked by `compile.ts`, which has the declarations.
 */
import { QasmError, type SourcePosition } from './errors.ts';
import { parseExpression, type Expr } from './expressions.ts';
import { TokenStream } from './lexer.ts';

/**
 * A qubit or bit argument: a whole register (`q`) or one element (`q[3]`). It is itself the
 * position of its name; `indexLine`/`indexColumn` locate the index (0 when there is none).
 */
export interface Argument extends SourcePosition {
  name: string;
  index: number | null;
  indexLine: number;
  indexColumn: number;
}

/** Where an argument's index is (its name when it has none). */
export function indexPosition(arg: Argument): SourcePosition {
  return arg.index === null ? { line: arg.line, column: arg.column } : { line: arg.indexLine, column: arg.indexColumn };
}

export interface Identifier extends SourcePosition {
  name: string;
}

export interface GateCall {
  kind: 'call';
  name: string;
  params: Expr[];
  args: Argument[];
  pos: SourcePosition;
}

export interface MeasureStatement {
  kind: 'measure';
  qubit: Argument;
  clbit: Argument;
  pos: SourcePosition;
}

export interface ResetStatement {
  kind: 'reset';
  target: Argument;
  pos: SourcePosition;
}

export interface BarrierStatement {
  kind: 'barrier';
  args: Argument[];
  pos: SourcePosition;
}

export type QuantumOperation = GateCall | MeasureStatement | ResetStatement;

export interface IfStatement {
  kind: 'if';
  creg: Identifier;
  value: number;
  valuePos: SourcePosition;
  op: QuantumOperation;
  pos: SourcePosition;
}

export interface RegisterDeclaration {
  kind: 'qreg' | 'creg';
  name: string;
  size: number;
  pos: SourcePosition;
  sizePos: SourcePosition;
}

/** `gate` (with a body) or `opaque` (body null). Body arguments never carry an index. */
export interface GateDeclaration {
  kind: 'gate';
  name: string;
  params: Identifier[];
  qubits: Identifier[];
  body: Array<GateCall | BarrierStatement> | null;
  pos: SourcePosition;
}

export interface IncludeStatement {
  kind: 'include';
  file: string;
  pos: SourcePosition;
}

export type Statement =
  IncludeStatement | RegisterDeclaration | GateDeclaration | QuantumOperation | BarrierStatement | IfStatement;

export interface Program {
  /** The `OPENQASM x;` header, when present. */
  version: { value: string; pos: SourcePosition } | null;
  statements: Statement[];
  /** Position of the first token (where a missing header is reported). */
  start: SourcePosition;
}

/** The whole program as a tree (for tests and the embedded qelib1.inc; `compile.ts` streams instead). */
export function parseProgram(source: string): Program {
  try {
    const parser = new QasmParser(source);
    const statements: Statement[] = [];
    for (let statement = parser.next(); statement; statement = parser.next()) statements.push(statement);
    return { version: parser.version, statements, start: parser.start };
  } catch (error) {
    if (error instanceof QasmError) throw error.withSource(source);
    throw error;
  }
}

const STATEMENT_HINT = 'a statement is a declaration (qreg, creg, gate), a gate call, measure, reset, barrier or if';
const NO_EXPRESSIONS: Expr[] = Object.freeze([]) as unknown as Expr[];

/**
 * Reads a program one statement at a time, so a large file is compiled as it is read instead of
 * being held as a tree. The `OPENQASM` header is read on construction.
 */
export class QasmParser {
  private readonly stream: TokenStream;
  /** The `OPENQASM x;` header, when present. */
  readonly version: Program['version'];
  /** Position of the first token (where a missing header is reported). */
  readonly start: SourcePosition;

  constructor(source: string) {
    const stream = new TokenStream(source);
    this.stream = stream;
    this.start = stream.pos();
    this.version = null;
    if (stream.at('id') && stream.text === 'OPENQASM') {
      const pos = stream.pos();
      stream.advance();
      if (!stream.at('real') && !stream.at('int')) throw stream.expected('a version number such as `2.0`');
      const value = stream.take();
      this.endOfStatement();
      this.version = { value, pos };
    }
  }

  /** The next statement, or null at the end of the source. */
  next(): Statement | null {
    return this.stream.at('eof') ? null : this.statement();
  }

  private statement(): Statement {
    const { stream } = this;
    if (!stream.at('id')) throw stream.expected('a statement', [STATEMENT_HINT]);
    const pos = stream.pos();
    switch (stream.text) {
      case 'OPENQASM':
        throw new QasmError('`OPENQASM` must be the first statement', pos, {
          hints: ['move `OPENQASM 2.0;` to the top of the program'],
        });
      case 'include': {
        stream.advance();
        if (!stream.at('string')) throw stream.expected('a file name in quotes, e.g. "qelib1.inc"');
        const file = stream.take();
        this.endOfStatement();
        return { kind: 'include', file, pos };
      }
      case 'qreg':
      case 'creg':
        return this.register(stream.text, pos);
      case 'gate':
      case 'opaque':
        return this.gateDeclaration(stream.text === 'opaque', pos);
      case 'if':
        return this.ifStatement(pos);
      case 'barrier': {
        stream.advance();
        const args = this.argumentList('a register or qubit to put the barrier on');
        this.endOfStatement();
        return { kind: 'barrier', args, pos };
      }
      default:
        return this.quantumOperation(pos);
    }
  }

  private quantumOperation(pos: SourcePosition): QuantumOperation {
    const { stream } = this;
    if (stream.at('id') && stream.text === 'measure') {
      stream.advance();
      const qubit = this.argument('a qubit or quantum register to measure');
      stream.expectSymbol('->', 'between the qubit and the bit (`measure q[0] -> c[0];`)');
      const clbit = this.argument('a bit or classical register to measure into');
      this.endOfStatement();
      return { kind: 'measure', qubit, clbit, pos };
    }
    if (stream.at('id') && stream.text === 'reset') {
      stream.advance();
      const target = this.argument('a qubit or quantum register to reset');
      this.endOfStatement();
      return { kind: 'reset', target, pos };
    }
    if (stream.at('id') && RESERVED_STATEMENTS.has(stream.text)) {
      throw new QasmError(`\`${stream.text}\` is not allowed here`, pos, {
        hints: ['`if` takes one gate call, measure or reset, e.g. `if(c==1) x q[0];`'],
      });
    }
    const name = stream.expectId('a gate name');
    const params = this.parameterList();
    const args = this.argumentList(`a qubit argument for \`${name}\``);
    this.endOfStatement();
    return { kind: 'call', name, params, args, pos };
  }

  private register(kind: 'qreg' | 'creg', pos: SourcePosition): RegisterDeclaration {
    const { stream } = this;
    stream.advance();
    const name = this.declaredName(`a register name (\`${kind} q[2];\`)`);
    stream.expectSymbol('[', `after the register name (\`${kind} ${name}[2];\`)`);
    const sizePos = stream.pos();
    const size = stream.expectInt('the register size, a whole number');
    stream.expectSymbol(']', 'after the register size');
    this.endOfStatement();
    return { kind, name, size, pos, sizePos };
  }

  private gateDeclaration(opaque: boolean, pos: SourcePosition): GateDeclaration {
    const { stream } = this;
    stream.advance();
    const name = this.declaredName('a gate name');
    let params: Identifier[] = [];
    if (stream.acceptSymbol('(')) {
      params = stream.isSymbol(')') ? [] : this.identifierList('a parameter name');
      stream.expectSymbol(')', 'to close the parameter list');
    }
    const qubits = this.identifierList(`a qubit name for \`${name}\` (\`gate ${name} a, b { … }\`)`);
    if (opaque) {
      this.endOfStatement();
      return { kind: 'gate', name, params, qubits, body: null, pos };
    }
    stream.expectSymbol('{', 'to start the gate body');
    const body: Array<GateCall | BarrierStatement> = [];
    while (!stream.isSymbol('}')) {
      if (stream.at('eof')) throw stream.expected(`\`}\` to close the body of \`${name}\``);
      body.push(this.bodyStatement());
    }
    stream.advance();
    return { kind: 'gate', name, params, qubits, body, pos };
  }

  private bodyStatement(): GateCall | BarrierStatement {
    const { stream } = this;
    const pos = stream.pos();
    if (stream.at('id') && stream.text === 'barrier') {
      stream.advance();
      const args = this.identifierList('a qubit name').map(asArgument);
      this.endOfStatement();
      return { kind: 'barrier', args, pos };
    }
    if (
      stream.at('id') &&
      (RESERVED_STATEMENTS.has(stream.text) || stream.text === 'measure' || stream.text === 'reset')
    ) {
      throw new QasmError(`\`${stream.text}\` is not allowed inside a gate body`, pos, {
        hints: ['a gate body holds only gate calls and barriers; put it after the gate is applied'],
      });
    }
    const name = stream.expectId('a gate call or `}`');
    const params = this.parameterList();
    const args = this.identifierList(`a qubit name for \`${name}\``).map(asArgument);
    if (stream.isSymbol('[')) {
      throw new QasmError('indices are not allowed inside a gate body', stream.pos(), {
        hints: ["use the gate's own qubit names, e.g. `cx a, b;`"],
      });
    }
    this.endOfStatement();
    return { kind: 'call', name, params, args, pos };
  }

  private ifStatement(pos: SourcePosition): IfStatement {
    const { stream } = this;
    stream.advance();
    stream.expectSymbol('(', 'after `if` (`if(c==1) x q[0];`)');
    const { line, column } = stream;
    const cregName = stream.expectId('a classical register name');
    stream.expectSymbol('==', 'in the condition (`if(c==1)`)');
    const valuePos = stream.pos();
    const value = stream.expectInt('a whole number to compare the register with');
    stream.expectSymbol(')', 'to close the condition');
    const op = this.quantumOperation(stream.pos());
    return { kind: 'if', creg: { name: cregName, line, column }, value, valuePos, op, pos };
  }

  private parameterList(): Expr[] {
    const { stream } = this;
    if (!stream.acceptSymbol('(')) return NO_EXPRESSIONS;
    if (stream.acceptSymbol(')')) return NO_EXPRESSIONS;
    const params = [parseExpression(stream)];
    while (stream.acceptSymbol(',')) params.push(parseExpression(stream));
    if (!stream.isSymbol(')')) throw stream.expected('`,` or `)` in the parameter list');
    stream.advance();
    return params;
  }

  private argumentList(what: string): Argument[] {
    const args = [this.argument(what)];
    while (this.stream.acceptSymbol(',')) args.push(this.argument(what));
    return args;
  }

  private argument(what: string): Argument {
    const { stream } = this;
    const { line, column } = stream;
    const name = stream.expectId(what);
    if (!stream.acceptSymbol('[')) return { name, index: null, line, column, indexLine: 0, indexColumn: 0 };
    const indexLine = stream.line;
    const indexColumn = stream.column;
    const index = stream.expectInt('an index, a whole number');
    stream.expectSymbol(']', 'after the index');
    return { name, index, line, column, indexLine, indexColumn };
  }

  private identifierList(what: string): Identifier[] {
    const { stream } = this;
    const list: Identifier[] = [];
    do {
      const { line, column } = stream;
      list.push({ name: stream.expectId(what), line, column });
    } while (stream.acceptSymbol(','));
    return list;
  }

  /** A name being declared: an identifier that is not a keyword. */
  private declaredName(what: string): string {
    const { stream } = this;
    if (stream.at('id') && KEYWORDS.has(stream.text)) {
      throw new QasmError(`\`${stream.text}\` is a reserved word and cannot be used as a name`, stream.pos(), {
        hints: ['pick another name'],
      });
    }
    return stream.expectId(what);
  }

  private endOfStatement(): void {
    const { stream } = this;
    if (stream.acceptSymbol(';')) return;
    throw stream.expected('`;`', stream.at('eof') ? [] : ['every statement ends with `;`'], true);
  }
}

const asArgument = ({ name, line, column }: Identifier): Argument => ({
  name,
  index: null,
  line,
  column,
  indexLine: 0,
  indexColumn: 0,
});

const RESERVED_STATEMENTS = new Set(['OPENQASM', 'include', 'qreg', 'creg', 'gate', 'opaque', 'if', 'barrier']);

/** Words that cannot name a register, gate or parameter. */
export const KEYWORDS = new Set([
  ...RESERVED_STATEMENTS,
  'measure',
  'reset',
  'pi',
  'U',
  'CX',
  'sin',
  'cos',
  'tan',
  'exp',
  'ln',
  'sqrt',
]);
