import { describe, expect, it } from 'vitest';
import { fullMatrix, STANDARD_GATES, type ComplexMatrix, type StandardGateName } from '../gates.ts';
import { gateStep } from '../plan.ts';
import type { Step } from '../program.ts';
import { Xoshiro128 } from '../random.ts';
import { naiveApply, randomState } from '../testing/naive.ts';
import { distinctQubits, randomMatrix } from '../testing/randomCircuit.ts';
import { applyStep } from './kernels.ts';

const QUBITS = 7;

function worstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Applies `step` with the kernels and `matrix` on `qubits` naively; returns the worst difference. */
function compare(step: Step, matrix: ComplexMatrix, qubits: number[], seed: number): number {
  const expected = randomState(QUBITS, seed);
  const actual = Float32Array.from(expected);
  naiveApply(expected, matrix, qubits);
  applyStep(actual, QUBITS, step);
  return worstDifference(actual, expected);
}

describe('CPU kernels against a naive float64 matrix product', () => {
  const rng = new Xoshiro128(42);
  const angles = [0.37, -1.2, 2.1, 0.9];

  for (const name of Object.keys(STANDARD_GATES) as StandardGateName[]) {
    it(`${name} (its natural step) on qubits in every position`, () => {
      const spec = STANDARD_GATES[name];
      for (let trial = 0; trial < 8; trial++) {
        const qubits =
          trial === 0 ? Array.from({ length: spec.qubits }, (_, i) => i) : distinctQubits(rng, spec.qubits, QUBITS);
        const op = { kind: 'gate' as const, name, qubits, params: angles.slice(0, spec.params) };
        const matrix = fullMatrix(name, op.params);
        expect(compare(gateStep(op), matrix, qubits, trial + 1), `${name} on ${qubits}`).toBeLessThan(1e-6);
      }
    });
  }

  for (const k of [1, 2, 3, 4, 5]) {
    it(`dense ${k}-qubit steps with arbitrary matrices`, () => {
      for (let trial = 0; trial < 6; trial++) {
        const qubits =
          trial === 0 ? Array.from({ length: k }, (_, i) => QUBITS - 1 - i) : distinctQubits(rng, k, QUBITS);
        const matrix = randomMatrix(rng, 1 << k);
        expect(compare({ kind: 'dense', qubits, matrix }, matrix, qubits, trial)).toBeLessThan(1e-5);
      }
    });
  }

  for (const k of [1, 2, 3]) {
    it(`diagonal ${k}-qubit steps`, () => {
      for (let trial = 0; trial < 6; trial++) {
        const qubits = distinctQubits(rng, k, QUBITS);
        const diagonal = Float64Array.from({ length: 2 << k }, () => rng.next() - 0.5);
        const dim = 1 << k;
        const data = new Float64Array(2 * dim * dim);
        for (let i = 0; i < dim; i++) {
          data[2 * (i * dim + i)] = diagonal[2 * i]!;
          data[2 * (i * dim + i) + 1] = diagonal[2 * i + 1]!;
        }
        const step: Step = { kind: 'diagonal', qubits, diagonal };
        expect(compare(step, { dim, data }, qubits, trial)).toBeLessThan(1e-6);
      }
    });
  }

  it('controlled steps with one or more targets and arbitrary matrices', () => {
    for (const [controls, targets] of [
      [1, 1],
      [2, 1],
      [1, 2],
      [2, 2],
      [3, 1],
    ] as const) {
      const qubits = distinctQubits(rng, controls + targets, QUBITS);
      const target = randomMatrix(rng, 1 << targets);
      const dim = 1 << qubits.length;
      const mask = (1 << controls) - 1;
      const data = new Float64Array(2 * dim * dim);
      for (let r = 0; r < dim; r++) {
        for (let c = 0; c < dim; c++) {
          if ((r & mask) === mask && (c & mask) === mask) {
            const t = 2 * ((r >> controls) * target.dim + (c >> controls));
            data[2 * (r * dim + c)] = target.data[t]!;
            data[2 * (r * dim + c) + 1] = target.data[t + 1]!;
          } else if (r === c) {
            data[2 * (r * dim + c)] = 1;
          }
        }
      }
      const step: Step = {
        kind: 'controlled',
        controls: qubits.slice(0, controls),
        targets: qubits.slice(controls),
        matrix: target,
      };
      expect(compare(step, { dim, data }, qubits, controls * 10 + targets)).toBeLessThan(1e-5);
    }
  });
});
