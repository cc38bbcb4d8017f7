import { describe, expect, it } from 'vitest';
import { parseQasm } from '../../quantum/qasm/index.ts';
import { QuantumService } from '../../quantum/simulatorService.ts';
import { EXAMPLES, exampleById } from './examples.ts';

/** What each example must give: outcome → probability (outcomes not listed must not occur). */
const uniform = (keys: string[]) => Object.fromEntries(keys.map((key) => [key, 1 / keys.length]));
const grover = Object.fromEntries(
  Array.from({ length: 8 }, (_, i) => i.toString(2).padStart(3, '0')).map((key) => [
    key,
    key === '110' ? 0.9453125 : (1 - 0.9453125) / 7,
  ]),
);
const teleport = Object.fromEntries(
  ['0', '1'].flatMap((c2) =>
    ['0 0', '0 1', '1 0', '1 1'].map((c1c0) => [`${c2} ${c1c0}`, (c2 === '1' ? 0.75 : 0.25) / 4]),
  ),
);
const EXPECTED: Record<string, Record<string, number>> = {
  bell: uniform(['00', '11']),
  ghz: uniform(['00000', '11111']),
  qft: uniform(['0000', '0100', '1000', '1100']),
  grover,
  teleport,
};

const SHOTS = 1024;

describe('Quantum view examples', () => {
  const service = new QuantumService();

  it('has an expected distribution for every example, and unique ids', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(EXAMPLES.map((example) => example.id).sort());
    expect(exampleById('grover')?.label).toMatch(/Grover/);
  });

  for (const example of EXAMPLES) {
    it(`${example.label} parses and samples the expected distribution`, async () => {
      expect(() => parseQasm(example.qasm)).not.toThrow();
      const expected = EXPECTED[example.id]!;
      const reply = await service.simulate(example.id, {
        qasm: example.qasm,
        backend: 'cpu',
        shots: SHOTS,
        seed: 11,
      });
      expect(reply.warnings).toEqual([]);
      const counts = reply.counts!;
      expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBe(SHOTS);
      for (const key of Object.keys(counts)) expect(expected).toHaveProperty([key]);
      // Each outcome within 4 standard deviations of its expected count (deterministic: seeded).
      for (const [key, p] of Object.entries(expected)) {
        const sigma = Math.sqrt(SHOTS * p * (1 - p));
        expect(Math.abs((counts[key] ?? 0) - SHOTS * p), key).toBeLessThanOrEqual(4 * sigma + 1);
      }
    });
  }

  it('gives the exact probabilities of the examples that measure only at the end', async () => {
    for (const id of ['bell', 'ghz', 'qft', 'grover']) {
      const reply = await service.simulate(id, { qasm: exampleById(id)!.qasm, backend: 'cpu', shots: 0, topK: 16 });
      const probabilities = Object.fromEntries(
        reply.topK.map(({ bitstring, probability }) => [bitstring, probability]),
      );
      for (const [key, p] of Object.entries(EXPECTED[id]!))
        expect(probabilities[key], `${id} ${key}`).toBeCloseTo(p, 5);
    }
  });
});
