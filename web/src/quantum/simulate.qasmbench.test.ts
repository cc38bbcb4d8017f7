/**
 * Every QASMBench circuit of at most 16 qubits (../shared/qasmbench, beside the repository), parsed
 * by our front end (lenient mode, for the suite's known quirks) and run by the CPU engine, against
 * `quantum-circuit` (npm) on the same gates: the final state before measurement — measurements,
 * resets and conditional gates dropped on both sides — agrees up to a global phase within 1e-5.
 * Circuits with resets or `if` also run through `simulate()` per shot.
 *
 * Two circuits would hold the reference for minutes (hhl_n10: 186 795 gates; dnn_n16: 2 016 gates
 * at 16 qubits, ~85 ms a gate in `quantum-circuit`); they run with VIAL_QASMBENCH_FULL=1.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Circuit } from './circuit.ts';
import { CpuBackend } from './cpu/cpuBackend.ts';
import { planGates } from './plan.ts';
import { parseQasm } from './qasm/index.ts';
import { simulate } from './simulate.ts';
import { QASMBENCH_DIR, qasmbenchFiles } from './testing/qasmbench.ts';
import { distanceUpToGlobalPhase, referenceState } from './testing/reference.ts';

const MAX_QUBITS = 16;
/** Reference work (gates × amplitudes) above which a circuit runs only with VIAL_QASMBENCH_FULL=1. */
const REFERENCE_BUDGET = 5e7;
const full = process.env.VIAL_QASMBENCH_FULL === '1';

const files = qasmbenchFiles();

async function engineState(circuit: Circuit, fusion: false | { maxFusedQubits: number }): Promise<Float32Array> {
  const backend = new CpuBackend();
  await backend.reset(circuit.qubits);
  await backend.apply(planGates(circuit.ops, { fusion }).steps);
  return backend.readState();
}

describe.skipIf(files.length === 0)('QASMBench circuits (≤ 16 qubits) against quantum-circuit', () => {
  it('finds the suite', () => {
    expect(files.length).toBeGreaterThan(40);
  });

  for (const file of files) {
    const circuit = parseQasm(readFileSync(path.join(QASMBENCH_DIR, file), 'utf8'), { lenient: true });
    if (circuit.qubits > MAX_QUBITS) continue;
    const unitary: Circuit = {
      ...circuit,
      ops: circuit.ops.filter((op) => op.kind === 'gate' && !op.condition),
    };
    const work = unitary.ops.length * 2 ** circuit.qubits;
    const heavy = work > REFERENCE_BUDGET;
    it.skipIf(heavy && !full)(
      `${file}: ${circuit.qubits} qubits, ${unitary.ops.length} gates${heavy ? ' (VIAL_QASMBENCH_FULL=1)' : ''}`,
      { timeout: heavy ? 600_000 : 20_000 },
      async () => {
        const expected = referenceState(unitary);
        for (const fusion of [false, { maxFusedQubits: 2 }, { maxFusedQubits: 4 }] as const) {
          const distance = distanceUpToGlobalPhase(await engineState(unitary, fusion), expected);
          expect(distance, JSON.stringify(fusion)).toBeLessThan(1e-5);
        }
        if (circuit.ops.some((op) => op.kind === 'reset' || ('condition' in op && op.condition))) {
          const result = await simulate(circuit, new CpuBackend(), { shots: 64, seed: 1 });
          expect(result.trajectories).toBe(64);
          expect(Object.values(result.counts ?? {}).reduce((a, b) => a + b, 0)).toBe(64);
        }
      },
    );
  }
});
