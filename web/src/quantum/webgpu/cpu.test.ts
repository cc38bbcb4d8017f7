/**
 * The WebGPU engine (Dawn + SwiftShader) against the CPU engine on planned random circuits: the
 * same steps, fused and unfused, with one state buffer and with chunks forced to 2^6 amplitudes.
 * Through `simulate()`, circuits that measure mid-circuit draw the same random numbers on both
 * engines, so their per-shot counts must match exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDARD_GATES, type StandardGateName } from '../gates.ts';
import { CpuBackend } from '../cpu/cpuBackend.ts';
import { planGates } from '../plan.ts';
import { parseQasm } from '../qasm/index.ts';
import { simulate } from '../simulate.ts';
import { layeredCircuit, randomCircuit } from '../testing/randomCircuit.ts';
import { WebGpuBackend } from './gpuBackend.ts';
import { nodeGpu } from './testing/nodeGpu.ts';

const TOLERANCE = 1e-5;
const ALL_GATES = Object.keys(STANDARD_GATES) as StandardGateName[];

function maxError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let error = 0;
  for (let i = 0; i < a.length; i++) error = Math.max(error, Math.abs(a[i]! - b[i]!));
  return error;
}

describe.each([
  { label: 'one buffer', chunkQubits: undefined },
  { label: 'chunks of 2^6 amplitudes', chunkQubits: 6 },
])('WebGPU agrees with the CPU engine, $label', ({ chunkQubits }) => {
  let gpu: WebGpuBackend;
  const cpu = new CpuBackend();
  beforeAll(async () => {
    gpu = await WebGpuBackend.create(nodeGpu(), { chunkQubits, maxChunks: 1024 });
  });
  afterAll(() => {
    gpu?.dispose();
    cpu.dispose();
  });

  for (const fusion of [false, { maxFusedQubits: 2 }, { maxFusedQubits: 4 }] as const) {
    it(`random circuits of every standard gate, fusion ${fusion ? fusion.maxFusedQubits : 'off'}`, async () => {
      for (const [qubits, seed] of [
        [5, 1],
        [9, 2],
        [11, 3],
      ] as const) {
        const circuit = randomCircuit({ qubits, gates: 80, seed, names: ALL_GATES });
        const { steps } = planGates(circuit.ops, { fusion });
        for (const backend of [cpu, gpu]) {
          await backend.reset(qubits);
          await backend.apply(steps);
        }
        expect(maxError(await gpu.readState(), await cpu.readState()), `${qubits} qubits`).toBeLessThan(TOLERANCE);
        for (const pauli of [
          { paulis: 'ZZ', qubits: [0, qubits - 1] },
          { paulis: 'XYZ', qubits: [qubits - 1, 1, qubits - 2] },
        ]) {
          expect(Math.abs((await gpu.expectation(pauli)) - (await cpu.expectation(pauli)))).toBeLessThan(TOLERANCE);
        }
        const [gpuTop, cpuTop] = [await gpu.topProbabilities(4), await cpu.topProbabilities(4)];
        expect(gpuTop.map((t) => t.index)).toEqual(cpuTop.map((t) => t.index));
      }
    });
  }

  it('a layered 12-qubit circuit through simulate(): state, top-k and expectations', async () => {
    const circuit = layeredCircuit({ qubits: 12, depth: 8, seed: 5 });
    const options = {
      shots: 0,
      seed: 1,
      returnState: true,
      topK: 8,
      fusion: { maxFusedQubits: 4 },
      expectations: [{ paulis: 'ZXY', qubits: [11, 0, 6] }],
    };
    const [a, b] = [await simulate(circuit, gpu, options), await simulate(circuit, cpu, options)];
    expect(a.backend).toBe('webgpu');
    expect(maxError(Float32Array.from(a.state!), Float32Array.from(b.state!))).toBeLessThan(TOLERANCE);
    expect(a.topK.map((t) => t.index)).toEqual(b.topK.map((t) => t.index));
    expect(Math.abs(a.expectations![0]!.value - b.expectations![0]!.value)).toBeLessThan(TOLERANCE);
  });

  it('mid-circuit measurement, reset and if: identical per-shot counts', async () => {
    // Teleport a rotated qubit from q[0] to q[9] (above the chunk when chunks are forced), then
    // measure it; the corrections run under if().
    const circuit = parseQasm(`OPENQASM 2.0;
include "qelib1.inc";
qreg q[10];
creg a[1];
creg b[1];
creg out[1];
ry(1.1) q[0];
h q[5];
cx q[5],q[9];
cx q[0],q[5];
h q[0];
measure q[0] -> a[0];
measure q[5] -> b[0];
if(b==1) x q[9];
if(a==1) z q[9];
reset q[0];
measure q[9] -> out[0];`);
    const options = { shots: 60, seed: 42, topK: 0 };
    const [a, b] = [await simulate(circuit, gpu, options), await simulate(circuit, cpu, options)];
    expect(a.trajectories).toBe(60);
    expect(a.counts).toEqual(b.counts);
    const ones = Object.entries(a.counts!)
      .filter(([key]) => key.startsWith('1'))
      .reduce((sum, [, count]) => sum + count, 0);
    // P(out = 1) = sin²(0.55) ≈ 0.27.
    expect(Math.abs(ones / 60 - Math.sin(0.55) ** 2)).toBeLessThan(0.2);
  });
});
