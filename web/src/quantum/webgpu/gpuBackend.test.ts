/**
 * The WebGPU backend on Dawn + SwiftShader (npm `webgpu`) against a naive float64 reference.
 * Every suite runs twice: with the natural chunk size (one buffer) and with chunks forced down to
 * 2^6 amplitudes, so gates on qubits 6+ take the cross-chunk paths at 8–10 qubits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Step } from '../program.ts';
import { WebGpuBackend } from './gpuBackend.ts';
import { seedKey, shotUniform } from './prng.ts';
import { nodeGpu } from './testing/nodeGpu.ts';
import { pick, randomPhases, randomStep, randomUnitary, ReferenceState, rng } from './testing/reference.ts';

const TOLERANCE = 1e-5;
const KINDS = ['dense', 'diagonal', 'controlled', 'swap'] as const;

function maxError(gpu: Float32Array, reference: Float64Array): number {
  expect(gpu.length).toBe(reference.length);
  let error = 0;
  for (let i = 0; i < gpu.length; i++) error = Math.max(error, Math.abs(gpu[i]! - reference[i]!));
  return error;
}

/** A layer of random single-qubit unitaries, so controls and swaps see a generic state. */
function scramble(random: () => number, n: number): Step[] {
  return Array.from({ length: n }, (_, q) => ({ kind: 'dense', qubits: [q], matrix: randomUnitary(random, 1) }));
}

async function prepare(backend: WebGpuBackend, n: number, steps: Step[]): Promise<ReferenceState> {
  const reference = new ReferenceState(n);
  for (const step of steps) reference.apply(step);
  await backend.reset(n);
  await backend.apply(steps);
  return reference;
}

const variants = [
  { label: 'one buffer', chunkQubits: undefined },
  { label: 'chunks of 2^6 amplitudes', chunkQubits: 6 },
];

describe.each(variants)('WebGPU backend, $label', ({ chunkQubits }) => {
  let backend: WebGpuBackend;
  beforeAll(async () => {
    backend = await WebGpuBackend.create(nodeGpu(), { chunkQubits, maxChunks: 1024 });
  });
  afterAll(() => backend?.dispose());

  for (const kind of KINDS) {
    it(`${kind} steps match the float64 reference`, async () => {
      const random = rng(KINDS.indexOf(kind) + 1);
      for (const n of [2, 5, 8, 10]) {
        const steps = [...scramble(random, n), ...Array.from({ length: 10 }, () => randomStep(random, n, kind))];
        const reference = await prepare(backend, n, steps);
        expect(maxError(await backend.readState(), reference.amplitudes), `${n} qubits`).toBeLessThan(TOLERANCE);
      }
    });
  }

  it('gates whose targets and controls all sit above the chunk (4 high targets need swaps)', async () => {
    const random = rng(42);
    const n = 10;
    const steps: Step[] = [
      ...scramble(random, n),
      { kind: 'dense', qubits: [9, 7, 6, 8], matrix: randomUnitary(random, 4) },
      { kind: 'dense', qubits: [8, 2, 9, 6], matrix: randomUnitary(random, 4) },
      { kind: 'dense', qubits: [7], matrix: randomUnitary(random, 1) },
      { kind: 'controlled', controls: [9, 1], targets: [6, 8, 7, 0], matrix: randomUnitary(random, 4) },
      { kind: 'controlled', controls: [6, 7, 8], targets: [9], matrix: randomUnitary(random, 1) },
      { kind: 'diagonal', qubits: [9, 0, 6, 3, 8, 7, 1, 2], diagonal: randomPhases(random, 8) },
      { kind: 'swap', a: 9, b: 6 },
      { kind: 'swap', a: 0, b: 8 },
    ];
    const reference = await prepare(backend, n, steps);
    expect(maxError(await backend.readState(), reference.amplitudes)).toBeLessThan(TOLERANCE);
  });

  it('long mixed random circuits in one apply()', async () => {
    const random = rng(7);
    const n = 9;
    const steps = Array.from({ length: 120 }, () => randomStep(random, n, KINDS[Math.floor(random() * 4)]!));
    const reference = await prepare(backend, n, steps);
    expect(maxError(await backend.readState(), reference.amplitudes)).toBeLessThan(TOLERANCE);
  });

  it('measure computes P(1), collapses and renormalises, on low and high qubits', async () => {
    const random = rng(11);
    const n = 8;
    const steps = [...scramble(random, n), ...Array.from({ length: 10 }, () => randomStep(random, n, 'dense'))];
    const reference = await prepare(backend, n, steps);
    for (const [qubit, wantOne] of [
      [0, true],
      [7, false],
      [3, false],
      [6, true],
    ] as const) {
      const p1 = reference.probabilityOne(qubit);
      const outcome = await backend.measure(qubit, wantOne ? p1 - 1e-3 : Math.min(p1 + 1e-3, 0.999999));
      expect(outcome).toBe(wantOne ? 1 : 0);
      reference.collapse(qubit, outcome);
      expect(maxError(await backend.readState(), reference.amplitudes), `qubit ${qubit}`).toBeLessThan(TOLERANCE);
    }
  });

  it('sample is reproducible for a seed, follows the documented PRNG and passes chi-squared', async () => {
    const random = rng(5);
    const n = 8;
    const reference = await prepare(backend, n, [...scramble(random, n), randomStep(random, n, 'dense')]);
    const shots = 40_000;
    const first = await backend.sample(shots, 1234);
    expect(await backend.sample(shots, 1234)).toEqual(first);
    expect(await backend.sample(shots, 1235)).not.toEqual(first);

    // The same draws on the CPU in float64: only shots within float32 rounding of a boundary may differ.
    const key = seedKey(1234);
    const cumulative: number[] = [];
    let total = 0;
    for (let i = 0; i < 2 ** n; i++) cumulative.push((total += reference.probability(i)));
    let agree = 0;
    for (let j = 0; j < shots; j++) {
      const r = shotUniform(key, j) * total;
      if (first[j] === cumulative.findIndex((c) => c > r)) agree++;
    }
    expect(agree / shots).toBeGreaterThan(0.999);

    // Pearson's chi-squared, bins with expected count < 5 merged.
    const counts = new Float64Array(2 ** n);
    for (const index of first) counts[index]!++;
    let chi2 = 0;
    let bins = 0;
    let restObserved = 0;
    let restExpected = 0;
    for (let i = 0; i < 2 ** n; i++) {
      const expected = reference.probability(i) * shots;
      if (expected < 5) {
        restObserved += counts[i]!;
        restExpected += expected;
        continue;
      }
      chi2 += (counts[i]! - expected) ** 2 / expected;
      bins++;
    }
    if (restExpected > 0) {
      chi2 += (restObserved - restExpected) ** 2 / restExpected;
      bins++;
    }
    const dof = bins - 1;
    expect(chi2).toBeLessThan(dof + 4 * Math.sqrt(2 * dof));
  });

  it('sample never draws a zero-probability state (GHZ: zero-probability chunks in between)', async () => {
    const n = 10;
    const h = {
      dim: 2,
      data: Float64Array.from([Math.SQRT1_2, 0, Math.SQRT1_2, 0, Math.SQRT1_2, 0, -Math.SQRT1_2, 0]),
    };
    const x = { dim: 2, data: Float64Array.from([0, 0, 1, 0, 1, 0, 0, 0]) };
    const steps: Step[] = [{ kind: 'dense', qubits: [0], matrix: h }];
    for (let q = 1; q < n; q++) steps.push({ kind: 'controlled', controls: [0], targets: [q], matrix: x });
    await prepare(backend, n, steps);
    const shots = await backend.sample(10_000, 99);
    const ones = shots.filter((s) => s === 2 ** n - 1).length;
    expect(shots.every((s) => s === 0 || s === 2 ** n - 1)).toBe(true);
    expect(Math.abs(ones - 5000)).toBeLessThan(4 * Math.sqrt(2500));
    expect(await backend.sample(0, 1)).toEqual(new Uint32Array(0));
  });

  it('a large product state: multi-level scans and reductions, analytic values', async () => {
    // 19 qubits in one buffer: 2^19 values scan and reduce in five levels of runs of 16.
    // Chunked: 14 qubits in 256 chunks.
    const n = chunkQubits ? 14 : 19;
    const angles = Array.from({ length: n }, (_, q) => 0.3 + (2.5 * q) / n);
    const ry = (theta: number) => {
      const [c, s] = [Math.cos(theta / 2), Math.sin(theta / 2)];
      return { dim: 2, data: Float64Array.from([c, 0, -s, 0, s, 0, c, 0]) };
    };
    await backend.reset(n);
    await backend.apply(angles.map((theta, q) => ({ kind: 'dense', qubits: [q], matrix: ry(theta) })));
    for (const q of [0, n - 1]) {
      expect(Math.abs((await backend.expectation({ paulis: 'Z', qubits: [q] })) - Math.cos(angles[q]!))).toBeLessThan(
        TOLERANCE,
      );
      expect(Math.abs((await backend.expectation({ paulis: 'X', qubits: [q] })) - Math.sin(angles[q]!))).toBeLessThan(
        TOLERANCE,
      );
    }
    const zz = await backend.expectation({ paulis: 'ZZ', qubits: [1, n - 2] });
    expect(Math.abs(zz - Math.cos(angles[1]!) * Math.cos(angles[n - 2]!))).toBeLessThan(TOLERANCE);

    const shots = 20_000;
    const samples = await backend.sample(shots, 77);
    const key = seedKey(77);
    const ones = angles.map((theta) => Math.sin(theta / 2) ** 2);
    const cumulative = new Float64Array(2 ** n);
    let total = 0;
    for (let i = 0; i < 2 ** n; i++) {
      let p = 1;
      for (let q = 0; q < n; q++) p *= (i >> q) & 1 ? ones[q]! : 1 - ones[q]!;
      cumulative[i] = total += p;
    }
    let agree = 0;
    for (let j = 0; j < shots; j++) {
      const r = shotUniform(key, j) * total;
      let lo = 0;
      let hi = cumulative.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! > r) hi = mid;
        else lo = mid + 1;
      }
      if (samples[j] === lo) agree++;
    }
    expect(agree / shots).toBeGreaterThan(0.99);

    const q = n - 1;
    const outcome = await backend.measure(q, ones[q]! - 1e-3);
    expect(outcome).toBe(1);
    expect(Math.abs((await backend.expectation({ paulis: 'Z', qubits: [q] })) + 1)).toBeLessThan(TOLERANCE);
    expect(Math.abs((await backend.expectation({ paulis: 'Z', qubits: [0] })) - Math.cos(angles[0]!))).toBeLessThan(
      TOLERANCE,
    );
  });

  it('topProbabilities returns the most probable states in order', async () => {
    const random = rng(17);
    const n = 9;
    const reference = await prepare(backend, n, [...scramble(random, n), randomStep(random, n, 'dense')]);
    const top = await backend.topProbabilities(6);
    const expected = Array.from({ length: 2 ** n }, (_, index) => ({
      index,
      probability: reference.probability(index),
    }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, 6);
    expect(top.map((t) => t.index)).toEqual(expected.map((t) => t.index));
    top.forEach((t, i) => expect(Math.abs(t.probability - expected[i]!.probability)).toBeLessThan(TOLERANCE));
    expect(await backend.topProbabilities(0)).toEqual([]);
  });

  it('expectation of random Pauli strings matches the reference', async () => {
    const random = rng(23);
    const n = 10;
    const reference = await prepare(backend, n, [
      ...scramble(random, n),
      ...Array.from({ length: 8 }, () => randomStep(random, n, 'dense')),
    ]);
    const strings = [
      { paulis: 'Z', qubits: [9] },
      { paulis: 'XY', qubits: [0, 8] },
      { paulis: 'YY', qubits: [6, 7] },
      { paulis: 'IZ', qubits: [2, 3] },
    ];
    for (let i = 0; i < 12; i++) {
      const qubits = pick(random, n, 1 + Math.floor(random() * 5));
      strings.push({ paulis: qubits.map(() => 'XYZ'[Math.floor(random() * 3)]).join(''), qubits });
    }
    for (const pauli of strings) {
      const value = await backend.expectation(pauli);
      expect(Math.abs(value - reference.expectation(pauli)), `${pauli.paulis} on ${pauli.qubits}`).toBeLessThan(
        TOLERANCE,
      );
    }
  });

  it('snapshot and restore bring back the exact state', async () => {
    const random = rng(29);
    const n = 8;
    await prepare(backend, n, scramble(random, n));
    await backend.snapshot();
    const saved = await backend.readState();
    await backend.apply([randomStep(random, n, 'dense'), randomStep(random, n, 'controlled')]);
    await backend.measure(7, 0.5);
    expect(await backend.readState()).not.toEqual(saved);
    await backend.restore();
    expect(await backend.readState()).toEqual(saved);
  });

  it('rejects bad steps with messages that say what is wrong', async () => {
    await backend.reset(3);
    await expect(backend.apply([{ kind: 'swap', a: 0, b: 3 }])).rejects.toThrow(
      /qubit 3 is out of range for a 3-qubit state/,
    );
    await expect(backend.apply([{ kind: 'dense', qubits: [0, 1], matrix: randomUnitary(rng(1), 1) }])).rejects.toThrow(
      /must be 4×4/,
    );
    await expect(backend.expectation({ paulis: 'XQ', qubits: [0, 1] })).rejects.toThrow(/unknown Pauli 'Q'/);
    await expect(backend.reset(40)).rejects.toThrow(/40 qubits is too many: WebGPU holds at most \d+ qubits/);
    await backend.reset(3);
    expect(Array.from(await backend.readState()).slice(0, 4)).toEqual([1, 0, 0, 0]);
  });
});

describe('WebGPU device loss', () => {
  it('fails pending and later calls with a clear error, and recover() brings a working device', async () => {
    const backend = await WebGpuBackend.create(nodeGpu(), { chunkQubits: 6 });
    try {
      await backend.reset(8);
      const pending = backend.apply([{ kind: 'swap', a: 0, b: 7 }]);
      backend.device.destroy();
      await expect(pending).rejects.toThrow(/^the GPU device was lost \(destroyed\): .*; the next run recreates it$/);
      expect(backend.lost).toBe(true);
      await expect(backend.readState()).rejects.toThrow(/GPU device was lost/);
      await expect(backend.reset(3)).rejects.toThrow(/GPU device was lost/);

      await backend.recover();
      expect(backend.lost).toBe(false);
      await expect(backend.readState()).rejects.toThrow(/call reset/);
      const random = rng(3);
      const reference = await prepare(backend, 8, scramble(random, 8));
      expect(maxError(await backend.readState(), reference.amplitudes)).toBeLessThan(TOLERANCE);
    } finally {
      backend.dispose();
    }
  });
});
