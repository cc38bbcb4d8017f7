import { describe, expect, it } from 'vitest';
import type { ModelRecord } from '../../ml/modelRecords.ts';
import { matchingModels, readRegistry } from './registryList.ts';

const model = (id: string, name: string, lastUsedAt: number, extra: Partial<ModelRecord> = {}): ModelRecord => ({
  id,
  name,
  kind: 'onnx',
  source: { type: 'sample', sample: id },
  sizeBytes: 668,
  signature: { inputs: [], outputs: [] },
  storage: 'vial-ml',
  createdAt: 1,
  lastUsedAt,
  ...extra,
});

describe('the model registry app', () => {
  it('reads the registry with its own schema, and says why it cannot', () => {
    const registry = { models: [model('sample:mlp', 'MLP', 5)], samples: [] };
    expect(readRegistry(JSON.stringify(registry))).toEqual({ registry });
    expect(readRegistry(undefined)).toEqual({ error: expect.stringContaining('ml scope') });
    expect(readRegistry('{')).toEqual({ error: 'vial://models/registry is not JSON.' });
    expect(readRegistry(JSON.stringify({ models: [{ id: 1 }], samples: [] }))).toEqual({
      error: expect.stringContaining('not what this app reads'),
    });
  });

  it('finds models by every word of a search, in name, id, kind, task or source, most recently used first', () => {
    const models = [
      model('sample:mlp', 'MLP', 5),
      model('trained:1', 'blobs classifier', 9, {
        kind: 'tfjs',
        source: { type: 'trained', layers: 2, epochs: 10 },
      }),
      model('sample:bert-embed', 'BERT embeddings', 7, { kind: 'transformers', task: 'feature-extraction' }),
    ];
    expect(matchingModels(models, '').map((m) => m.id)).toEqual(['trained:1', 'sample:bert-embed', 'sample:mlp']);
    expect(matchingModels(models, 'TFJS blobs').map((m) => m.id)).toEqual(['trained:1']);
    expect(matchingModels(models, 'feature').map((m) => m.id)).toEqual(['sample:bert-embed']);
    expect(matchingModels(models, 'trained here').map((m) => m.id)).toEqual(['trained:1']);
    expect(matchingModels(models, 'nothing like it')).toEqual([]);
  });
});
