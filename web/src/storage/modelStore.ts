/**
 * The model registry in IndexedDB (`vial-ml`): records in one store, model bytes in another so
 * listing never reads weights. Records are parsed with zod on the way out.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { parseOrSkip, readNewest, type Database } from './recency.ts';
import { modelRecordSchema, type ModelRecord, type ModelStore } from '../ml/modelRecords.ts';

const DB_NAME = 'vial-ml';

interface MlDb extends DBSchema {
  models: { key: string; value: unknown; indexes: { lastUsedAt: number } };
  bytes: { key: string; value: ArrayBuffer };
}

const parse = parseOrSkip(modelRecordSchema, 'model record');

export class IndexedDbModelStore implements ModelStore {
  private db: Promise<IDBPDatabase<MlDb>> | undefined;

  async list(): Promise<ModelRecord[]> {
    return readNewest((await this.open()) as Database, 'models', 'lastUsedAt', Number.MAX_SAFE_INTEGER, parse);
  }

  async get(id: string): Promise<ModelRecord | undefined> {
    const raw = await (await this.open()).get('models', id);
    return raw === undefined ? undefined : parse(raw);
  }

  async put(record: ModelRecord, bytes?: ArrayBuffer): Promise<void> {
    const tx = (await this.open()).transaction(['models', 'bytes'], 'readwrite');
    await Promise.all([
      tx.objectStore('models').put(modelRecordSchema.parse(record), record.id),
      bytes ? tx.objectStore('bytes').put(bytes, record.id) : undefined,
      tx.done,
    ]);
  }

  async bytes(id: string): Promise<ArrayBuffer | undefined> {
    return (await this.open()).get('bytes', id);
  }

  async touch(id: string, at: number): Promise<void> {
    const record = await this.get(id);
    if (record) await (await this.open()).put('models', { ...record, lastUsedAt: at }, id);
  }

  async remove(id: string): Promise<void> {
    const tx = (await this.open()).transaction(['models', 'bytes'], 'readwrite');
    await Promise.all([tx.objectStore('models').delete(id), tx.objectStore('bytes').delete(id), tx.done]);
  }

  private open(): Promise<IDBPDatabase<MlDb>> {
    this.db ??= openDB<MlDb>(DB_NAME, 1, {
      upgrade(db) {
        db.createObjectStore('models').createIndex('lastUsedAt', 'lastUsedAt');
        db.createObjectStore('bytes');
      },
    });
    return this.db;
  }
}
