import { describe, expect, it } from 'vitest';
import type { Circuit, Op } from './circuit.ts';
import { CpuBackend } from './cpu/cpuBackend.ts';
import { STANDARD_GATES, type StandardGateName } from './gates.ts';
import { gateStep, planCircuit, planGates, type PlanOptions } from './plan.ts';
import type { Step } from './program.ts';
import { randomCircuit } from './testing/randomCircuit.ts';
import { distanceUpToGlobalPhase } from './testing/reference.ts';

const ALL_GATES = Object.keys(STANDARD_GATES) as StandardGateName[];
const gate = (name: StandardGateName, qubits: number[], params: number[] = []): Op => ({
  kind: 'gate',
  name,
  qubits,
  params,
});

async function run(qubits: number, steps: readonly Step[]): Promise<Float32Array> {
  const backend = new CpuBackend();
  await backend.reset(qubits);
  await backend.apply(steps);
  return backend.readState();
}

const stepQubits = (step: Step) =>
  step.kind === 'swap'
    ? [step.a, step.b]
    : step.kind === 'controlled'
      ? [...step.controls, ...step.targets]
      : step.qubits;

describe('natural steps', () => {
  it('keeps each gate in its cheapest form', () => {
    expect(gateStep(gate('cx', [3, 1]) as never)).toMatchObject({ kind: 'controlled', controls: [3], targets: [1] });
    expect(gateStep(gate('ccx', [0, 2, 1]) as never)).toMatchObject({
      kind: 'controlled',
      controls: [0, 2],
      targets: [1],
    });
    expect(gateStep(gate('cswap', [0, 2, 1]) as never)).toMatchObject({
      kind: 'controlled',
      controls: [0],
      targets: [2, 1],
    });
    expect(gateStep(gate('cz', [0, 1]) as never)).toMatchObject({ kind: 'controlled' });
    expect(gateStep(gate('rz', [2], [0.3]) as never)).toMatchObject({ kind: 'diagonal', qubits: [2] });
    expect(gateStep(gate('rzz', [2, 0], [0.3]) as never)).toMatchObject({ kind: 'diagonal', qubits: [2, 0] });
    expect(gateStep(gate('swap', [2, 0]) as never)).toEqual({ kind: 'swap', a: 2, b: 0 });
    expect(gateStep(gate('h', [1]) as never)).toMatchObject({ kind: 'dense', qubits: [1] });
    expect(gateStep(gate('rxx', [1, 3], [0.2]) as never)).toMatchObject({ kind: 'dense', qubits: [1, 3] });
  });

  it('plans one step per gate without fusion, dropping barriers', () => {
    const ops: Op[] = [gate('h', [0]), { kind: 'barrier', qubits: [0, 1] }, gate('cx', [0, 1]), gate('t', [1])];
    const planned = planGates(ops);
    expect(planned.steps.map((s) => s.kind)).toEqual(['dense', 'controlled', 'diagonal']);
    expect(planned.gatesPerStep).toEqual([1, 1, 1]);
  });
});

describe('fusion', () => {
  it('gives the same state as one step per gate on random circuits (1e-6)', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const qubits = 3 + (seed % 6);
      const circuit = randomCircuit({ qubits, gates: 80, seed, names: ALL_GATES });
      const reference = await run(qubits, planGates(circuit.ops).steps);
      for (const maxFusedQubits of [2, 3, 4]) {
        const planned = planGates(circuit.ops, { fusion: { maxFusedQubits } });
        expect(planned.steps.length).toBeLessThan(circuit.ops.length);
        expect(planned.gatesPerStep.reduce((a, b) => a + b)).toBe(circuit.ops.length);
        for (const [i, step] of planned.steps.entries()) {
          // Only gates wider than the block size (c3x, c4x, ...) run unfused on more qubits.
          if (planned.gatesPerStep[i]! > 1) expect(stepQubits(step).length).toBeLessThanOrEqual(maxFusedQubits);
        }
        const fused = await run(qubits, planned.steps);
        expect(distanceUpToGlobalPhase(fused, reference), `seed ${seed}, k=${maxFusedQubits}`).toBeLessThan(1e-6);
        // Fusion multiplies matrices exactly: no global phase is lost either.
        let worst = 0;
        for (let i = 0; i < fused.length; i++) worst = Math.max(worst, Math.abs(fused[i]! - reference[i]!));
        expect(worst).toBeLessThan(1e-6);
      }
    }
  });

  it('merges a layer of single-qubit gates with the two-qubit gate after them', () => {
    const ops = [gate('h', [0]), gate('rx', [1], [0.4]), gate('cx', [0, 1]), gate('h', [0])];
    const planned = planGates(ops, { fusion: { maxFusedQubits: 2 } });
    expect(planned.steps).toHaveLength(1);
    expect(planned.steps[0]).toMatchObject({ kind: 'dense', qubits: [0, 1] });
    expect(planned.gatesPerStep).toEqual([4]);
  });

  it('makes blocks of diagonal gates diagonal steps', () => {
    const ops = [gate('rz', [0], [0.4]), gate('cz', [0, 1]), gate('t', [1]), gate('cp', [1, 0], [0.7])];
    const planned = planGates(ops, { fusion: { maxFusedQubits: 2 } });
    expect(planned.steps).toHaveLength(1);
    expect(planned.steps[0]).toMatchObject({ kind: 'diagonal', qubits: [0, 1] });
  });

  it('does not fuse across a barrier on the same qubits', () => {
    const fusion: PlanOptions['fusion'] = { maxFusedQubits: 4 };
    expect(planGates([gate('h', [0]), gate('h', [0])], { fusion }).steps).toHaveLength(1);
    const across = planGates([gate('h', [0]), { kind: 'barrier', qubits: [0] }, gate('h', [0])], { fusion });
    expect(across.steps).toHaveLength(2);
    const elsewhere = planGates([gate('h', [0]), { kind: 'barrier', qubits: [1] }, gate('h', [0])], { fusion });
    expect(elsewhere.steps).toHaveLength(1);
  });

  it('keeps gates wider than the block size as their own steps', () => {
    const ops = [gate('h', [0]), gate('c3x', [0, 1, 2, 3]), gate('h', [0])];
    const planned = planGates(ops, { fusion: { maxFusedQubits: 2 } });
    expect(planned.steps.map((s) => s.kind)).toEqual(['dense', 'controlled', 'dense']);
  });

  it('rejects block sizes outside 2..4', () => {
    expect(() => planGates([], { fusion: { maxFusedQubits: 5 } })).toThrow(/from 2 to 4/);
    expect(() => planGates([], { fusion: { maxFusedQubits: 1 } })).toThrow(/from 2 to 4/);
  });
});

describe('planCircuit', () => {
  const teleport: Circuit = {
    qubits: 3,
    clbits: 3,
    qregs: [{ name: 'q', size: 3, offset: 0 }],
    cregs: [
      { name: 'c0', size: 1, offset: 0 },
      { name: 'c1', size: 1, offset: 1 },
      { name: 'c2', size: 1, offset: 2 },
    ],
    ops: [
      gate('ry', [0], [1]),
      gate('h', [1]),
      gate('cx', [1, 2]),
      gate('cx', [0, 1]),
      gate('h', [0]),
      { kind: 'measure', qubit: 0, clbit: 0 },
      { kind: 'measure', qubit: 1, clbit: 1 },
      { ...gate('x', [2]), condition: { creg: 'c1', value: 1 } } as Op,
      { ...gate('z', [2]), condition: { creg: 'c0', value: 1 } } as Op,
      { kind: 'measure', qubit: 2, clbit: 2 },
    ],
  };

  it('splits at mid-circuit measurements and conditions', () => {
    const plan = planCircuit(teleport);
    expect(plan.terminal).toBe(false);
    expect(plan.gateCount).toBe(7);
    expect(plan.prefix.steps).toHaveLength(5);
    expect(plan.segments.map((s) => s.kind)).toEqual(['measure', 'measure', 'conditional', 'conditional', 'measure']);
  });

  it('plans terminal-measurement circuits in one piece', () => {
    const ops = teleport.ops.filter((op) => op.kind !== 'gate' || !('condition' in op && op.condition));
    const plan = planCircuit({ ...teleport, ops }, { fusion: { maxFusedQubits: 3 } });
    expect(plan.terminal).toBe(true);
    expect(plan.measurements).toHaveLength(3);
    expect(plan.segments).toEqual([]);
    expect(plan.prefix.steps).toHaveLength(1);
  });

  it('groups consecutive gates under the same condition', () => {
    const ops: Op[] = [
      gate('h', [0]),
      { kind: 'measure', qubit: 0, clbit: 0 },
      { ...gate('x', [1]), condition: { creg: 'c', value: 1 } } as Op,
      { ...gate('h', [1]), condition: { creg: 'c', value: 1 } } as Op,
      { ...gate('x', [1]), condition: { creg: 'c', value: 0 } } as Op,
      { kind: 'reset', qubit: 0 },
      gate('h', [0]),
    ];
    const plan = planCircuit({ ...teleport, qubits: 2, clbits: 1, cregs: [{ name: 'c', size: 1, offset: 0 }], ops });
    expect(plan.segments.map((s) => s.kind)).toEqual(['measure', 'conditional', 'conditional', 'reset', 'unitary']);
    expect(plan.segments[1]).toMatchObject({ condition: { creg: 'c', value: 1 }, planned: { gatesPerStep: [1, 1] } });
  });
});
