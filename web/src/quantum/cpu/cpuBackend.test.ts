import { describe, expect, it, vi } from 'vitest';
import type { Circuit } from '../circuit.ts';
import { fullMatrix } from '../gates.ts';
import { planGates } from '../plan.ts';
import { naiveApply, naiveState } from '../testing/naive.ts';
import { randomCircuit } from '../testing/randomCircuit.ts';
import { distanceUpToGlobalPhase, REFERENCE_GATE_NAMES, referenceState } from '../testing/reference.ts';
import { CpuBackend } from './cpuBackend.ts';

async function finalState(circuit: Circuit, fusion: false | { maxFusedQubits: number }): Promise<Float32Array> {
  const backend = new CpuBackend();
  await backend.reset(circuit.qubits);
  await backend.apply(planGates(circuit.ops, { fusion }).steps);
  return backend.readState();
}

const bell = async () => {
  const backend = new CpuBackend();
  await backend.reset(2);
  const circuit = randomCircuit({ qubits: 2, gates: 0, seed: 1, names: [] });
  circuit.ops.push({ kind: 'gate', name: 'h', qubits: [0], params: [] });
  circuit.ops.push({ kind: 'gate', name: 'cx', qubits: [0, 1], params: [] });
  await backend.apply(planGates(circuit.ops).steps);
  return backend;
};

describe('CPU engine against quantum-circuit (npm), up to a global phase', () => {
  // [qubits, gates]: the reference takes ~40 ms a gate at 16 qubits, so the big circuits are short.
  const cases: Array<[number, number]> = [
    [1, 30],
    [2, 60],
    [3, 80],
    [5, 80],
    [8, 80],
    [10, 60],
    [12, 50],
    [14, 30],
    [16, 16],
  ];
  for (const [qubits, gates] of cases) {
    it(`${qubits} qubits, ${gates} random gates, fused and unfused (1e-5)`, async () => {
      const circuit = randomCircuit({ qubits, gates, seed: 1000 + qubits, names: REFERENCE_GATE_NAMES });
      const expected = referenceState(circuit);
      for (const fusion of [false, { maxFusedQubits: 2 }, { maxFusedQubits: 4 }] as const) {
        const actual = await finalState(circuit, fusion);
        expect(distanceUpToGlobalPhase(actual, expected), JSON.stringify(fusion)).toBeLessThan(1e-5);
      }
    });
  }
});

describe('CPU engine readout', () => {
  it('measures with the given uniform and collapses onto the outcome', async () => {
    const backend = new CpuBackend();
    await backend.reset(2);
    // ry(2θ) on qubit 0 gives P(1) = sin²θ; θ = π/6 → 1/4.
    await backend.apply(planGates([{ kind: 'gate', name: 'ry', qubits: [0], params: [Math.PI / 3] }]).steps);
    await backend.snapshot();
    expect(await backend.measure(0, 0.2)).toBe(1);
    expect(Array.from(await backend.readState())).toEqual([0, 0, 1, 0, 0, 0, 0, 0]);
    await backend.restore();
    expect(await backend.measure(0, 0.3)).toBe(0);
    expect(Array.from(await backend.readState())).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    await expect(backend.measure(2, 0.5)).rejects.toThrow(/out of range/);
  });

  it('samples reproducibly from the seed, only states that have probability', async () => {
    const backend = await bell();
    const a = await backend.sample(10_000, 7);
    const b = await backend.sample(10_000, 7);
    const c = await backend.sample(10_000, 8);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(new Set(a)).toEqual(new Set([0, 3]));
    const ones = a.filter((i) => i === 3).length;
    expect(Math.abs(ones - 5000)).toBeLessThan(4 * 50); // 4σ of a fair binomial
    // Shots come out in random order, not sorted.
    expect(Array.from(a.slice(0, 50))).not.toEqual(Array.from(a.slice(0, 50)).sort());
  });

  it('samples a million shots quickly', async () => {
    const backend = new CpuBackend();
    await backend.reset(16);
    await backend.apply(
      planGates(
        Array.from({ length: 16 }, (_, q) => ({ kind: 'gate' as const, name: 'h' as const, qubits: [q], params: [] })),
      ).steps,
    );
    const start = performance.now();
    const shots = await backend.sample(1_000_000, 3);
    expect(shots).toHaveLength(1_000_000);
    expect(performance.now() - start).toBeLessThan(5_000); // a sanity bound, not a benchmark
  });

  it('ranks the most probable states, highest first, ties by index', async () => {
    const backend = new CpuBackend();
    await backend.reset(3);
    const ops = [
      { kind: 'gate' as const, name: 'ry' as const, qubits: [0], params: [1.0] },
      { kind: 'gate' as const, name: 'h' as const, qubits: [2], params: [] },
    ];
    await backend.apply(planGates(ops).steps);
    const p1 = Math.sin(0.5) ** 2;
    const top = await backend.topProbabilities(3);
    expect(top.map((t) => t.index)).toEqual([0, 4, 1]);
    expect(top[0]!.probability).toBeCloseTo((1 - p1) / 2, 6);
    expect(top[2]!.probability).toBeCloseTo(p1 / 2, 6);
    expect(await backend.topProbabilities(100)).toHaveLength(4);
    expect(await backend.topProbabilities(0)).toEqual([]);
  });

  it('computes Pauli expectation values', async () => {
    const backend = await bell();
    expect(await backend.expectation({ paulis: 'ZZ', qubits: [0, 1] })).toBeCloseTo(1, 6);
    expect(await backend.expectation({ paulis: 'XX', qubits: [0, 1] })).toBeCloseTo(1, 6);
    expect(await backend.expectation({ paulis: 'YY', qubits: [0, 1] })).toBeCloseTo(-1, 6);
    expect(await backend.expectation({ paulis: 'Z', qubits: [1] })).toBeCloseTo(0, 6);
    expect(await backend.expectation({ paulis: 'XY', qubits: [0, 1] })).toBeCloseTo(0, 6);
    await expect(backend.expectation({ paulis: 'ZQ', qubits: [0, 1] })).rejects.toThrow(/I, X, Y and Z/);
    await expect(backend.expectation({ paulis: 'ZZ', qubits: [0, 0] })).rejects.toThrow(/twice/);
  });

  it('matches ⟨ψ|P|ψ⟩ computed naively on a random state', async () => {
    const circuit = randomCircuit({ qubits: 5, gates: 60, seed: 5, names: REFERENCE_GATE_NAMES });
    const backend = new CpuBackend();
    await backend.reset(5);
    await backend.apply(planGates(circuit.ops).steps);
    const psi = naiveState(circuit);
    for (const [paulis, qubits] of [
      ['XYZ', [4, 0, 2]],
      ['YY', [1, 3]],
      ['ZIX', [0, 1, 3]],
      ['Y', [2]],
      ['XYZYX', [0, 1, 2, 3, 4]],
    ] as const) {
      const transformed = Float64Array.from(psi);
      [...paulis].forEach((letter, i) => {
        const name = letter.toLowerCase() as 'x' | 'y' | 'z';
        if (letter !== 'I') naiveApply(transformed, fullMatrix(name, []), [qubits[i]!]);
      });
      let expected = 0;
      for (let i = 0; i < psi.length; i += 2) expected += psi[i]! * transformed[i]! + psi[i + 1]! * transformed[i + 1]!;
      expect(await backend.expectation({ paulis, qubits: [...qubits] }), paulis).toBeCloseTo(expected, 5);
    }
  });
});

describe('CPU engine limits', () => {
  it('derives the largest qubit count from its memory budget and says why', async () => {
    const backend = new CpuBackend({ memoryBudgetBytes: 1024 ** 2 });
    const { maxQubits, reason } = backend.limits();
    expect(maxQubits).toBe(17); // 8 bytes × 2^17 = 1 MiB
    expect(reason).toMatch(/8·2\^n bytes.*1 MiB.*memoryBudgetBytes/);
    await expect(backend.reset(18)).rejects.toThrow(/18 qubits is over the CPU engine's limit of 17/);
    await backend.reset(17);
    await expect(backend.snapshot()).rejects.toThrow(/snapshot.*over the CPU engine's memory budget/);
    expect(new CpuBackend().limits().maxQubits).toBe(28);
    expect(new CpuBackend({ memoryBudgetBytes: 64 * 1024 ** 3 }).limits()).toMatchObject({
      maxQubits: 29,
      reason: expect.stringMatching(/32-bit/),
    });
  });

  it('takes a quarter of the device memory the browser reports, when that is under 2 GiB', () => {
    vi.stubGlobal('navigator', { deviceMemory: 2 });
    try {
      expect(new CpuBackend().limits().maxQubits).toBe(26); // 512 MiB
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('rejects steps on qubits the state does not have', async () => {
    const backend = new CpuBackend();
    await expect(backend.apply([])).rejects.toThrow(/reset\(qubits\) first/);
    await backend.reset(2);
    await expect(backend.apply([{ kind: 'swap', a: 0, b: 2 }])).rejects.toThrow(/qubit 2 is out of range/);
  });
});
