/**
 * How a state is split into chunks and how each step becomes dispatches over them. Pure
 * arithmetic, no GPU: the backend records what this returns, and tests check it directly.
 *
 * An n-qubit state is 2^(n−m) chunks of 2^m amplitudes (m = `chunkQubits`, at most the largest
 * power of two a storage binding holds). Qubits below m ("low") index inside a chunk; qubit q ≥ m
 * ("high") is bit q − m of the chunk index. A gate whose targets include h high qubits mixes
 * amplitudes of 2^h chunks at the same in-chunk offsets, so each dispatch binds such a set of
 * chunks ("slots"); high controls only pick which chunk sets are dispatched at all.
 */
import { VialError } from '@vial/shared/vialError';
import type { ComplexMatrix } from '../gates.ts';
import type { Step } from '../program.ts';
import { MAX_DIAGONAL_QUBITS } from './wgsl/diagonal.ts';
import { GATHER_PARAMS, type GatherKind } from './wgsl/gather.ts';

export interface ChunkLayout {
  qubits: number;
  /** Qubits inside one chunk: min(qubits, the chunk size's log2). */
  chunkQubits: number;
  chunks: number;
}

export function chunkLayout(qubits: number, maxChunkQubits: number): ChunkLayout {
  const chunkQubits = Math.min(qubits, maxChunkQubits);
  return { qubits, chunkQubits, chunks: 2 ** (qubits - chunkQubits) };
}

/** A step as the kernels see it: a gathered matrix/swap, or a diagonal. */
export type KernelOp =
  | { kind: 'gather'; gather: GatherKind; targets: number[]; controls: number[]; matrix?: ComplexMatrix }
  | { kind: 'diagonal'; qubits: number[]; diagonal: Float64Array };

export interface GatherDispatch {
  gather: GatherKind;
  targets: number;
  /** Bound chunks per dispatch: 2^h. */
  slots: number;
  /** Invocations per dispatch (one per amplitude group). */
  count: number;
  /** Sorted in-chunk positions of the op's low targets and low controls. */
  inserts: number[];
  /** In-chunk bits that are low controls (set in every group's base). */
  fixedMask: number;
  /** Per matrix column j: in-chunk offset and bound slot. */
  offsets: number[];
  slotOf: number[];
  /** One entry per dispatch: the chunk index bound to each slot. */
  groups: number[][];
}

export interface DiagonalDispatch {
  /** Invocations per chunk: one per group of 2^(low qubits) amplitudes. */
  count: number;
  /** In-chunk positions of the diagonal's low qubits, in the diagonal's bit order. */
  positions: number[];
  /** The same positions, ascending. */
  inserts: number[];
  /** Per chunk: for each sub-diagonal entry j, the index of the full diagonal's entry. */
  entries: number[][];
}

const bit = (value: number, position: number) => Math.floor(value / 2 ** position) % 2;

/** Spreads the bits of `value` over the given bit positions (ascending bit of value → positions[i]). */
function scatter(value: number, positions: readonly number[]): number {
  let out = 0;
  positions.forEach((position, i) => {
    if (bit(value, i)) out += 2 ** position;
  });
  return out;
}

export function planGather(layout: ChunkLayout, op: Extract<KernelOp, { kind: 'gather' }>): GatherDispatch {
  const m = layout.chunkQubits;
  const chunkBits = layout.qubits - m;
  const isLow = (q: number) => q < m;
  const highTargets = op.targets.filter((q) => !isLow(q)).map((q) => q - m);
  const highControls = op.controls.filter((q) => !isLow(q)).map((q) => q - m);
  const lowControls = op.controls.filter(isLow);
  const inserts = [...op.targets.filter(isLow), ...lowControls].sort((a, b) => a - b);
  if (inserts.length > GATHER_PARAMS.maxInserts) throw new RangeError('too many qubits in one step');
  const dim = 1 << op.targets.length;
  const offsets: number[] = [];
  const slotOf: number[] = [];
  for (let j = 0; j < dim; j++) {
    let offset = 0;
    let slot = 0;
    let highIndex = 0;
    op.targets.forEach((q, b) => {
      const set = (j >> b) & 1;
      if (isLow(q)) offset |= set << q;
      else slot |= set << highIndex++;
    });
    offsets.push(offset);
    slotOf.push(slot);
  }
  const used = new Set([...highTargets, ...highControls]);
  const free = Array.from({ length: chunkBits }, (_, i) => i).filter((i) => !used.has(i));
  const controlBits = scatter(2 ** highControls.length - 1, highControls);
  const groups: number[][] = [];
  for (let g = 0; g < 2 ** free.length; g++) {
    const base = scatter(g, free) + controlBits;
    groups.push(Array.from({ length: 2 ** highTargets.length }, (_, s) => base + scatter(s, highTargets)));
  }
  return {
    gather: op.gather,
    targets: op.targets.length,
    slots: 2 ** highTargets.length,
    count: 2 ** (m - inserts.length),
    inserts,
    fixedMask: lowControls.reduce((mask, q) => mask | (1 << q), 0),
    offsets,
    slotOf,
    groups,
  };
}

export function planDiagonal(layout: ChunkLayout, qubits: readonly number[]): DiagonalDispatch {
  const m = layout.chunkQubits;
  const lowBits = qubits.flatMap((q, b) => (q < m ? [b] : []));
  const positions = lowBits.map((b) => qubits[b]!);
  const entries = Array.from({ length: layout.chunks }, (_, chunk) => {
    const base = qubits.reduce((index, q, b) => (q >= m && bit(chunk, q - m) ? index | (1 << b) : index), 0);
    return Array.from({ length: 2 ** lowBits.length }, (_, j) => base | scatter(j, lowBits));
  });
  return { count: 2 ** (m - lowBits.length), positions, inserts: [...positions].sort((a, b) => a - b), entries };
}

/** A step the layout cannot lower (a qubit out of range, a matrix of the wrong size): a caller's mistake. */
export class StepError extends VialError {
  override name = 'StepError';
}

function checkQubits(where: string, qubits: readonly number[], n: number) {
  const seen = new Set<number>();
  for (const q of qubits) {
    if (!Number.isInteger(q) || q < 0 || q >= n) {
      throw new StepError(`${where}: qubit ${q} is out of range for a ${n}-qubit state (0..${n - 1})`);
    }
    if (seen.has(q)) throw new StepError(`${where}: qubit ${q} appears twice`);
    seen.add(q);
  }
}

function checkMatrix(where: string, matrix: ComplexMatrix, targets: number) {
  const dim = 1 << targets;
  if (matrix.dim !== dim || matrix.data.length !== dim * dim * 2) {
    throw new StepError(`${where}: a ${targets}-qubit matrix must be ${dim}×${dim}, got dim ${matrix.dim}`);
  }
}

type GatherOp = Extract<KernelOp, { kind: 'gather' }>;

const swapOp = (a: number, b: number): GatherOp => ({ kind: 'gather', gather: 'swap', targets: [a, b], controls: [] });

/**
 * Turns a program step into kernel ops on `layout`, checking it first. A gather whose targets
 * include more high qubits than `maxSlotBits` (more chunks than a dispatch may bind) is
 * conjugated by swaps that bring one high target down into the chunk:
 * SWAP(a, b) · G[a↔b] · SWAP(a, b) = G.
 */
export function lowerStep(step: Step, layout: ChunkLayout, maxSlotBits: number, index = 0): KernelOp[] {
  const where = `step ${index} (${step.kind})`;
  const n = layout.qubits;
  switch (step.kind) {
    case 'dense':
      if (step.qubits.length < 1 || step.qubits.length > 4) {
        throw new StepError(`${where}: dense steps act on 1-4 qubits, got ${step.qubits.length}`);
      }
      checkQubits(where, step.qubits, n);
      checkMatrix(where, step.matrix, step.qubits.length);
      return splitHigh(
        { kind: 'gather', gather: 'matrix', targets: [...step.qubits], controls: [], matrix: step.matrix },
        layout,
        maxSlotBits,
      );
    case 'controlled':
      if (step.targets.length < 1 || step.targets.length > 4) {
        throw new StepError(`${where}: controlled steps have 1-4 targets, got ${step.targets.length}`);
      }
      checkQubits(where, [...step.controls, ...step.targets], n);
      checkMatrix(where, step.matrix, step.targets.length);
      return splitHigh(
        {
          kind: 'gather',
          gather: 'matrix',
          targets: [...step.targets],
          controls: [...step.controls],
          matrix: step.matrix,
        },
        layout,
        maxSlotBits,
      );
    case 'swap':
      checkQubits(where, [step.a, step.b], n);
      return splitHigh(swapOp(step.a, step.b), layout, maxSlotBits);
    case 'diagonal':
      if (step.qubits.length < 1 || step.qubits.length > MAX_DIAGONAL_QUBITS) {
        throw new StepError(
          `${where}: diagonal steps act on 1-${MAX_DIAGONAL_QUBITS} qubits, got ${step.qubits.length}`,
        );
      }
      checkQubits(where, step.qubits, n);
      if (step.diagonal.length !== 2 ** (step.qubits.length + 1)) {
        throw new StepError(
          `${where}: a ${step.qubits.length}-qubit diagonal needs ${2 ** step.qubits.length} entries`,
        );
      }
      return [{ kind: 'diagonal', qubits: [...step.qubits], diagonal: step.diagonal }];
    default:
      throw new StepError(`${where}: unknown step kind`);
  }
}

function splitHigh(op: GatherOp, layout: ChunkLayout, maxSlotBits: number): KernelOp[] {
  const m = layout.chunkQubits;
  const high = op.targets.filter((q) => q >= m);
  if (high.length <= maxSlotBits) return [op];
  const a = high[high.length - 1]!;
  const b = Array.from({ length: m }, (_, q) => q).find((q) => !op.targets.includes(q));
  if (b === undefined) throw new StepError(`chunks of ${m} qubits are too small for a ${op.targets.length}-qubit gate`);
  const swap = (q: number) => (q === a ? b : q === b ? a : q);
  const moved = { ...op, targets: op.targets.map(swap), controls: op.controls.map(swap) };
  return [swapOp(a, b), ...splitHigh(moved, layout, maxSlotBits), swapOp(a, b)];
}
