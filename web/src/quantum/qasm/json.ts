/**
 * The JSON circuit form, for agents and the UI that would rather not write QASM:
 *
 *     { "qubits": 2, "clbits": 2, "gates": [
 *         { "gate": "h", "targets": [0] },
 *         { "gate": "cx", "controls": [0], "targets": [1] },
 *         { "gate": "rz", "targets": [1], "params": [0.5] },          // or "pi/4" as text
 *         { "gate": "measure", "qubit": 0, "clbit": 0 },
 *         { "gate": "reset", "qubit": 1 },
 *         { "gate": "barrier", "qubits": [0, 1] },                    // no qubits: all of them
 *         { "gate": "x", "targets": [1], "condition": { "creg": "c", "value": 1 } } ] }
 *
 * Gate names are those of qelib1.inc (plus `U` and `CX`); `rccx` and `rc3x` are expanded from
 * their definitions. A controlled gate may also list all its qubits in `targets`, controls first.
 * `registers` names the quantum and classical registers (default: `q[qubits]` and `c[clbits]`).
 * `circuitToJson` always writes the registers, so JSON → Circuit → JSON → Circuit keeps the hash.
 */
import { z } from 'zod';
import type { Circuit, Condition, Op, Register } from '../circuit.ts';
import { isStandardGate, STANDARD_GATES, type StandardGateName } from '../gates.ts';
import { expandGate, LIMITS, qelib1Gates } from './compile.ts';
import { CircuitJsonError, QasmError } from './errors.ts';
import { evaluateExpressionText } from './expressions.ts';
import { KEYWORDS } from './parser.ts';
import { closest } from './suggest.ts';

const index = z.number().int().nonnegative();
const registerName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a register name is a letter or `_` followed by letters, digits or `_`');

const conditionSchema = z
  .object({
    creg: registerName.describe('Classical register to test'),
    value: index.describe(
      'The op runs only when the register, read as an integer (bit 0 least significant), equals this',
    ),
  })
  .strict();

const opSchema = z
  .object({
    gate: z.string().describe('A qelib1.inc gate (h, x, cx, rz, u3, ccx, …), or "measure", "reset", "barrier"'),
    targets: z.array(index).optional().describe('Target qubits of a gate'),
    controls: z.array(index).optional().describe('Control qubits of a controlled gate (cx, ccx, cp, …)'),
    params: z
      .array(z.union([z.number(), z.string()]))
      .optional()
      .describe('Angles in radians: numbers, or expressions such as "pi/4"'),
    qubit: index.optional().describe('measure/reset: the qubit'),
    clbit: index.optional().describe('measure: the classical bit that receives the outcome'),
    qubits: z.array(index).optional().describe('barrier: the qubits (default: all)'),
    condition: conditionSchema.optional().describe('Run only if a classical register equals a value'),
  })
  .strict();

const registerSchema = z.object({ name: registerName, size: z.number().int().positive() }).strict();

export const circuitJsonSchema = z
  .object({
    qubits: z.number().int().min(0).max(LIMITS.maxBits).describe('Number of qubits'),
    clbits: z
      .number()
      .int()
      .min(0)
      .max(LIMITS.maxBits)
      .optional()
      .describe('Number of classical bits (default: what the registers or measurements need)'),
    registers: z
      .object({ qregs: z.array(registerSchema).optional(), cregs: z.array(registerSchema).optional() })
      .strict()
      .optional()
      .describe('Register names and sizes, in order (default: q[qubits] and c[clbits])'),
    gates: z.array(opSchema).max(LIMITS.maxOps).describe('Operations, in order'),
  })
  .strict();

export type CircuitJson = z.input<typeof circuitJsonSchema>;
export type CircuitJsonOp = z.input<typeof opSchema>;

/** `gates[3].targets[0]` from a zod path. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`)).join('');
}

const gateExample = (name: StandardGateName): string => {
  const spec = STANDARD_GATES[name];
  const parts = [`"gate": "${name}"`];
  if (spec.controls > 0) parts.push(`"controls": [${range(spec.controls).join(', ')}]`);
  parts.push(`"targets": [${range(spec.qubits - spec.controls, spec.controls).join(', ')}]`);
  if (spec.params > 0)
    parts.push(
      `"params": [${range(spec.params)
        .map(() => 0.5)
        .join(', ')}]`,
    );
  return `{ ${parts.join(', ')} }`;
};

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const ALIASES: Record<string, StandardGateName> = { U: 'u', CX: 'cx' };

/** Validates a JSON circuit and converts it to a `Circuit`; throws `CircuitJsonError` naming the path. */
export function circuitFromJson(input: unknown): Circuit {
  const parsed = circuitJsonSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const hints =
      issue.code === 'unrecognized_keys'
        ? ['gates take gate, targets, controls, params, condition; measure takes qubit, clbit; barrier takes qubits']
        : [];
    throw new CircuitJsonError(issue.message, formatPath(issue.path), hints);
  }
  const json = parsed.data;
  const { qubits } = json;

  const qregs = layout(json.registers?.qregs ?? (qubits > 0 ? [{ name: 'q', size: qubits }] : []), 'registers.qregs');
  if (total(qregs) !== qubits) {
    throw new CircuitJsonError(
      `the quantum registers hold ${total(qregs)} qubits but "qubits" is ${qubits}`,
      'registers.qregs',
    );
  }
  let clbits = json.clbits;
  let cregs: Register[];
  if (json.registers?.cregs) {
    cregs = layout(json.registers.cregs, 'registers.cregs');
    if (clbits !== undefined && total(cregs) !== clbits) {
      throw new CircuitJsonError(
        `the classical registers hold ${total(cregs)} bits but "clbits" is ${clbits}`,
        'registers.cregs',
      );
    }
    clbits = total(cregs);
  } else {
    clbits ??= json.gates.reduce((most, op) => (op.gate === 'measure' ? Math.max(most, (op.clbit ?? 0) + 1) : most), 0);
    cregs = clbits > 0 ? [{ name: 'c', size: clbits, offset: 0 }] : [];
  }
  const names = new Set<string>();
  for (const [i, { name }] of [...qregs, ...cregs].entries()) {
    const path = i < qregs.length ? `registers.qregs[${i}].name` : `registers.cregs[${i - qregs.length}].name`;
    if (names.has(name)) throw new CircuitJsonError(`register name "${name}" is used twice`, path);
    if (KEYWORDS.has(name))
      throw new CircuitJsonError(`"${name}" is a reserved word in QASM`, path, ['pick another name']);
    names.add(name);
  }

  const ops: Op[] = [];
  const shape = { qubits, clbits, cregs };
  for (let i = 0; i < json.gates.length; i++) convertOp(json.gates[i]!, i, shape, ops);
  return { qubits, clbits, qregs, cregs, ops };
}

function layout(registers: Array<{ name: string; size: number }>, path: string): Register[] {
  let offset = 0;
  return registers.map(({ name, size }, i) => {
    if (offset + size > LIMITS.maxBits) throw new CircuitJsonError(`more than ${LIMITS.maxBits} bits`, `${path}[${i}]`);
    const register = { name, size, offset };
    offset += size;
    return register;
  });
}

const total = (registers: readonly Register[]) => registers.reduce((sum, { size }) => sum + size, 0);

interface Shape {
  qubits: number;
  clbits: number;
  cregs: Register[];
}

const OP_KEYS = ['targets', 'controls', 'params', 'qubit', 'clbit', 'qubits', 'condition'] as const;
const MEASURE_KEYS = new Set(['qubit', 'clbit', 'condition']);
const RESET_KEYS = new Set(['qubit', 'condition']);
const BARRIER_KEYS = new Set(['qubits']);
const GATE_KEYS = new Set(['targets', 'controls', 'params', 'condition']);

const EXAMPLES: Record<string, string> = {
  measure: '{ "gate": "measure", "qubit": 0, "clbit": 0 }',
  reset: '{ "gate": "reset", "qubit": 0 }',
  barrier: '{ "gate": "barrier", "qubits": [0, 1] }',
};

/** A correct op of this gate, for error messages. */
function exampleOf(name: string): string {
  if (EXAMPLES[name]) return EXAMPLES[name];
  if (isStandardGate(name)) return gateExample(name);
  const qubits = qelib1Gates().get(name)?.qubitNames.length ?? 1;
  return `{ "gate": "${name}", "targets": [${range(qubits).join(', ')}] }`;
}

/** `gates[3].targets[0]`. */
const at = (index: number, field: string) => `gates[${index}]${field}`;

/** Rejects fields that belong to another kind of op. */
function onlyKeys(op: CircuitJsonOp, allowed: ReadonlySet<string>, index: number, name: string): void {
  for (const key of OP_KEYS) {
    if (op[key] !== undefined && !allowed.has(key)) {
      throw new CircuitJsonError(`\`${op.gate}\` does not take "${key}"`, at(index, `.${key}`), [
        `e.g. ${exampleOf(name)}`,
      ]);
    }
  }
}

/** Converts `gates[index]`. Paths are only built for error messages (this runs per op of big circuits). */
function convertOp(op: CircuitJsonOp, index: number, shape: Shape, ops: Op[]): void {
  const condition = op.condition ? checkCondition(op.condition, index, shape) : undefined;
  switch (op.gate) {
    case 'measure': {
      onlyKeys(op, MEASURE_KEYS, index, 'measure');
      const qubit = required(op.qubit, index, '.qubit', 'the qubit to measure');
      const clbit = required(op.clbit, index, '.clbit', 'the classical bit to write');
      checkIndex(qubit, shape.qubits, index, '.qubit', 'qubit');
      checkIndex(clbit, shape.clbits, index, '.clbit', 'clbit');
      ops.push(condition ? { kind: 'measure', qubit, clbit, condition } : { kind: 'measure', qubit, clbit });
      return;
    }
    case 'reset': {
      onlyKeys(op, RESET_KEYS, index, 'reset');
      const qubit = required(op.qubit, index, '.qubit', 'the qubit to reset');
      checkIndex(qubit, shape.qubits, index, '.qubit', 'qubit');
      ops.push(condition ? { kind: 'reset', qubit, condition } : { kind: 'reset', qubit });
      return;
    }
    case 'barrier': {
      onlyKeys(op, BARRIER_KEYS, index, 'barrier');
      const qubits = op.qubits ?? range(shape.qubits);
      qubits.forEach((qubit, k) => checkIndex(qubit, shape.qubits, index, `.qubits[${k}]`, 'qubit'));
      checkDistinctQubits(qubits, index, '.qubits');
      if (qubits.length > 0) ops.push({ kind: 'barrier', qubits: [...qubits] });
      return;
    }
  }
  const name = ALIASES[op.gate] ?? op.gate;
  const standard = isStandardGate(name);
  const composite = standard ? undefined : qelib1Gates().get(name);
  if (!standard && !composite) {
    const known = [...Object.keys(STANDARD_GATES), 'rccx', 'rc3x'];
    const suggestion = closest(name, known);
    throw new CircuitJsonError(`unknown gate "${op.gate}"`, at(index, '.gate'), [
      ...(suggestion ? [`did you mean "${suggestion}"?`] : []),
      `known gates: ${known.join(', ')}, measure, reset, barrier`,
    ]);
  }
  const spec = composite
    ? { qubits: composite.qubitNames.length, params: composite.paramNames.length, controls: 0 }
    : STANDARD_GATES[name as StandardGateName];
  onlyKeys(op, GATE_KEYS, index, name);

  const targets = op.targets ?? [];
  const controls = op.controls ?? [];
  const wantTargets = spec.qubits - spec.controls;
  const allInTargets = op.controls === undefined && spec.controls > 0 && targets.length === spec.qubits;
  if (!allInTargets && (controls.length !== spec.controls || targets.length !== wantTargets)) {
    const takes =
      spec.controls > 0
        ? `${count(spec.controls, 'control')} and ${count(wantTargets, 'target')}`
        : count(wantTargets, 'target');
    const got =
      spec.controls > 0 || controls.length > 0
        ? `${count(controls.length, 'control')} and ${count(targets.length, 'target')}`
        : count(targets.length, 'target');
    const where = at(index, controls.length !== spec.controls ? '.controls' : '.targets');
    throw new CircuitJsonError(`\`${name}\` takes ${takes}, got ${got}`, where, [`e.g. ${exampleOf(name)}`]);
  }
  const qubits = allInTargets || controls.length === 0 ? [...targets] : [...controls, ...targets];
  for (let k = 0; k < qubits.length; k++) {
    if (qubits[k]! >= shape.qubits) {
      const where =
        allInTargets || k >= controls.length
          ? `.targets[${allInTargets ? k : k - controls.length}]`
          : `.controls[${k}]`;
      checkIndex(qubits[k]!, shape.qubits, index, where, 'qubit');
    }
  }
  checkDistinctQubits(qubits, index, '');

  const rawParams = op.params ?? [];
  if (rawParams.length !== spec.params) {
    throw new CircuitJsonError(
      `\`${name}\` takes ${count(spec.params, 'parameter')}, got ${rawParams.length}`,
      at(index, '.params'),
      [`e.g. ${exampleOf(name)}`],
    );
  }
  const params = rawParams.length === 0 ? [] : rawParams.map((param, k) => angle(param, index, k));
  if (composite) ops.push(...expandGate(composite, params, qubits, condition));
  else if (condition) ops.push({ kind: 'gate', name: name as StandardGateName, qubits, params, condition });
  else ops.push({ kind: 'gate', name: name as StandardGateName, qubits, params });
}

function angle(param: number | string, index: number, k: number): number {
  if (typeof param === 'number') return param + 0; // -0 → 0, as the QASM front end gives
  const path = at(index, `.params[${k}]`);
  try {
    return evaluateExpressionText(param);
  } catch (error) {
    if (error instanceof QasmError) {
      const shown = param.length > 60 ? `${param.slice(0, 59)}…` : param;
      throw new CircuitJsonError(`cannot read "${shown}": ${error.shortMessage} (at character ${error.column})`, path, [
        'write a number, or an expression such as "pi/4" or "-3*pi/8"',
      ]);
    }
    throw error;
  }
}

function required(value: number | undefined, index: number, field: string, what: string): number {
  if (value === undefined) throw new CircuitJsonError(`missing ${what}`, at(index, field));
  return value;
}

function checkIndex(value: number, size: number, index: number, field: string, what: 'qubit' | 'clbit'): void {
  if (value >= size) {
    const path = at(index, field);
    const noun = what === 'qubit' ? 'qubit' : 'classical bit';
    throw new CircuitJsonError(`${what} ${value} is out of range`, path, [
      size > 0 ? `the circuit has ${count(size, noun)}: 0 to ${size - 1}` : `the circuit has no ${noun}s`,
    ]);
  }
}

function checkDistinctQubits(qubits: readonly number[], index: number, field: string): void {
  for (let a = 1; a < qubits.length; a++) {
    for (let b = 0; b < a; b++) {
      if (qubits[a] === qubits[b]) {
        throw new CircuitJsonError(`qubit ${qubits[a]} is listed twice`, at(index, field), [
          'the qubits of one op must differ',
        ]);
      }
    }
  }
}

function checkCondition(condition: Condition, index: number, { cregs }: Shape): Condition {
  const path = at(index, '.condition');
  const register = cregs.find(({ name }) => name === condition.creg);
  if (!register) {
    throw new CircuitJsonError(`unknown classical register "${condition.creg}"`, `${path}.creg`, [
      cregs.length > 0
        ? `classical registers: ${cregs.map(({ name }) => name).join(', ')}`
        : 'the circuit has no classical bits',
    ]);
  }
  if (register.size < 53 && condition.value >= 2 ** register.size) {
    throw new CircuitJsonError(
      `"${register.name}" has ${count(register.size, 'bit')}, so it never equals ${condition.value}`,
      `${path}.value`,
    );
  }
  return { creg: condition.creg, value: condition.value };
}

/** The JSON form of a circuit, registers included. */
export function circuitToJson(circuit: Circuit): CircuitJson {
  const gates: CircuitJsonOp[] = [];
  for (const op of circuit.ops) {
    let json: CircuitJsonOp;
    if (op.kind === 'gate') {
      const controls = STANDARD_GATES[op.name].controls;
      json =
        controls > 0
          ? { gate: op.name, controls: op.qubits.slice(0, controls), targets: op.qubits.slice(controls) }
          : { gate: op.name, targets: op.qubits.slice() };
      if (op.params.length > 0) json.params = op.params.slice();
    } else if (op.kind === 'measure') {
      json = { gate: 'measure', qubit: op.qubit, clbit: op.clbit };
    } else if (op.kind === 'reset') {
      json = { gate: 'reset', qubit: op.qubit };
    } else {
      json = { gate: 'barrier', qubits: op.qubits.slice() };
    }
    if (op.kind !== 'barrier' && op.condition) json.condition = { creg: op.condition.creg, value: op.condition.value };
    gates.push(json);
  }
  return {
    qubits: circuit.qubits,
    clbits: circuit.clbits,
    registers: {
      qregs: circuit.qregs.map(({ name, size }) => ({ name, size })),
      cregs: circuit.cregs.map(({ name, size }) => ({ name, size })),
    },
    gates,
  };
}
