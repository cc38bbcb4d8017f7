import { describe, expect, it } from 'vitest';
import type { Circuit, Condition, Op } from './circuit.ts';
import { CpuBackend } from './cpu/cpuBackend.ts';
import type { StandardGateName } from './gates.ts';
import { simulate, SimulationError, type SimulateOptions } from './simulate.ts';
import { layeredCircuit, randomCircuit } from './testing/randomCircuit.ts';
import { REFERENCE_GATE_NAMES } from './testing/reference.ts';

/** A small circuit builder: registers as [name, size], ops appended by the callback. */
function build(
  qubits: number,
  cregs: Array<[string, number]>,
  body: (ops: {
    g: (name: StandardGateName, qubits: number[], params?: number[], condition?: Condition) => void;
    measure: (qubit: number, clbit: number) => void;
    reset: (qubit: number) => void;
  }) => void,
): Circuit {
  const ops: Op[] = [];
  let offset = 0;
  const registers = cregs.map(([name, size]) => {
    const register = { name, size, offset };
    offset += size;
    return register;
  });
  body({
    g: (name, q, params = [], condition) =>
      ops.push({ kind: 'gate', name, qubits: q, params, ...(condition ? { condition } : {}) }),
    measure: (qubit, clbit) => ops.push({ kind: 'measure', qubit, clbit }),
    reset: (qubit) => ops.push({ kind: 'reset', qubit }),
  });
  return { qubits, clbits: offset, qregs: [{ name: 'q', size: qubits, offset: 0 }], cregs: registers, ops };
}

const run = (circuit: Circuit, options: SimulateOptions = {}) => simulate(circuit, new CpuBackend(), options);

function ghz(n: number): Circuit {
  return build(n, [['c', n]], ({ g, measure }) => {
    g('h', [0]);
    for (let q = 1; q < n; q++) g('cx', [q - 1, q]);
    for (let q = 0; q < n; q++) measure(q, q);
  });
}

function qft(n: number, input: number): Circuit {
  return build(n, [], ({ g }) => {
    for (let q = 0; q < n; q++) if ((input >> q) & 1) g('x', [q]);
    for (let j = n - 1; j >= 0; j--) {
      g('h', [j]);
      for (let k = j - 1; k >= 0; k--) g('cp', [k, j], [Math.PI / 2 ** (j - k)]);
    }
    for (let q = 0; q < n / 2; q++) if (q !== n - 1 - q) g('swap', [q, n - 1 - q]);
  });
}

function grover(n: number, marked: number, iterations: number): Circuit {
  const all = Array.from({ length: n }, (_, q) => q);
  const controlledZ = (g: (name: StandardGateName, qubits: number[]) => void) => {
    const mcx: StandardGateName = n === 3 ? 'ccx' : 'c3x';
    g('h', [n - 1]);
    g(mcx, all);
    g('h', [n - 1]);
  };
  return build(n, [['c', n]], ({ g, measure }) => {
    all.forEach((q) => g('h', [q]));
    for (let i = 0; i < iterations; i++) {
      all.forEach((q) => ((marked >> q) & 1) === 0 && g('x', [q]));
      controlledZ(g);
      all.forEach((q) => ((marked >> q) & 1) === 0 && g('x', [q]));
      all.forEach((q) => g('h', [q]));
      all.forEach((q) => g('x', [q]));
      controlledZ(g);
      all.forEach((q) => g('x', [q]));
      all.forEach((q) => g('h', [q]));
    }
    all.forEach((q) => measure(q, q));
  });
}

/** Pearson's χ² of observed counts against probabilities, bins with expectation < 5 merged. */
function chiSquared(counts: Record<string, number>, probabilities: Map<string, number>, shots: number) {
  let statistic = 0;
  let bins = 0;
  let pooledObserved = 0;
  let pooledExpected = 0;
  for (const [key, p] of probabilities) {
    const expected = p * shots;
    const observed = counts[key] ?? 0;
    if (expected < 5) {
      pooledObserved += observed;
      pooledExpected += expected;
      continue;
    }
    statistic += (observed - expected) ** 2 / expected;
    bins++;
  }
  if (pooledExpected > 0) {
    statistic += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
    bins++;
  }
  for (const key of Object.keys(counts)) expect(probabilities.has(key), `unexpected outcome ${key}`).toBe(true);
  const df = bins - 1;
  // Wilson–Hilferty: the χ² quantile at 1 − 0.001 (z = 3.09).
  const critical = df * (1 - 2 / (9 * df) + 3.09 * Math.sqrt(2 / (9 * df))) ** 3;
  return { statistic, df, critical };
}

describe('analytic checks', () => {
  it('GHZ: only |0…0⟩ and |1…1⟩, each with probability 1/2', async () => {
    const result = await run(ghz(6), { shots: 4000, seed: 1 });
    expect(result.topK.map((t) => t.bitstring)).toEqual(['000000', '111111']);
    for (const t of result.topK) expect(t.probability).toBeCloseTo(0.5, 6);
    expect(Object.keys(result.counts!).sort()).toEqual(['000000', '111111']);
    expect(Math.abs(result.counts!['111111']! - 2000)).toBeLessThan(4 * Math.sqrt(1000));
  });

  it('QFT of every basis state: uniform magnitudes with phases e^{2πi·xk/N}', async () => {
    const n = 4;
    const N = 2 ** n;
    for (let x = 0; x < N; x++) {
      const { state } = await run(qft(n, x), { returnState: true, shots: 0 });
      for (let k = 0; k < N; k++) {
        const angle = (2 * Math.PI * x * k) / N;
        expect(state![2 * k]!, `x=${x} k=${k}`).toBeCloseTo(Math.cos(angle) / Math.sqrt(N), 6);
        expect(state![2 * k + 1]!, `x=${x} k=${k}`).toBeCloseTo(Math.sin(angle) / Math.sqrt(N), 6);
      }
    }
  });

  for (const [n, marked] of [
    [3, 5],
    [4, 11],
  ] as const) {
    it(`Grover on ${n} qubits finds the marked state with probability sin²((2k+1)θ)`, async () => {
      const N = 2 ** n;
      const theta = Math.asin(1 / Math.sqrt(N));
      const iterations = Math.floor(Math.PI / (4 * theta));
      const result = await run(grover(n, marked, iterations), { shots: 2000, seed: 9, topK: 1 });
      expect(result.topK[0]!.index).toBe(marked);
      expect(result.topK[0]!.probability).toBeCloseTo(Math.sin((2 * iterations + 1) * theta) ** 2, 5);
      const key = marked.toString(2).padStart(n, '0');
      expect(result.counts![key]! / 2000).toBeGreaterThan(0.9);
    });
  }
});

describe('sampling', () => {
  for (const [qubits, shots] of [
    [4, 100_000],
    [10, 1_000_000],
  ] as const) {
    it(`${shots} shots on ${qubits} qubits pass a χ² test against the probabilities (α = 0.001)`, async () => {
      const circuit = randomCircuit({ qubits, gates: 12 * qubits, seed: qubits, names: REFERENCE_GATE_NAMES });
      circuit.cregs = [{ name: 'c', size: qubits, offset: 0 }];
      circuit.clbits = qubits;
      for (let q = 0; q < qubits; q++) circuit.ops.push({ kind: 'measure', qubit: q, clbit: q });
      const result = await run(circuit, { shots, seed: 2024, topK: 1024 });
      const probabilities = new Map(result.topK.map((t) => [t.bitstring, t.probability]));
      const { statistic, critical, df } = chiSquared(result.counts!, probabilities, shots);
      expect(df).toBeGreaterThan(qubits === 4 ? 10 : 500);
      expect(statistic).toBeLessThan(critical);
    });
  }

  it('the same seed gives the same counts, another seed other counts', async () => {
    const circuit = ghz(5);
    circuit.ops.unshift({ kind: 'gate', name: 'ry', qubits: [4], params: [0.3] });
    const a = await run(circuit, { shots: 1000, seed: 77 });
    const b = await run(circuit, { shots: 1000, seed: 77 });
    const c = await run(circuit, { shots: 1000, seed: 78 });
    expect(a.counts).toEqual(b.counts);
    expect(a.counts).not.toEqual(c.counts);
    const unseeded = await run(circuit, { shots: 1000 });
    expect(Number.isInteger(unseeded.seed)).toBe(true);
    expect((await run(circuit, { shots: 1000, seed: unseeded.seed })).counts).toEqual(unseeded.counts);
  });

  it('keys counts the Qiskit way: last-declared register first, bit 0 rightmost', async () => {
    const circuit = build(
      3,
      [
        ['a', 2],
        ['b', 1],
      ],
      ({ g, measure }) => {
        g('x', [0]);
        g('x', [2]);
        measure(0, 1); // a[1] = 1
        measure(1, 0); // a[0] = 0
        measure(2, 2); // b[0] = 1
      },
    );
    const result = await run(circuit, { shots: 10, seed: 1 });
    expect(result.counts).toEqual({ '1 10': 10 });
    expect(result.topK[0]).toMatchObject({ bitstring: '101', index: 5, probability: 1 });
    expect(circuit.cregs.map((r) => r.name)).toEqual(['a', 'b']); // not reordered in place
    expect((await run(circuit, { shots: 10, seed: 1 })).counts).toEqual({ '1 10': 10 });
  });

  it('keeps the last measurement into a clbit, and 0 in clbits never measured', async () => {
    const circuit = build(2, [['c', 3]], ({ g, measure }) => {
      g('x', [1]);
      measure(0, 0);
      measure(1, 0); // overwrites c[0] with 1
    });
    expect((await run(circuit, { shots: 5, seed: 1 })).counts).toEqual({ '001': 5 });
  });

  it('leaves out counts when nothing is measured', async () => {
    const result = await run(qft(3, 1), { shots: 100 });
    expect(result.counts).toBeUndefined();
    expect(result.topK).toHaveLength(8);
  });
});

describe('per-shot trajectories (mid-circuit measurement, reset, if)', () => {
  const theta = 1.0;
  const teleport = () =>
    build(
      3,
      [
        ['c0', 1],
        ['c1', 1],
        ['c2', 1],
      ],
      ({ g, measure }) => {
        g('ry', [0], [theta]);
        g('h', [1]);
        g('cx', [1, 2]);
        g('cx', [0, 1]);
        g('h', [0]);
        measure(0, 0);
        measure(1, 1);
        g('x', [2], [], { creg: 'c1', value: 1 });
        g('z', [2], [], { creg: 'c0', value: 1 });
        measure(2, 2);
      },
    );

  it('teleportation with if() delivers ry(θ)|0⟩: P(c2 = 1) = sin²(θ/2)', async () => {
    const shots = 1000;
    const result = await run(teleport(), { shots, seed: 5 });
    expect(result.trajectories).toBe(shots);
    expect(result.stateFrom).toBe('last-trajectory');
    const ones = Object.entries(result.counts!)
      .filter(([key]) => key.startsWith('1'))
      .reduce((sum, [, n]) => sum + n, 0);
    const p = Math.sin(theta / 2) ** 2;
    expect(Math.abs(ones - shots * p)).toBeLessThan(4 * Math.sqrt(shots * p * (1 - p)));
    // The two measured qubits are uniformly random: all four (c1, c0) pairs occur.
    expect(new Set(Object.keys(result.counts!).map((k) => k.slice(2))).size).toBe(4);
    expect((await run(teleport(), { shots, seed: 5 })).counts).toEqual(result.counts);
  });

  it('reset returns a measured qubit to |0⟩', async () => {
    const circuit = build(1, [['c', 2]], ({ g, measure, reset }) => {
      g('h', [0]);
      measure(0, 0);
      reset(0);
      measure(0, 1);
    });
    const result = await run(circuit, { shots: 200, seed: 3 });
    expect(Object.keys(result.counts!).sort()).toEqual(['00', '01']);
  });

  it('if() reads the bits measured so far', async () => {
    const circuit = build(2, [['c', 2]], ({ g, measure }) => {
      g('h', [0]);
      measure(0, 0);
      g('x', [1], [], { creg: 'c', value: 1 });
      measure(1, 1);
    });
    const result = await run(circuit, { shots: 300, seed: 4 });
    expect(Object.keys(result.counts!).sort()).toEqual(['00', '11']);
  });

  it('refuses more shots than the trajectory cap, naming the cap and the option', async () => {
    const error = await run(teleport(), { shots: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimulationError);
    expect(error).toMatchObject({ code: 'trajectory-cap' });
    expect((error as Error).message).toMatch(/2000 shots exceed the cap of 1024.*maxTrajectories/);
    const raised = await run(teleport(), { shots: 2000, maxTrajectories: 2000, seed: 1 });
    expect(Object.values(raised.counts!).reduce((a, b) => a + b)).toBe(2000);
  });
});

describe('results', () => {
  const bell = () =>
    build(2, [['c', 2]], ({ g }) => {
      g('h', [0]);
      g('cx', [0, 1]);
    });

  it('returns the state vector, expectation values, gate and step counts, timings', async () => {
    const result = await run(bell(), {
      shots: 0,
      returnState: true,
      expectations: [
        { paulis: 'ZZ', qubits: [0, 1] },
        { paulis: 'xx', qubits: [0, 1] },
        { paulis: 'Z', qubits: [0] },
      ],
    });
    const r = Math.SQRT1_2;
    expect(result.state!.map((v) => +v.toFixed(6))).toEqual([+r.toFixed(6), 0, 0, 0, 0, 0, +r.toFixed(6), 0]);
    expect(result.expectations!.map((e) => [e.paulis, +e.value.toFixed(6)])).toEqual([
      ['ZZ', 1],
      ['XX', 1],
      ['Z', 0],
    ]);
    expect(result).toMatchObject({ backend: 'cpu', gateCount: 2, stepCount: 2, trajectories: 0, fusion: false });
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.simulateMs);
  });

  it('⟨X⟩ on |+⟩ is 1', async () => {
    const plus = build(1, [], ({ g }) => g('h', [0]));
    const result = await run(plus, { expectations: [{ paulis: 'X', qubits: [0] }] });
    expect(result.expectations![0]!.value).toBeCloseTo(1, 6);
  });

  it('fuses by default from 14 qubits, with the same answer', async () => {
    const circuit = layeredCircuit({ qubits: 14, depth: 4, seed: 3 });
    const fused = await run(circuit, { shots: 0, topK: 8 });
    const unfused = await run(circuit, { shots: 0, topK: 8, fusion: false });
    expect(fused.fusion).toEqual({ maxFusedQubits: 2 });
    expect(fused.stepCount).toBeLessThan(unfused.stepCount);
    fused.topK.forEach((t, i) => expect(t.probability).toBeCloseTo(unfused.topK[i]!.probability, 6));
  });

  it('reports progress up to the total', async () => {
    const calls: Array<[number, number]> = [];
    await run(layeredCircuit({ qubits: 16, depth: 3, seed: 1 }), {
      shots: 0,
      fusion: false,
      onProgress: (done, total) => calls.push([done, total]),
    });
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.at(-1)).toEqual([calls.at(-1)![1], calls.at(-1)![1]]);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
  });
});

describe('cancellation', () => {
  it('stops between steps with a clear error', async () => {
    const controller = new AbortController();
    const error = await run(layeredCircuit({ qubits: 16, depth: 6, seed: 1 }), {
      shots: 0,
      fusion: false,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'cancelled' });
    expect((error as Error).message).toMatch(/simulation cancelled after \d+ of \d+ gate applications/);
  });

  it('does not start when already cancelled', async () => {
    const error = await run(ghz(3), { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'cancelled' });
  });
});

describe('bad options and circuits', () => {
  const cases: Array<[string, SimulateOptions, RegExp]> = [
    ['negative shots', { shots: -1 }, /shots must be an integer from 0 to 1000000, got -1/],
    ['too many shots', { shots: 1_000_001 }, /shots must be an integer from 0 to 1000000/],
    ['fractional shots', { shots: 1.5 }, /shots must be an integer/],
    ['negative seed', { seed: -3 }, /seed must be an integer/],
    ['huge topK', { topK: 5000 }, /topK must be an integer from 0 to 1024/],
    ['fusion size', { fusion: { maxFusedQubits: 5 } }, /maxFusedQubits must be an integer from 2 to 4.*fusion: false/],
    ['trajectory cap', { maxTrajectories: 0 }, /maxTrajectories must be an integer from 1/],
    [
      'Pauli letters',
      { expectations: [{ paulis: 'ZW', qubits: [0, 1] }] },
      /expectations\[0\]\.paulis must be letters I, X, Y, Z/,
    ],
    ['Pauli length', { expectations: [{ paulis: 'ZZ', qubits: [0] }] }, /2 Pauli letters for 1 qubits/],
    ['Pauli qubit', { expectations: [{ paulis: 'Z', qubits: [7] }] }, /names qubit 7; the circuit has qubits 0 to 2/],
  ];
  for (const [name, options, message] of cases) {
    it(`rejects ${name}`, async () => {
      const error = await run(ghz(3), options).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'bad-option' });
      expect((error as Error).message).toMatch(message);
    });
  }

  it('returns the state only up to 12 qubits', async () => {
    await expect(run(ghz(13), { returnState: true })).rejects.toThrow(/returnState is limited to 12 qubits.*topK/);
  });

  it('says when a circuit is over the engine limit, and why', async () => {
    const error = await simulate(ghz(18), new CpuBackend({ memoryBudgetBytes: 1024 ** 2 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'too-many-qubits' });
    expect((error as Error).message).toMatch(/18 qubits; the cpu engine holds at most 17: .*memory budget is 1 MiB/);
  });

  it('rejects malformed circuits with the op at fault', async () => {
    const circuit = ghz(3);
    circuit.ops.push({ kind: 'gate', name: 'cx', qubits: [0, 3], params: [] });
    await expect(run(circuit)).rejects.toThrow(/op 6 \(cx\): qubit 3 is out of range/);
    const conditional = ghz(2);
    conditional.ops.push({ kind: 'gate', name: 'x', qubits: [0], params: [], condition: { creg: 'nope', value: 1 } });
    await expect(run(conditional)).rejects.toThrow(/undeclared classical register "nope"/);
  });
});
