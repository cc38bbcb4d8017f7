/**
 * Syntax tree → `Circuit`. Registers are flattened in declaration order, register arguments are
 * broadcast, user gates (and the composite qelib1 gates) are expanded recursively into the
 * standard gates of `gates.ts`, and every name, arity and index is checked, with errors that point
 * at the source and say what to do.
 *
 * Statements are compiled as the parser reads them, so a 3 MB file is never held as a tree.
 *
 * Lenient mode accepts the quirks real-world files have (see `../shared/qasmbench/README.md`): a
 * missing `OPENQASM 2.0;` header; measuring into a classical register that was never declared (it
 * is declared after the declared ones, sized by the largest index measured into it); measuring from a
 * quantum register that was never declared (`q[i]` is read as qubit i of the whole circuit, as
 * Qiskit's default register would be); standard gates used without `include "qelib1.inc";`; and
 * user gates that redefine a qelib1 gate (the user's definition wins). Each is reported as a warning.
 */
import type { Circuit, Condition, MeasureOp, Op, Register } from '../circuit.ts';
import { STANDARD_GATES, type StandardGateName } from '../gates.ts';
import { QasmError, type SourcePosition } from './errors.ts';
import { compileExpression, evaluateExpression, type CompiledExpr } from './expressions.ts';
import {
  parseProgram,
  QasmParser,
  indexPosition,
  type Argument,
  type BarrierStatement,
  type GateCall,
  type GateDeclaration,
  type Identifier,
  type IfStatement,
  type MeasureStatement,
  type Program,
  type QuantumOperation,
  type RegisterDeclaration,
  type ResetStatement,
  type Statement,
} from './parser.ts';
import { QELIB1_FILE, QELIB1_SOURCE } from './qelib1.ts';
import { closest } from './suggest.ts';

export interface ParseQasmOptions {
  /** Accept the known real-world quirks (missing header, undeclared measurement registers, …). */
  lenient?: boolean;
  /** Fail once the expanded circuit has more ops than this (default `LIMITS.maxOps`). */
  maxOps?: number;
}

export interface QasmWarning {
  line: number;
  column: number;
  message: string;
}

export interface CompileResult {
  circuit: Circuit;
  /** What lenient mode accepted that strict mode would have rejected. */
  warnings: QasmWarning[];
}

/** Guards against programs that would expand without bound (nested gates, huge broadcasts). */
export const LIMITS = { maxOps: 5_000_000, maxBits: 1 << 16, maxGateDepth: 64 } as const;

/** A gate the program can call: native (a standard gate), composite (a body to expand) or opaque. */
export interface GateEntry {
  name: string;
  paramNames: string[];
  qubitNames: string[];
  /** The standard gate it runs as, when there is one; the body is then only documentation. */
  native: StandardGateName | null;
  /** Null for `opaque` declarations (and the built-in `U` and `CX`). */
  body: BodyOp[] | null;
  origin: 'builtin' | 'qelib1' | 'user';
  pos: SourcePosition | null;
}

/** A gate body statement with names resolved: arguments are indices into the gate's qubits. */
export type BodyOp =
  { kind: 'call'; gate: GateEntry; params: CompiledExpr[]; args: number[] } | { kind: 'barrier'; args: number[] };

const BUILTINS: GateEntry[] = [
  {
    name: 'U',
    paramNames: ['theta', 'phi', 'lambda'],
    qubitNames: ['q'],
    native: 'u',
    body: null,
    origin: 'builtin',
    pos: null,
  },
  { name: 'CX', paramNames: [], qubitNames: ['c', 't'], native: 'cx', body: null, origin: 'builtin', pos: null },
];

let qelib1Cache: ReadonlyMap<string, GateEntry> | undefined;

/** The gates `qelib1.inc` defines, parsed once; standard ones are marked native. */
export function qelib1Gates(): ReadonlyMap<string, GateEntry> {
  if (!qelib1Cache) {
    const compiler = new Compiler({}, 'qelib1');
    for (const statement of parseProgram(QELIB1_SOURCE).statements) compiler.statement(statement);
    qelib1Cache = new Map([...compiler.gates].filter(([, entry]) => entry.origin === 'qelib1'));
  }
  return qelib1Cache;
}

/** Compiles QASM source, statement by statement as it is parsed. Errors are `QasmError`s without the source excerpt (see `parseQasm`). */
export function compileQasm(source: string, options: ParseQasmOptions = {}): CompileResult {
  const parser = new QasmParser(source);
  const compiler = new Compiler(options, 'user');
  compiler.header(parser.version, parser.start);
  for (let statement = parser.next(); statement; statement = parser.next()) compiler.statement(statement);
  return compiler.finish();
}

/** Expands one call of a gate into standard-gate ops (used by the JSON form for `rccx`, `rc3x`). */
export function expandGate(
  entry: GateEntry,
  params: readonly number[],
  qubits: readonly number[],
  condition?: Condition,
): Op[] {
  const compiler = new Compiler({}, 'user');
  compiler.expand(entry, params, qubits, condition, { line: 1, column: 1 }, 0);
  return compiler.ops;
}

/** Lenient mode: a classical register measured into but never declared. Offsets are fixed at the end. */
interface AutoRegister {
  register: Register;
  pos: SourcePosition;
  measures: MeasureOp[];
  conditions: Array<{ value: number; pos: SourcePosition }>;
}

const NO_PARAMS: number[] = Object.freeze([]) as unknown as number[];

/** Stands for "an undeclared `q[i]` read as global qubit i" (lenient mode). */
const GLOBAL_QUBITS: Register = { name: '', size: 0, offset: 0 };

type Resolved = { base: number; size: number; register: Register | null; arg: Argument };

class Compiler {
  readonly gates = new Map<string, GateEntry>(BUILTINS.map((entry) => [entry.name, entry]));
  readonly ops: Op[] = [];
  private readonly qregs = new Map<string, Register>();
  private readonly cregs = new Map<string, Register>();
  private qubits = 0;
  private clbits = 0;
  private readonly warnings: QasmWarning[] = [];
  private readonly lenient: boolean;
  private readonly maxOps: number;
  private qelib1Included = false;
  private readonly autoCregs = new Map<string, AutoRegister>();
  /** Lenient mode: undeclared quantum registers read as global qubit indices. */
  private readonly globalQregs = new Set<string>();

  constructor(
    options: ParseQasmOptions,
    private readonly origin: 'qelib1' | 'user',
  ) {
    this.lenient = options.lenient ?? false;
    this.maxOps = options.maxOps ?? LIMITS.maxOps;
  }

  header(version: Program['version'], start: SourcePosition): void {
    if (version === null) {
      if (!this.lenient) {
        throw new QasmError('missing the `OPENQASM 2.0;` header', start, {
          hints: ['start the program with `OPENQASM 2.0;`, or parse with { lenient: true }'],
        });
      }
      this.warn(start, 'no `OPENQASM 2.0;` header; read as OpenQASM 2.0');
    } else if (version.value !== '2.0' && version.value !== '2') {
      throw new QasmError(`OpenQASM ${version.value} is not supported`, version.pos, {
        hints: ['this front end reads OpenQASM 2.0; write `OPENQASM 2.0;`'],
      });
    }
  }

  finish(): CompileResult {
    for (const [name, auto] of this.autoCregs) {
      const { register } = auto;
      if (this.clbits + register.size > LIMITS.maxBits) {
        throw new QasmError(`\`${name}[${register.size}]\` takes the circuit past ${LIMITS.maxBits} bits`, auto.pos);
      }
      register.offset = this.clbits;
      this.clbits += register.size;
      this.cregs.set(name, register);
      for (const op of auto.measures) op.clbit += register.offset;
      for (const { value, pos } of auto.conditions) this.checkConditionValue(register, value, pos);
      this.warn(
        auto.pos,
        `classical register \`${name}\` was never declared; declared it as \`creg ${name}[${register.size}];\``,
      );
    }
    return {
      circuit: {
        qubits: this.qubits,
        clbits: this.clbits,
        qregs: [...this.qregs.values()],
        cregs: [...this.cregs.values()],
        ops: this.ops,
      },
      warnings: this.warnings,
    };
  }

  statement(statement: Statement): void {
    switch (statement.kind) {
      case 'include':
        if (statement.file !== QELIB1_FILE) {
          throw new QasmError(`cannot include "${statement.file}"`, statement.pos, {
            hints: [`only "${QELIB1_FILE}" is built in; paste the file's gate definitions into the program instead`],
          });
        }
        this.includeQelib1(statement.pos, false);
        return;
      case 'qreg':
      case 'creg':
        this.declareRegister(statement);
        return;
      case 'gate':
        this.defineGate(statement);
        return;
      case 'if':
        this.conditional(statement);
        return;
      case 'barrier':
        this.barrier(statement);
        return;
      default:
        this.operation(statement, undefined);
    }
  }

  private operation(op: QuantumOperation, condition: Condition | undefined): void {
    if (op.kind === 'call') this.call(op, condition);
    else if (op.kind === 'measure') this.measure(op, condition);
    else this.reset(op, condition);
  }

  // --- declarations -------------------------------------------------------------------------

  private declareRegister({ kind, name, size, pos, sizePos }: RegisterDeclaration): void {
    const existing = this.qregs.get(name) ?? this.cregs.get(name);
    if (existing) {
      const what = this.qregs.has(name) ? 'quantum' : 'classical';
      throw new QasmError(`register \`${name}\` is already declared (as a ${what} register)`, pos, {
        hints: ['give each register its own name'],
      });
    }
    if (this.autoCregs.has(name) || this.globalQregs.has(name)) {
      throw new QasmError(`register \`${name}\` is declared after it is used`, pos, {
        hints: ['declare registers before the statements that use them'],
      });
    }
    if (size < 1) throw new QasmError(`register \`${name}\` must have at least 1 bit`, sizePos);
    const total = kind === 'qreg' ? this.qubits : this.clbits;
    if (total + size > LIMITS.maxBits) {
      throw new QasmError(`\`${name}[${size}]\` takes the circuit past ${LIMITS.maxBits} bits`, sizePos, {
        hints: ['use smaller registers'],
      });
    }
    this.addRegister(kind, name, size);
  }

  private addRegister(kind: 'qreg' | 'creg', name: string, size: number): Register {
    const register: Register = { name, size, offset: kind === 'qreg' ? this.qubits : this.clbits };
    if (kind === 'qreg') {
      this.qregs.set(name, register);
      this.qubits += size;
    } else {
      this.cregs.set(name, register);
      this.clbits += size;
    }
    return register;
  }

  private includeQelib1(pos: SourcePosition, implicit: boolean): void {
    if (this.qelib1Included) return;
    this.qelib1Included = true;
    if (implicit) this.warn(pos, `\`${QELIB1_FILE}\` was not included; included it`);
    for (const [name, entry] of qelib1Gates()) {
      const existing = this.gates.get(name);
      if (existing) {
        if (!this.lenient) {
          throw new QasmError(
            `${QELIB1_FILE} defines \`${name}\`, which is already defined at line ${existing.pos?.line}`,
            pos,
            { hints: [`include "${QELIB1_FILE}" first and give your gate another name`] },
          );
        }
        this.warn(existing.pos ?? pos, `\`${name}\` redefines the ${QELIB1_FILE} gate; your definition is used`);
        continue;
      }
      this.gates.set(name, entry);
    }
  }

  private defineGate(declaration: GateDeclaration): void {
    const { name, pos } = declaration;
    const existing = this.gates.get(name);
    if (existing) {
      if (existing.origin === 'builtin') {
        throw new QasmError(`\`${name}\` is a built-in gate and cannot be redefined`, pos, {
          hints: ['give your gate another name'],
        });
      }
      if (existing.origin === 'qelib1' && this.lenient) {
        this.warn(pos, `\`${name}\` redefines the ${QELIB1_FILE} gate; your definition is used`);
      } else {
        const where = existing.origin === 'qelib1' ? `by ${QELIB1_FILE}` : `at line ${existing.pos?.line}`;
        throw new QasmError(`gate \`${name}\` is already defined ${where}`, pos, {
          hints: [
            'give your gate another name',
            ...(existing.origin === 'qelib1' ? ['or parse with { lenient: true } to let your definition win'] : []),
          ],
        });
      }
    }
    const paramNames = distinctNames(declaration.params, 'parameter');
    const qubitNames = distinctNames(declaration.qubits, 'qubit');
    const body =
      declaration.body === null
        ? null
        : declaration.body.map((statement): BodyOp => {
            const args = statement.args.map((arg) => {
              const index = qubitNames.indexOf(arg.name);
              if (index < 0) {
                throw new QasmError(`unknown qubit \`${arg.name}\` in the body of \`${name}\``, arg, {
                  hints: [`\`${name}\` acts on ${qubitNames.map((qubit) => `\`${qubit}\``).join(', ')}`],
                });
              }
              return index;
            });
            if (statement.kind === 'barrier') return { kind: 'barrier', args };
            const gate = statement.name === name && !existing ? null : this.lookupGate(statement.name, statement.pos);
            if (!gate) {
              throw new QasmError(`gate \`${name}\` calls itself`, statement.pos, {
                hints: ['a gate body can only use gates defined before it'],
              });
            }
            this.checkArity(gate, statement.params.length, args.length, statement.pos);
            const repeated = repeatedAt(args);
            if (repeated >= 0) throw usedTwice(`\`${qubitNames[args[repeated]!]}\``, gate.name, statement.pos);
            return {
              kind: 'call',
              gate,
              params: statement.params.map((expr) => compileExpression(expr, paramNames)),
              args,
            };
          });
    const native = this.origin === 'qelib1' && Object.hasOwn(STANDARD_GATES, name) ? (name as StandardGateName) : null;
    this.gates.set(name, { name, paramNames, qubitNames, native, body, origin: this.origin, pos });
  }

  // --- gate calls ---------------------------------------------------------------------------

  private lookupGate(name: string, pos: SourcePosition): GateEntry {
    let gate = this.gates.get(name);
    if (!gate && !this.qelib1Included && this.origin === 'user' && qelib1Gates().has(name)) {
      if (!this.lenient) {
        throw new QasmError(`gate \`${name}\` is defined in ${QELIB1_FILE}, which is not included`, pos, {
          hints: [`add \`include "${QELIB1_FILE}";\` after \`OPENQASM 2.0;\``],
        });
      }
      this.includeQelib1(pos, true);
      gate = this.gates.get(name);
    }
    if (!gate) {
      const known = [...this.gates.keys()];
      const suggestion = closest(name, known);
      throw new QasmError(`unknown gate \`${name}\``, pos, {
        hints: [
          ...(suggestion ? [`did you mean \`${suggestion}\`?`] : []),
          ...(this.qregs.has(name) || this.cregs.has(name) ? [`\`${name}\` is a register, not a gate`] : []),
          `known gates: ${known.join(', ')}`,
        ],
      });
    }
    return gate;
  }

  private checkArity(gate: GateEntry, params: number, qubits: number, pos: SourcePosition): void {
    const wantParams = gate.paramNames.length;
    const wantQubits = gate.qubitNames.length;
    if (params === wantParams && qubits === wantQubits) return;
    const what =
      params !== wantParams
        ? `gate \`${gate.name}\` takes ${count(wantParams, 'parameter')}, got ${params}`
        : `gate \`${gate.name}\` takes ${count(wantQubits, 'qubit')}, got ${qubits}`;
    throw new QasmError(what, pos, { hints: [`usage: \`${usage(gate)};\``] });
  }

  private call(call: GateCall, condition: Condition | undefined): void {
    const gate = this.lookupGate(call.name, call.pos);
    this.checkArity(gate, call.params.length, call.args.length, call.pos);
    const params = call.params.length === 0 ? NO_PARAMS : call.params.map(evaluateExpression);
    const args: Resolved[] = [];
    for (const arg of call.args) args.push(this.resolve(arg, 'qreg'));
    const size = this.broadcastSize(args, `\`${call.name}\``);
    for (let i = 0; i < size; i++) {
      const qubits: number[] = [];
      for (const arg of args) qubits.push(arg.register && arg.arg.index === null ? arg.base + i : arg.base);
      const repeated = repeatedAt(qubits);
      if (repeated >= 0) throw usedTwice(describeBit(args[repeated]!, i), call.name, call.pos);
      this.expand(gate, params, qubits, condition, call.pos, 0);
    }
  }

  expand(
    gate: GateEntry,
    params: readonly number[],
    qubits: readonly number[],
    condition: Condition | undefined,
    pos: SourcePosition,
    depth: number,
  ): void {
    if (gate.native) {
      const name = gate.native;
      // Plain literals (no conditional spread) keep every op of a kind in one object shape.
      this.push(
        pos,
        condition
          ? { kind: 'gate', name, qubits: qubits as number[], params: params as number[], condition }
          : { kind: 'gate', name, qubits: qubits as number[], params: params as number[] },
      );
      return;
    }
    if (gate.body === null) {
      throw new QasmError(`gate \`${gate.name}\` is declared \`opaque\`, so it has no definition to run`, pos, {
        hints: [`define it instead: \`gate ${usage(gate)} { … }\``],
      });
    }
    if (depth >= LIMITS.maxGateDepth) {
      throw new QasmError(`gate definitions nest more than ${LIMITS.maxGateDepth} deep`, pos, {
        hints: ['flatten the gate definitions'],
      });
    }
    for (const op of gate.body) {
      if (op.kind === 'barrier') {
        this.push(pos, { kind: 'barrier', qubits: op.args.map((index) => qubits[index]!) });
        continue;
      }
      const subParams = op.params.length === 0 ? NO_PARAMS : op.params.map((param) => param(params) + 0); // -0 → 0
      const subQubits = op.args.map((index) => qubits[index]!);
      this.expand(op.gate, subParams, subQubits, condition, pos, depth + 1);
    }
  }

  private push(pos: SourcePosition, op: Op): void {
    if (this.ops.length >= this.maxOps) {
      throw new QasmError(`the circuit expands to more than ${this.maxOps} operations`, pos, {
        hints: ['split it into smaller circuits'],
      });
    }
    this.ops.push(op);
  }

  // --- measure, reset, barrier, if ----------------------------------------------------------

  private measure(statement: MeasureStatement, condition: Condition | undefined): void {
    const qubit = this.resolve(statement.qubit, 'qreg');
    const qubitIsRegister = statement.qubit.index === null;
    const clbit = this.resolve(statement.clbit, 'creg', qubitIsRegister ? qubit.size : 1);
    if (qubitIsRegister !== (statement.clbit.index === null)) {
      throw new QasmError('`measure` needs a register on both sides or one bit on both sides', statement.pos, {
        hints: ['write `measure q -> c;` or `measure q[0] -> c[0];`'],
      });
    }
    if (qubitIsRegister && qubit.size !== clbit.size) {
      throw new QasmError(
        `cannot measure \`${statement.qubit.name}\` (${count(qubit.size, 'qubit')}) into \`${statement.clbit.name}\` (${count(clbit.size, 'bit')})`,
        statement.clbit,
        { hints: ['measuring a whole register needs a classical register of the same size'] },
      );
    }
    const auto = this.autoCregs.get(statement.clbit.name);
    for (let i = 0; i < qubit.size; i++) {
      const op: MeasureOp = condition
        ? { kind: 'measure', qubit: qubit.base + i, clbit: clbit.base + i, condition }
        : { kind: 'measure', qubit: qubit.base + i, clbit: clbit.base + i };
      this.push(statement.pos, op);
      // Bits of an undeclared register are local indices until `finish` knows its offset.
      auto?.measures.push(op);
    }
  }

  private reset(statement: ResetStatement, condition: Condition | undefined): void {
    const target = this.resolve(statement.target, 'qreg');
    for (let i = 0; i < target.size; i++) {
      const qubit = target.base + i;
      this.push(statement.pos, condition ? { kind: 'reset', qubit, condition } : { kind: 'reset', qubit });
    }
  }

  private barrier(statement: BarrierStatement): void {
    const qubits = new Set<number>();
    for (const arg of statement.args) {
      const resolved = this.resolve(arg, 'qreg');
      for (let i = 0; i < resolved.size; i++) qubits.add(resolved.base + i);
    }
    this.push(statement.pos, { kind: 'barrier', qubits: [...qubits] });
  }

  private conditional(statement: IfStatement): void {
    const { creg, value, valuePos } = statement;
    const register = this.cregs.get(creg.name);
    const auto = this.autoCregs.get(creg.name);
    if (register) this.checkConditionValue(register, value, valuePos);
    else if (auto) auto.conditions.push({ value, pos: valuePos });
    else {
      throw new QasmError(`unknown classical register \`${creg.name}\` in \`if\``, creg, {
        hints: [
          this.qregs.has(creg.name)
            ? `\`${creg.name}\` is a quantum register; \`if\` tests a classical register`
            : declaredHint(this.cregs, 'creg'),
        ],
      });
    }
    this.operation(statement.op, { creg: creg.name, value });
  }

  private checkConditionValue(register: Register, value: number, pos: SourcePosition): void {
    if (register.size < 53 && value >= 2 ** register.size) {
      throw new QasmError(`\`${register.name}\` has ${count(register.size, 'bit')}, so it never equals ${value}`, pos, {
        hints: [`compare with a value from 0 to ${2 ** register.size - 1}`],
      });
    }
  }

  // --- registers ----------------------------------------------------------------------------

  /**
   * A register argument (`q`, `q[2]`) as a range of global indices. In lenient mode, an undeclared
   * classical register becomes an auto register of at least `autoSize` bits (its bits are local
   * indices until `finish`), and an undeclared `q[i]` on the quantum side reads global qubit i.
   */
  private resolve(arg: Argument, kind: 'qreg' | 'creg', autoSize = 1): Resolved {
    const registers = kind === 'qreg' ? this.qregs : this.cregs;
    const register = registers.get(arg.name) ?? (this.lenient ? this.lenientRegister(arg, kind, autoSize) : undefined);
    if (!register) {
      const other = kind === 'qreg' ? this.cregs : this.qregs;
      if (other.has(arg.name)) {
        throw new QasmError(
          kind === 'qreg'
            ? `\`${arg.name}\` is a classical register; gates, measure and reset act on qubits`
            : `\`${arg.name}\` is a quantum register; measure into a classical register`,
          arg,
          { hints: [declaredHint(registers, kind)] },
        );
      }
      const what = kind === 'qreg' ? 'quantum' : 'classical';
      throw new QasmError(`undeclared ${what} register \`${arg.name}\``, arg, {
        hints: [
          declaredHint(registers, kind),
          ...(kind === 'creg' && !this.lenient ? ['or parse with { lenient: true } to declare it automatically'] : []),
        ],
      });
    }
    if (register === GLOBAL_QUBITS) return { base: arg.index!, size: 1, register: null, arg };
    if (arg.index === null) return { base: register.offset, size: register.size, register, arg };
    if (arg.index >= register.size) {
      throw new QasmError(
        `index ${arg.index} is out of range for \`${register.name}[${register.size}]\``,
        indexPosition(arg),
        {
          hints: [
            `\`${register.name}\` has ${count(register.size, kind === 'qreg' ? 'qubit' : 'bit')}: ${register.name}[0] to ${register.name}[${register.size - 1}]`,
          ],
        },
      );
    }
    return { base: register.offset + arg.index, size: 1, register, arg };
  }

  private lenientRegister(arg: Argument, kind: 'qreg' | 'creg', autoSize: number): Register | undefined {
    if (this.qregs.has(arg.name) || this.cregs.has(arg.name)) return undefined;
    if (kind === 'qreg') {
      if (arg.index === null || arg.index >= this.qubits || this.autoCregs.has(arg.name)) return undefined;
      if (!this.globalQregs.has(arg.name)) {
        this.globalQregs.add(arg.name);
        this.warn(
          arg,
          `quantum register \`${arg.name}\` was never declared; \`${arg.name}[i]\` is read as qubit i of the circuit`,
        );
      }
      return GLOBAL_QUBITS;
    }
    if (this.globalQregs.has(arg.name)) return undefined;
    let auto = this.autoCregs.get(arg.name);
    if (!auto) {
      auto = { register: { name: arg.name, size: 0, offset: 0 }, pos: arg, measures: [], conditions: [] };
      this.autoCregs.set(arg.name, auto);
    }
    auto.register.size = Math.max(auto.register.size, arg.index === null ? autoSize : arg.index + 1);
    return auto.register;
  }

  /** Register arguments are broadcast: all must have the same size, single bits repeat. */
  private broadcastSize(args: Resolved[], what: string): number {
    let first: Resolved | undefined;
    for (const arg of args) {
      if (arg.arg.index !== null || !arg.register) continue;
      if (!first) first = arg;
      else if (arg.size !== first.size) {
        throw new QasmError(
          `cannot broadcast ${what} over \`${first.arg.name}\` (${count(first.size, 'qubit')}) and \`${arg.arg.name}\` (${count(arg.size, 'qubit')})`,
          arg.arg,
          { hints: ['registers used together in one statement must have the same size; or index them, e.g. `q[0]`'] },
        );
      }
    }
    return first ? first.size : 1;
  }

  private warn(pos: SourcePosition, message: string): void {
    this.warnings.push({ line: pos.line, column: pos.column, message });
  }
}

function distinctNames(identifiers: Identifier[], what: string): string[] {
  const names: string[] = [];
  for (const identifier of identifiers) {
    const { name } = identifier;
    if (names.includes(name)) throw new QasmError(`${what} \`${name}\` is listed twice`, identifier);
    names.push(name);
  }
  return names;
}

/** The position of the first argument that repeats an earlier one, or -1. */
function repeatedAt(qubits: readonly number[]): number {
  for (let a = 1; a < qubits.length; a++) {
    for (let b = 0; b < a; b++) if (qubits[a] === qubits[b]) return a;
  }
  return -1;
}

function usedTwice(qubit: string, gate: string, pos: SourcePosition): QasmError {
  return new QasmError(`qubit ${qubit} is used twice in one \`${gate}\``, pos, {
    hints: ["a gate's qubits must all be different"],
  });
}

function describeBit({ arg, register }: Resolved, i: number): string {
  if (!register) return `\`${arg.name}[${arg.index}]\``;
  return `\`${arg.name}[${arg.index ?? i}]\``;
}

function declaredHint(registers: ReadonlyMap<string, Register>, kind: 'qreg' | 'creg'): string {
  if (registers.size === 0) return `declare one first, e.g. \`${kind} ${kind === 'qreg' ? 'q' : 'c'}[2];\``;
  const list = [...registers.values()].map(({ name, size }) => `${name}[${size}]`).join(', ');
  return `declared ${kind === 'qreg' ? 'quantum' : 'classical'} registers: ${list}`;
}

function usage(gate: GateEntry): string {
  const params = gate.paramNames.length > 0 ? `(${gate.paramNames.join(', ')})` : '';
  return `${gate.name}${params} ${gate.qubitNames.join(', ')}`;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
