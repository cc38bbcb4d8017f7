import { afterAll, describe, expect, it } from 'vitest';
import { STANDARD_GATES, type ComplexMatrix, type StandardGateName } from '../gates.ts';
import { planGates } from '../plan.ts';
import type { Step } from '../program.ts';
import { Xoshiro128 } from '../random.ts';
import { distinctQubits, randomCircuit, randomMatrix } from '../testing/randomCircuit.ts';
import { QuantumService } from '../simulatorService.ts';
import { CpuBackend } from './cpuBackend.ts';
import { browserKernelThreads } from './browserThreads.ts';
import { applyStep, stepUnits } from './kernels.ts';
import { nodeKernelThreads } from './testing/nodeThreads.ts';
import { KernelPool, sliceOf, type KernelWorker } from './threads.ts';

const rng = new Xoshiro128(2024);
const ALL_GATES = Object.keys(STANDARD_GATES) as StandardGateName[];

function randomState(qubits: number, shared = false): Float32Array {
  const floats = 2 << qubits;
  const state = shared ? new Float32Array(new SharedArrayBuffer(4 * floats)) : new Float32Array(floats);
  for (let i = 0; i < floats; i++) state[i] = rng.next() - 0.5;
  return state;
}

/** Every step kind and special case the kernels have, on random qubits of a `qubits`-qubit state. */
function everyKindOfStep(qubits: number): Array<{ name: string; step: Step }> {
  const steps: Array<{ name: string; step: Step }> = [];
  for (const k of [1, 2, 3, 4, 5]) {
    steps.push({
      name: `dense ${k} on 0..${k - 1}`,
      step: { kind: 'dense', qubits: [...Array(k).keys()], matrix: randomMatrix(rng, 1 << k) },
    });
    const top = Array.from({ length: k }, (_, i) => qubits - 1 - i);
    steps.push({
      name: `dense ${k} on the top qubits`,
      step: { kind: 'dense', qubits: top, matrix: randomMatrix(rng, 1 << k) },
    });
    steps.push({
      name: `dense ${k} random`,
      step: { kind: 'dense', qubits: distinctQubits(rng, k, qubits), matrix: randomMatrix(rng, 1 << k) },
    });
  }
  for (const k of [1, 2, 3]) {
    const diagonal = Float64Array.from({ length: 2 << k }, () => rng.next() - 0.5);
    diagonal[0] = 1; // an identity entry: those amplitudes are skipped
    diagonal[1] = 0;
    steps.push({ name: `diagonal ${k}`, step: { kind: 'diagonal', qubits: distinctQubits(rng, k, qubits), diagonal } });
    steps.push({
      name: `diagonal ${k} from qubit 0`,
      step: { kind: 'diagonal', qubits: [...Array(k).keys()], diagonal },
    });
  }
  const x = STANDARD_GATES.x.target([]);
  const phase: ComplexMatrix = { dim: 2, data: Float64Array.from([0.6, 0.8, 0, 0, 0, 0, -0.8, 0.6]) };
  for (const [controls, targets, matrix] of [
    [1, 1, x],
    [2, 1, x],
    [1, 1, phase],
    [2, 1, randomMatrix(rng, 2)],
    [1, 2, randomMatrix(rng, 4)],
    [2, 2, randomMatrix(rng, 4)],
    [3, 1, randomMatrix(rng, 2)],
  ] as const) {
    const chosen = distinctQubits(rng, controls + targets, qubits);
    steps.push({
      name: `controlled ${controls}+${targets}`,
      step: { kind: 'controlled', controls: chosen.slice(0, controls), targets: chosen.slice(controls), matrix },
    });
  }
  steps.push({ name: 'swap 0, top', step: { kind: 'swap', a: 0, b: qubits - 1 } });
  const [a, b] = distinctQubits(rng, 2, qubits);
  steps.push({ name: 'swap random', step: { kind: 'swap', a: a!, b: b! } });
  return steps;
}

const bits = (state: Float32Array) => Array.from(new Uint32Array(state.buffer, state.byteOffset, state.length));

describe('CPU kernels over slices of their work units', () => {
  it('slices are contiguous, cover every unit once and differ in size by at most one', () => {
    for (const [units, parts] of [
      [16, 3],
      [5, 7],
      [1 << 20, 3],
      [2, 2],
    ] as const) {
      let next = 0;
      for (let part = 0; part < parts; part++) {
        const [from, to] = sliceOf(units, part, parts);
        expect(from).toBe(next);
        expect(to - from).toBeGreaterThanOrEqual(Math.floor(units / parts));
        expect(to - from).toBeLessThanOrEqual(Math.ceil(units / parts));
        next = to;
      }
      expect(next).toBe(units);
    }
  });

  // Slices applied one after another, in a scrambled order, must give exactly the whole-range
  // result: the same arithmetic on the same amplitudes, only split up.
  for (const qubits of [6, 9]) {
    it(`every step kind, ${qubits} qubits, split 2, 3, 5 and 7 ways: bit-identical`, () => {
      for (const { name, step } of everyKindOfStep(qubits)) {
        const start = randomState(qubits);
        const expected = start.slice();
        applyStep(expected, qubits, step);
        for (const parts of [2, 3, 5, 7]) {
          const actual = start.slice();
          const order = [...Array(parts).keys()].sort(() => rng.next() - 0.5);
          for (const part of order) {
            const [from, to] = sliceOf(stepUnits(qubits, step), part, parts);
            applyStep(actual, qubits, step, from, to);
          }
          expect(bits(actual), `${name}, ${parts} parts`).toEqual(bits(expected));
        }
      }
    });
  }
});

describe('CPU engine threads on node:worker_threads', () => {
  const pools: KernelPool[] = [];
  afterAll(() => pools.forEach((pool) => pool.dispose()));

  for (const sync of ['atomics', 'message'] as const) {
    it(`a pool of 3 threads (${sync}) applies every step kind like one thread, bit for bit`, async () => {
      const pool = new KernelPool(nodeKernelThreads(3, { sync }));
      pools.push(pool);
      for (const qubits of [7, 10]) {
        const steps = everyKindOfStep(qubits).map((entry) => entry.step);
        const shared = randomState(qubits, true);
        const expected = shared.slice();
        for (const step of steps) applyStep(expected, qubits, step);
        await pool.apply(shared, qubits, steps.slice(0, 5));
        await pool.apply(shared, qubits, steps.slice(5));
        expect(bits(shared), `${qubits} qubits`).toEqual(bits(expected));
      }
    });
  }

  it('CpuBackend with threads: same states as without, on fused and unfused random circuits', async () => {
    const threaded = new CpuBackend({ threads: nodeKernelThreads(3, { minQubits: 8 }) });
    const single = new CpuBackend();
    try {
      expect(threaded.limits()).toMatchObject({ threads: 3, threadsNote: expect.stringMatching(/3 threads.*2\^8/) });
      expect(threaded.threadsFor(7)).toBe(1);
      expect(threaded.threadsFor(12)).toBe(3);
      for (const qubits of [7, 12]) {
        const circuit = randomCircuit({ qubits, gates: 120, seed: qubits, names: ALL_GATES });
        for (const fusion of [false, { maxFusedQubits: 2 }, { maxFusedQubits: 4 }] as const) {
          const { steps } = planGates(circuit.ops, { fusion });
          for (const backend of [threaded, single]) {
            await backend.reset(qubits);
            await backend.apply(steps);
          }
          const actual = await threaded.readState();
          expect(actual.buffer).toBeInstanceOf(ArrayBuffer); // a plain copy, safe to hand to comlink
          expect(bits(actual), `${qubits} qubits, fusion ${JSON.stringify(fusion)}`).toEqual(
            bits(await single.readState()),
          );
        }
      }
      // Readout runs on the shared state directly.
      expect(await threaded.topProbabilities(5)).toEqual(await single.topProbabilities(5));
      expect(threaded.limits().threads).toBe(3); // the workers really ran: no fallback
    } finally {
      threaded.dispose();
    }
    expect(threaded.limits()).toMatchObject({ threads: 1, threadsNote: expect.stringMatching(/disposed/) });
  });

  it('falls back to one thread, and says why, when the kernel workers cannot start', async () => {
    const broken: KernelWorker = {
      postMessage: () => undefined,
      listen: (_onMessage, onError) => setTimeout(() => onError(new Error('module not found')), 1),
      terminate: () => undefined,
    };
    const backend = new CpuBackend({ threads: { count: 2, minQubits: 4, spawn: () => broken } });
    await backend.reset(5);
    await backend.apply(planGates([{ kind: 'gate', name: 'h', qubits: [4], params: [] }]).steps);
    const state = await backend.readState();
    expect(state[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(state[32]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(backend.limits()).toMatchObject({
      threads: 1,
      threadsNote: expect.stringMatching(/could not start.*module not found/),
    });
    expect(backend.threadsFor(20)).toBe(1);
  });

  it('stays on one thread without SharedArrayBuffer or with a single core', () => {
    expect(new CpuBackend().limits()).toMatchObject({ threads: 1 });
    expect(new CpuBackend({ threads: nodeKernelThreads(1) }).limits()).toMatchObject({ threads: 1 });
  });
});

describe('who gets threads', () => {
  it('the browser: cross-origin isolated, SharedArrayBuffer and more than one core', () => {
    const scope = (isolated: boolean, cores: number) =>
      ({ crossOriginIsolated: isolated, SharedArrayBuffer, navigator: { hardwareConcurrency: cores } }) as never;
    expect(browserKernelThreads(scope(true, 2))?.count).toBe(2);
    expect(browserKernelThreads(scope(true, 64))?.count).toBe(8);
    expect(browserKernelThreads(scope(false, 4))).toBeUndefined();
    expect(browserKernelThreads(scope(true, 1))).toBeUndefined();
  });

  it('QuantumService: cpuThreads reach the CPU engine, and the reply and engine report say how many ran', async () => {
    const service = new QuantumService({ cpuThreads: nodeKernelThreads(2, { minQubits: 10 }) });
    const ghz = (n: number) =>
      `OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[${n}];\nh q[0];\n` +
      Array.from({ length: n - 1 }, (_, i) => `cx q[${i}],q[${i + 1}];`).join('\n');
    const big = await service.simulate('a', { qasm: ghz(12), backend: 'cpu', shots: 0, topK: 2 });
    expect(big.threads).toBe(2);
    expect(big.topK.map((entry) => entry.index).sort((a, b) => a - b)).toEqual([0, 4095]);
    expect((await service.simulate('b', { qasm: ghz(4), backend: 'cpu', shots: 0 })).threads).toBe(1);
    expect((await service.engines()).cpu).toMatchObject({
      threads: 2,
      threadsNote: expect.stringMatching(/2 threads/),
    });
    const plain = new QuantumService();
    expect((await plain.simulate('c', { qasm: ghz(12), backend: 'cpu', shots: 0 })).threads).toBe(1);
  });
});
