/**
 * A deliberately naive float64 state vector for checking the GPU kernels: each step becomes a
 * full matrix applied by `naiveApply` (`testing/naive.ts`), which loops over every basis index.
 */
import type { PauliString } from '../../stateBackend.ts';
import { controlledMatrix, matrix, STANDARD_GATES, type ComplexMatrix } from '../../gates.ts';
import type { Step } from '../../program.ts';
import { naiveApply } from '../../testing/naive.ts';

export class ReferenceState {
  readonly amplitudes: Float64Array;

  constructor(readonly qubits: number) {
    this.amplitudes = new Float64Array(2 ** (qubits + 1));
    this.amplitudes[0] = 1;
  }

  apply(step: Step): void {
    switch (step.kind) {
      case 'dense':
        return naiveApply(this.amplitudes, step.matrix, step.qubits);
      case 'controlled':
        return naiveApply(this.amplitudes, controlledMatrix(step.controls.length, step.matrix), [
          ...step.controls,
          ...step.targets,
        ]);
      case 'swap':
        return naiveApply(this.amplitudes, STANDARD_GATES.swap.target([]), [step.a, step.b]);
      case 'diagonal': {
        const dim = 2 ** step.qubits.length;
        const data = new Float64Array(dim * dim * 2);
        for (let i = 0; i < dim; i++) {
          data[(i * dim + i) * 2] = step.diagonal[2 * i]!;
          data[(i * dim + i) * 2 + 1] = step.diagonal[2 * i + 1]!;
        }
        return naiveApply(this.amplitudes, { dim, data }, step.qubits);
      }
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
      naiveApply(copy.amplitudes, { dim: 2, data: Float64Array.from(paulis[letter]!) }, [pauli.qubits[k]!]),
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
