import { describe, expect, it } from 'vitest';
import { fullMatrix, STANDARD_GATES, type StandardGateName } from './gates.ts';

function isUnitary({ dim, data }: { dim: number; data: Float64Array }): boolean {
  for (let r = 0; r < dim; r++) {
    for (let c = 0; c < dim; c++) {
      let re = 0;
      let im = 0;
      for (let k = 0; k < dim; k++) {
        // (U U†)[r][c] = sum_k U[r][k] * conj(U[c][k])
        const a = (r * dim + k) * 2;
        const b = (c * dim + k) * 2;
        re += data[a]! * data[b]! + data[a + 1]! * data[b + 1]!;
        im += data[a + 1]! * data[b]! - data[a]! * data[b + 1]!;
      }
      if (Math.abs(re - (r === c ? 1 : 0)) > 1e-12 || Math.abs(im) > 1e-12) return false;
    }
  }
  return true;
}

describe('standard gates', () => {
  const params = [0.3, -1.1, 2.4, 0.7];
  for (const [name, spec] of Object.entries(STANDARD_GATES)) {
    it(`${name} is unitary with the declared shape`, () => {
      const m = fullMatrix(name as StandardGateName, params.slice(0, spec.params));
      expect(m.dim).toBe(1 << spec.qubits);
      expect(isUnitary(m)).toBe(true);
      const target = spec.target(params.slice(0, spec.params));
      if (spec.diagonal) {
        for (let r = 0; r < target.dim; r++)
          for (let c = 0; c < target.dim; c++)
            if (r !== c)
              expect(
                Math.hypot(target.data[(r * target.dim + c) * 2]!, target.data[(r * target.dim + c) * 2 + 1]!),
              ).toBe(0);
      }
    });
  }

  it('puts controls on the low argument bits (cx with control 0 flips bit 1 when bit 0 is set)', () => {
    const { data } = fullMatrix('cx', []);
    // |01> (control=1, target=0, index 1) -> |11> (index 3)
    expect(data[(3 * 4 + 1) * 2]).toBe(1);
    expect(data[(1 * 4 + 1) * 2]).toBe(0);
  });
});
