import { describe, expect, it } from 'vitest';
import { MAX_SHOTS } from '../../quantum/simulate.ts';
import { amplitudeRows, moreShots, readCircuit, rerunArguments } from './quantumRun.ts';

describe('the quantum app', () => {
  it('asks for four times the shots, at least 1024, and never past the tool limit', () => {
    expect(moreShots(1000)).toBe(4000);
    expect(moreShots(0)).toBe(1024);
    expect(moreShots(MAX_SHOTS - 1)).toBe(MAX_SHOTS);
    expect(moreShots(MAX_SHOTS)).toBeUndefined();
  });

  it("runs again with the call's own arguments, else the circuit's QASM from the history", () => {
    const input = { qasm: 'OPENQASM 2.0;', shots: 100, seed: 3, backend: 'cpu' };
    expect(rerunArguments(input, 'other', 100)).toEqual({ ...input, shots: 1024 });
    expect(rerunArguments({ circuit: { qubits: 1 } }, undefined, 2000)).toEqual({
      circuit: { qubits: 1 },
      shots: 8000,
    });
    expect(rerunArguments(undefined, 'OPENQASM 2.0;', 100)).toEqual({ qasm: 'OPENQASM 2.0;', shots: 1024 });
    expect(rerunArguments({ shots: 5 }, undefined, 100)).toBeUndefined();
    expect(rerunArguments(input, undefined, MAX_SHOTS)).toBeUndefined();
  });

  it('lists amplitudes by basis state, qubit 0 rightmost, with their probabilities, up to a limit', () => {
    const h = Math.SQRT1_2;
    const rows = amplitudeRows([h, 0, 0, 0, 0, 0, 0, -h], 2);
    expect(rows.map((row) => row.bitstring)).toEqual(['00', '01', '10', '11']);
    expect(rows[3]).toMatchObject({ index: 3, re: 0, im: -h });
    expect(rows[0]!.probability).toBeCloseTo(0.5, 12);
    expect(amplitudeRows(new Array(2 * 256).fill(0), 8, 64)).toHaveLength(64);
  });

  it("reads the circuit's QASM and diagram from its resource, and nothing from anything else", () => {
    expect(readCircuit(JSON.stringify({ qasm: 'q', diagram: 'd', runs: 2 }))).toEqual({ qasm: 'q', diagram: 'd' });
    expect(readCircuit('not json')).toBeUndefined();
    expect(readCircuit(JSON.stringify({ qasm: 1 }))).toBeUndefined();
    expect(readCircuit(undefined)).toBeUndefined();
  });
});
