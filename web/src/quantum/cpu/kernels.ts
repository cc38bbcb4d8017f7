/**
 * The CPU engine's kernels: one tight loop per step kind over a complex64 state held as a
 * Float32Array of interleaved re/im pairs (amplitude i at [2i, 2i + 1]). Arithmetic is done in
 * doubles and rounded to float32 on store, as the GPU does in its own way.
 *
 * Loops walk the state in address order wherever they can — the innermost loop runs over the
 * contiguous indices below the lowest qubit a step touches — so that large states stream through
 * memory, which is what bounds a state-vector simulator.
 *
 * Every kernel takes a range `[from, to)` of its work units (`stepUnits`: the groups of amplitudes
 * one step updates together, or single amplitudes for a diagonal) so threads can share a step:
 * ranges that do not overlap touch disjoint amplitudes, in any order, with the same arithmetic as
 * the whole range. The single-threaded engine passes the whole range. Inside a range, a kernel
 * walks "segments": runs of consecutive units whose amplitudes lie at a constant stride.
 */
import type { ComplexMatrix } from '../gates.ts';
import type { Step } from '../program.ts';

export type State = Float32Array;

/**
 * How many work units `step` has on a `qubits`-qubit state: 2^(n − touched qubits) groups for
 * dense, controlled and swap steps (each group is the 2^k amplitudes a k-qubit matrix mixes), 2ⁿ
 * amplitudes for a diagonal step.
 */
export function stepUnits(qubits: number, step: Step): number {
  switch (step.kind) {
    case 'dense':
      return 2 ** (qubits - step.qubits.length);
    case 'diagonal':
      return 2 ** qubits;
    case 'controlled':
      return 2 ** (qubits - step.controls.length - step.targets.length);
    case 'swap':
      return 2 ** (qubits - 2);
  }
}

/** Applies `step` to work units `[from, to)` of the state (by default all of them). */
export function applyStep(state: State, qubits: number, step: Step, from = 0, to = stepUnits(qubits, step)): void {
  switch (step.kind) {
    case 'dense':
      if (step.qubits.length === 1) applyDense1(state, step.qubits[0]!, step.matrix.data, from, to);
      else if (step.qubits.length === 2)
        applyDense2(state, step.qubits[0]!, step.qubits[1]!, step.matrix.data, from, to);
      else if (step.qubits.length === 3) applyDense3(state, step.qubits, step.matrix, from, to);
      else if (step.qubits.length === 4) applyDense4(state, step.qubits, step.matrix, from, to);
      else applyDenseK(state, step.qubits, step.matrix, 0, [], from, to);
      return;
    case 'diagonal':
      applyDiagonal(state, step.qubits, step.diagonal, from, to);
      return;
    case 'controlled':
      applyControlled(state, step.controls, step.targets, step.matrix, from, to);
      return;
    case 'swap':
      applySwap(state, step.a, step.b, from, to);
      return;
  }
}

/** A 2×2 unitary on qubit `target`: amplitude pairs (i, i + 2^target) with that bit 0 in i. */
export function applyDense1(state: State, target: number, m: Float64Array, from: number, to: number): void {
  const m00r = m[0]!,
    m00i = m[1]!,
    m01r = m[2]!,
    m01i = m[3]!,
    m10r = m[4]!,
    m10i = m[5]!,
    m11r = m[6]!,
    m11i = m[7]!;
  if (target === 0) {
    // Pairs are neighbours: one flat loop instead of an inner loop of length 1.
    for (let p = 4 * from, size = 4 * to; p < size; p += 4) {
      const ar = state[p]!,
        ai = state[p + 1]!,
        br = state[p + 2]!,
        bi = state[p + 3]!;
      state[p] = m00r * ar - m00i * ai + m01r * br - m01i * bi;
      state[p + 1] = m00r * ai + m00i * ar + m01r * bi + m01i * br;
      state[p + 2] = m10r * ar - m10i * ai + m11r * br - m11i * bi;
      state[p + 3] = m10r * ai + m10i * ar + m11r * bi + m11i * br;
    }
    return;
  }
  const half = 2 << target; // float distance between the pair's members
  const run = 1 << target; // units (pairs) per segment
  for (let unit = from; unit < to;) {
    const inner = unit & (run - 1);
    const count = Math.min(run - inner, to - unit);
    const start = ((unit >>> target) << (target + 2)) + 2 * inner;
    unit += count;
    for (let p = start, end = start + 2 * count; p < end; p += 2) {
      const q = p + half;
      const ar = state[p]!,
        ai = state[p + 1]!,
        br = state[q]!,
        bi = state[q + 1]!;
      state[p] = m00r * ar - m00i * ai + m01r * br - m01i * bi;
      state[p + 1] = m00r * ai + m00i * ar + m01r * bi + m01i * br;
      state[q] = m10r * ar - m10i * ai + m11r * br - m11i * bi;
      state[q + 1] = m10r * ai + m10i * ar + m11r * bi + m11i * br;
    }
  }
}

/** A 4×4 unitary on qubits (q0, q1) — matrix index bit 0 is q0 — unrolled into locals. */
export function applyDense2(state: State, q0: number, q1: number, m: Float64Array, from: number, to: number): void {
  const lo = Math.min(q0, q1);
  const hi = Math.max(q0, q1);
  const o1 = 2 << q0;
  const o2 = 2 << q1;
  const o3 = o1 + o2;
  const run = 1 << lo; // units per segment
  const above = hi - lo - 1; // where the second 0 bit goes in the unit counter above `lo`
  const m0r = m[0]!,
    m0i = m[1]!,
    m1r = m[2]!,
    m1i = m[3]!,
    m2r = m[4]!,
    m2i = m[5]!,
    m3r = m[6]!,
    m3i = m[7]!,
    m4r = m[8]!,
    m4i = m[9]!,
    m5r = m[10]!,
    m5i = m[11]!,
    m6r = m[12]!,
    m6i = m[13]!,
    m7r = m[14]!,
    m7i = m[15]!,
    m8r = m[16]!,
    m8i = m[17]!,
    m9r = m[18]!,
    m9i = m[19]!,
    mar = m[20]!,
    mai = m[21]!,
    mbr = m[22]!,
    mbi = m[23]!,
    mcr = m[24]!,
    mci = m[25]!,
    mdr = m[26]!,
    mdi = m[27]!,
    mer = m[28]!,
    mei = m[29]!,
    mfr = m[30]!,
    mfi = m[31]!;
  for (let unit = from; unit < to;) {
    const inner = unit & (run - 1);
    const count = Math.min(run - inner, to - unit);
    const outer = unit >>> lo;
    const start = ((((outer >>> above) << (above + 1)) | (outer & ((1 << above) - 1))) << (lo + 2)) + 2 * inner;
    unit += count;
    for (let p = start, end = start + 2 * count; p < end; p += 2) {
      const p1 = p + o1,
        p2 = p + o2,
        p3 = p + o3;
      const ar = state[p]!,
        ai = state[p + 1]!,
        br = state[p1]!,
        bi = state[p1 + 1]!,
        cr = state[p2]!,
        ci = state[p2 + 1]!,
        dr = state[p3]!,
        di = state[p3 + 1]!;
      state[p] = m0r * ar - m0i * ai + m1r * br - m1i * bi + m2r * cr - m2i * ci + m3r * dr - m3i * di;
      state[p + 1] = m0r * ai + m0i * ar + m1r * bi + m1i * br + m2r * ci + m2i * cr + m3r * di + m3i * dr;
      state[p1] = m4r * ar - m4i * ai + m5r * br - m5i * bi + m6r * cr - m6i * ci + m7r * dr - m7i * di;
      state[p1 + 1] = m4r * ai + m4i * ar + m5r * bi + m5i * br + m6r * ci + m6i * cr + m7r * di + m7i * dr;
      state[p2] = m8r * ar - m8i * ai + m9r * br - m9i * bi + mar * cr - mai * ci + mbr * dr - mbi * di;
      state[p2 + 1] = m8r * ai + m8i * ar + m9r * bi + m9i * br + mar * ci + mai * cr + mbr * di + mbi * dr;
      state[p3] = mcr * ar - mci * ai + mdr * br - mdi * bi + mer * cr - mei * ci + mfr * dr - mfi * di;
      state[p3 + 1] = mcr * ai + mci * ar + mdr * bi + mdi * br + mer * ci + mei * cr + mfr * di + mfi * dr;
    }
  }
}

/**
 * Inserts a 0 bit at each of `positions` (ascending) into `value`: maps a counter over the
 * untouched qubits to the index whose touched bits are all 0.
 */
function insertZeros(value: number, positions: Int32Array): number {
  for (let j = 0; j < positions.length; j++) {
    const p = positions[j]!;
    value = ((value >>> p) << (p + 1)) | (value & ((1 << p) - 1));
  }
  return value;
}

function sortedPositions(bits: readonly number[]): Int32Array {
  return Int32Array.from(bits).sort();
}

interface DenseLayout {
  /** Float offset of each matrix index from the group's base index. */
  offsets: Int32Array;
  /** The matrix split into real and imaginary parts. */
  mr: Float64Array;
  mi: Float64Array;
  /** Positions (relative to just above the lowest target) where the outer counter gets 0 bits. */
  higher: Int32Array;
  lowest: number;
}

function prepareDense(targets: readonly number[], matrix: ComplexMatrix): DenseLayout {
  const k = targets.length;
  const dim = 1 << k;
  const offsets = new Int32Array(dim);
  for (let a = 0; a < dim; a++) {
    let offset = 0;
    for (let j = 0; j < k; j++) if (a & (1 << j)) offset += 2 << targets[j]!;
    offsets[a] = offset;
  }
  const mr = new Float64Array(dim * dim);
  const mi = new Float64Array(dim * dim);
  for (let e = 0; e < dim * dim; e++) {
    mr[e] = matrix.data[2 * e]!;
    mi[e] = matrix.data[2 * e + 1]!;
  }
  const skipped = sortedPositions(targets);
  const lowest = skipped[0]!;
  const higher = skipped.subarray(1).map((p) => p - lowest - 1);
  return { offsets, mr, mi, higher, lowest };
}
/** A 8×8 unitary on 3 qubits: the 8 amplitudes held in locals, one row of the matrix per inner step. */
export function applyDense3(
  state: State,
  targets: readonly number[],
  matrix: ComplexMatrix,
  from: number,
  to: number,
): void {
  const { offsets, mr, mi, higher, lowest } = prepareDense(targets, matrix);
  const o0 = offsets[0]!,
    o1 = offsets[1]!,
    o2 = offsets[2]!,
    o3 = offsets[3]!,
    o4 = offsets[4]!,
    o5 = offsets[5]!,
    o6 = offsets[6]!,
    o7 = offsets[7]!;
  const run = 1 << lowest;
  for (let unit = from; unit < to;) {
    const inner = unit & (run - 1);
    const count = Math.min(run - inner, to - unit);
    const start = (insertZeros(unit >>> lowest, higher) << (lowest + 2)) + 2 * inner;
    unit += count;
    for (let base = start, end = start + 2 * count; base < end; base += 2) {
      const x0r = state[base + o0]!,
        x0i = state[base + o0 + 1]!,
        x1r = state[base + o1]!,
        x1i = state[base + o1 + 1]!,
        x2r = state[base + o2]!,
        x2i = state[base + o2 + 1]!,
        x3r = state[base + o3]!,
        x3i = state[base + o3 + 1]!,
        x4r = state[base + o4]!,
        x4i = state[base + o4 + 1]!,
        x5r = state[base + o5]!,
        x5i = state[base + o5 + 1]!,
        x6r = state[base + o6]!,
        x6i = state[base + o6 + 1]!,
        x7r = state[base + o7]!,
        x7i = state[base + o7 + 1]!;
      for (let r = 0, e = 0; r < 8; r++, e += 8) {
        const p = base + offsets[r]!;
        state[p] =
          mr[e + 0]! * x0r -
          mi[e + 0]! * x0i +
          mr[e + 1]! * x1r -
          mi[e + 1]! * x1i +
          mr[e + 2]! * x2r -
          mi[e + 2]! * x2i +
          mr[e + 3]! * x3r -
          mi[e + 3]! * x3i +
          mr[e + 4]! * x4r -
          mi[e + 4]! * x4i +
          mr[e + 5]! * x5r -
          mi[e + 5]! * x5i +
          mr[e + 6]! * x6r -
          mi[e + 6]! * x6i +
          mr[e + 7]! * x7r -
          mi[e + 7]! * x7i;
        state[p + 1] =
          mr[e + 0]! * x0i +
          mi[e + 0]! * x0r +
          mr[e + 1]! * x1i +
          mi[e + 1]! * x1r +
          mr[e + 2]! * x2i +
          mi[e + 2]! * x2r +
          mr[e + 3]! * x3i +
          mi[e + 3]! * x3r +
          mr[e + 4]! * x4i +
          mi[e + 4]! * x4r +
          mr[e + 5]! * x5i +
          mi[e + 5]! * x5r +
          mr[e + 6]! * x6i +
          mi[e + 6]! * x6r +
          mr[e + 7]! * x7i +
          mi[e + 7]! * x7r;
      }
    }
  }
}

/** A 16×16 unitary on 4 qubits: the 16 amplitudes held in locals, one row of the matrix per inner step. */
export function applyDense4(
  state: State,
  targets: readonly number[],
  matrix: ComplexMatrix,
  from: number,
  to: number,
): void {
  const { offsets, mr, mi, higher, lowest } = prepareDense(targets, matrix);
  const o0 = offsets[0]!,
    o1 = offsets[1]!,
    o2 = offsets[2]!,
    o3 = offsets[3]!,
    o4 = offsets[4]!,
    o5 = offsets[5]!,
    o6 = offsets[6]!,
    o7 = offsets[7]!,
    o8 = offsets[8]!,
    o9 = offsets[9]!,
    o10 = offsets[10]!,
    o11 = offsets[11]!,
    o12 = offsets[12]!,
    o13 = offsets[13]!,
    o14 = offsets[14]!,
    o15 = offsets[15]!;
  const run = 1 << lowest;
  for (let unit = from; unit < to;) {
    const inner = unit & (run - 1);
    const count = Math.min(run - inner, to - unit);
    const start = (insertZeros(unit >>> lowest, higher) << (lowest + 2)) + 2 * inner;
    unit += count;
    for (let base = start, end = start + 2 * count; base < end; base += 2) {
      const x0r = state[base + o0]!,
        x0i = state[base + o0 + 1]!,
        x1r = state[base + o1]!,
        x1i = state[base + o1 + 1]!,
        x2r = state[base + o2]!,
        x2i = state[base + o2 + 1]!,
        x3r = state[base + o3]!,
        x3i = state[base + o3 + 1]!,
        x4r = state[base + o4]!,
        x4i = state[base + o4 + 1]!,
        x5r = state[base + o5]!,
        x5i = state[base + o5 + 1]!,
        x6r = state[base + o6]!,
        x6i = state[base + o6 + 1]!,
        x7r = state[base + o7]!,
        x7i = state[base + o7 + 1]!,
        x8r = state[base + o8]!,
        x8i = state[base + o8 + 1]!,
        x9r = state[base + o9]!,
        x9i = state[base + o9 + 1]!,
        x10r = state[base + o10]!,
        x10i = state[base + o10 + 1]!,
        x11r = state[base + o11]!,
        x11i = state[base + o11 + 1]!,
        x12r = state[base + o12]!,
        x12i = state[base + o12 + 1]!,
        x13r = state[base + o13]!,
        x13i = state[base + o13 + 1]!,
        x14r = state[base + o14]!,
        x14i = state[base + o14 + 1]!,
        x15r = state[base + o15]!,
        x15i = state[base + o15 + 1]!;
      for (let r = 0, e = 0; r < 16; r++, e += 16) {
        const p = base + offsets[r]!;
        state[p] =
          mr[e + 0]! * x0r -
          mi[e + 0]! * x0i +
          mr[e + 1]! * x1r -
          mi[e + 1]! * x1i +
          mr[e + 2]! * x2r -
          mi[e + 2]! * x2i +
          mr[e + 3]! * x3r -
          mi[e + 3]! * x3i +
          mr[e + 4]! * x4r -
          mi[e + 4]! * x4i +
          mr[e + 5]! * x5r -
          mi[e + 5]! * x5i +
          mr[e + 6]! * x6r -
          mi[e + 6]! * x6i +
          mr[e + 7]! * x7r -
          mi[e + 7]! * x7i +
          mr[e + 8]! * x8r -
          mi[e + 8]! * x8i +
          mr[e + 9]! * x9r -
          mi[e + 9]! * x9i +
          mr[e + 10]! * x10r -
          mi[e + 10]! * x10i +
          mr[e + 11]! * x11r -
          mi[e + 11]! * x11i +
          mr[e + 12]! * x12r -
          mi[e + 12]! * x12i +
          mr[e + 13]! * x13r -
          mi[e + 13]! * x13i +
          mr[e + 14]! * x14r -
          mi[e + 14]! * x14i +
          mr[e + 15]! * x15r -
          mi[e + 15]! * x15i;
        state[p + 1] =
          mr[e + 0]! * x0i +
          mi[e + 0]! * x0r +
          mr[e + 1]! * x1i +
          mi[e + 1]! * x1r +
          mr[e + 2]! * x2i +
          mi[e + 2]! * x2r +
          mr[e + 3]! * x3i +
          mi[e + 3]! * x3r +
          mr[e + 4]! * x4i +
          mi[e + 4]! * x4r +
          mr[e + 5]! * x5i +
          mi[e + 5]! * x5r +
          mr[e + 6]! * x6i +
          mi[e + 6]! * x6r +
          mr[e + 7]! * x7i +
          mi[e + 7]! * x7r +
          mr[e + 8]! * x8i +
          mi[e + 8]! * x8r +
          mr[e + 9]! * x9i +
          mi[e + 9]! * x9r +
          mr[e + 10]! * x10i +
          mi[e + 10]! * x10r +
          mr[e + 11]! * x11i +
          mi[e + 11]! * x11r +
          mr[e + 12]! * x12i +
          mi[e + 12]! * x12r +
          mr[e + 13]! * x13i +
          mi[e + 13]! * x13r +
          mr[e + 14]! * x14i +
          mi[e + 14]! * x14r +
          mr[e + 15]! * x15i +
          mi[e + 15]! * x15r;
      }
    }
  }
}

/**
 * A 2^k × 2^k unitary on `targets` (matrix index bit j is targets[j]), by gather / multiply /
 * scatter over each group of 2^k amplitudes. `fixedOnes` is a mask of other qubits that must be 1
 * (the controls of a controlled step); those bits are skipped by the iteration and set in every
 * index, so only the controlled subspace is visited.
 */
export function applyDenseK(
  state: State,
  targets: readonly number[],
  matrix: ComplexMatrix,
  fixedOnes: number,
  fixedBits: readonly number[],
  from: number,
  to: number,
): void {
  const k = targets.length;
  const dim = 1 << k;
  const offsets = new Int32Array(dim);
  for (let a = 0; a < dim; a++) {
    let offset = 0;
    for (let j = 0; j < k; j++) if (a & (1 << j)) offset += 2 << targets[j]!;
    offsets[a] = offset;
  }
  const mr = new Float64Array(dim * dim);
  const mi = new Float64Array(dim * dim);
  for (let e = 0; e < dim * dim; e++) {
    mr[e] = matrix.data[2 * e]!;
    mi[e] = matrix.data[2 * e + 1]!;
  }
  const vr = new Float64Array(dim);
  const vi = new Float64Array(dim);
  const skipped = sortedPositions([...targets, ...fixedBits]);
  const lowest = skipped[0]!;
  // The run of contiguous indices below the lowest touched qubit is walked innermost.
  const run = 1 << lowest;
  const higher = skipped.subarray(1).map((p) => p - lowest - 1);
  for (let unit = from; unit < to;) {
    const inner = unit & (run - 1);
    const count = Math.min(run - inner, to - unit);
    const start = ((insertZeros(unit >>> lowest, higher) << (lowest + 1)) | fixedOnes) * 2 + 2 * inner;
    unit += count;
    for (let base = start, end = start + 2 * count; base < end; base += 2) {
      for (let a = 0; a < dim; a++) {
        const p = base + offsets[a]!;
        vr[a] = state[p]!;
        vi[a] = state[p + 1]!;
      }
      for (let r = 0, row = 0; r < dim; r++, row += dim) {
        let accR = 0;
        let accI = 0;
        for (let a = 0; a < dim; a++) {
          const xr = vr[a]!,
            xi = vi[a]!,
            cr = mr[row + a]!,
            ci = mi[row + a]!;
          accR += cr * xr - ci * xi;
          accI += cr * xi + ci * xr;
        }
        const p = base + offsets[r]!;
        state[p] = accR;
        state[p + 1] = accI;
      }
    }
  }
}

/** Multiplies amplitude i by diagonal[index formed by i's bits at `targets`]. */
export function applyDiagonal(
  state: State,
  targets: readonly number[],
  diagonal: Float64Array,
  from: number,
  to: number,
): void {
  const dim = 1 << targets.length;
  let identity = true;
  for (let a = 0; a < dim && identity; a++) identity = diagonal[2 * a] === 1 && diagonal[2 * a + 1] === 0;
  if (identity) return;
  if (targets.length === 1) {
    applyDiagonal1(state, targets[0]!, diagonal, from, to);
    return;
  }
  const k = targets.length;
  const run = 1 << Math.min(...targets); // amplitudes over which no target bit changes
  const dr = new Float64Array(dim);
  const di = new Float64Array(dim);
  for (let a = 0; a < dim; a++) {
    dr[a] = diagonal[2 * a]!;
    di[a] = diagonal[2 * a + 1]!;
  }
  for (let index = from; index < to;) {
    const count = Math.min(run - (index & (run - 1)), to - index);
    const start = 2 * index;
    let a = 0;
    for (let j = 0; j < k; j++) a |= ((index >>> targets[j]!) & 1) << j;
    index += count;
    const cr = dr[a]!;
    const ci = di[a]!;
    if (cr === 1 && ci === 0) continue;
    for (let p = start, end = start + 2 * count; p < end; p += 2) {
      const xr = state[p]!;
      const xi = state[p + 1]!;
      state[p] = cr * xr - ci * xi;
      state[p + 1] = cr * xi + ci * xr;
    }
  }
}

function applyDiagonal1(state: State, target: number, diagonal: Float64Array, from: number, to: number): void {
  const run = 1 << target; // amplitudes with the same target bit
  const c0r = diagonal[0]!,
    c0i = diagonal[1]!,
    c1r = diagonal[2]!,
    c1i = diagonal[3]!;
  const touch0 = !(c0r === 1 && c0i === 0);
  for (let index = from; index < to;) {
    const count = Math.min(run - (index & (run - 1)), to - index);
    const start = 2 * index;
    const one = index & run;
    index += count;
    if (one) {
      for (let p = start, end = start + 2 * count; p < end; p += 2) {
        const xr = state[p]!;
        const xi = state[p + 1]!;
        state[p] = c1r * xr - c1i * xi;
        state[p + 1] = c1r * xi + c1i * xr;
      }
    } else if (touch0) {
      for (let p = start, end = start + 2 * count; p < end; p += 2) {
        const xr = state[p]!;
        const xi = state[p + 1]!;
        state[p] = c0r * xr - c0i * xi;
        state[p + 1] = c0r * xi + c0i * xr;
      }
    }
  }
}

const isExactly = (m: Float64Array, values: readonly number[]) => values.every((v, i) => m[i] === v);
const X_MATRIX = [0, 0, 1, 0, 1, 0, 0, 0];

/**
 * `matrix` on `targets` where every control is 1. The iteration skips the control bits, so only
 * 2^(n − controls) amplitudes are visited: a cx touches half the state, a ccx a quarter.
 */
export function applyControlled(
  state: State,
  controls: readonly number[],
  targets: readonly number[],
  matrix: ComplexMatrix,
  from: number,
  to: number,
): void {
  let mask = 0;
  for (const c of controls) mask |= 1 << c;
  if (targets.length !== 1) {
    applyDenseK(state, targets, matrix, mask, controls, from, to);
    return;
  }
  const target = targets[0]!;
  const m = matrix.data;
  const skipped = sortedPositions([...controls, target]);
  const lowest = skipped[0]!;
  const run = 1 << lowest; // units per segment
  const higher = skipped.subarray(1).map((p) => p - lowest - 1);
  const half = 2 << target;
  const fixed = mask * 2;
  if (isExactly(m, X_MATRIX)) {
    for (let unit = from; unit < to;) {
      const inner = unit & (run - 1);
      const count = Math.min(run - inner, to - unit);
      const start = ((insertZeros(unit >>> lowest, higher) << (lowest + 2)) | fixed) + 2 * inner;
      unit += count;
      for (let p = start, end = start + 2 * count; p < end; p += 2) {
        const q = p + half;
        const ar = state[p]!;
        const ai = state[p + 1]!;
        state[p] = state[q]!;
        state[p + 1] = state[q + 1]!;
        state[q] = ar;
        state[q + 1] = ai;
      }
    }
    return;
  }
  const m00r = m[0]!,
    m00i = m[1]!,
    m01r = m[2]!,
    m01i = m[3]!,
    m10r = m[4]!,
    m10i = m[5]!,
    m11r = m[6]!,
    m11i = m[7]!;
  if (m01r === 0 && m01i === 0 && m10r === 0 && m10i === 0) {
    // Diagonal target (cz, cp, crz): each amplitude is only scaled.
    const touch0 = !(m00r === 1 && m00i === 0);
    for (let unit = from; unit < to;) {
      const inner = unit & (run - 1);
      const count = Math.min(run - inner, to - unit);
      const start = ((insertZeros(unit >>> lowest, higher) << (lowest + 2)) | fixed) + 2 * inner;
      unit += count;
      for (let p = start, end = start + 2 * count; p < end; p += 2) {
        if (touch0) {
          const ar = state[p]!;
          const ai = state[p + 1]!;
          state[p] = m00r * ar - m00i * ai;
          state[p + 1] = m00r * ai + m00i * ar;
        }
        const q = p + half;
        const br = state[q]!;
        const bi = state[q + 1]!;
        state[q] = m11r * br - m11i * bi;
        state[q + 1] = m11r * bi + m11i * br;
      }
    }
    return;
  }
  for (let unit = from; unit < to;) {
    const inner = unit & (run - 1);
    const count = Math.min(run - inner, to - unit);
    const start = ((insertZeros(unit >>> lowest, higher) << (lowest + 2)) | fixed) + 2 * inner;
    unit += count;
    for (let p = start, end = start + 2 * count; p < end; p += 2) {
      const q = p + half;
      const ar = state[p]!,
        ai = state[p + 1]!,
        br = state[q]!,
        bi = state[q + 1]!;
      state[p] = m00r * ar - m00i * ai + m01r * br - m01i * bi;
      state[p + 1] = m00r * ai + m00i * ar + m01r * bi + m01i * br;
      state[q] = m10r * ar - m10i * ai + m11r * br - m11i * bi;
      state[q + 1] = m10r * ai + m10i * ar + m11r * bi + m11i * br;
    }
  }
}

/** Exchanges amplitudes whose bits a and b are 01 and 10: a quarter of the state each way. */
export function applySwap(state: State, a: number, b: number, from: number, to: number): void {
  if (a === b) return;
  const skipped = sortedPositions([a, b]);
  const lowest = skipped[0]!;
  const run = 1 << lowest;
  const higher = skipped.subarray(1).map((p) => p - lowest - 1);
  const offA = 2 << a;
  const offB = 2 << b;
  for (let unit = from; unit < to;) {
    const inner = unit & (run - 1);
    const count = Math.min(run - inner, to - unit);
    const start = (insertZeros(unit >>> lowest, higher) << (lowest + 2)) + 2 * inner;
    unit += count;
    for (let base = start, end = start + 2 * count; base < end; base += 2) {
      const p = base + offA;
      const q = base + offB;
      const xr = state[p]!;
      const xi = state[p + 1]!;
      state[p] = state[q]!;
      state[p + 1] = state[q + 1]!;
      state[q] = xr;
      state[q + 1] = xi;
    }
  }
}
