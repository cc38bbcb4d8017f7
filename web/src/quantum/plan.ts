/**
 * Circuit → steps. Each gate has a natural step (controlled gates keep their control structure,
 * diagonal gates stay diagonal, swap stays a swap, the rest are dense); with fusion on,
 * neighbouring gates are merged qsim-style into dense blocks of at most `maxFusedQubits` qubits,
 * so one pass over the state applies several gates.
 *
 * Fusion is greedy, in circuit order. Each qubit belongs to at most one open block. A gate joins
 * the open blocks on its qubits when their qubits together with its own still fit; otherwise it
 * starts a new block, taking in whichever of those blocks still fit (smallest first) and closing
 * the others. A closed block becomes one step: its single gate's natural step, a diagonal step when
 * every gate in it is diagonal, or else a dense step whose matrix is the ordered product of its
 * gates' matrices, each embedded on the block's qubits. Open blocks never share a qubit, so
 * emitting a block when it closes keeps every qubit's gates in circuit order.
 *
 * Barriers close the blocks on their qubits; measurements, resets and conditional gates split the
 * circuit into segments (see `planCircuit`), so nothing is fused across them.
 */
import {
  hasOnlyTerminalMeasurements,
  type Circuit,
  type Condition,
  type GateOp,
  type MeasureOp,
  type Op,
  type ResetOp,
} from './circuit.ts';
import { fullMatrix, STANDARD_GATES, type ComplexMatrix, type GateSpec } from './gates.ts';
import type { PlannedSteps, Step } from './program.ts';

export const MIN_FUSED_QUBITS = 2;
export const MAX_FUSED_QUBITS = 4;

export interface PlanOptions {
  /** `false` (or absent) plans one step per gate. */
  fusion?: false | { maxFusedQubits: number };
}

/** The step a gate runs as on its own. */
export function gateStep(op: GateOp): Step {
  const spec: GateSpec = STANDARD_GATES[op.name];
  if (spec.controls > 0) {
    return {
      kind: 'controlled',
      controls: op.qubits.slice(0, spec.controls),
      targets: op.qubits.slice(spec.controls),
      matrix: spec.target(op.params),
    };
  }
  if (op.name === 'swap') return { kind: 'swap', a: op.qubits[0]!, b: op.qubits[1]! };
  const matrix = spec.target(op.params);
  if (spec.diagonal) return { kind: 'diagonal', qubits: [...op.qubits], diagonal: diagonalOf(matrix) };
  return { kind: 'dense', qubits: [...op.qubits], matrix };
}

/** Plans a run of unconditional gates (and barriers) into steps. */
export function planGates(ops: readonly Op[], options: PlanOptions = {}): PlannedSteps {
  const planned: PlannedSteps = { steps: [], gatesPerStep: [] };
  const maxFused = options.fusion ? options.fusion.maxFusedQubits : 0;
  if (maxFused && (!Number.isInteger(maxFused) || maxFused < MIN_FUSED_QUBITS || maxFused > MAX_FUSED_QUBITS)) {
    throw new RangeError(
      `maxFusedQubits must be an integer from ${MIN_FUSED_QUBITS} to ${MAX_FUSED_QUBITS}, got ${maxFused}`,
    );
  }
  if (!maxFused) {
    for (const op of ops) {
      if (op.kind === 'barrier') continue;
      const gate = unconditionalGate(op);
      planned.steps.push(gateStep(gate));
      planned.gatesPerStep.push(1);
    }
    return planned;
  }

  interface Block {
    id: number;
    qubits: number[];
    gates: GateOp[];
  }
  const owner = new Map<number, Block>();
  const open = new Set<Block>();
  let nextId = 0;
  const close = (block: Block) => {
    for (const q of block.qubits) owner.delete(q);
    open.delete(block);
    planned.steps.push(blockStep(block.qubits, block.gates));
    planned.gatesPerStep.push(block.gates.length);
  };

  for (const op of ops) {
    if (op.kind === 'barrier') {
      for (const q of op.qubits) {
        const block = owner.get(q);
        if (block) close(block);
      }
      continue;
    }
    const gate = unconditionalGate(op);
    const touched = [...new Set(gate.qubits.map((q) => owner.get(q)).filter((b) => b !== undefined))];
    touched.sort((a, b) => a.qubits.length - b.qubits.length || a.id - b.id);
    if (gate.qubits.length > maxFused) {
      for (const block of touched) close(block);
      planned.steps.push(gateStep(gate));
      planned.gatesPerStep.push(1);
      continue;
    }
    const qubits = new Set(gate.qubits);
    const absorbed: Block[] = [];
    for (const block of touched) {
      const extra = block.qubits.filter((q) => !qubits.has(q));
      if (qubits.size + extra.length <= maxFused) {
        for (const q of extra) qubits.add(q);
        absorbed.push(block);
      } else {
        close(block);
      }
    }
    absorbed.sort((a, b) => a.id - b.id);
    const block: Block = {
      id: nextId++,
      qubits: [...qubits],
      gates: [...absorbed.flatMap((b) => b.gates), gate],
    };
    for (const b of absorbed) open.delete(b);
    for (const q of block.qubits) owner.set(q, block);
    open.add(block);
  }
  for (const block of [...open].sort((a, b) => a.id - b.id)) close(block);
  return planned;
}

function unconditionalGate(op: Op): GateOp {
  if (op.kind !== 'gate') throw new Error(`planGates plans gates only; got a ${op.kind} (split the circuit first)`);
  if (op.condition) throw new Error('planGates cannot plan a conditional gate (split the circuit first)');
  return op;
}

function blockStep(blockQubits: readonly number[], gates: readonly GateOp[]): Step {
  if (gates.length === 1) return gateStep(gates[0]!);
  const qubits = [...blockQubits].sort((a, b) => a - b);
  const position = new Map(qubits.map((q, i) => [q, i]));
  const dim = 1 << qubits.length;
  if (gates.every((g) => STANDARD_GATES[g.name].diagonal)) {
    const diagonal = new Float64Array(2 * dim);
    for (let i = 0; i < dim; i++) diagonal[2 * i] = 1;
    for (const gate of gates) {
      const local = gate.qubits.map((q) => position.get(q)!);
      const entries = diagonalOf(fullMatrix(gate.name, gate.params));
      for (let i = 0; i < dim; i++) {
        let a = 0;
        for (let j = 0; j < local.length; j++) a |= ((i >> local[j]!) & 1) << j;
        const xr = diagonal[2 * i]!;
        const xi = diagonal[2 * i + 1]!;
        const cr = entries[2 * a]!;
        const ci = entries[2 * a + 1]!;
        diagonal[2 * i] = xr * cr - xi * ci;
        diagonal[2 * i + 1] = xr * ci + xi * cr;
      }
    }
    return { kind: 'diagonal', qubits, diagonal };
  }
  const product = identity(dim);
  for (const gate of gates) {
    leftMultiply(
      product,
      fullMatrix(gate.name, gate.params),
      gate.qubits.map((q) => position.get(q)!),
    );
  }
  return { kind: 'dense', qubits, matrix: product };
}

function identity(dim: number): ComplexMatrix {
  const data = new Float64Array(2 * dim * dim);
  for (let i = 0; i < dim; i++) data[2 * (i * dim + i)] = 1;
  return { dim, data };
}

/**
 * product ← G · product, where G acts on the block-local bit positions `local` (G's index bit j is
 * local[j]). Each column of the product is a small state vector that G is applied to.
 */
function leftMultiply(product: ComplexMatrix, gate: ComplexMatrix, local: readonly number[]): void {
  const { dim, data } = product;
  const g = gate.dim;
  const offsets = new Int32Array(g);
  for (let a = 0; a < g; a++) {
    let offset = 0;
    for (let j = 0; j < local.length; j++) if (a & (1 << j)) offset += 1 << local[j]!;
    offsets[a] = offset;
  }
  let touchedMask = 0;
  for (const p of local) touchedMask |= 1 << p;
  const vr = new Float64Array(g);
  const vi = new Float64Array(g);
  for (let col = 0; col < dim; col++) {
    for (let base = 0; base < dim; base++) {
      if (base & touchedMask) continue;
      for (let a = 0; a < g; a++) {
        const e = 2 * ((base + offsets[a]!) * dim + col);
        vr[a] = data[e]!;
        vi[a] = data[e + 1]!;
      }
      for (let r = 0; r < g; r++) {
        let re = 0;
        let im = 0;
        for (let a = 0; a < g; a++) {
          const m = 2 * (r * g + a);
          const cr = gate.data[m]!;
          const ci = gate.data[m + 1]!;
          re += cr * vr[a]! - ci * vi[a]!;
          im += cr * vi[a]! + ci * vr[a]!;
        }
        const e = 2 * ((base + offsets[r]!) * dim + col);
        data[e] = re;
        data[e + 1] = im;
      }
    }
  }
}

function diagonalOf({ dim, data }: ComplexMatrix): Float64Array {
  const out = new Float64Array(2 * dim);
  for (let i = 0; i < dim; i++) {
    out[2 * i] = data[2 * (i * dim + i)]!;
    out[2 * i + 1] = data[2 * (i * dim + i) + 1]!;
  }
  return out;
}

/** A piece of a circuit after its unitary prefix, run once per shot. */
export type Segment =
  | { kind: 'unitary'; planned: PlannedSteps }
  /** Gates sharing one condition, planned together; run when the condition holds. */
  | { kind: 'conditional'; condition: Condition; planned: PlannedSteps }
  | { kind: 'measure'; op: MeasureOp }
  | { kind: 'reset'; op: ResetOp };

export interface CircuitPlan {
  /** The gates before the first measurement, reset or condition: run once. */
  prefix: PlannedSteps;
  /**
   * When every measurement is terminal (see `hasOnlyTerminalMeasurements`), all gates are in
   * `prefix`, `measurements` lists the measurements in circuit order and `segments` is empty.
   * Otherwise `segments` is what follows the prefix and is run once per shot.
   */
  terminal: boolean;
  measurements: MeasureOp[];
  segments: Segment[];
  gateCount: number;
}

/** Splits a circuit at measurements, resets and conditions, and plans each unitary run. */
export function planCircuit(circuit: Circuit, options: PlanOptions = {}): CircuitPlan {
  const terminal = hasOnlyTerminalMeasurements(circuit);
  const gateCount = circuit.ops.filter((op) => op.kind === 'gate').length;
  if (terminal) {
    const unitary = circuit.ops.filter((op) => op.kind === 'gate' || op.kind === 'barrier');
    const measurements = circuit.ops.filter((op): op is MeasureOp => op.kind === 'measure');
    return { prefix: planGates(unitary, options), terminal, measurements, segments: [], gateCount };
  }
  const isUnitary = (op: Op) => op.kind === 'barrier' || (op.kind === 'gate' && !op.condition);
  let split = circuit.ops.findIndex((op) => !isUnitary(op));
  if (split < 0) split = circuit.ops.length;
  const prefix = planGates(circuit.ops.slice(0, split), options);
  const segments: Segment[] = [];
  let run: Op[] = [];
  const flush = () => {
    if (run.some((op) => op.kind === 'gate')) segments.push({ kind: 'unitary', planned: planGates(run, options) });
    run = [];
  };
  for (let i = split; i < circuit.ops.length; i++) {
    const op = circuit.ops[i]!;
    if (isUnitary(op)) {
      run.push(op);
      continue;
    }
    flush();
    if (op.kind === 'gate') {
      const condition = op.condition!;
      const gates: GateOp[] = [];
      // Consecutive gates with the same condition read the same classical bits: plan them together.
      while (i < circuit.ops.length) {
        const next = circuit.ops[i]!;
        if (next.kind !== 'gate' || !next.condition || !sameCondition(next.condition, condition)) break;
        const { condition: _condition, ...gate } = next;
        gates.push(gate);
        i++;
      }
      i--;
      segments.push({ kind: 'conditional', condition, planned: planGates(gates, options) });
    } else if (op.kind === 'measure') {
      segments.push({ kind: 'measure', op });
    } else if (op.kind === 'reset') {
      segments.push({ kind: 'reset', op });
    }
  }
  flush();
  return { prefix, terminal, measurements: [], segments, gateCount };
}

const sameCondition = (a: Condition, b: Condition) => a.creg === b.creg && a.value === b.value;
