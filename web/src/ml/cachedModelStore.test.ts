import { describe, expect, it } from 'vitest';
import { CachedModelStore } from './cachedModelStore.ts';
import type { ModelRecord, ModelStore } from './modelRecords.ts';

/** A store that counts what reaches it. */
class CountingStore implements ModelStore {
  readonly records = new Map<string, ModelRecord>();
  reads = 0;
  touches = 0;
  async list() {
    return [...this.records.values()];
  }
  async get(id: string) {
    this.reads++;
    return this.records.get(id);
  }
  async put(record: ModelRecord) {
    this.records.set(record.id, record);
  }
  async bytes() {
    return undefined;
  }
  async touch(id: string, at: number) {
    this.touches++;
    const record = this.records.get(id);
    if (record) this.records.set(id, { ...record, lastUsedAt: at });
  }
  async remove(id: string) {
    this.records.delete(id);
  }
}

const record = (id: string, at: number): ModelRecord => ({
  id,
  name: id,
  kind: 'onnx',
  source: { type: 'sample', sample: id },
  sizeBytes: 1,
  signature: { inputs: [], outputs: [] },
  storage: 'vial-ml',
  createdAt: at,
  lastUsedAt: at,
});

describe('CachedModelStore', () => {
  it('reads a record once, writes "last used" at most once a minute, and lists the fresh times', async () => {
    const inner = new CountingStore();
    inner.records.set('a', record('a', 0));
    inner.records.set('b', record('b', 10));
    const store = new CachedModelStore(inner);
    for (let call = 1; call <= 5; call++) {
      await store.get('a');
      await store.touch('a', 60_000 + call);
    }
    expect(inner.reads).toBe(1);
    expect(inner.touches).toBe(1);
    expect((await store.list()).map((model) => [model.id, model.lastUsedAt])).toEqual([
      ['a', 60_005],
      ['b', 10],
    ]);
    await store.touch('a', 130_000);
    expect(inner.touches).toBe(2);
    await store.remove('a');
    expect(await store.get('a')).toBeUndefined();
  });
});
