import { describe, expect, it } from 'vitest';
import { MemoryCircuitHistory, topCounts, type CircuitRun } from './circuitHistory.ts';

const run = (hash: string, shots = 10): CircuitRun => ({
  hash: hash.repeat(64).slice(0, 64),
  qasm: 'OPENQASM 2.0;',
  qubits: 1,
  clbits: 1,
  gates: 1,
  lastRun: { backend: 'cpu', shots, simulateMs: 1, topCounts: {} },
});

describe('MemoryCircuitHistory', () => {
  it('lists newest first, counts runs and keeps the first run time', async () => {
    const history = new MemoryCircuitHistory(2);
    const first = await history.record(run('a'));
    await history.record(run('b'));
    const again = await history.record(run('a', 20));
    expect(again.runs).toBe(2);
    expect(again.firstRunAt).toBe(first.firstRunAt);
    expect(again.lastRun.shots).toBe(20);
    expect((await history.list()).map((r) => r.hash[0])).toEqual(['a', 'b']);
    await history.record(run('c'));
    expect((await history.list()).map((r) => r.hash[0])).toEqual(['c', 'a']);
    expect(await history.get(run('b').hash)).toBeUndefined();
  });

  it('keeps only the most frequent outcomes', () => {
    expect(topCounts({ '00': 5, '11': 9, '01': 1 }, 2)).toEqual({ '11': 9, '00': 5 });
    expect(topCounts(undefined)).toEqual({});
  });
});
