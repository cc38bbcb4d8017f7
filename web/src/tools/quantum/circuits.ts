/** `vial://quantum/circuits` and `vial://quantum/circuits/{hash}`: the circuits this tab has run. */
import {
  jsonResource,
  type PublishChange,
  type ResourceDefinition,
  type ResourceTemplateDefinition,
} from '../../server/toolRegistry.ts';
import { drawCircuit, parseQasm } from '../../quantum/qasm/index.ts';
import type { CircuitHistory } from '../../quantum/circuitHistory.ts';

const LIST_URI = 'vial://quantum/circuits';

/**
 * Each circuit stored (new, or run once more; by a client or in the Quantum view) changes the
 * history, its listing and that circuit's resource, for the tokens that may read them (`quantum`).
 */
export function watchCircuits(history: CircuitHistory, changed: PublishChange): () => void {
  const audience = { scopes: ['quantum' as const] };
  return history.onRecorded(({ hash }) => {
    changed({ kind: 'resources_list_changed' }, audience);
    changed({ kind: 'resource_updated', uri: LIST_URI }, audience);
    changed({ kind: 'resource_updated', uri: `${LIST_URI}/${hash}` }, audience);
  });
}

export function createCircuitResources(history: CircuitHistory): {
  list: ResourceDefinition;
  byHash: ResourceTemplateDefinition;
} {
  const list: ResourceDefinition = {
    name: 'quantum_circuits',
    uri: LIST_URI,
    title: 'Quantum circuit history',
    description: 'The circuits simulated in this tab, most recent first: hash, size, runs and the last result.',
    mimeType: 'application/json',
    scopes: ['quantum'],
    read: async (uri) => {
      const records = await history.list(100);
      const summary = records.map(({ qasm: _qasm, ...record }) => ({ ...record, uri: `${LIST_URI}/${record.hash}` }));
      return jsonResource(uri, summary);
    },
  };
  const byHash: ResourceTemplateDefinition = {
    name: 'quantum_circuit',
    template: `${LIST_URI}/{hash}`,
    title: 'A simulated quantum circuit',
    description: 'One circuit from the history by its SHA-256 hash: its QASM, a text diagram and its last result.',
    mimeType: 'application/json',
    scopes: ['quantum'],
    list: async () =>
      (await history.list(100)).map((record) => ({
        uri: `${LIST_URI}/${record.hash}`,
        name: `circuit ${record.hash.slice(0, 12)}`,
        description: `${record.qubits} qubits, ${record.gates} gates, run ${record.runs}×`,
      })),
    read: async (uri, { hash }) => {
      const wanted = String(hash).toLowerCase();
      const record = await history.get(wanted);
      if (!record) {
        throw new Error(
          `No circuit with hash ${wanted} in this tab's history; list ${LIST_URI} to see the hashes it has`,
        );
      }
      const diagram = drawCircuit(parseQasm(record.qasm));
      return jsonResource(uri, { ...record, diagram });
    },
  };
  return { list, byHash };
}
