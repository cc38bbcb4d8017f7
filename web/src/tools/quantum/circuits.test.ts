import { describe, expect, it } from 'vitest';
import type { HostEvent, HostEventAudience } from '@vial/shared';
import { MemoryCircuitHistory, type CircuitRun } from '../../quantum/circuitHistory.ts';
import { watchCircuits } from './circuits.ts';

const run: CircuitRun = {
  hash: 'a'.repeat(64),
  qasm: 'OPENQASM 2.0;',
  qubits: 1,
  clbits: 0,
  gates: 1,
  lastRun: { backend: 'cpu', shots: 1, simulateMs: 0, topCounts: { '0': 1 } },
};

describe('watchCircuits', () => {
  it('publishes each stored circuit, whoever ran it, to tokens with quantum, until stopped', async () => {
    const history = new MemoryCircuitHistory();
    const heard: Array<[HostEvent, HostEventAudience | undefined]> = [];
    const stop = watchCircuits(history, (event, audience) => void heard.push([event, audience]));
    await history.record(run);
    expect(heard).toEqual([
      [{ kind: 'resources_list_changed' }, { scopes: ['quantum'] }],
      [{ kind: 'resource_updated', uri: 'vial://quantum/circuits' }, { scopes: ['quantum'] }],
      [{ kind: 'resource_updated', uri: `vial://quantum/circuits/${run.hash}` }, { scopes: ['quantum'] }],
    ]);
    stop();
    await history.record(run);
    expect(heard).toHaveLength(3);
  });
});
