/**
 * The registry as inference sees it: records kept in memory after the first read, and "last
 * used" written through at most once a minute per model. Reading and rewriting the IndexedDB
 * record on every call cost 2–3 ms of each inference (`pnpm bench:ml`); listing still shows the
 * in-memory times, so the registry never looks staler than it is.
 */
import type { ModelRecord, ModelStore } from './modelRecords.ts';

const TOUCH_WRITE_INTERVAL_MS = 60_000;

export class CachedModelStore implements ModelStore {
  private readonly records = new Map<string, ModelRecord>();
  private readonly written = new Map<string, number>();

  constructor(private readonly inner: ModelStore) {}

  async list(): Promise<ModelRecord[]> {
    const stored = await this.inner.list();
    return stored.map((record) => this.records.get(record.id) ?? record).sort((a, b) => b.lastUsedAt - a.lastUsedAt);
  }

  async get(id: string): Promise<ModelRecord | undefined> {
    const cached = this.records.get(id);
    if (cached) return cached;
    const record = await this.inner.get(id);
    if (record) this.records.set(id, record);
    return record;
  }

  async put(record: ModelRecord, bytes?: ArrayBuffer): Promise<void> {
    await this.inner.put(record, bytes);
    this.records.set(record.id, record);
    this.written.set(record.id, record.lastUsedAt);
  }

  bytes(id: string): Promise<ArrayBuffer | undefined> {
    return this.inner.bytes(id);
  }

  async touch(id: string, at: number): Promise<void> {
    const record = await this.get(id);
    if (!record) return;
    this.records.set(id, { ...record, lastUsedAt: at });
    if (at - (this.written.get(id) ?? 0) < TOUCH_WRITE_INTERVAL_MS) return;
    this.written.set(id, at);
    await this.inner.touch(id, at);
  }

  async remove(id: string): Promise<void> {
    this.records.delete(id);
    this.written.delete(id);
    await this.inner.remove(id);
  }
}
