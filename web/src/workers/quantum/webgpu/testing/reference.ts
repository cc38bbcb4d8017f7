/**
 * A deliberately naive float64 state vector for checking the GPU kernels: each step is applied
 * by looping over every basis index and reading the step's matrix entry by entry.
 */
import type { PauliString } from '../../backend.ts';
import { matrix, type ComplexMatrix } from '../../gates.ts';
import type { Step } from '../../program.ts';

export class ReferenceState {
  readonly amplitudes: Float64Array;

  constructor(readonly qubits: number) {
    this.amplitudes = new Float64Array(2 ** (qubits + 1));
    this.amplitudes[0] = 1;
  }

  apply(step: Step): void {
    switch (step.kind) {
      case 'dense':
        return this.applyMatrix(step.qubits, [], step.matrix);
      case 'controlled':
        return this.applyMatrix(step.targets, step.controls, step.matrix);
      case 'swap':
        return this.applyMatrix([step.a, step.b], [], {
          dim: 4,
          data: Float64Array.from([
            1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0,
          ]),
        });
      case 'diagonal': {
        const dim = 2 ** step.qubits.length;
        const data = new Float64Array(dim * dim * 2);
        for (let i = 0; i < dim; i++) {
          data[(i * dim + i) * 2] = step.diagonal[2 * i]!;
          data[(i * dim + i) * 2 + 1] = step.diagonal[2 * i + 1]!;
        }
        return this.applyMatrix(step.qubits, [], { dim, data });
      }
    }
  }

  /** new[i] = Σ_j M[row(i)][row(j)] · old[j] over j that agree with i outside the targets. */
  private applyMatrix(targets: readonly number[], controls: readonly number[], matrix: ComplexMatrix) {
    const old = Float64Array.from(this.amplitudes);
    const size = 2 ** this.qubits;
    const bit = (i: number, q: number) => Math.floor(i / 2 ** q) % 2;
    for (let i = 0; i < size; i++) {
      if (!controls.every((c) => bit(i, c) === 1)) continue;
      const row = targets.reduce((r, q, b) => r + bit(i, q) * 2 ** b, 0);
      const rest = i - targets.reduce((s, q) => s + bit(i, q) * 2 ** q, 0);
      let re = 0;
      let im = 0;
      for (let col = 0; col < matrix.dim; col++) {
        const j = rest + targets.reduce((s, q, b) => s + bit(col, b) * 2 ** q, 0);
        const mr = matrix.data[(row * matrix.dim + col) * 2]!;
        const mi = matrix.data[(row * matrix.dim + col) * 2 + 1]!;
        re += mr * old[2 * j]! - mi * old[2 * j + 1]!;
        im += mr * old[2 * j + 1]! + mi * old[2 * j]!;
      }
      this.amplitudes[2 * i] = re;
      this.amplitudes[2 * i + 1] = im;
    }
  }

  probability(i: number): number {
    return this.amplitudes[2 * i]! ** 2 + this.amplitudes[2 * i + 1]! ** 2;
  }

  /** P(qubit = 1). */
  probabilityOne(qubit: number): number {
    let p = 0;
    for (let i = 0; i < 2 ** this.qubits; i++) if (Math.floor(i / 2 ** qubit) % 2) p += this.probability(i);
    return p;
  }

  collapse(qubit: number, outcome: 0 | 1): void {
    const p = outcome ? this.probabilityOne(qubit) : 1 - this.probabilityOne(qubit);
    const scale = 1 / Math.sqrt(p);
    for (let i = 0; i < 2 ** this.qubits; i++) {
      const keep = Math.floor(i / 2 ** qubit) % 2 === outcome;
      this.amplitudes[2 * i] = keep ? this.amplitudes[2 * i]! * scale : 0;
      this.amplitudes[2 * i + 1] = keep ? this.amplitudes[2 * i + 1]! * scale : 0;
    }
  }

  /** ⟨ψ|P|ψ⟩ by applying P to a copy with the 2×2 Pauli matrices. */
  expectation(pauli: PauliString): number {
    const paulis: Record<string, number[]> = {
      I: [1, 0, 0, 0, 0, 0, 1, 0],
      X: [0, 0, 1, 0, 1, 0, 0, 0],
      Y: [0, 0, 0, -1, 0, 1, 0, 0],
      Z: [1, 0, 0, 0, 0, 0, -1, 0],
    };
    const copy = new ReferenceState(this.qubits);
    copy.amplitudes.set(this.amplitudes);
    [...pauli.paulis].forEach((letter, k) =>
      copy.applyMatrix([pauli.qubits[k]!], [], { dim: 2, data: Float64Array.from(paulis[letter]!) }),
    );
    let sum = 0;
    for (let i = 0; i < this.amplitudes.length; i += 2) {
      sum += this.amplitudes[i]! * copy.amplitudes[i]! + this.amplitudes[i + 1]! * copy.amplitudes[i + 1]!;
    }
    return sum;
  }
}

/** Mulberry32: a small seeded PRNG for test inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Haar-ish random unitary: Gram–Schmidt on a matrix of uniform complex entries. */
export function randomUnitary(random: () => number, qubits: number): ComplexMatrix {
  const dim = 2 ** qubits;
  const rows: Array<Array<[number, number]>> = [];
  for (let r = 0; r < dim; r++) {
    let row: Array<[number, number]> = Array.from({ length: dim }, () => [random() * 2 - 1, random() * 2 - 1]);
    for (const prev of rows) {
      // row -= <prev,row> prev
      let re = 0;
      let im = 0;
      prev.forEach(([pr, pi], c) => {
        const [xr, xi] = row[c]!;
        re += pr * xr + pi * xi;
        im += pr * xi - pi * xr;
      });
      row = row.map(([xr, xi], c) => {
        const [pr, pi] = prev[c]!;
        return [xr - (re * pr - im * pi), xi - (re * pi + im * pr)];
      });
    }
    const norm = Math.sqrt(row.reduce((s, [xr, xi]) => s + xr * xr + xi * xi, 0));
    rows.push(row.map(([xr, xi]) => [xr / norm, xi / norm]));
  }
  return matrix(rows);
}

export function randomPhases(random: () => number, qubits: number): Float64Array {
  const out = new Float64Array(2 ** (qubits + 1));
  for (let i = 0; i < out.length; i += 2) {
    const angle = random() * 2 * Math.PI;
    out[i] = Math.cos(angle);
    out[i + 1] = Math.sin(angle);
  }
  return out;
}

/** Distinct random qubits out of n. */
export function pick(random: () => number, n: number, count: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

/** A random step of the given kind on an n-qubit state. */
export function randomStep(random: () => number, n: number, kind: Step['kind']): Step {
  switch (kind) {
    case 'dense': {
      const k = 1 + Math.floor(random() * Math.min(4, n));
      return { kind, qubits: pick(random, n, k), matrix: randomUnitary(random, k) };
    }
    case 'diagonal': {
      const k = 1 + Math.floor(random() * Math.min(5, n));
      return { kind, qubits: pick(random, n, k), diagonal: randomPhases(random, k) };
    }
    case 'controlled': {
      const total = Math.min(n, 2 + Math.floor(random() * 4));
      const targets = 1 + Math.floor(random() * Math.min(2, total - 1));
      const qubits = pick(random, n, total);
      return {
        kind,
        controls: qubits.slice(targets),
        targets: qubits.slice(0, targets),
        matrix: randomUnitary(random, targets),
      };
    }
    case 'swap': {
      const [a, b] = pick(random, n, 2);
      return { kind, a: a!, b: b! };
    }
  }
}
